//! The call: the buyer's card with a moving trust meter, the conversation as chat bubbles, the
//! offered choices as buttons (or keys 1 to 9), the call clock, and a deal notebook that fills in
//! as facts come out. Lines type out briefly (any key or click skips); Esc pauses.

use crate::app::playing::{
    AbandonCall, ActiveCall, Choose, FinishedCall, OpenDebrief, RestartCall,
};
use crate::app::{Screen, UiSystems, theme};
use crate::engine::format::FactKind;
use crate::engine::session::{Entry, Session};
use bevy::asset::LoadState;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, EguiTextureHandle, egui};
use std::collections::HashMap;

/// How fast a buyer's line types out.
const CHARS_PER_SECOND: f64 = 60.0;

/// Portraits by path under `assets/`, loaded on first use; `None` for a path that is not a plain
/// path to an image inside the assets folder (checked once, on first use).
#[derive(Resource, Default)]
pub struct Portraits(HashMap<String, Option<Handle<Image>>>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Portraits>().add_systems(
        EguiPrimaryContextPass,
        draw.in_set(UiSystems::Screens)
            .run_if(in_state(Screen::Call)),
    );
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn draw(
    mut contexts: EguiContexts,
    call: Option<ResMut<ActiveCall>>,
    time: Res<Time>,
    server: Res<AssetServer>,
    mut portraits: ResMut<Portraits>,
    assets: Res<crate::app::AssetsDir>,
    mut choose: MessageWriter<Choose>,
    mut abandon: MessageWriter<AbandonCall>,
    mut restart: MessageWriter<RestartCall>,
    finished: Option<Res<FinishedCall>>,
    mut open: MessageWriter<OpenDebrief>,
    library: Res<crate::app::scenarios::Library>,
) -> Result {
    let Some(mut call) = call else { return Ok(()) };
    // What the edited file is now: playable, broken (and why), or still being checked.
    let new_version = call.changed_on_disk.then(|| {
        let entry = library.entries.iter().find(|e| e.asset == call.asset);
        match entry {
            Some(entry) if entry.scenario().is_some() => Ok(()),
            Some(entry) => Err(Some(
                entry
                    .report
                    .diagnostics
                    .iter()
                    .find(|d| d.is_error())
                    .map(|d| {
                        let line = d
                            .location
                            .as_deref()
                            .map(|l| format!(" (line {})", l.line))
                            .unwrap_or_default();
                        format!("{}{line}", d.message)
                    })
                    .unwrap_or_else(|| "it has errors".into()),
            )),
            None => Err(None),
        }
    });
    let title = call.session.scenario().title.clone();
    let debrief_ready = call.session.is_over() && finished.is_some();
    // The portrait is registered with egui before the context is borrowed for drawing.
    // Only a plain path that stays inside the assets folder is loaded (a file that names
    // anything else gets initials; `dealsim check` says why).
    let portrait = call.session.scenario().buyer.portrait.clone().map(|path| {
        let handle = portraits
            .0
            .entry(path.clone())
            .or_insert_with(|| inside_assets(&assets.0, &path).then(|| server.load(path.clone())))
            .clone();
        (path, handle)
    });
    let portrait = match portrait {
        None => Portrait::Initials,
        Some((path, None)) => Portrait::Missing(path),
        Some((path, Some(handle))) => match server.load_state(&handle) {
            LoadState::Loaded => {
                Portrait::Image(contexts.add_image(EguiTextureHandle::Strong(handle)))
            }
            LoadState::Failed(_) => Portrait::Missing(path),
            _ => Portrait::Initials,
        },
    };
    let ctx = contexts.ctx_mut()?.clone();
    let Some(mut ui) = super::screen_ui(&ctx) else {
        return Ok(());
    };

    // Typing of the newest buyer line.
    let newest = newest_buyer_line(&call.session);
    let elapsed = time.elapsed_secs_f64() - call.typing_since;
    let shown_chars = if call.typing_skipped {
        usize::MAX
    } else {
        (elapsed * CHARS_PER_SECOND) as usize
    };
    // The closing line types out too: the rep reads how the buyer ended the call before the debrief.
    let typing = newest.is_some_and(|(_, len)| shown_chars < len);
    if typing {
        ctx.request_repaint();
    }

    // Keys: Esc pauses; while typing any key or click skips; otherwise 1-9 choose.
    let (escape, any_key, number, enter) = ctx.input(|input| {
        let number = (0..9).find(|n| input.key_pressed(number_key(*n)));
        let any = input
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::Key { pressed: true, .. }))
            || input.pointer.any_click();
        (
            input.key_pressed(egui::Key::Escape),
            any,
            number,
            input.key_pressed(egui::Key::Enter),
        )
    });
    if debrief_ready && !typing && enter {
        open.write(OpenDebrief);
    } else if escape && !call.session.is_over() {
        call.paused = !call.paused;
    } else if !call.paused {
        if typing && any_key {
            call.typing_skipped = true;
        } else if let Some(n) = number {
            choose.write(Choose(n));
        }
    }

    egui::Panel::top("call-top")
        .frame(theme::screen().inner_margin(egui::Margin::symmetric(28, 12)))
        .show(&mut ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new(&call.session.scenario().title)
                        .strong()
                        .size(18.0),
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Pause (Esc)").clicked() {
                        call.paused = true;
                    }
                });
            });
            if let Some(start) = &call.playtest {
                ui.label(
                    egui::RichText::new(format!(
                        "Playtest from \"{}\": not stored as a session. Esc, then Abandon, goes back to the map.",
                        start.node
                    ))
                    .color(theme::WARN),
                );
            }
            if call.changed_on_disk {
                egui::Frame::new()
                    .fill(theme::WARN.gamma_multiply(0.2))
                    .corner_radius(egui::CornerRadius::same(8))
                    .inner_margin(egui::Margin::same(8))
                    .show(ui, |ui| {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(
                                egui::RichText::new(format!("\"{title}\" changed on disk."))
                                    .color(theme::WARN)
                                    .strong(),
                            );
                            match &new_version {
                                Some(Ok(())) => {
                                    if ui.button("Restart with the new version").clicked() {
                                        restart.write(RestartCall { new_seed: false });
                                    }
                                }
                                Some(Err(Some(why))) => {
                                    ui.label(
                                        egui::RichText::new(format!(
                                            "The new version cannot be played yet: {why}. Fix the file to restart with it."
                                        ))
                                        .color(theme::WARN),
                                    );
                                }
                                Some(Err(None)) | None => {
                                    theme::muted(ui, "Checking the new version...");
                                }
                            }
                            if ui.button("Keep playing").clicked() {
                                call.changed_on_disk = false;
                            }
                        });
                    });
            }
        });

    egui::Panel::left("call-buyer")
        .exact_size(310.0)
        .resizable(false)
        .frame(
            theme::screen()
                .fill(theme::SURFACE)
                .inner_margin(egui::Margin::same(18)),
        )
        .show(&mut ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("call-buyer")
                .show(ui, |ui| buyer_panel(ui, &call.session, &portrait));
        });

    egui::Panel::bottom("call-choices")
        .frame(theme::screen().inner_margin(egui::Margin::symmetric(28, 14)))
        .show(&mut ui, |ui| {
            if typing {
                theme::muted(ui, "… press any key or click to skip");
                return;
            }
            if call.session.is_over() {
                ui.horizontal(|ui| {
                    if debrief_ready {
                        if theme::primary_button(ui, "See your debrief (Enter)").clicked() {
                            open.write(OpenDebrief);
                        }
                    } else {
                        ui.spinner();
                        theme::muted(ui, "Preparing your debrief…");
                    }
                });
                return;
            }
            theme::section(ui, "your move (keys 1 to 9)");
            let offers: Vec<_> = call.session.offered().collect();
            for (n, offer) in offers.iter().enumerate() {
                let text = egui::RichText::new(format!("{}   {}", n + 1, offer.say));
                let button =
                    egui::Button::new(text).min_size(egui::vec2(ui.available_width(), 36.0));
                let response = ui.add_enabled(!call.paused, button).on_hover_text(format!(
                    "{} · {} min",
                    offer.move_kind.label(),
                    offer.minutes
                ));
                if response.clicked() {
                    choose.write(Choose(n));
                }
            }
        });

    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("call-conversation")
                .auto_shrink([false, false])
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    conversation(ui, &call.session, newest.map(|(i, _)| i), shown_chars);
                });
        });

    if call.paused {
        let mut resume = false;
        let mut leave = false;
        egui::Modal::new(egui::Id::new("pause")).show(&ctx, |ui| {
            ui.set_width(320.0);
            theme::heading(ui, "Paused");
            theme::muted(ui, "The buyer's clock is stopped.");
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                resume = theme::primary_button(ui, "Resume").clicked();
                leave = ui.button("Abandon call").clicked();
            });
        });
        if resume {
            call.paused = false;
        }
        if leave {
            abandon.write(AbandonCall);
        }
    }
    Ok(())
}

