//! The library: the scenarios as cards with the rep's best score and attempts, filters by tag and
//! difficulty, the trainer's focus skills and assignments, and broken files greyed out with the
//! checker's messages.

use crate::app::playing::{Notice, StartCall, StartCampaignCall};
use crate::app::records::RepProgress;
use crate::app::reps::Reps;
use crate::app::scenarios::{Library, LibraryEntry};
use crate::app::{Screen, UiSystems, theme};
use crate::engine::format::Difficulty;
use crate::engine::play::random::fresh_seed;
use crate::records::clock;
use crate::records::store::AssignmentStatus;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::BTreeSet;

/// The rep's filter choices.
#[derive(Resource, Default)]
pub struct Filters {
    pub difficulty: Option<Difficulty>,
    pub tag: Option<String>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Filters>()
        .add_systems(
            OnEnter(Screen::Library),
            // Read the rep's progress again, and sync: the LRS may hold a new assignment.
            |mut progress: ResMut<RepProgress>,
             mut log: ResMut<crate::app::records::SessionLog>| {
                progress.stale = true;
                log.sync_in_background();
            },
        )
        .add_systems(
            EguiPrimaryContextPass,
            draw.in_set(UiSystems::Screens)
                .run_if(in_state(Screen::Library)),
        );
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn draw(
    mut contexts: EguiContexts,
    library: Res<Library>,
    reps: Res<Reps>,
    progress: Res<RepProgress>,
    notice: Res<Notice>,
    team_library: Res<crate::app::team_library::TeamLibrary>,
    mut filters: ResMut<Filters>,
    mut start: MessageWriter<StartCall>,
    mut start_campaign: MessageWriter<StartCampaignCall>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut ui) = super::screen_ui(ctx) else {
        return Ok(());
    };
    egui::Panel::top("library-top")
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            ui.horizontal(|ui| {
                theme::heading(ui, "Choose a call");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Change rep").clicked() {
                        next.set(Screen::Start);
                    }
                    theme::muted(ui, format!("Practising as {}", reps.current));
                });
            });
            let focus = &progress.focus;
            if !focus.is_empty() && progress.rep == reps.current {
                let names: Vec<&str> = focus.iter().map(|d| d.label()).collect();
                ui.label(
                    egui::RichText::new(format!(
                        "Your trainer's focus for you this month: {}",
                        names.join(" and ")
                    ))
                    .color(theme::ACCENT)
                    .strong(),
                );
                for line in &progress.focus_lines {
                    theme::muted(ui, line);
                }
            }
            if progress.rep == reps.current {
                assignments_banner(ui, &progress, &library);
            }
            if let Some(message) = &notice.0 {
                ui.label(egui::RichText::new(message).color(theme::WARN));
            }
            if let Some(problem) = team_library.problem() {
                ui.label(egui::RichText::new(problem).color(theme::WARN));
            }
            filter_bar(ui, &library, &mut filters);
        });
    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            if let Some(problem) = &library.problem {
                theme::card().show(ui, |ui| {
                    ui.label(
                        egui::RichText::new("No scenarios to play")
                            .strong()
                            .color(theme::WARN),
                    );
                    ui.label(problem);
                });
                return;
            }
            if library.loading && library.entries.is_empty() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Loading scenarios…");
                });
                return;
            }
            let shown: Vec<&LibraryEntry> = library
                .entries
                .iter()
                .filter(|e| passes(e, &filters))
                .collect();
            if shown.is_empty() {
                theme::muted(ui, "No scenario matches these filters.");
                return;
            }
            let columns = if ui.available_width() > 1500.0 { 3 } else { 2 };
            let gap = 16.0;
            // Card widths come from the panel's width, never from inside a layout cell.
            // Leave room for the scroll bar on the right.
            let outer = ((ui.available_width() - 14.0 - gap * (columns as f32 - 1.0))
                / columns as f32)
                .floor();
            let inner = (outer - 34.0).max(120.0);
            egui::ScrollArea::vertical()
                .id_salt("library-cards")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    super::campaigns::campaign_cards(
                        ui,
                        &library,
                        &progress,
                        &reps.current,
                        (ui.available_width() - 48.0).max(120.0),
                        &mut start_campaign,
                    );
                    for row in shown.chunks(columns) {
                        ui.horizontal_top(|ui| {
                            ui.spacing_mut().item_spacing.x = gap;
                            for entry in row {
                                let cell = egui::Layout::top_down(egui::Align::Min);
                                ui.allocate_ui_with_layout(egui::vec2(outer, 0.0), cell, |ui| {
                                    match entry.scenario() {
                                        Some(_) => {
                                            playable_card(ui, entry, &progress, inner, &mut start)
                                        }
                                        None => broken_card(ui, entry, inner),
                                    }
                                });
                            }
                        });
                        ui.add_space(gap);
                    }
                });
        });
    Ok(())
}

