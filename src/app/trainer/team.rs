//! The Team tab: the heatmap of reps by dimension, who improved most (on the skill measure),
//! and who practised how much in the last 30 days (by name: practice, not a leaderboard).

use super::*;

/// A cell of the heatmap: orange (low) through pale yellow to blue (high), readable with any
/// colour vision; the number is in the cell too.
fn heat(score: f64) -> egui::Color32 {
    let t = (score / 100.0).clamp(0.0, 1.0) as f32;
    let (from, to, u) = if t < 0.5 {
        (theme::BAD, theme::WARN, t * 2.0)
    } else {
        (theme::WARN, theme::GOOD, (t - 0.5) * 2.0)
    };
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * u) as u8;
    egui::Color32::from_rgb(
        mix(from.r(), to.r()),
        mix(from.g(), to.g()),
        mix(from.b(), to.b()),
    )
}

pub(super) fn team_tab(ui: &mut egui::Ui, view: &mut TrainerView) {
    ui.horizontal(|ui| {
        if team_combo(ui, "team-tab-team", view) {
            view.stale = true;
        }
    });
    if view.heatmap.is_empty() {
        theme::muted(ui, "No finished sessions yet.");
        return;
    }
    // Both ways: a narrow window scrolls the heatmap sideways rather than cutting columns off.
    egui::ScrollArea::both()
        .id_salt("team-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Reps by dimension (mean of finished sessions)");
            let cell = egui::vec2(96.0, 26.0);
            ui.horizontal(|ui| {
                ui.add_sized([180.0, cell.y], egui::Label::new(""));
                for label in [
                    "Qualification",
                    "Discovery",
                    "Rapport",
                    "Velocity",
                    "Overall",
                    "Sessions",
                ] {
                    ui.add_sized(cell, egui::Label::new(egui::RichText::new(label).strong()));
                }
            });
            for row in &view.heatmap {
                ui.horizontal(|ui| {
                    ui.add_sized([180.0, cell.y], egui::Label::new(&row.rep).truncate());
                    for value in [
                        row.qualification,
                        row.discovery,
                        row.rapport,
                        row.velocity,
                        row.overall,
                    ] {
                        let (rect, _) = ui.allocate_exact_size(cell, egui::Sense::hover());
                        ui.painter().rect_filled(
                            rect.shrink(1.0),
                            egui::CornerRadius::same(3),
                            heat(value),
                        );
                        ui.painter().text(
                            rect.center(),
                            egui::Align2::CENTER_CENTER,
                            format!("{value:.0}"),
                            egui::FontId::proportional(14.0),
                            egui::Color32::BLACK,
                        );
                    }
                    ui.add_sized(cell, egui::Label::new(row.sessions.to_string()));
                });
            }
            ui.add_space(14.0);
            theme::section(ui, "Practice in the last 30 days (by name)");
            if view.practice.is_empty() {
                theme::muted(ui, "Nobody has practised in the last 30 days.");
            }
            let now = clock::now_ms();
            for row in &view.practice {
                ui.horizontal(|ui| {
                    ui.add_sized([180.0, 20.0], egui::Label::new(&row.rep).truncate());
                    theme::muted(
                        ui,
                        format!(
                            "{} call(s), {} finished, {:.0} min on {} scenario(s); last {}",
                            row.sessions,
                            row.finished,
                            row.minutes,
                            row.scenarios,
                            match (now - row.last) / clock::DAY_MS {
                                0 => "today".to_string(),
                                1 => "yesterday".to_string(),
                                days => format!("{days} days ago"),
                            }
                        ),
                    );
                });
            }
            ui.add_space(14.0);
            theme::section(
                ui,
                "Improved most: overall skill measure, last 30 days against the 30 before",
            );
            theme::muted(ui, crate::engine::norms::EXPLANATION);
            if view.improved.is_empty() {
                theme::muted(ui, "Nobody has sessions in both periods yet.");
            }
            for (rank, improvement) in view.improved.iter().enumerate() {
                let change = improvement.recent - improvement.before;
                ui.horizontal(|ui| {
                    ui.label(format!("{}. {}", rank + 1, improvement.rep));
                    ui.label(
                        egui::RichText::new(format!(
                            "{:.0} → {:.0} ({change:+.0}) over {} recent session(s)",
                            improvement.before, improvement.recent, improvement.recent_sessions
                        ))
                        .color(if change >= 0.0 {
                            theme::GOOD
                        } else {
                            theme::BAD
                        }),
                    );
                });
            }
        });
}
