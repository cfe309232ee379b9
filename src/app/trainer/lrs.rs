//! The LRS tab: statements sent, waiting and rejected (with the LRS's reason), "Send now", and
//! the pull of the team's sessions from other machines ("Pull now", and when it last ran).

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
    let pulling = log.pulling();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                log.config.lrs.is_some() && !pulling,
                egui::Button::new("Pull now"),
            )
            .on_hover_text("Read every rep's sessions from the LRS into this machine's records")
            .clicked()
        {
            log.pull_in_background();
        }
        if pulling {
            ui.spinner();
            theme::muted(ui, "reading the team's sessions...");
        }
    });
    match &log.last_pull {
        Some((at, Ok(report))) => theme::muted(
            ui,
            format!(
                "Last pull {}: {} session(s) added from other machines, {} already here{}{}",
                crate::records::clock::short(*at),
                report.added,
                report.already_here,
                if report.left.is_empty() {
                    String::new()
                } else {
                    format!("; {} left for the next pull", report.left.len())
                },
                report
                    .stopped
                    .as_ref()
                    .map_or(String::new(), |why| format!(" ({why})"))
            ),
        ),
        Some((_, Err(error))) => {
            ui.label(egui::RichText::new(format!("Last pull failed: {error}")).color(theme::BAD));
        }
        None if log.config.lrs.is_some() => theme::muted(ui, "Not pulled yet."),
        None => {}
    }
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
