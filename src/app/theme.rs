//! The look of dealsim: colours, text sizes and the few widgets every screen shares, so that
//! screens stay consistent and readable from 1280x720 up.

use crate::engine::format::{Difficulty, Outcome};
use bevy_egui::egui::{
    self, Color32, CornerRadius, FontFamily, FontId, Frame, Margin, RichText, Sense, Stroke,
    TextStyle, Ui, UiBuilder, Vec2,
};

pub const BACKGROUND: Color32 = Color32::from_rgb(0x12, 0x18, 0x29);
pub const SURFACE: Color32 = Color32::from_rgb(0x1c, 0x24, 0x3a);
pub const SURFACE_RAISED: Color32 = Color32::from_rgb(0x26, 0x31, 0x4d);
pub const TEXT: Color32 = Color32::from_rgb(0xe9, 0xed, 0xf5);
pub const TEXT_MUTED: Color32 = Color32::from_rgb(0x9b, 0xa6, 0xbf);
pub const ACCENT: Color32 = Color32::from_rgb(0x2e, 0xc4, 0xb6);
pub const BUYER_BUBBLE: Color32 = Color32::from_rgb(0x2b, 0x37, 0x57);
pub const REP_BUBBLE: Color32 = Color32::from_rgb(0x1b, 0x62, 0x6b);
pub const GOOD: Color32 = Color32::from_rgb(0x4c, 0xbb, 0x6c);
pub const WARN: Color32 = Color32::from_rgb(0xf2, 0xb1, 0x34);
pub const BAD: Color32 = Color32::from_rgb(0xe8, 0x5a, 0x5a);
pub const INFO: Color32 = Color32::from_rgb(0x5b, 0x9b, 0xf5);

/// The design is laid out for 1280 points wide; bigger windows scale it up.
pub const DESIGN_WIDTH: f32 = 1280.0;
/// Below this the screens cannot fit, and say so instead of overlapping.
pub const MIN_SIZE: Vec2 = Vec2::new(800.0, 600.0);

/// Applies the theme to a context; cheap enough to call when the window changes size.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        let visuals = &mut style.visuals;
        *visuals = egui::Visuals::dark();
        visuals.panel_fill = BACKGROUND;
        visuals.window_fill = SURFACE;
        visuals.extreme_bg_color = Color32::from_rgb(0x0d, 0x12, 0x20);
        visuals.override_text_color = Some(TEXT);
        visuals.selection.bg_fill = ACCENT.gamma_multiply(0.6);
        visuals.hyperlink_color = ACCENT;
        let rounding = CornerRadius::same(8);
        for widget in [
            &mut visuals.widgets.inactive,
            &mut visuals.widgets.hovered,
            &mut visuals.widgets.active,
            &mut visuals.widgets.noninteractive,
        ] {
            widget.corner_radius = rounding;
        }
        visuals.widgets.inactive.weak_bg_fill = SURFACE_RAISED;
        visuals.widgets.inactive.bg_fill = SURFACE_RAISED;
        visuals.widgets.hovered.weak_bg_fill = Color32::from_rgb(0x33, 0x42, 0x66);
        visuals.widgets.hovered.bg_stroke = Stroke::new(1.0, ACCENT);
        visuals.widgets.active.weak_bg_fill = ACCENT.gamma_multiply(0.5);
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(26.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(16.0, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(16.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(13.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(14.0, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.item_spacing = Vec2::new(10.0, 8.0);
        style.spacing.button_padding = Vec2::new(14.0, 8.0);
        style.spacing.interact_size.y = 34.0;
    });
}

/// How much to scale the design for a window this many logical pixels wide.
pub fn zoom_for(window_width: f32) -> f32 {
    (window_width / DESIGN_WIDTH).clamp(1.0, 2.0)
}

/// The whole window as a `Ui` that panels are shown into.
pub fn root_ui(ctx: &egui::Context) -> Ui {
    Ui::new(
        ctx.clone(),
        "dealsim-root".into(),
        UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}

/// The frame of a card: a raised surface with rounded corners.
pub fn card() -> Frame {
    Frame::new()
        .fill(SURFACE)
        .corner_radius(CornerRadius::same(12))
        .inner_margin(Margin::same(16))
        .stroke(Stroke::new(1.0, SURFACE_RAISED))
}

/// The frame of the main screen area.
pub fn screen() -> Frame {
    Frame::new()
        .fill(BACKGROUND)
        .inner_margin(Margin::symmetric(28, 20))
}

pub fn heading(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).heading().strong());
}

pub fn muted(ui: &mut Ui, text: impl Into<String>) {
    ui.label(RichText::new(text.into()).color(TEXT_MUTED));
}

pub fn section(ui: &mut Ui, text: &str) {
    ui.add_space(4.0);
    ui.label(
        RichText::new(text.to_uppercase())
            .small()
            .strong()
            .color(TEXT_MUTED),
    );
}

/// A small rounded label, such as a tag or a difficulty. Drawn as one widget of known size, so
/// that a row of pills wraps like words.
pub fn pill(ui: &mut Ui, text: &str, colour: Color32) {
    let font = TextStyle::Small.resolve(ui.style());
    let galley = ui.painter().layout_no_wrap(text.to_string(), font, colour);
    let padding = Vec2::new(8.0, 3.0);
    let (rect, _) = ui.allocate_exact_size(galley.size() + 2.0 * padding, Sense::hover());
    let painter = ui.painter();
    painter.rect(
        rect,
        CornerRadius::same(10),
        colour.gamma_multiply(0.25),
        Stroke::new(1.0, colour.gamma_multiply(0.7)),
        egui::StrokeKind::Inside,
    );
    painter.galley(rect.min + padding, galley, colour);
}

/// The main call to action on a screen.
pub fn primary_button(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(
            RichText::new(text)
                .strong()
                .color(Color32::from_rgb(0x07, 0x1a, 0x1c)),
        )
        .fill(ACCENT)
        .min_size(Vec2::new(120.0, 38.0)),
    )
}