enum Portrait {
    Image(egui::TextureId),
    /// The scenario names a portrait that could not be loaded.
    Missing(String),
    Initials,
}

fn number_key(n: usize) -> egui::Key {
    [
        egui::Key::Num1,
        egui::Key::Num2,
        egui::Key::Num3,
        egui::Key::Num4,
        egui::Key::Num5,
        egui::Key::Num6,
        egui::Key::Num7,
        egui::Key::Num8,
        egui::Key::Num9,
    ][n]
}

/// The index and length (in characters) of the newest buyer line in the transcript.
fn newest_buyer_line(session: &Session) -> Option<(usize, usize)> {
    session
        .transcript()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Buyer { line, .. } => Some((i, line.chars().count())),
            _ => None,
        })
        .last()
}

/// Whether a portrait path is a plain path to an image that is, once links are followed, inside
/// the assets folder.
fn inside_assets(assets: &std::path::Path, path: &str) -> bool {
    if crate::engine::format::portrait::portrait_problem(path).is_some() {
        return false;
    }
    match (assets.canonicalize(), assets.join(path).canonicalize()) {
        (Ok(folder), Ok(file)) => file.starts_with(folder) && file.is_file(),
        _ => false,
    }
}

fn buyer_panel(ui: &mut egui::Ui, session: &Session, portrait: &Portrait) {
    let scenario = session.scenario();
    let buyer = &scenario.buyer;
    ui.vertical_centered(|ui| {
        match portrait {
            Portrait::Image(texture) => {
                let portrait = ui.add(
                    egui::Image::new((*texture, egui::vec2(96.0, 96.0)))
                        .corner_radius(egui::CornerRadius::same(48)),
                );
                theme::spoken(&portrait, &format!("Portrait of {}", buyer.name));
            }
            _ => theme::initials_disc(ui, &buyer.name, 96.0),
        }
        ui.label(egui::RichText::new(&buyer.name).strong().size(20.0));
        theme::muted(ui, format!("{}\n{}", buyer.role, buyer.company));
        // A campaign's call: which call of the deal this is, and what happened since the last.
        if let Some(call) = &scenario.campaign {
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new(format!(
                    "Call {} of {}: {}",
                    call.call + 1,
                    call.calls,
                    call.campaign_title
                ))
                .color(theme::ACCENT)
                .strong(),
            );
            if let Some(between) = &call.between {
                ui.label(egui::RichText::new(format!("Since the last call: {between}")).italics());
            }
            if !call.knows.is_empty() {
                theme::muted(
                    ui,
                    format!(
                        "From earlier calls: {} fact{}, ticked in your notebook",
                        call.knows.len(),
                        if call.knows.len() == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        if let Portrait::Missing(path) = portrait {
            ui.label(
                egui::RichText::new(format!("(portrait {path} could not be loaded)"))
                    .small()
                    .color(theme::TEXT_MUTED),
            );
        }
    });
    ui.add_space(10.0);
    let trust = session.trust();
    let trust_colour = if trust >= 60 {
        theme::GOOD
    } else if trust >= 35 {
        theme::WARN
    } else {
        theme::BAD
    };
    ui.horizontal(|ui| {
        theme::section(ui, "trust");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(trust.to_string())
                    .strong()
                    .color(trust_colour),
            );
        });
    });
    // The meter eases toward the new value so a change is seen, not just read.
    let shown =
        ui.ctx()
            .animate_value_with_time(egui::Id::new("trust-meter"), f32::from(trust), 0.6);
    theme::meter(ui, "Trust", shown, ui.available_width(), trust_colour, None);
    ui.add_space(8.0);
    let left = session.minutes_left();
    ui.horizontal(|ui| {
        theme::section(ui, "call clock");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(format!("{left} of {} min left", scenario.minutes)).strong(),
            );
        });
    });
    let clock_colour = if left * 4 <= scenario.minutes {
        theme::BAD
    } else {
        theme::INFO
    };
    theme::meter(
        ui,
        "Time left",
        100.0 * left as f32 / scenario.minutes.max(1) as f32,
        ui.available_width(),
        clock_colour,
        None,
    );
    ui.add_space(12.0);
    notebook(ui, session);
}

