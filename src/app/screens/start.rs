//! The start screen: the rep types or picks their name, remembered for next time.

use crate::app::records::{RepProgress, SessionLog};
use crate::app::reps::Reps;
use crate::app::{Screen, UiSystems, theme};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

/// The name being typed.
#[derive(Resource, Default)]
pub struct NameField(pub String);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<NameField>()
        .add_systems(OnEnter(Screen::Start), prefill)
        .add_systems(
            EguiPrimaryContextPass,
            draw.in_set(UiSystems::Screens)
                .run_if(in_state(Screen::Start)),
        );
}

fn prefill(reps: Res<Reps>, mut field: ResMut<NameField>) {
    field.0 = reps.current.clone();
}

fn draw(
    mut contexts: EguiContexts,
    mut reps: ResMut<Reps>,
    mut field: ResMut<NameField>,
    log: Res<SessionLog>,
    progress: Res<RepProgress>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut ui) = super::screen_ui(ctx) else {
        return Ok(());
    };
    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space((ui.available_height() * 0.16).max(20.0));
                ui.label(
                    egui::RichText::new("dealsim")
                        .size(52.0)
                        .strong()
                        .color(theme::ACCENT),
                );
                theme::muted(ui, "A flight simulator for sales calls");
                ui.add_space(28.0);
                theme::card().show(ui, |ui| {
                    ui.set_width(420.0);
                    // A machine set up for one rep: they practise as their company account.
                    if let Some(identity) = &log.config.rep {
                        ui.vertical_centered(|ui| {
                            ui.label(
                                egui::RichText::new(format!("Practising as {}", identity.name))
                                    .strong(),
                            );
                            theme::muted(
                                ui,
                                format!(
                                    "Signed in by your company's settings as {}",
                                    identity.login
                                ),
                            );
                            ui.add_space(10.0);
                            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                            if theme::primary_button(ui, "Start practising").clicked() || enter {
                                reps.sign_in(&identity.name);
                                next.set(Screen::Library);
                            }
                        });
                        return;
                    }
                    ui.vertical_centered(|ui| {
                        ui.label(egui::RichText::new("Who is practising?").strong());
                        ui.add_space(6.0);
                        let edit = ui.add(
                            egui::TextEdit::singleline(&mut field.0)
                                .hint_text("Your name")
                                .desired_width(320.0)
                                .font(egui::TextStyle::Heading),
                        );
                        if !edit.has_focus() && field.0.is_empty() {
                            edit.request_focus();
                        }
                        // Enter in the field, or Enter with nothing focused: continue as the
                        // name shown (the remembered rep, most often).
                        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                        let nothing_focused = ui.memory(|m| m.focused().is_none());
                        let entered = enter && (edit.lost_focus() || nothing_focused);
                        ui.add_space(10.0);
                        let name = field.0.trim().to_string();
                        let clicked = ui
                            .add_enabled_ui(!name.is_empty(), |ui| {
                                theme::primary_button(ui, "Start practising")
                            })
                            .inner
                            .clicked();
                        if (clicked || entered) && !name.is_empty() {
                            reps.sign_in(&name);
                            next.set(Screen::Library);
                        }
                        if name.is_empty() {
                            theme::muted(ui, "Type your name so that your scores are yours.");
                        }
                        let others: Vec<String> = progress
                            .known_reps
                            .iter()
                            .filter(|n| **n != name)
                            .take(6)
                            .cloned()
                            .collect();
                        if !others.is_empty() {
                            ui.add_space(8.0);
                            theme::section(ui, "or continue as");
                            ui.horizontal_wrapped(|ui| {
                                for other in others {
                                    if ui.button(&other).clicked() {
                                        reps.sign_in(&other);
                                        next.set(Screen::Library);
                                    }
                                }
                            });
                        }
                    });
                });
                if let Some(problem) = &reps.problem {
                    ui.add_space(12.0);
                    ui.label(
                        egui::RichText::new(format!("Your history cannot be saved: {problem}"))
                            .color(theme::WARN),
                    );
                }
                if let Some(problem) = &log.problem {
                    ui.add_space(12.0);
                    ui.label(
                        egui::RichText::new(format!("Sessions are not being stored: {problem}"))
                            .color(theme::WARN),
                    );
                }
                ui.add_space(24.0);
                if ui
                    .button("Trainer: every rep's sessions, trends and replays")
                    .clicked()
                {
                    next.set(Screen::Trainer);
                }
                if ui
                    .button("Author: a scenario file as a map, its problems, playtests")
                    .clicked()
                {
                    next.set(Screen::Author);
                }
                ui.add_space(16.0);
                text_size_setting(ui, &mut reps);
            });
        });
    Ok(())
}

/// The text size, remembered for this machine (Ctrl+= and Ctrl+- do the same anywhere): the
/// screens reflow to the larger text instead of refusing the window.
fn text_size_setting(ui: &mut egui::Ui, reps: &mut Reps) {
    let size = reps.text_size();
    ui.horizontal(|ui| {
        // Centred: the row is as wide as its contents.
        let row_width = 330.0;
        ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));
        theme::muted(ui, "Text size");
        let smaller = ui
            .add_enabled(size > theme::TEXT_SIZES[0], egui::Button::new("A-"))
            .on_hover_text("Smaller text (Ctrl+-)");
        ui.label(format!("{:.0}%", size * 100.0));
        let larger = ui
            .add_enabled(
                size < theme::TEXT_SIZES[theme::TEXT_SIZES.len() - 1],
                egui::Button::new("A+"),
            )
            .on_hover_text("Larger text (Ctrl+=)");
        theme::muted(ui, "Ctrl+= / Ctrl+- anywhere");
        if smaller.clicked() {
            reps.set_text_size(theme::step_text_size(size, -1));
        }
        if larger.clicked() {
            reps.set_text_size(theme::step_text_size(size, 1));
        }
    });
}
