//! A campaign file on the Author screen: its calls in order, each with what it needs, what
//! carries into it and what chance can bring, and a way to open each call's map; its problems
//! are in the side panel, and saving the file updates both.

use super::AuthorView;
use crate::app::scenarios::Library;
use crate::app::theme;
use crate::engine::campaign::CampaignReport;
use bevy_egui::egui;

/// The campaign chain, in the central panel.
pub(super) fn show(
    ui: &mut egui::Ui,
    view: &mut AuthorView,
    library: &Library,
    report: &CampaignReport,
) {
    let Some(campaign) = &report.campaign else {
        theme::muted(
            ui,
            "The campaign shows once its file checks without errors: the problems are listed on the left.",
        );
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("author-campaign")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(egui::RichText::new(&campaign.title).strong().size(20.0));
            ui.label(&campaign.brief);
            ui.add_space(8.0);
            for (n, call) in campaign.calls.iter().enumerate() {
                if n > 0 {
                    ui.horizontal(|ui| {
                        ui.add_space(24.0);
                        ui.label(egui::RichText::new("then").color(theme::TEXT_MUTED));
                        ui.vertical(|ui| {
                            for line in crate::engine::campaign::dot::arrow_lines(call) {
                                theme::muted(ui, line);
                            }
                        });
                    });
                }
                let entry = library.playable(&call.scenario);
                theme::card().show(ui, |ui| {
                    ui.set_width(ui.available_width().min(620.0));
                    ui.horizontal(|ui| {
                        match entry {
                            Some((entry, scenario)) => {
                                ui.vertical(|ui| {
                                    ui.label(
                                        egui::RichText::new(format!("{}. {}", n + 1, scenario.title))
                                            .strong(),
                                    );
                                    theme::muted(
                                        ui,
                                        format!(
                                            "{}, {} · {}",
                                            scenario.buyer.name, scenario.buyer.role, scenario.id
                                        ),
                                    );
                                });
                                if ui.button("Open its map").clicked() {
                                    view.file = Some(entry.asset);
                                    view.campaign = None;
                                    view.selected = None;
                                    view.scene = egui::Rect::NOTHING;
                                }
                            }
                            None => {
                                ui.label(
                                    egui::RichText::new(format!(
                                        "{}. {} (not a clean scenario here)",
                                        n + 1,
                                        call.scenario
                                    ))
                                    .color(theme::BAD),
                                );
                            }
                        }
                    });
                });
            }
            ui.add_space(8.0);
            theme::muted(
                ui,
                "A run ends before a call whose `requires` the calls before did not meet. `dealsim graph FILE.campaign.ron --format html` draws this as a page.",
            );
        });
}