/// A horizontal bar from 0 to 100, with an optional marker (a pass mark, say).
pub fn meter(ui: &mut Ui, value: f32, width: f32, colour: Color32, marker: Option<f32>) {
    let height = 12.0;
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, CornerRadius::same(6), SURFACE_RAISED);
    let filled = rect.with_max_x(rect.min.x + rect.width() * (value / 100.0).clamp(0.0, 1.0));
    painter.rect_filled(filled, CornerRadius::same(6), colour);
    if let Some(mark) = marker {
        let x = rect.min.x + rect.width() * (mark / 100.0).clamp(0.0, 1.0);
        painter.line_segment(
            [
                egui::pos2(x, rect.min.y - 3.0),
                egui::pos2(x, rect.max.y + 3.0),
            ],
            Stroke::new(2.0, TEXT),
        );
    }
}

pub fn outcome_colour(outcome: Outcome) -> Color32 {
    match outcome {
        Outcome::Advance => GOOD,
        Outcome::Continuation => WARN,
        Outcome::Lost => BAD,
        Outcome::QualifiedOut => INFO,
    }
}

pub fn difficulty_colour(difficulty: Difficulty) -> Color32 {
    match difficulty {
        Difficulty::Beginner => GOOD,
        Difficulty::Intermediate => WARN,
        Difficulty::Advanced => BAD,
    }
}

pub fn difficulty_label(difficulty: Difficulty) -> &'static str {
    match difficulty {
        Difficulty::Beginner => "Beginner",
        Difficulty::Intermediate => "Intermediate",
        Difficulty::Advanced => "Advanced",
    }
}

/// Green at or above the pass mark (70 without one), amber within 15 points, red below.
pub fn score_colour(score: u8, pass_mark: Option<u32>) -> Color32 {
    let mark = pass_mark.unwrap_or(70) as f32;
    let score = f32::from(score);
    if score >= mark {
        GOOD
    } else if score >= mark - 15.0 {
        WARN
    } else {
        BAD
    }
}

/// Up to two initials, for buyers without a portrait.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// A stable colour per name, so a buyer keeps their colour from screen to screen.
pub fn name_colour(name: &str) -> Color32 {
    const PALETTE: [Color32; 6] = [
        Color32::from_rgb(0x6a, 0x5a, 0xcd),
        Color32::from_rgb(0x2e, 0x8b, 0x57),
        Color32::from_rgb(0xc0, 0x6c, 0x30),
        Color32::from_rgb(0x1e, 0x88, 0xe5),
        Color32::from_rgb(0xad, 0x3a, 0x6e),
        Color32::from_rgb(0x00, 0x89, 0x7b),
    ];
    let hash = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[hash as usize % PALETTE.len()]
}

/// Initials on a coloured disc.
pub fn initials_disc(ui: &mut Ui, name: &str, diameter: f32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(diameter), Sense::hover());
    let painter = ui.painter();
    painter.circle_filled(rect.center(), diameter / 2.0, name_colour(name));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        initials(name),
        FontId::proportional(diameter * 0.38),
        Color32::WHITE,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("Marta Okafor"), "MO");
        assert_eq!(initials("cher"), "C");
        assert_eq!(initials("Dana Lee Whitfield"), "DL");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn the_design_scales_up_but_never_down() {
        assert_eq!(zoom_for(1280.0), 1.0);
        assert_eq!(zoom_for(1920.0), 1.5);
        assert_eq!(zoom_for(800.0), 1.0);
        assert_eq!(zoom_for(5000.0), 2.0);
    }
}
