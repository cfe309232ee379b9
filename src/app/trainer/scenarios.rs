//! The Scenarios tab: where reps go wrong on one scenario, and what the top performers do
//! there, worked out off the frame.

use super::*;

pub(super) fn scenarios_tab(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    library: &Library,
    worker: &DbWorker,
) {
    if view.scenarios.is_empty() {
        theme::muted(ui, "No sessions yet.");
        return;
    }
    ui.horizontal(|ui| {
        ui.label("Scenario");
        let before = view.scenario.clone();
        let options = view.scenarios.clone();
        egui::ComboBox::from_id_salt("trainer-scenario")
            .selected_text(
                options
                    .iter()
                    .find(|o| Some(&o.0) == view.scenario.as_ref())
                    .map_or(String::new(), |o| o.1.clone()),
            )
            .show_ui(ui, |ui| {
                for (key, label) in &options {
                    ui.selectable_value(&mut view.scenario, Some(key.clone()), label);
                }
            });
        if view.scenario != before {
            view.stale = true;
        }
    });
    if view.loading.is_some() {
        theme::muted(ui, "Working out where this call's reps go wrong…");
    }
    let Some(analysis) = view.analysis.clone() else {
        return;
    };
    let scenario = view
        .scenario
        .as_deref()
        .and_then(|id| library.playable(id))
        .map(|(_, s)| s);
    ui.label(format!(
        "{} sessions, {} finished, {} made the right call ({:.0}%).",
        analysis.sessions,
        analysis.finished,
        analysis.right_calls,
        if analysis.finished > 0 {
            f64::from(analysis.right_calls) * 100.0 / f64::from(analysis.finished)
        } else {
            0.0
        }
    ));
    egui::ScrollArea::vertical()
        .id_salt("scenario-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(id) = view.scenario.clone() {
                insight_section(ui, view, worker, &id);
                ui.add_space(8.0);
            }
            theme::section(ui, "Where wrong calls ended (the node of the last choice)");
            if analysis.lost_at.is_empty() {
                theme::muted(ui, "No wrong calls.");
            }
            for (node, count) in &analysis.lost_at {
                ui.label(egui::RichText::new(format!("{node}: {count}")).color(theme::BAD));
            }
            ui.add_space(8.0);
            theme::section(ui, "Facts most often missed");
            for (fact, missed) in analysis.missed_facts.iter().take(8) {
                let text = scenario
                    .and_then(|s| s.fact(fact))
                    .map_or(String::new(), |f| format!(" ({})", f.text));
                ui.horizontal_top(|ui| {
                    theme::meter(
                        ui,
                        "Missed in % of calls",
                        100.0 * *missed as f32 / analysis.finished.max(1) as f32,
                        120.0,
                        theme::WARN,
                        None,
                    );
                    // Wraps at the panel's edge instead of running past it.
                    ui.add(
                        egui::Label::new(format!(
                            "{fact}: missed in {missed} of {}{text}",
                            analysis.finished
                        ))
                        .wrap(),
                    );
                });
            }
            ui.add_space(8.0);
            theme::section(ui, "Choices at each node, most visited first");
            for node in &analysis.nodes {
                ui.label(
                    egui::RichText::new(format!("{} ({} visits)", node.node_id, node.visits))
                        .strong(),
                );
                for choice in &node.choices {
                    ui.horizontal_top(|ui| {
                        ui.add_space(12.0);
                        theme::meter(
                            ui,
                            "Taken in % of visits",
                            100.0 * choice.taken as f32 / node.visits.max(1) as f32,
                            120.0,
                            theme::ACCENT,
                            None,
                        );
                        ui.add(
                            egui::Label::new(format!(
                                "{:>3}%  [{}] {}",
                                choice.taken * 100 / node.visits.max(1),
                                choice.move_kind.label(),
                                crate::engine::text::shorten(&choice.say, 90)
                            ))
                            .wrap(),
                        );
                    });
                }
            }
        });
}

/// What the team's top quartile does on this call, and where the team gives up points (as
/// `dealsim insight`), asked for with a click: it replays and debriefs every session.
fn insight_section(ui: &mut egui::Ui, view: &mut TrainerView, worker: &DbWorker, scenario: &str) {
    theme::section(ui, "What the top performers do");
    view.insight.show(
        ui,
        scenario,
        "Compare the top quartile with the rest",
        "Node by node: the points the team gives up against the best continuation, and what the top quartile chooses there (also `dealsim insight`).",
        || {
            let id = scenario.to_string();
            worker.submit(move |store| {
                crate::records::insight::insight(store, &id, None, None)
                    .map(|i| i.render_text())
                    .map_err(|e| e.to_string())
            })
        },
    );
}