fn passes(entry: &LibraryEntry, filters: &Filters) -> bool {
    let Some(scenario) = entry.scenario() else {
        return filters.difficulty.is_none() && filters.tag.is_none();
    };
    filters.difficulty.is_none_or(|d| d == scenario.difficulty)
        && filters
            .tag
            .as_ref()
            .is_none_or(|t| scenario.tags.contains(t))
}

fn filter_bar(ui: &mut egui::Ui, library: &Library, filters: &mut Filters) {
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        theme::section(ui, "difficulty");
        ui.selectable_value(&mut filters.difficulty, None, "All");
        for difficulty in [
            Difficulty::Beginner,
            Difficulty::Intermediate,
            Difficulty::Advanced,
        ] {
            ui.selectable_value(
                &mut filters.difficulty,
                Some(difficulty),
                theme::difficulty_label(difficulty),
            );
        }
        ui.add_space(16.0);
        theme::section(ui, "tag");
        let tags: BTreeSet<&String> = library
            .entries
            .iter()
            .filter_map(|e| e.scenario())
            .flat_map(|s| s.tags.iter())
            .collect();
        egui::ComboBox::from_id_salt("tag-filter")
            .selected_text(filters.tag.clone().unwrap_or_else(|| "All tags".into()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filters.tag, None, "All tags");
                for tag in tags {
                    ui.selectable_value(&mut filters.tag, Some(tag.clone()), tag);
                }
            });
    });
}

fn playable_card(
    ui: &mut egui::Ui,
    entry: &LibraryEntry,
    progress: &RepProgress,
    width: f32,
    start: &mut MessageWriter<StartCall>,
) {
    let Some(scenario) = entry.scenario() else {
        return;
    };
    theme::card().show(ui, |ui| {
        ui.set_width(width.max(1.0));
        ui.horizontal(|ui| {
            theme::initials_disc(ui, &scenario.buyer.name, 44.0);
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(&scenario.title).strong().size(18.0));
                theme::muted(
                    ui,
                    format!(
                        "{}, {} at {}",
                        scenario.buyer.name, scenario.buyer.role, scenario.buyer.company
                    ),
                );
            });
        });
        ui.horizontal_wrapped(|ui| {
            theme::pill(
                ui,
                theme::difficulty_label(scenario.difficulty),
                theme::difficulty_colour(scenario.difficulty),
            );
            theme::pill(ui, &format!("{} min", scenario.minutes), theme::TEXT_MUTED);
            for tag in &scenario.tags {
                theme::pill(ui, tag, theme::INFO);
            }
        });
        ui.label(&scenario.brief);
        if let Some(measured) = &entry.report.difficulty {
            // The declared difficulty is the author's word; this is what the search measured, so
            // a rep knows how much guessing gets them and what the best possible score is.
            theme::muted(
                ui,
                format!(
                    "Measured {}: guessing makes the right call {:.0}% of the time; the best score is {:.0}.",
                    theme::difficulty_label(measured.measured).to_lowercase(),
                    100.0 * measured.random_right_call_share,
                    measured.highest_right_call_score.unwrap_or(measured.highest_score).round()
                ),
            );
        }
        if let Some((assignment, standing)) = progress
            .assignments
            .iter()
            .find(|(a, _)| a.scenarios.contains(&scenario.id))
        {
            let status = standing
                .scenarios
                .iter()
                .find(|s| s.scenario_id == scenario.id)
                .map_or(AssignmentStatus::NotStarted, |s| s.status);
            let text = match status {
                AssignmentStatus::Done => "Assigned to you: done".to_string(),
                AssignmentStatus::PastDue => "Assigned to you: past due".to_string(),
                _ => format!(
                    "Assigned to you, due {}",
                    clock::due_date(assignment.due_at, clock::now_ms())
                ),
            };
            theme::pill(ui, &text, status_colour(status));
        }
        ui.horizontal(|ui| {
            let record = progress.record.get(&scenario.id);
            match record {
                Some(record) => {
                    let best = record.best.unwrap_or(0);
                    ui.label(
                        egui::RichText::new(format!("Best {best}"))
                            .strong()
                            .color(theme::score_colour(best, scenario.pass_mark)),
                    );
                    theme::muted(
                        ui,
                        format!(
                            "· {} attempt{}",
                            record.attempts,
                            if record.attempts == 1 { "" } else { "s" }
                        ),
                    );
                }
                None => theme::muted(ui, "Not played yet"),
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if theme::primary_button(ui, "Play").clicked() {
                    start.write(StartCall {
                        scenario_id: scenario.id.clone(),
                        seed: fresh_seed(),
                    });
                }
            });
        });
    });
}

