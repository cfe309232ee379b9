//! The debrief: the outcome and whether it was the right call, the scores against the pass mark,
//! facts uncovered and missed, the rep's path beside the best path with the point where they
//! parted, every choice with its coaching note, recognitions, and the ways on.

use crate::app::playing::{FinishedCall, RestartCall};
use crate::app::records::RepProgress;
use crate::app::reps::Reps;
use crate::app::{Screen, UiSystems, theme};
use crate::engine::debrief::Debrief;
use crate::engine::score::Dimension;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.in_set(UiSystems::Screens)
            .run_if(in_state(Screen::Debrief)),
    );
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn draw(
    mut contexts: EguiContexts,
    finished: Option<Res<FinishedCall>>,
    reps: Res<Reps>,
    rep_progress: Res<RepProgress>,
    library: Res<crate::app::scenarios::Library>,
    mut restart: MessageWriter<RestartCall>,
    mut next: ResMut<NextState<Screen>>,
    mut playtest: MessageWriter<crate::app::playing::StartPlaytest>,
    mut start_campaign: MessageWriter<crate::app::playing::StartCampaignCall>,
) -> Result {
    let Some(finished) = finished else {
        return Ok(());
    };
    // A replay opened by the trainer is not the current rep's progress.
    let (focus, progress): (&[Dimension], &[String]) =
        if finished.replay_of.is_none() && rep_progress.rep == reps.current {
            (&rep_progress.focus, &rep_progress.focus_lines)
        } else {
            (&[], &[])
        };
    let ctx = contexts.ctx_mut()?;
    let Some(mut ui) = super::screen_ui(ctx) else {
        return Ok(());
    };
    let d = &finished.debrief;
    egui::Panel::top("debrief-top")
        .frame(theme::screen())
        .show(&mut ui, |ui| header(ui, &finished, &reps));
    egui::Panel::bottom("debrief-actions")
        .frame(theme::screen().inner_margin(egui::Margin::symmetric(28, 12)))
        .show(&mut ui, |ui| {
            ui.horizontal(|ui| {
                // An author's playtest: again from the same node, or back to the map.
                if let Some(start) = &finished.playtest {
                    if theme::primary_button(ui, &format!("Play from {} again", start.node))
                        .clicked()
                    {
                        playtest.write(crate::app::playing::StartPlaytest {
                            scenario_id: finished.scenario.id.clone(),
                            start: start.clone(),
                            seed: finished.seed.wrapping_add(1),
                        });
                    }
                    if ui.button("Back to the map").clicked() {
                        next.set(Screen::Author);
                    }
                    theme::muted(ui, "A playtest: not stored as a session.");
                    return;
                }
                if let Some(id) = finished.replay_of {
                    if theme::primary_button(ui, "Back to the trainer").clicked() {
                        next.set(Screen::Trainer);
                    }
                    theme::muted(
                        ui,
                        format!("Replay of stored session {id}, exactly as it was played."),
                    );
                    return;
                }
                if theme::primary_button(ui, "Try again, same luck")
                    .on_hover_text(format!(
                        "Seed {}: the buyer's chance turns go the same way",
                        d.seed
                    ))
                    .clicked()
                {
                    restart.write(RestartCall { new_seed: false });
                }
                if ui.button("Try again, new luck").clicked() {
                    restart.write(RestartCall { new_seed: true });
                }
                if ui.button("Back to the library").clicked() {
                    next.set(Screen::Library);
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    // Only where it fits beside the buttons (a narrow window keeps the buttons).
                    let seed = format!(
                        "seed {} · revision {}",
                        d.seed,
                        &d.revision[..8.min(d.revision.len())]
                    );
                    if ui.available_width() > 8.0 * seed.len() as f32 {
                        theme::muted(ui, seed);
                    }
                });
            });
        });
    // Narrow windows give the turn-by-turn column the room; it scrolls sideways if need be.
    let scores_width = (ui.available_width() * 0.36).clamp(300.0, 420.0);
    egui::Panel::left("debrief-scores")
        .exact_size(scores_width)
        .resizable(false)
        .frame(theme::screen().fill(theme::SURFACE))
        .show(&mut ui, |ui| {
            // Salted by the debrief shown: each opens at the top with its own sections.
            ui.push_id(finished.serial, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("debrief-scores")
                    .show(ui, |ui| {
                        // A campaign's call: where the run stands, the next call or the
                        // campaign's score, first.
                        if let Some(run) = &finished.campaign_run {
                            super::campaigns::debrief_block(ui, &library, run, &mut start_campaign);
                            ui.add_space(10.0);
                        }
                        scores(ui, d, focus, progress);
                        ui.add_space(10.0);
                        facts(ui, d);
                    });
            });
        });
    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            ui.push_id(finished.serial, |ui| {
                egui::ScrollArea::both()
                    .id_salt("debrief-paths")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        scroll_with_keys(ui);
                        paths(ui, d)
                    });
            });
        });
    Ok(())
}

