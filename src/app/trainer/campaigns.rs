//! The Campaigns tab: every rep's runs through the campaigns, latest first, with each call's
//! outcome and score (a click replays that call), where the run stands and the campaign's score.

use super::*;
use crate::engine::campaign::Progress;

pub(super) fn campaigns_tab(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    library: &Library,
    worker: &DbWorker,
) {
    ui.horizontal(|ui| {
        if team_combo(ui, "campaigns-tab-team", view) {
            view.stale = true;
        }
    });
    if view.runs.is_empty() {
        theme::muted(
            ui,
            "No campaign runs yet: a rep plays a campaign from the top of the library.",
        );
        return;
    }
    theme::muted(
        ui,
        "Each run is one rep's way through a campaign. Click a call to replay it.",
    );
    let mut replay = None;
    egui::ScrollArea::vertical()
        .id_salt("campaign-runs")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for run in &view.runs {
                let campaign = library.campaign(&run.campaign);
                let played = run.calls();
                theme::card().show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal_wrapped(|ui| {
                        ui.label(egui::RichText::new(&run.rep).strong());
                        ui.label(
                            campaign.map_or_else(|| run.campaign.clone(), |c| c.title.clone()),
                        );
                        theme::muted(
                            ui,
                            format!("last played {} UTC", clock::short(run.last_played)),
                        );
                    });
                    ui.horizontal_wrapped(|ui| {
                        for (n, (id, call)) in run.played.iter().enumerate() {
                            let text = format!(
                                "{}. {}: {} {}",
                                n + 1,
                                call.scenario,
                                call.outcome.label(),
                                call.scores.overall
                            );
                            let colour = theme::score_colour(call.scores.overall, Some(70));
                            if ui
                                .add(egui::Button::new(egui::RichText::new(text).color(colour)))
                                .on_hover_text("Replay this call")
                                .clicked()
                            {
                                replay = Some(*id);
                            }
                        }
                    });
                    let stands = match campaign {
                        None => "This campaign's file is not in the library, so where the run stands is not known.".to_string(),
                        Some(c) => match c.progress(&played) {
                            Progress::Next(n) => {
                                format!("Call {} of {} is up next.", n + 1, c.calls.len())
                            }
                            Progress::Over(_) => c.score(&played).map_or_else(String::new, |s| {
                                format!(
                                    "Campaign score {} (qualification {}, discovery {}, rapport {}, velocity {}). {}",
                                    s.scores.overall,
                                    s.scores.qualification,
                                    s.scores.discovery,
                                    s.scores.rapport,
                                    s.scores.velocity,
                                    s.verdict()
                                )
                            }),
                        },
                    };
                    theme::muted(ui, stands);
                });
                ui.add_space(8.0);
            }
        });
    if let Some(id) = replay {
        request_replay(view, worker, id);
    }
}