/// The qualification checklist and the pains found so far.
fn notebook(ui: &mut egui::Ui, session: &Session) {
    theme::section(ui, "deal notebook");
    let known: Vec<_> = session.known_facts().collect();
    let checklist = [
        FactKind::Budget,
        FactKind::Authority,
        FactKind::Need,
        FactKind::Timeline,
    ];
    let extra: Vec<FactKind> = FactKind::ALL
        .into_iter()
        .filter(|k| {
            *k != FactKind::Pain && !checklist.contains(k) && known.iter().any(|f| f.kind == *k)
        })
        .collect();
    for kind in checklist.into_iter().chain(extra) {
        let facts: Vec<_> = known.iter().filter(|f| f.kind == kind).collect();
        ui.horizontal_top(|ui| {
            let colour = if facts.is_empty() {
                theme::TEXT_MUTED
            } else {
                theme::GOOD
            };
            theme::slot(ui, !facts.is_empty());
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(kind.label()).strong().color(colour));
                for fact in facts {
                    ui.label(egui::RichText::new(&fact.text).small());
                }
            });
        });
    }
    ui.add_space(6.0);
    theme::section(ui, "pains found");
    let pains: Vec<_> = known.iter().filter(|f| f.kind == FactKind::Pain).collect();
    if pains.is_empty() {
        theme::muted(ui, "None yet: ask about their world.");
    }
    for pain in pains {
        ui.horizontal_top(|ui| {
            theme::pain_dot(ui);
            ui.label(egui::RichText::new(&pain.text).small());
        });
    }
}