fn header(ui: &mut egui::Ui, finished: &FinishedCall, reps: &Reps) {
    let d = &finished.debrief;
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            theme::muted(ui, &d.scenario_title);
            let verdict = if d.right_call {
                "the right call".to_string()
            } else {
                format!(
                    "not the right call: this deal called for {}",
                    d.right_outcome.label()
                )
            };
            ui.label(
                egui::RichText::new(format!("{}, {verdict}", d.outcome.label()))
                    .size(24.0)
                    .strong()
                    .color(theme::verdict_colour(d.outcome, d.right_call)),
            );
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let Some(scores) = d.scores else {
                theme::muted(ui, "You left the call:\nit is not scored.");
                return;
            };
            let colour = theme::score_colour(scores.overall, d.pass_mark);
            let pass = match (scores.passed, d.pass_mark) {
                (Some(true), Some(mark)) => format!("passed\npass mark {mark}"),
                (Some(false), Some(_)) if !d.right_call => {
                    "not passed: passing\nneeds the right call".to_string()
                }
                (Some(false), Some(mark)) => format!("below the\npass mark of {mark}"),
                _ => "overall".to_string(),
            };
            theme::muted(ui, pass);
            ui.label(
                egui::RichText::new(format!("{}", scores.overall))
                    .size(44.0)
                    .strong()
                    .color(colour),
            );
        });
    });
    // Recognitions: the engine's, plus what only the rep's history can tell.
    ui.horizontal_wrapped(|ui| {
        if finished.progress.personal_best {
            theme::pill(
                ui,
                &format!(
                    "Personal best (was {})",
                    finished.progress.previous_best.unwrap_or(0)
                ),
                theme::ACCENT,
            );
        }
        if finished.progress.first_right_qualify_out {
            theme::pill(ui, "Your first right walk-away", theme::ACCENT);
        }
        for recognition in &d.recognitions {
            theme::pill(ui, &recognition.title, theme::GOOD);
        }
    })
    .response
    .on_hover_text(
        d.recognitions
            .iter()
            .map(|r| format!("{}: {}", r.title, r.detail))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if let Some(problem) = &reps.problem {
        ui.label(
            egui::RichText::new(format!("This result was not saved: {problem}"))
                .small()
                .color(theme::WARN),
        );
    }
}

fn scores(ui: &mut egui::Ui, d: &Debrief, focus: &[Dimension], progress: &[String]) {
    theme::section(ui, "scores");
    // The pass mark belongs to the overall score: its tick is on this bar only.
    if let Some(scores) = d.scores {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Overall").strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    egui::RichText::new(scores.overall.to_string())
                        .strong()
                        .color(theme::score_colour(scores.overall, d.pass_mark)),
                );
                if let Some(mark) = d.pass_mark {
                    theme::muted(ui, format!("pass mark {mark} (the tick)"));
                }
            });
        });
        theme::meter(
            ui,
            "Overall score",
            f32::from(scores.overall),
            ui.available_width(),
            theme::score_colour(scores.overall, d.pass_mark),
            d.pass_mark.map(|m| m as f32),
        );
        ui.add_space(6.0);
    }
    for report in &d.dimensions {
        let Some(score) = report.score else { continue };
        let is_focus = focus.contains(&report.dimension);
        ui.horizontal(|ui| {
            let label = if is_focus {
                format!("{} (your focus)", report.dimension.label())
            } else {
                report.dimension.label().to_string()
            };
            ui.label(egui::RichText::new(label).strong().color(if is_focus {
                theme::ACCENT
            } else {
                theme::TEXT
            }));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    egui::RichText::new(score.to_string())
                        .strong()
                        .color(theme::score_colour(score, None)),
                );
                theme::muted(ui, format!("weight {}", report.weight));
            });
        });
        theme::meter(
            ui,
            report.dimension.label(),
            f32::from(score),
            ui.available_width(),
            theme::score_colour(score, None),
            None,
        );
        for why in &report.why {
            ui.label(egui::RichText::new(why).small());
        }
        egui::CollapsingHeader::new(egui::RichText::new("How it is worked out").small())
            .id_salt(("formula", report.dimension.label()))
            .show(ui, |ui| {
                ui.label(
                    egui::RichText::new(report.explanation)
                        .small()
                        .color(theme::TEXT_MUTED),
                );
            });
        ui.add_space(4.0);
    }
    theme::muted(
        ui,
        format!(
            "{} min used, {} of them on choices that added to the fastest right call still open. {} of {} moves were questions.",
            d.minutes_used,
            d.wasted_minutes,
            d.questions,
            d.turns.len()
        ),
    );
    for line in progress {
        ui.label(egui::RichText::new(format!("Focus - {line}")).color(theme::ACCENT));
    }
}

