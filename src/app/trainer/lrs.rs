//! The LRS tab: statements sent, waiting and rejected (with the LRS's reason), and "Send now".

use super::*;

pub(super) fn lrs_tab(ui: &mut egui::Ui, view: &mut TrainerView, log: &mut SessionLog) {
    match &log.config.lrs {
        Some(lrs) => ui.label(format!("LRS: {} as {}", lrs.endpoint, lrs.user)),
        None => ui.label(
            "No LRS is configured: statements wait in the local queue. Set `lrs` in config.ron (see the README).",
        ),
    };
    if let Some(outbox) = &view.outbox {
        ui.label(format!(
            "{} statement(s) sent, {} waiting, {} rejected.",
            outbox.sent,
            outbox.queued,
            outbox.rejected.len()
        ));
        for rejected in outbox.rejected.iter().take(20) {
            ui.label(
                egui::RichText::new(format!(
                    "Session {}: {}",
                    rejected.session_id,
                    crate::engine::text::shorten(&rejected.reason, 160)
                ))
                .color(theme::BAD),
            );
        }
    }
    let running = log.syncing();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                log.config.lrs.is_some() && !running,
                egui::Button::new("Send now"),
            )
            .clicked()
        {
            log.sync_in_background();
        }
        if running {
            ui.spinner();
            theme::muted(ui, "sending...");
        }
    });
    if let Some(last) = &log.last_sync {
        match last {
            Ok(report) => theme::muted(
                ui,
                format!(
                    "Last sync: {} sent, {} rejected, {} still waiting{}",
                    report.sent,
                    report.rejected.len(),
                    report.queued,
                    report
                        .stopped
                        .as_ref()
                        .map_or(String::new(), |why| format!(" ({why})"))
                ),
            ),
            Err(error) => {
                ui.label(
                    egui::RichText::new(format!("Last sync failed: {error}")).color(theme::BAD),
                );
            }
        }
    }
}
