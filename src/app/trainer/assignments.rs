//! The Assignments tab: assign calls to a rep or a team with a due date and a required score,
//! put reps in teams, and see where each rep stands on each assignment (not started, in
//! progress, not passed, past due, done), with cancel. What is set here reaches the reps' apps
//! through the LRS at the next sync, which starts at once.

use super::*;
use crate::records::store::{Assignment, AssignmentStatus, RepProgress as Standing};
use std::collections::BTreeSet;

/// Who an assignment is for, as chosen in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Rep(String),
    Team(String),
}

/// The tab's form.
#[derive(Default)]
pub struct AssignForm {
    scenarios: BTreeSet<String>,
    recipient: Option<Recipient>,
    due: String,
    require_score: bool,
    score: u8,
    team_rep: Option<String>,
    team_name: String,
    saving: Option<Pending<Result<String, String>>>,
    pub result: Option<Result<String, String>>,
}

fn status_colour(status: AssignmentStatus) -> egui::Color32 {
    match status {
        AssignmentStatus::Done => theme::GOOD,
        AssignmentStatus::PastDue | AssignmentStatus::NotPassed => theme::BAD,
        AssignmentStatus::InProgress => theme::WARN,
        AssignmentStatus::NotStarted => theme::TEXT_MUTED,
    }
}

pub(super) fn assignments_tab(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    worker: &DbWorker,
    log: &mut SessionLog,
    library: &Library,
) {
    let TrainerView {
        assign: form,
        teams,
        reps,
        assignments,
        stale,
        ..
    } = view;
    if let Some(pending) = &mut form.saving
        && let Some(result) = pending.try_take()
    {
        form.saving = None;
        if result.is_ok() {
            *stale = true;
            // To the LRS now, so the reps' apps see it at their next sync.
            log.sync_in_background();
        }
        form.result = Some(result);
    }
    if form.due.is_empty() {
        form.due = clock::date(clock::now_ms() + 7 * clock::DAY_MS);
        form.score = 75;
    }
    egui::ScrollArea::vertical()
        .id_salt("assignments-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Assign calls");
            ui.horizontal_wrapped(|ui| {
                ui.label("Calls:");
                for entry in &library.entries {
                    let Some(scenario) = entry.scenario() else {
                        continue;
                    };
                    let mut on = form.scenarios.contains(&scenario.id);
                    if ui.checkbox(&mut on, &scenario.title).changed() {
                        if on {
                            form.scenarios.insert(scenario.id.clone());
                        } else {
                            form.scenarios.remove(&scenario.id);
                        }
                    }
                }
            });
            ui.horizontal(|ui| {
                ui.label("For:");
                let shown = match &form.recipient {
                    Some(Recipient::Rep(rep)) => rep.clone(),
                    Some(Recipient::Team(team)) => format!("team {team}"),
                    None => "choose a rep or a team".to_string(),
                };
                egui::ComboBox::from_id_salt("assign-for")
                    .selected_text(crate::engine::text::shorten(&shown, 32))
                    .show_ui(ui, |ui| {
                        for (team, members) in teams.iter() {
                            ui.selectable_value(
                                &mut form.recipient,
                                Some(Recipient::Team(team.clone())),
                                format!(
                                    "team {team} ({} rep{})",
                                    members.len(),
                                    if members.len() == 1 { "" } else { "s" }
                                ),
                            );
                        }
                        for rep in reps.iter() {
                            ui.selectable_value(
                                &mut form.recipient,
                                Some(Recipient::Rep(rep.clone())),
                                rep,
                            );
                        }
                    });
                ui.label("Due (YYYY-MM-DD):");
                ui.add(egui::TextEdit::singleline(&mut form.due).desired_width(110.0));
                ui.checkbox(&mut form.require_score, "Score at least");
                ui.add_enabled(
                    form.require_score,
                    egui::DragValue::new(&mut form.score).range(0..=100),
                );
            });
            if !form.require_score {
                theme::muted(ui, "Without a score, each call must be passed at its own pass mark (or, without one, be the right call).");
            }
            let due = crate::records::clock::parse(form.due.trim())
                .map(|d| d + clock::DAY_MS - 1)
                .ok()
                .filter(|d| *d > clock::now_ms());
            let ready = !form.scenarios.is_empty()
                && form.recipient.is_some()
                && due.is_some()
                && form.saving.is_none();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(ready, egui::Button::new("Assign"))
                    .on_disabled_hover_text("Choose calls, a rep or a team, and a due date to come")
                    .clicked()
                    && let (Some(due_at), Some(recipient)) = (due, form.recipient.clone())
                {
                    let scenarios: Vec<String> = form.scenarios.iter().cloned().collect();
                    let score = form.require_score.then_some(form.score);
                    form.saving = Some(worker.submit(move |store| {
                        save(store, scenarios, recipient, due_at, score).map_err(|e| e.to_string())
                    }));
                }
                if due.is_none() {
                    theme::muted(ui, "The due date must be a date to come, as 2026-12-24.");
                }
            });
            match &form.result {
                Some(Ok(text)) => {
                    ui.label(egui::RichText::new(text).color(theme::GOOD));
                }
                Some(Err(text)) => {
                    ui.label(egui::RichText::new(text).color(theme::BAD));
                }
                None => {}
            }
            ui.add_space(8.0);
            theme::section(ui, "Teams");
            ui.horizontal(|ui| {
                ui.label("Put");
                let shown = form.team_rep.clone().unwrap_or_else(|| "a rep".into());
                egui::ComboBox::from_id_salt("team-rep")
                    .selected_text(crate::engine::text::shorten(&shown, 28))
                    .show_ui(ui, |ui| {
                        for rep in reps.iter() {
                            ui.selectable_value(&mut form.team_rep, Some(rep.clone()), rep);
                        }
                    });
                ui.label("in team");
                ui.add(egui::TextEdit::singleline(&mut form.team_name).desired_width(140.0));
                if ui
                    .add_enabled(
                        form.team_rep.is_some() && !form.team_name.trim().is_empty(),
                        egui::Button::new("Save team"),
                    )
                    .clicked()
                    && let Some(rep) = form.team_rep.clone()
                {
                    let team = form.team_name.clone();
                    form.saving = Some(worker.submit(move |store| {
                        store.set_team(&rep, &team).map_err(|e| e.to_string())?;
                        Ok(format!("{rep} is in team {}.", team.trim()))
                    }));
                }
            });
            for (team, members) in teams.iter() {
                theme::muted(ui, format!("{team}: {}", members.join(", ")));
            }
            ui.add_space(8.0);
            theme::section(ui, "Where each rep stands");
            if assignments.is_empty() {
                theme::muted(ui, "No assignments yet.");
            }
            let mut cancel: Option<Assignment> = None;
            let now = clock::now_ms();
            // Calls by title where this machine has them, else by id.
            let title = |id: &str| {
                library
                    .playable(id)
                    .map_or_else(|| id.to_string(), |(_, s)| s.title.clone())
            };
            for (assignment, standings) in assignments.iter() {
                theme::card().show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal_wrapped(|ui| {
                        let titles: Vec<String> =
                            assignment.scenarios.iter().map(|id| title(id)).collect();
                        ui.label(egui::RichText::new(titles.join("; ")).strong());
                        theme::muted(
                            ui,
                            format!(
                                "due {}{} · set by {} on {}",
                                clock::due_date(assignment.due_at, now),
                                assignment.terms(),
                                assignment.set_by,
                                clock::date(assignment.set_at)
                            ),
                        );
                        if ui.small_button("Cancel").clicked() {
                            cancel = Some(assignment.clone());
                        }
                    });
                    for standing in standings {
                        standing_row(ui, standing, &title);
                    }
                });
            }
            if let Some(assignment) = cancel {
                let assignment = assignment.cancelled_at(clock::now_ms());
                form.saving = Some(worker.submit(move |store| {
                    store
                        .save_assignment(&assignment)
                        .map_err(|e| e.to_string())?;
                    Ok(format!(
                        "Cancelled {}; the reps' apps drop it at their next sync.",
                        assignment.scenarios.join(", ")
                    ))
                }));
            }
        });
}