fn bubble(ui: &mut egui::Ui, text: &str, caption: &str, fill: egui::Color32, from_rep: bool) {
    // Size the bubble to its text (up to 72% of the width), measured before laying it out.
    let max = ui.available_width() * 0.72;
    let measure = |text: &str, size: f32| {
        ui.painter()
            .layout_no_wrap(
                text.to_string(),
                egui::FontId::proportional(size),
                theme::TEXT,
            )
            .size()
            .x
    };
    let inner = measure(text, 17.0)
        .max(measure(caption, 13.0))
        .min(max)
        .ceil()
        + 2.0;
    let margin = egui::Margin::symmetric(14, 10);
    ui.horizontal(|ui| {
        if from_rep {
            ui.add_space((ui.available_width() - inner - margin.sum().x - 4.0).max(0.0));
        }
        egui::Frame::new()
            .fill(fill)
            .corner_radius(egui::CornerRadius::same(12))
            .inner_margin(margin)
            .show(ui, |ui| {
                ui.set_width(inner);
                ui.vertical(|ui| {
                    ui.label(
                        egui::RichText::new(caption)
                            .small()
                            .color(theme::TEXT_MUTED),
                    );
                    ui.label(egui::RichText::new(text).size(17.0));
                });
            });
    });
    ui.add_space(6.0);
}

fn conversation(ui: &mut egui::Ui, session: &Session, newest: Option<usize>, shown_chars: usize) {
    let buyer = &session.scenario().buyer.name;
    let entries: Vec<Entry> = session.transcript().collect();
    let mut index = 0;
    while index < entries.len() {
        match entries[index] {
            Entry::Buyer { line, .. } => {
                let text: String = if Some(index) == newest {
                    line.chars().take(shown_chars).collect()
                } else {
                    line.to_string()
                };
                bubble(ui, &text, buyer, theme::BUYER_BUBBLE, false);
            }
            Entry::Rep { say, move_kind, .. } => bubble(
                ui,
                say,
                &format!("You · {}", move_kind.label()),
                theme::REP_BUBBLE,
                true,
            ),
            Entry::Revealed { .. } => {
                // Facts that came out together are noted on one row.
                let start = index;
                while index + 1 < entries.len()
                    && matches!(entries[index + 1], Entry::Revealed { .. })
                {
                    index += 1;
                }
                ui.horizontal_wrapped(|ui| {
                    ui.add_space(12.0);
                    for entry in &entries[start..=index] {
                        if let Entry::Revealed { fact } = entry {
                            let colour = if fact.kind == FactKind::Pain {
                                theme::BAD
                            } else {
                                theme::GOOD
                            };
                            theme::pill(ui, &format!("noted: {}", fact.kind.label()), colour);
                        }
                    }
                });
                ui.add_space(4.0);
            }
            Entry::Chance { .. } => {}
        }
        index += 1;
    }
}
