//! A stored session replayed step by step, then its debrief.

use super::*;

pub(super) fn replay_view(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    commands: &mut Commands,
    next: &mut NextState<Screen>,
) {
    let Some(replay) = &mut view.replay else {
        return;
    };
    let row = replay.stored.row.clone();
    let turns = replay.stored.turns.len();
    let mut close = ui.input(|i| i.key_pressed(egui::Key::Escape));
    ui.horizontal(|ui| {
        close |= ui.button("Back to sessions").clicked();
        theme::heading(ui, &format!("{} · {}", row.rep, row.scenario_title));
    });
    theme::muted(
        ui,
        format!(
            "Session {} · {} UTC · {} · seed {} · revision {}",
            row.id,
            clock::short(row.started_at),
            row.status.label(),
            row.seed,
            &row.revision[..row.revision.len().min(12)]
        ),
    );
    if let Some(call) = &replay.stored.campaign {
        theme::muted(
            ui,
            format!(
                "Call {} of {} of the campaign {} · started from trust {}{}{}",
                call.call + 1,
                call.calls,
                call.campaign_title,
                call.trust,
                if call.knows.is_empty() {
                    String::new()
                } else {
                    format!(", knowing {} fact(s) from earlier calls", call.knows.len())
                },
                call.between
                    .as_ref()
                    .map(|b| format!(" · between the calls: {b}"))
                    .unwrap_or_default()
            ),
        );
    }
    ui.horizontal(|ui| {
        let (left, right) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
            )
        });
        if ui.button("|<").on_hover_text("The opening").clicked() {
            replay.step = 0;
        }
        if ui.button("< Back").clicked() || left {
            replay.step = replay.step.saturating_sub(1);
        }
        if ui.button("Next >").clicked() || right {
            replay.step = (replay.step + 1).min(turns);
        }
        if ui.button(">|").on_hover_text("The whole call").clicked() {
            replay.step = turns;
        }
        ui.label(format!("Turn {} of {turns}", replay.step));
        if let (Some(session), Some(debrief)) = (&replay.session, &replay.debrief)
            && theme::primary_button(ui, "Open the debrief").clicked()
        {
            commands.insert_resource(FinishedCall {
                debrief: debrief.clone(),
                scenario: session.scenario().clone(),
                asset: Handle::<crate::app::scenarios::ScenarioAsset>::default().id(),
                seed: session.seed(),
                progress: Progress::default(),
                replay_of: Some(row.id),
                serial: crate::app::playing::next_debrief(),
                playtest: None,
                campaign_run: None,
            });
            next.set(Screen::Debrief);
        }
    });
    if let Some(problem) = &replay.problem {
        ui.label(
            egui::RichText::new(format!(
                "This session cannot be replayed: {problem}. Its stored transcript is shown."
            ))
            .color(theme::WARN),
        );
    }
    if let Some(session) = &replay.session
        && let Some(note) = replay.stored.scoring_note(session.scores())
    {
        ui.label(egui::RichText::new(note).color(theme::WARN));
    }
    ui.separator();
    let step = replay.step;
    let scenario = replay.session.as_ref().map(Session::scenario);
    egui::ScrollArea::vertical()
        .id_salt("replay-transcript")
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            let said = |ui: &mut egui::Ui, said: &crate::records::store::Said| match said {
                crate::records::store::Said::Buyer(line) => {
                    theme::card().fill(theme::BUYER_BUBBLE).show(ui, |ui| {
                        ui.label(line);
                    });
                }
                crate::records::store::Said::Fact(id) => {
                    let fact = scenario.and_then(|s| s.fact(id));
                    let text =
                        fact.map_or(id.clone(), |f| format!("{}: {}", f.kind.label(), f.text));
                    ui.label(egui::RichText::new(format!("noted - {text}")).color(theme::GOOD));
                }
                crate::records::store::Said::Chance(to) => {
                    theme::muted(ui, format!("(chance: the call went to {to})"));
                }
            };
            for s in &replay.stored.opening {
                said(ui, s);
            }
            for turn in replay.stored.turns.iter().take(step) {
                ui.with_layout(egui::Layout::top_down(egui::Align::Max), |ui| {
                    theme::card().fill(theme::REP_BUBBLE).show(ui, |ui| {
                        ui.set_max_width(ui.available_width() * 0.8);
                        ui.label(&turn.say);
                        theme::muted(
                            ui,
                            format!(
                                "turn {} · {} · {:.1} s to decide · trust {} · {} min left",
                                turn.turn + 1,
                                turn.move_kind.label(),
                                turn.think_ms as f64 / 1000.0,
                                turn.trust_after,
                                turn.minutes_left_after
                            ),
                        );
                    });
                });
                for s in &turn.reply {
                    said(ui, s);
                }
            }
            if step == turns {
                ui.add_space(6.0);
                match (row.outcome, row.scores) {
                    (Some(outcome), Some(scores)) => theme::section(
                        ui,
                        &format!("{} · overall {}", outcome.label(), scores.overall),
                    ),
                    _ => theme::section(ui, &format!("The call was {}.", row.status.label())),
                }
            }
        });
    if close {
        view.replay = None;
        view.stale = true;
    }
}
