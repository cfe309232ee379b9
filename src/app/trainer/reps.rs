//! The Reps tab: a rep's trend per dimension, best and latest score per scenario, the focus
//! skills a trainer sets for the month, and the rep's brief for a 1:1.

use super::*;

pub(super) fn reps_tab(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    worker: &DbWorker,
    progress: &mut RepProgress,
) {
    if view.reps.is_empty() {
        theme::muted(
            ui,
            "No sessions yet. Reps' calls appear here as soon as they are played.",
        );
        return;
    }
    ui.horizontal(|ui| {
        ui.label("Rep");
        let options: Vec<(String, String)> =
            view.reps.iter().map(|r| (r.clone(), r.clone())).collect();
        let before = view.rep.clone();
        egui::ComboBox::from_id_salt("trainer-rep")
            .selected_text(view.rep.clone().unwrap_or_default())
            .show_ui(ui, |ui| {
                for (key, label) in &options {
                    ui.selectable_value(&mut view.rep, Some(key.clone()), label);
                }
            });
        if view.rep != before {
            view.stale = true;
        }
    });
    let Some(rep) = view.rep.clone() else {
        return;
    };
    merge_row(ui, view, worker, &rep);
    ui.add_space(6.0);
    // Focus skills: one or two dimensions the rep works on this month, kept in the shared
    // database so that the rep's own copy of the app shows them.
    let mut focus = view.focus.clone();
    ui.horizontal(|ui| {
        theme::section(ui, "Focus this month (one or two)");
        let mut changed = false;
        for d in Dimension::ALL {
            let mut on = focus.contains(&d);
            let allowed = on || focus.len() < 2;
            if ui
                .add_enabled(allowed, egui::Checkbox::new(&mut on, d.label()))
                .changed()
            {
                if on {
                    focus.push(d);
                } else {
                    focus.retain(|f| *f != d);
                }
                changed = true;
            }
        }
        if changed {
            // Saved by the database worker; the table shows the choice at once, and the rep's
            // own progress is read again so that the library shows it.
            let (who, chosen) = (rep.clone(), focus.clone());
            drop(worker.submit(move |store| {
                store
                    .set_focus(&who, &chosen, clock::now_ms())
                    .map_err(|e| e.to_string())
            }));
            view.focus = focus.clone();
            view.focus_set_at = Some(clock::now_ms());
            progress.stale = true;
        }
        if let Some(at) = view.focus_set_at {
            theme::muted(ui, format!("set {}", clock::date(at)));
        }
    });
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .id_salt("rep-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Trend per dimension");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut view.trend_raw, false, "Skill measure")
                    .on_hover_text("Like with like across easy and hard calls");
                ui.selectable_value(&mut view.trend_raw, true, "Raw score");
            });
            if view.trend_raw {
                theme::muted(
                    ui,
                    "Raw scores mix easy and hard calls: a rep moving to harder calls can look worse while playing better.",
                );
            } else {
                theme::muted(ui, crate::engine::norms::EXPLANATION);
            }
            if view.trend.len() < 3 {
                theme::muted(
                    ui,
                    format!(
                        "{} finished session(s): a trend is shown from three.",
                        view.trend.len()
                    ),
                );
            } else {
                trend_chart(ui, &view.trend, &focus, view.trend_raw);
                let first = &view.trend[0];
                let last = &view.trend[view.trend.len() - 1];
                theme::muted(
                    ui,
                    format!(
                        "{} sessions, {} to {}.",
                        view.trend.len(),
                        clock::date(first.started_at),
                        clock::date(last.started_at)
                    ),
                );
            }
            ui.add_space(10.0);
            brief_section(ui, view, worker, &rep);
            ui.add_space(10.0);
            theme::section(ui, "Best and latest per scenario");
            let mut per_scenario: Vec<(String, u32, u8, u8)> = Vec::new();
            for row in &view.rep_rows {
                let Some(scores) = row.scores else { continue };
                match per_scenario.iter_mut().find(|s| s.0 == row.scenario_title) {
                    Some(entry) => {
                        entry.1 += 1;
                        entry.2 = entry.2.max(scores.overall);
                        entry.3 = scores.overall;
                    }
                    None => per_scenario.push((
                        row.scenario_title.clone(),
                        1,
                        scores.overall,
                        scores.overall,
                    )),
                }
            }
            for (title, count, best, latest) in per_scenario {
                ui.horizontal(|ui| {
                    ui.add_sized([280.0, 20.0], egui::Label::new(title).truncate());
                    theme::muted(ui, format!("{count} played"));
                    ui.label(
                        egui::RichText::new(format!("best {best}"))
                            .color(theme::score_colour(best, None)),
                    );
                    ui.label(
                        egui::RichText::new(format!("latest {latest}"))
                            .color(theme::score_colour(latest, None)),
                    );
                });
            }
        });
}