fn standing_row(ui: &mut egui::Ui, standing: &Standing, title: &dyn Fn(&str) -> String) {
    ui.horizontal_wrapped(|ui| {
        ui.allocate_ui_with_layout(
            egui::vec2(180.0, 18.0),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_width(180.0);
                ui.add(egui::Label::new(&standing.rep).truncate());
            },
        );
        ui.label(
            egui::RichText::new(standing.status.label())
                .color(status_colour(standing.status))
                .strong(),
        );
        for scenario in &standing.scenarios {
            theme::muted(
                ui,
                format!(
                    "{}: {}{}",
                    crate::engine::text::shorten(&title(&scenario.scenario_id), 28),
                    scenario.status.label(),
                    scenario
                        .best
                        .map_or(String::new(), |b| format!(" (best {b})"))
                ),
            );
        }
    });
}

/// Saves an assignment from the form, on the database worker.
fn save(
    store: &Store,
    scenarios: Vec<String>,
    recipient: Recipient,
    due_at: clock::Millis,
    required_score: Option<u8>,
) -> crate::records::store::Result<String> {
    let (reps, team) = match recipient {
        Recipient::Rep(rep) => (vec![rep], None),
        Recipient::Team(team) => (store.team_members(&team)?, Some(team)),
    };
    let assignment = Assignment::new(
        scenarios,
        reps,
        team,
        due_at,
        required_score,
        crate::records::xapi::trainer_name(),
        clock::now_ms(),
    );
    store.save_assignment(&assignment)?;
    Ok(format!(
        "Assigned {} to {}, due {}; it reaches their apps through the LRS.",
        assignment.scenarios.join(", "),
        assignment.reps.join(", "),
        clock::due_date(assignment.due_at, clock::now_ms())
    ))
}
