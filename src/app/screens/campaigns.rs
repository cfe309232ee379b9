//! Campaigns on the library screen: one card per campaign with the rep's progress through their
//! latest run (each call played, its outcome and score, the call that comes next) and the way
//! on, and broken campaign files with the checker's messages. Also the campaign block the last
//! call's debrief ends with.

use crate::app::playing::{CampaignRun, StartCampaignCall};
use crate::app::records::RepProgress;
use crate::app::scenarios::Library;
use crate::app::theme;
use crate::engine::campaign::{Campaign, CampaignReport, PlayedCall, Progress, Stop};
use bevy::prelude::*;
use bevy_egui::egui;

/// The campaign cards, above the single calls. Draws nothing when the folder has no campaigns.
pub(super) fn campaign_cards(
    ui: &mut egui::Ui,
    library: &Library,
    progress: &RepProgress,
    rep: &str,
    width: f32,
    start: &mut MessageWriter<StartCampaignCall>,
) {
    if library.campaigns.is_empty() {
        return;
    }
    theme::section(ui, "campaigns: one deal, several calls");
    for report in &library.campaigns {
        match &report.campaign {
            Some(campaign) => campaign_card(
                ui,
                library,
                campaign,
                progress,
                progress.rep == rep,
                width,
                start,
            ),
            None => broken_campaign(ui, report, width),
        }
        ui.add_space(10.0);
    }
    theme::section(ui, "single calls");
}

fn campaign_card(
    ui: &mut egui::Ui,
    library: &Library,
    campaign: &Campaign,
    progress: &RepProgress,
    mine: bool,
    width: f32,
    start: &mut MessageWriter<StartCampaignCall>,
) {
    let latest = progress
        .campaign_runs
        .iter()
        .find(|run| mine && run.campaign == campaign.id);
    let played: Vec<PlayedCall> = latest.map(|run| run.calls()).unwrap_or_default();
    let where_now = campaign.progress(&played);
    theme::card().show(ui, |ui| {
        ui.set_width(width.max(1.0));
        ui.label(egui::RichText::new(&campaign.title).strong().size(18.0));
        ui.label(&campaign.brief);
        ui.add_space(4.0);
        for (n, plan) in campaign.calls.iter().enumerate() {
            let title = library
                .playable(&plan.scenario)
                .map_or(plan.scenario.clone(), |(_, s)| s.title.clone());
            let (mark, colour, note) = match played.get(n) {
                Some(call) => (
                    "done",
                    theme::score_colour(call.scores.overall, Some(70)),
                    format!("{}, {}", call.outcome.label(), call.scores.overall),
                ),
                None if where_now == Progress::Next(n) && !played.is_empty() => {
                    ("next", theme::ACCENT, "up next".to_string())
                }
                None => ("", theme::TEXT_MUTED, String::new()),
            };
            ui.horizontal_wrapped(|ui| {
                // One label per call, so a screen reader reads its place and title together.
                ui.label(egui::RichText::new(format!("{}. {title}", n + 1)).color(
                    if mark.is_empty() {
                        theme::TEXT_MUTED
                    } else {
                        theme::TEXT
                    },
                ));
                if !note.is_empty() {
                    theme::pill(ui, &note, colour);
                }
            });
        }
        let summary = match (&where_now, campaign.score(&played)) {
            (Progress::Over(_), Some(score)) => Some(format!(
                "Your last run: campaign score {}{}",
                score.scores.overall,
                match (&score.stop, score.scores.passed) {
                    (Stop::Finished, Some(true)) =>
                        ", passed: the deal went the whole way.".to_string(),
                    (Stop::Finished, _) => ", every call played.".to_string(),
                    (Stop::Unmet { call, .. }, _) => format!(", stopped before call {}.", call + 1),
                }
            )),
            _ => None,
        };
        if let Some(summary) = summary {
            theme::muted(ui, summary);
        }
        ui.horizontal(|ui| {
            let new_run = StartCampaignCall {
                campaign_id: campaign.id.clone(),
                run: None,
            };
            match (&where_now, latest) {
                // A run part way through: go on with it, or start another.
                (Progress::Next(n), Some(run)) if *n > 0 => {
                    let label = format!("Continue: call {} of {}", n + 1, campaign.calls.len());
                    if theme::primary_button(ui, &label).clicked() {
                        start.write(StartCampaignCall {
                            campaign_id: campaign.id.clone(),
                            run: Some(CampaignRun {
                                campaign_id: campaign.id.clone(),
                                run: run.run.clone(),
                                run_seed: run.run_seed,
                                played: played.clone(),
                            }),
                        });
                    }
                    if ui.button("Start over").clicked() {
                        start.write(new_run);
                    }
                }
                _ => {
                    let label = if played.is_empty() {
                        "Start the campaign"
                    } else {
                        "Play it again"
                    };
                    if theme::primary_button(ui, label).clicked() {
                        start.write(new_run);
                    }
                }
            }
        });
    });
}

fn broken_campaign(ui: &mut egui::Ui, report: &CampaignReport, width: f32) {
    super::library::broken_file_card(
        ui,
        &report.path,
        &report.diagnostics,
        "This campaign cannot be played",
        width,
    );
}

/// The campaign block of a debrief: where the run stands after this call, the way on (the next
/// call) or, after the last call, the campaign's score call by call.
pub(super) fn debrief_block(
    ui: &mut egui::Ui,
    library: &Library,
    run: &CampaignRun,
    start: &mut MessageWriter<StartCampaignCall>,
) {
    let Some(campaign) = library.campaign(&run.campaign_id) else {
        return;
    };
    theme::card().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(egui::RichText::new(format!("Campaign: {}", campaign.title)).strong());
        match campaign.progress(&run.played) {
            Progress::Next(n) => {
                let title = library
                    .playable(&campaign.calls[n].scenario)
                    .map_or(campaign.calls[n].scenario.clone(), |(_, s)| s.title.clone());
                ui.label(format!(
                    "Call {} of {} done. What you learnt here and the trust you earned carry into the next call.",
                    n,
                    campaign.calls.len()
                ));
                if theme::primary_button(ui, &format!("Next call: {title}")).clicked() {
                    start.write(StartCampaignCall {
                        campaign_id: campaign.id.clone(),
                        run: Some(run.clone()),
                    });
                }
            }
            Progress::Over(_) => {
                let Some(score) = campaign.score(&run.played) else {
                    return;
                };
                for (n, call) in run.played.iter().enumerate() {
                    let title = library
                        .playable(&call.scenario)
                        .map_or(call.scenario.clone(), |(_, s)| s.title.clone());
                    ui.label(format!("Call {}: {title}: {}", n + 1, call.result()));
                }
                let s = score.scores;
                ui.label(
                    egui::RichText::new(format!(
                        "Campaign score {}: qualification {}, discovery {}, rapport {}, velocity {} (the mean over {} of {} calls)",
                        s.overall, s.qualification, s.discovery, s.rapport, s.velocity, score.played, score.calls
                    ))
                    .strong()
                    .color(theme::score_colour(s.overall, Some(70))),
                );
                let verdict = score.verdict();
                ui.label(verdict);
            }
        }
    });
}