fn facts(ui: &mut egui::Ui, d: &Debrief) {
    if !d.carried_in.is_empty() {
        theme::section(
            ui,
            &format!("known from earlier calls ({})", d.carried_in.len()),
        );
        for fact in &d.carried_in {
            ui.horizontal_top(|ui| {
                theme::mark(ui, true);
                ui.label(
                    egui::RichText::new(format!("{}: {}", fact.kind.label(), fact.text))
                        .small()
                        .color(theme::TEXT_MUTED),
                );
            });
        }
        ui.add_space(6.0);
    }
    theme::section(ui, &format!("facts uncovered ({})", d.uncovered.len()));
    for fact in &d.uncovered {
        ui.horizontal_top(|ui| {
            theme::mark(ui, true);
            ui.label(egui::RichText::new(format!("{}: {}", fact.kind.label(), fact.text)).small());
        });
    }
    ui.add_space(6.0);
    theme::section(ui, &format!("facts missed ({})", d.missed.len()));
    if d.missed.is_empty() {
        theme::muted(ui, "None that the best path found.");
    }
    for fact in &d.missed {
        ui.horizontal_top(|ui| {
            theme::mark(ui, false);
            ui.vertical(|ui| {
                ui.label(
                    egui::RichText::new(format!("{}: {}", fact.kind.label(), fact.text)).small(),
                );
                if let Some(source) = fact.sources.first() {
                    let hint = match &source.choice {
                        Some(say) => format!("Ask: \"{say}\""),
                        None => format!("The buyer says it: \"{}\"", source.line),
                    };
                    ui.label(
                        egui::RichText::new(hint)
                            .small()
                            .italics()
                            .color(theme::TEXT_MUTED),
                    );
                }
            });
        });
    }
}

