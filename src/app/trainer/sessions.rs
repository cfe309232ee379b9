//! The Sessions tab: every session in a table that sorts by any column and filters by team, rep,
//! scenario, outcome, status and start date; a row opens its replay.

use super::*;

pub(super) fn sessions_tab(ui: &mut egui::Ui, view: &mut TrainerView, worker: &DbWorker) {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let reps: Vec<(String, String)> =
            view.reps.iter().map(|r| (r.clone(), r.clone())).collect();
        changed |= team_combo(ui, "filter-team", view);
        changed |= combo(ui, "filter-rep", "All reps", &mut view.filter.rep, &reps);
        let scenarios = view.scenarios.clone();
        changed |= combo(
            ui,
            "filter-scenario",
            "All scenarios",
            &mut view.filter.scenario,
            &scenarios,
        );
        changed |= choice_combo(
            ui,
            "filter-outcome",
            "Any outcome",
            &mut view.filter.outcome,
            &Outcome::ALL,
            Outcome::label,
        );
        changed |= choice_combo(
            ui,
            "filter-status",
            "Any status",
            &mut view.filter.status,
            &Status::ALL,
            Status::label,
        );
        ui.label("since");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut view.since_text)
                .hint_text("YYYY-MM-DD")
                .desired_width(120.0),
        );
        if edit.changed() {
            let text = view.since_text.trim();
            match (text.is_empty(), clock::parse(text)) {
                (true, _) => {
                    view.filter.since = None;
                    view.since_error = None;
                    changed = true;
                }
                (false, Ok(ms)) => {
                    view.filter.since = Some(ms);
                    view.since_error = None;
                    changed = true;
                }
                (false, Err(_)) => view.since_error = Some("a date such as 2026-11-01".into()),
            }
        }
        if let Some(error) = &view.since_error {
            ui.label(egui::RichText::new(error).color(theme::WARN));
        }
    });
    if changed {
        view.stale = true;
    }
    theme::muted(
        ui,
        if view.matching > view.rows.len() as u64 {
            format!(
                "{} sessions match; the first {} are shown. Times are UTC. Click a column to sort, a row to replay it.",
                view.matching,
                view.rows.len()
            )
        } else {
            format!(
                "{} sessions. Times are UTC. Click a column to sort, a row to replay it.",
                view.matching
            )
        },
    );
    ui.add_space(4.0);
    let columns: [(&str, f32, Option<SortKey>); 10] = [
        ("Started", 130.0, Some(SortKey::Started)),
        ("Rep", 130.0, Some(SortKey::Rep)),
        ("Scenario", 180.0, Some(SortKey::Scenario)),
        ("Result", 150.0, Some(SortKey::Outcome)),
        ("Overall", 64.0, Some(SortKey::Overall)),
        (
            "Qual",
            48.0,
            Some(SortKey::Dimension(Dimension::Qualification)),
        ),
        ("Disc", 48.0, Some(SortKey::Dimension(Dimension::Discovery))),
        ("Rapp", 48.0, Some(SortKey::Dimension(Dimension::Rapport))),
        ("Vel", 48.0, Some(SortKey::Dimension(Dimension::Velocity))),
        ("Turns", 48.0, None),
    ];
    // A window narrower than the table scrolls it sideways, header and rows together.
    let mut open = None;
    egui::ScrollArea::horizontal()
        .id_salt("sessions-wide")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            table(ui, view, &columns, &mut open);
        });
    if let Some(id) = open {
        request_replay(view, worker, id);
    }
}

fn table(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    columns: &[(&str, f32, Option<SortKey>)],
    open: &mut Option<i64>,
) {
    ui.horizontal(|ui| {
        for &(label, width, key) in columns {
            let arrow = match key {
                Some(k) if k == view.sort => {
                    if view.ascending {
                        " ^"
                    } else {
                        " v"
                    }
                }
                _ => "",
            };
            let text = egui::RichText::new(format!("{label}{arrow}")).strong();
            let response = ui.add_sized([width, 20.0], egui::Button::new(text).frame(false));
            if let (Some(key), true) = (key, response.clicked()) {
                if view.sort == key {
                    view.ascending = !view.ascending;
                } else {
                    view.sort = key;
                    view.ascending = matches!(key, SortKey::Rep | SortKey::Scenario);
                }
                view.stale = true;
            }
        }
    });
    ui.separator();
    let row_height = 22.0;
    egui::ScrollArea::vertical()
        .id_salt("sessions-table")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, view.rows.len(), |ui, range| {
            for row in &view.rows[range] {
                let response = ui
                    .horizontal(|ui| {
                        let cell =
                            |ui: &mut egui::Ui, text: String, width: f32, colour: egui::Color32| {
                                ui.add_sized(
                                    [width, row_height - 4.0],
                                    egui::Label::new(egui::RichText::new(text).color(colour))
                                        .truncate()
                                        .selectable(false),
                                );
                            };
                        cell(ui, clock::short(row.started_at), 130.0, theme::TEXT_MUTED);
                        cell(ui, row.rep.clone(), 130.0, theme::TEXT);
                        // A campaign's call says which call of which campaign it was.
                        let title = match &row.campaign {
                            Some(place) => format!("{} ({place})", row.scenario_title),
                            None => row.scenario_title.clone(),
                        };
                        cell(ui, title, 180.0, theme::TEXT);
                        let (result, colour) = match (row.outcome, row.right_call) {
                            (Some(o), Some(true)) => {
                                (format!("{} (right)", o.label()), theme::GOOD)
                            }
                            (Some(o), Some(false)) => (
                                format!("{} (wrong call)", o.label()),
                                theme::verdict_colour(o, false),
                            ),
                            (Some(o), None) => (o.label().to_string(), theme::TEXT_MUTED),
                            _ => (row.status.label().to_string(), theme::TEXT_MUTED),
                        };
                        cell(ui, result, 150.0, colour);
                        match row.scores {
                            Some(s) => {
                                cell(
                                    ui,
                                    s.overall.to_string(),
                                    64.0,
                                    theme::score_colour(s.overall, None),
                                );
                                for d in Dimension::ALL {
                                    let v = d.of(&s);
                                    cell(ui, v.to_string(), 48.0, theme::score_colour(v, None));
                                }
                            }
                            None => {
                                for width in [64.0, 48.0, 48.0, 48.0, 48.0] {
                                    cell(ui, "-".into(), width, theme::TEXT_MUTED);
                                }
                            }
                        }
                        cell(ui, row.turns.to_string(), 48.0, theme::TEXT_MUTED);
                    })
                    .response
                    .interact(egui::Sense::click());
                if response.hovered() {
                    ui.painter().rect_filled(
                        response.rect,
                        egui::CornerRadius::same(3),
                        egui::Color32::from_white_alpha(10),
                    );
                }
                if response.on_hover_text("Replay this session").clicked() {
                    *open = Some(row.id);
                }
            }
        });
}
