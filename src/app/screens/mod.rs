//! The rep's four screens, one file and one state each, and what they share. The trainer's
//! screen has a folder of its own (`app::trainer`), one file per tab.

mod call;
mod campaigns;
mod debrief;
mod library;
mod start;

pub use start::NameField;

use super::theme;
use bevy::prelude::*;
use bevy_egui::egui;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((
        start::plugin,
        library::plugin,
        call::plugin,
        debrief::plugin,
    ));
}

/// The whole window as a `Ui` for a screen to draw in, or `None` when the window is too small
/// (the message saying so is already drawn).
pub(crate) fn screen_ui(ctx: &egui::Context) -> Option<egui::Ui> {
    let mut ui = theme::root_ui(ctx);
    fits(&mut ui).then_some(ui)
}

/// Shows a clear message instead of the screen when the window is too small for it. Returns
/// whether the screen fits.
fn fits(ui: &mut egui::Ui) -> bool {
    let size = ui.ctx().content_rect().size();
    // The zoom keeps the screens at least their minimum room in any window that can hold them
    // at a readable size (`theme::zoom_for`); only a smaller window gets this message.
    if size.x >= theme::MIN_SIZE.x - 1.0 && size.y >= theme::MIN_SIZE.y - 1.0 {
        return true;
    }
    // The window's size as the rep set it: in the screen's pixels, not egui's points.
    let pixels = size * ui.ctx().pixels_per_point();
    let needed = theme::MIN_SIZE * theme::SMALLEST_ZOOM * ui.ctx().pixels_per_point()
        / ui.ctx().zoom_factor();
    egui::CentralPanel::default().frame(theme::screen()).show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            theme::heading(ui, "The window is too small");
            theme::muted(
                ui,
                format!(
                    "dealsim needs a window of at least {:.0}x{:.0} pixels; this one is {:.0}x{:.0}. Make it larger to continue.",
                    needed.x, needed.y, pixels.x, pixels.y
                ),
            );
        });
    });
    false
}