fn dimension_colour(d: Option<Dimension>) -> egui::Color32 {
    match d {
        Some(Dimension::Qualification) => theme::INFO,
        Some(Dimension::Discovery) => theme::ACCENT,
        Some(Dimension::Rapport) => theme::WARN,
        Some(Dimension::Velocity) => egui::Color32::from_rgb(0xc0, 0x7c, 0xf0),
        None => theme::TEXT,
    }
}

/// Each dimension per session, as skill measures (sessions on calls that do not test a
/// dimension are left out of its line) or as raw scores.
fn trend_chart(ui: &mut egui::Ui, trend: &[TrendPoint], focus: &[Dimension], raw: bool) {
    use egui_plot::{HLine, Legend, Line, Plot, PlotPoints};
    let series = |d: Option<Dimension>| -> Vec<[f64; 2]> {
        trend
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let value = if raw {
                    Some(f64::from(d.map_or(p.scores.overall, |d| d.of(&p.scores))))
                } else {
                    p.measures.of(d)
                };
                value.map(|v| [(i + 1) as f64, v])
            })
            .collect()
    };
    Plot::new("rep-trend")
        .height(260.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_label("session")
        .y_axis_label(if raw { "score" } else { "skill measure" })
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show(ui, |plot| {
            if !raw {
                plot.hline(
                    HLine::new("Best play (100)", 100.0)
                        .color(theme::TEXT_MUTED)
                        .width(1.0),
                );
                plot.hline(
                    HLine::new("Random play (0)", 0.0)
                        .color(theme::TEXT_MUTED)
                        .width(1.0),
                );
            }
            for d in Dimension::ALL {
                let width = if focus.contains(&d) { 3.5 } else { 1.5 };
                let name = if focus.contains(&d) {
                    format!("{} (focus)", d.label())
                } else {
                    d.label().to_string()
                };
                plot.line(
                    Line::new(name, PlotPoints::from(series(Some(d))))
                        .color(dimension_colour(Some(d)))
                        .width(width),
                );
            }
            plot.line(
                Line::new("Overall", PlotPoints::from(series(None)))
                    .color(dimension_colour(None))
                    .width(2.0),
            );
        });
}

/// The rep's brief for a 1:1 over the last 30 days (as `dealsim brief`), asked for with a click:
/// it replays and debriefs every session, so it runs on the database worker.
fn brief_section(ui: &mut egui::Ui, view: &mut TrainerView, worker: &DbWorker, rep: &str) {
    theme::section(ui, "Brief for a 1:1 (last 30 days)");
    view.brief.show(
        ui,
        rep,
        "Prepare the brief",
        "Sessions, skills against their ceilings, focus before and since, recognitions, the costliest moves and the facts most often missed (also `dealsim brief`).",
        || {
            let who = rep.to_string();
            let since = clock::now_ms() - 30 * clock::DAY_MS;
            worker.submit(move |store| {
                crate::records::brief::brief(store, &who, Some(since), None)
                    .map(|b| b.render_text())
                    .map_err(|e| e.to_string())
            })
        },
    );
}

/// Two names of one person made one rep (as `dealsim reps merge`): the shown rep's sessions and
/// focus move to the chosen one, and the old name keeps landing there.
fn merge_row(ui: &mut egui::Ui, view: &mut TrainerView, worker: &DbWorker, rep: &str) {
    if let Some(pending) = &mut view.merging
        && let Some(result) = pending.try_take()
    {
        view.merging = None;
        if let Ok(into) = &result {
            view.rep = Some(into.clone());
        }
        view.merge_result = Some(result);
        view.merge_into = None;
        view.stale = true;
    }
    ui.horizontal(|ui| {
        theme::muted(ui, "Same person as");
        let others: Vec<String> = view.reps.iter().filter(|r| *r != rep).cloned().collect();
        egui::ComboBox::from_id_salt("trainer-merge-into")
            .selected_text(view.merge_into.clone().unwrap_or_else(|| "...".into()))
            .show_ui(ui, |ui| {
                for other in &others {
                    ui.selectable_value(&mut view.merge_into, Some(other.clone()), other);
                }
            });
        let ready = view.merge_into.is_some() && view.merging.is_none();
        // A merge cannot be undone from here: the button says exactly what it does.
        let label = match &view.merge_into {
            Some(into) => format!("Merge {rep} into {into}"),
            None => "Merge".to_string(),
        };
        if ui
            .add_enabled(ready, egui::Button::new(label))
            .on_hover_text(format!(
                "Move every session and the focus of {rep} to the chosen rep; the name {rep} then counts as theirs (it cannot be undone here)"
            ))
            .clicked()
            && let Some(into) = view.merge_into.clone()
        {
            let from = rep.to_string();
            view.merging = Some(worker.submit(move |store| {
                store
                    .merge_reps(&from, &into)
                    .map(|_| into.clone())
                    .map_err(|e| e.to_string())
            }));
        }
        match &view.merge_result {
            Some(Ok(into)) => theme::muted(ui, format!("merged into {into}")),
            Some(Err(error)) => {
                ui.label(egui::RichText::new(error).color(theme::BAD));
            }
            None => {}
        }
    });
}