/// The rep's path beside the best path, then every turn with its coaching.
fn paths(ui: &mut egui::Ui, d: &Debrief) {
    theme::section(ui, "your call and what good looks like");
    match &d.best_path {
        None => theme::muted(ui, "This call is too large to search for the best path."),
        Some(best) => {
            let best_moves: Vec<_> = best.steps.iter().map(|s| (&s.say, s.move_kind)).collect();
            theme::muted(
                ui,
                format!(
                    "The best path ends in {} and scores {} with the same luck ({:.0} on average).",
                    best.outcome.label(),
                    best.scores.overall,
                    best.expected_score
                ),
            );
            // Column widths come from the panel's width, never from inside a layout cell.
            let number_width = 44.0;
            let column = ((ui.available_width() - number_width - 24.0) / 2.0).max(160.0);
            let row = |ui: &mut egui::Ui,
                       number: egui::RichText,
                       mine: Option<(&str, &str)>,
                       best: Option<(&str, &str)>,
                       parted: bool| {
                ui.horizontal_top(|ui| {
                    let top_down = egui::Layout::top_down(egui::Align::Min);
                    ui.allocate_ui_with_layout(egui::vec2(number_width, 0.0), top_down, |ui| {
                        ui.set_width(number_width);
                        ui.label(number)
                    });
                    ui.allocate_ui_with_layout(egui::vec2(column, 0.0), top_down, |ui| {
                        cell(
                            ui,
                            mine,
                            column,
                            if parted { theme::BAD } else { theme::TEXT },
                        )
                    });
                    ui.allocate_ui_with_layout(egui::vec2(column, 0.0), top_down, |ui| {
                        cell(ui, best, column, theme::GOOD)
                    });
                });
                ui.separator();
            };
            ui.horizontal_top(|ui| {
                let top_down = egui::Layout::top_down(egui::Align::Min);
                ui.allocate_ui_with_layout(egui::vec2(number_width, 0.0), top_down, |ui| {
                    ui.set_width(number_width)
                });
                for title in ["You", "Best path"] {
                    ui.allocate_ui_with_layout(egui::vec2(column, 0.0), top_down, |ui| {
                        ui.set_width(column);
                        ui.label(egui::RichText::new(title).strong());
                    });
                }
            });
            let rows = d.turns.len().max(best_moves.len());
            for i in 0..rows {
                let parted = d.left_best_path_at == Some(i);
                let number = if parted {
                    egui::RichText::new(format!("{} ▶", i + 1))
                        .color(theme::BAD)
                        .strong()
                } else {
                    egui::RichText::new((i + 1).to_string())
                };
                let mine = d
                    .turns
                    .get(i)
                    .map(|t| (t.move_kind.label(), t.say.as_str()));
                let best = best_moves.get(i).map(|(say, m)| (m.label(), say.as_str()));
                row(ui, number, mine, best, parted);
            }
            match (d.left_best_path_at, d.abandoned()) {
                (Some(turn), _) => {
                    ui.label(
                        egui::RichText::new(format!(
                            "You first gave up a meaningful part of your score at turn {}.",
                            turn + 1
                        ))
                        .color(theme::BAD),
                    );
                }
                (None, false) => {
                    ui.label(
                        egui::RichText::new(
                            "No choice of yours gave up a meaningful part of your score.",
                        )
                        .color(theme::GOOD),
                    );
                }
                (None, true) => {}
            }
        }
    }
    ui.add_space(12.0);
    theme::section(ui, "turn by turn");
    for (i, turn) in d.turns.iter().enumerate() {
        let lost = turn.points_lost.unwrap_or(0.0);
        let title = format!(
            "{}. [{}] {}",
            i + 1,
            turn.move_kind.label(),
            crate::engine::text::shorten(&turn.say, 64)
        );
        let meaningful = lost >= crate::engine::search::MEANINGFUL_LOSS;
        let colour = if meaningful { theme::WARN } else { theme::TEXT };
        egui::CollapsingHeader::new(egui::RichText::new(title).color(colour))
            .id_salt(("turn", i))
            .default_open(meaningful || d.left_best_path_at == Some(i))
            .show(ui, |ui| {
                for line in &turn.buyer_lines {
                    let trust = if line.trust_change != 0 {
                        format!("  (trust {:+})", line.trust_change)
                    } else {
                        String::new()
                    };
                    ui.label(
                        egui::RichText::new(format!("Buyer: \"{}\"{trust}", line.text))
                            .small()
                            .color(theme::TEXT_MUTED),
                    );
                }
                ui.label(egui::RichText::new(format!("You: \"{}\"", turn.say)).small());
                if let Some(note) = &turn.note {
                    ui.label(egui::RichText::new(format!("Coach: {note}")).italics());
                }
                if !turn.effects.is_empty() {
                    let effects: Vec<String> = turn.effects.iter().map(|e| e.describe()).collect();
                    ui.label(egui::RichText::new(effects.join(" · ")).small());
                }
                for hidden in &turn.hidden {
                    ui.label(
                        egui::RichText::new(format!(
                            "Not open to you here: \"{}\" ({})",
                            hidden.say, hidden.because
                        ))
                        .small()
                        .color(theme::TEXT_MUTED),
                    );
                }
                if meaningful {
                    ui.label(
                        egui::RichText::new(format!(
                            "Cost: about {lost:.0} points of your best possible score."
                        ))
                        .small()
                        .color(theme::WARN),
                    );
                }
                if let Some(better) = &turn.best_choice {
                    ui.label(
                        egui::RichText::new(format!("Better: \"{better}\""))
                            .small()
                            .color(theme::GOOD),
                    );
                }
            });
    }
}

fn cell(ui: &mut egui::Ui, entry: Option<(&str, &str)>, width: f32, colour: egui::Color32) {
    ui.vertical(|ui| {
        ui.set_width(width.max(1.0));
        match entry {
            Some((kind, say)) => {
                ui.label(egui::RichText::new(kind).small().color(theme::TEXT_MUTED));
                ui.label(egui::RichText::new(say).color(colour));
            }
            None => {
                ui.label("");
            }
        }
    });
}

/// The debrief reads with the keyboard: arrows, Page Up and Page Down, Home and End scroll the
/// call and the best path.
fn scroll_with_keys(ui: &mut egui::Ui) {
    let page = ui.clip_rect().height() * 0.9;
    let delta = ui.input(|i| {
        use egui::Key;
        if i.key_pressed(Key::PageDown) || (i.key_pressed(Key::Space) && !i.modifiers.shift) {
            -page
        } else if i.key_pressed(Key::PageUp) {
            page
        } else if i.key_pressed(Key::ArrowDown) {
            -48.0
        } else if i.key_pressed(Key::ArrowUp) {
            48.0
        } else if i.key_pressed(Key::End) {
            -1.0e7
        } else if i.key_pressed(Key::Home) {
            1.0e7
        } else {
            0.0
        }
    });
    // Not while a widget has the keyboard (a focused button takes Space itself).
    if delta != 0.0 && ui.memory(|m| m.focused().is_none()) {
        ui.scroll_with_delta(egui::vec2(0.0, delta));
    }
}