fn status_colour(status: AssignmentStatus) -> egui::Color32 {
    match status {
        AssignmentStatus::Done => theme::GOOD,
        AssignmentStatus::PastDue | AssignmentStatus::NotPassed => theme::BAD,
        AssignmentStatus::NotStarted | AssignmentStatus::InProgress => theme::ACCENT,
    }
}

/// What the trainer assigned this rep, above the cards: each assignment's calls by title, when
/// it is due, the score asked for, and where the rep stands on each call.
fn assignments_banner(ui: &mut egui::Ui, progress: &RepProgress, library: &Library) {
    let now = clock::now_ms();
    for (assignment, standing) in &progress.assignments {
        if standing.status == AssignmentStatus::Done && now > assignment.due_at {
            continue;
        }
        let title = |id: &str| {
            library
                .entries
                .iter()
                .filter_map(LibraryEntry::scenario)
                .find(|s| s.id == id)
                .map_or_else(|| id.to_string(), |s| s.title.clone())
        };
        let calls: Vec<String> = standing
            .scenarios
            .iter()
            .map(|s| format!("{} ({})", title(&s.scenario_id), s.status.label()))
            .collect();
        let asked = match assignment.required_score {
            Some(score) => format!("a right call scoring {score} or more"),
            None => "a pass".to_string(),
        };
        ui.label(
            egui::RichText::new(format!(
                "Assigned to you, due {}: {}",
                clock::due_date(assignment.due_at, now),
                calls.join(", ")
            ))
            .color(status_colour(standing.status))
            .strong(),
        );
        let on = if standing.scenarios.len() == 1 {
            ""
        } else {
            " on each"
        };
        theme::muted(
            ui,
            format!(
                "Set by {}: {asked}{on}; {}.",
                assignment.set_by,
                match standing.status {
                    AssignmentStatus::Done => "you have done it",
                    AssignmentStatus::PastDue => "it is past due",
                    AssignmentStatus::NotPassed => "not passed yet: play it again",
                    AssignmentStatus::InProgress => "in progress",
                    AssignmentStatus::NotStarted => "not started yet",
                }
            ),
        );
    }
}

fn broken_card(ui: &mut egui::Ui, entry: &LibraryEntry, width: f32) {
    broken_file_card(
        ui,
        &entry.report.path,
        &entry.report.diagnostics,
        "Cannot be played",
        width,
    );
}

/// A file with errors, greyed out: its name, what cannot be done with it, and the checker's
/// messages one click away (scenario and campaign files alike).
pub(super) fn broken_file_card(
    ui: &mut egui::Ui,
    path: &std::path::Path,
    diagnostics: &[crate::engine::format::diagnostic::Diagnostic],
    what: &str,
    width: f32,
) {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    theme::card()
        .fill(theme::SURFACE.gamma_multiply(0.6))
        .show(ui, |ui| {
            ui.set_width(width.max(1.0));
            ui.label(egui::RichText::new(name).strong().color(theme::TEXT_MUTED));
            ui.label(
                egui::RichText::new(format!(
                    "{what}: {errors} error{} to fix in the file.",
                    if errors == 1 { "" } else { "s" }
                ))
                .color(theme::BAD),
            );
            egui::CollapsingHeader::new("What the checker says")
                .id_salt(path.display().to_string())
                .show(ui, |ui| {
                    for diagnostic in diagnostics.iter().filter(|d| d.is_error()).take(8) {
                        ui.label(
                            egui::RichText::new(diagnostic.render(false))
                                // Monospace keeps the caret under the offending text.
                                .monospace()
                                .size(12.0)
                                .color(theme::TEXT_MUTED),
                        );
                    }
                });
        });
}
