//! The look of dealsim: colours, text sizes and the few widgets every screen shares, so that
//! screens stay consistent and readable from 1280x720 up.

use crate::engine::format::{Difficulty, Outcome};
use bevy_egui::egui::{
    self, Color32, CornerRadius, FontFamily, FontId, Frame, Margin, Response, RichText, Sense,
    Stroke, TextStyle, Ui, UiBuilder, Vec2, WidgetInfo, WidgetType,
};

pub const BACKGROUND: Color32 = Color32::from_rgb(0x12, 0x18, 0x29);
pub const SURFACE: Color32 = Color32::from_rgb(0x1c, 0x24, 0x3a);
pub const SURFACE_RAISED: Color32 = Color32::from_rgb(0x26, 0x31, 0x4d);
pub const TEXT: Color32 = Color32::from_rgb(0xe9, 0xed, 0xf5);
pub const TEXT_MUTED: Color32 = Color32::from_rgb(0x9b, 0xa6, 0xbf);
pub const ACCENT: Color32 = Color32::from_rgb(0x2e, 0xc4, 0xb6);
pub const BUYER_BUBBLE: Color32 = Color32::from_rgb(0x2b, 0x37, 0x57);
pub const REP_BUBBLE: Color32 = Color32::from_rgb(0x1b, 0x62, 0x6b);
// Good, warning and bad run from blue through a pale yellow to orange: the one pair of hues
// that stays apart under deuteranopia and protanopia as well as for everyone else (a red to
// green scale collapses into yellows; checked by simulating the screenshots). Markers and
// labels carry the meaning too, never the colour alone.
pub const GOOD: Color32 = Color32::from_rgb(0x3c, 0xa6, 0xec);
pub const WARN: Color32 = Color32::from_rgb(0xe6, 0xd2, 0x7a);
pub const BAD: Color32 = Color32::from_rgb(0xf0, 0x76, 0x2a);
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
/// The height the design is laid out for, with `DESIGN_WIDTH`.
pub const DESIGN_HEIGHT: f32 = 720.0;

/// The text sizes a rep can choose (Ctrl+= and Ctrl+- step through them; Ctrl+0 resets).
pub const TEXT_SIZES: [f32; 7] = [0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75];

/// Below this zoom text is too small to read: a window that would need less is too small.
pub const SMALLEST_ZOOM: f32 = 0.6;

/// The zoom for a window of `width` x `height` points at the rep's text size. The design fills
/// the window in both dimensions (a wide or short window scales by the tighter one), the text
/// size multiplies that, and the result is capped so the screens always get at least their
/// minimum room (`MIN_SIZE`): a larger text size reflows the screens, and a window larger than
/// the minimum is never refused. `None` when even the smallest zoom cannot fit the minimum.
pub fn zoom_for(width: f32, height: f32, text_size: f32) -> Option<f32> {
    let fit = (width / DESIGN_WIDTH).min(height / DESIGN_HEIGHT).max(1.0);
    let room = (width / MIN_SIZE.x).min(height / MIN_SIZE.y);
    if room < SMALLEST_ZOOM {
        return None;
    }
    Some((fit * text_size).clamp(SMALLEST_ZOOM, room.min(3.0)))
}

/// The next text size up (`step` 1) or down (-1) from `current`.
pub fn step_text_size(current: f32, step: i32) -> f32 {
    let at = TEXT_SIZES
        .iter()
        .position(|s| (s - current).abs() < 0.01)
        .unwrap_or(2) as i32;
    TEXT_SIZES[(at + step).clamp(0, TEXT_SIZES.len() as i32 - 1) as usize]
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

/// A horizontal bar from 0 to 100, with an optional marker (a pass mark, say). A screen reader
/// reads it as a progress indicator named `name` with its value out of 100.
pub fn meter(
    ui: &mut Ui,
    name: &str,
    value: f32,
    width: f32,
    colour: Color32,
    marker: Option<f32>,
) -> Response {
    let height = 12.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(
            WidgetType::ProgressIndicator,
            true,
            format!("{name}: {:.0} of 100", value.clamp(0.0, 100.0)),
        );
        info.value = Some(f64::from(value.clamp(0.0, 100.0)));
        info
    });
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
    response
}

/// The colour of a call's result follows the verdict, not the outcome's name: an advance that
/// was not the right call ("happy ears") is not green anywhere.
pub fn verdict_colour(outcome: Outcome, right_call: bool) -> Color32 {
    match (right_call, outcome) {
        (true, _) => GOOD,
        (false, Outcome::Continuation) => WARN,
        (false, _) => BAD,
    }
}

/// A found (tick) or missed (cross) marker drawn with lines, so it never depends on a glyph the
/// font may lack, and reads by its shape as well as its colour.
pub fn mark(ui: &mut Ui, found: bool) {
    let size = ui.text_style_height(&TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    spoken(&response, if found { "found" } else { "missed" });
    let painter = ui.painter();
    let c = rect.center();
    let r = size * 0.32;
    let stroke = Stroke::new(2.0, if found { GOOD } else { BAD });
    if found {
        painter.line_segment(
            [c + Vec2::new(-r, 0.0), c + Vec2::new(-r * 0.3, r * 0.7)],
            stroke,
        );
        painter.line_segment(
            [c + Vec2::new(-r * 0.3, r * 0.7), c + Vec2::new(r, -r * 0.8)],
            stroke,
        );
    } else {
        painter.line_segment([c + Vec2::new(-r, -r), c + Vec2::new(r, r)], stroke);
        painter.line_segment([c + Vec2::new(-r, r), c + Vec2::new(r, -r)], stroke);
    }
}

/// A checklist slot: ticked once known, an empty ring until then (drawn, not a glyph), read as
/// "known" or "not yet known".
pub fn slot(ui: &mut Ui, known: bool) {
    if known {
        mark(ui, true);
        return;
    }
    let size = ui.text_style_height(&TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    spoken(&response, "not yet known");
    ui.painter()
        .circle_stroke(rect.center(), size * 0.3, Stroke::new(1.5, TEXT_MUTED));
}

/// A bullet for a pain found: a filled dot (drawn, not a glyph), read as "pain".
pub fn pain_dot(ui: &mut Ui) {
    let size = ui.text_style_height(&TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    spoken(&response, "pain");
    ui.painter().circle_filled(rect.center(), size * 0.22, BAD);
}

/// Names a drawn shape for a screen reader (egui's accessibility tree, AccessKit): an image with
/// its text alternative.
pub fn spoken(response: &Response, name: &str) {
    response.widget_info(|| WidgetInfo::labeled(WidgetType::Image, true, name));
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
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(diameter), Sense::hover());
    spoken(&response, &format!("Portrait of {name}"));
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
    fn the_design_fits_both_dimensions_and_never_refuses_a_window_past_the_minimum() {
        assert_eq!(zoom_for(1280.0, 720.0, 1.0), Some(1.0));
        assert_eq!(zoom_for(1920.0, 1080.0, 1.0), Some(1.5));
        assert_eq!(zoom_for(800.0, 600.0, 1.0), Some(1.0));
        // Ultrawide and short windows scale by the tighter dimension.
        assert_eq!(zoom_for(2560.0, 1080.0, 1.0), Some(1.5));
        let short = zoom_for(1920.0, 880.0, 1.0).unwrap();
        assert!((short - 880.0 / 720.0).abs() < 1e-4, "{short}");
        // Every window from the minimum up leaves the screens at least their minimum room,
        // whatever the text size.
        for (w, h) in [
            (800.0, 600.0),
            (1280.0, 720.0),
            (2560.0, 1080.0),
            (1920.0, 880.0),
            (3840.0, 2160.0),
            (900.0, 1600.0),
        ] {
            for size in TEXT_SIZES {
                let zoom = zoom_for(w, h, size).expect("never refused");
                assert!(
                    w / zoom >= MIN_SIZE.x - 0.5 && h / zoom >= MIN_SIZE.y - 0.5,
                    "{w}x{h} at {size}: {zoom}"
                );
            }
        }
        // A larger text size makes text larger where there is room.
        assert!(zoom_for(1920.0, 1080.0, 1.3).unwrap() > zoom_for(1920.0, 1080.0, 1.0).unwrap());
        // Smaller than the minimum: shrink to fit, down to a readable size.
        assert!(zoom_for(700.0, 500.0, 1.0).unwrap() < 1.0);
        assert_eq!(zoom_for(300.0, 200.0, 1.0), None);
    }

    #[test]
    fn text_size_steps_stop_at_the_ends() {
        assert_eq!(step_text_size(1.0, 1), 1.15);
        assert_eq!(step_text_size(1.0, -1), 0.9);
        assert_eq!(step_text_size(1.75, 1), 1.75);
        assert_eq!(step_text_size(0.8, -1), 0.8);
    }
}

#[cfg(test)]
mod accessibility_tests {
    use super::*;
    use bevy_egui::egui::accesskit::Role;

    /// What a screen reader is given for a frame drawn by `draw`: every named node's role and
    /// name (AccessKit, as egui builds it).
    fn spoken_names(draw: impl FnMut(&mut Ui)) -> Vec<(Role, String)> {
        let ctx = egui::Context::default();
        ctx.enable_accesskit();
        let mut draw = draw;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| draw(ui));
        // The font atlas would go to the renderer; there is none here.
        output.textures_delta.clear();
        let update = output
            .platform_output
            .accesskit_update
            .expect("egui builds the tree once asked to");
        update
            .nodes
            .iter()
            .filter_map(|(_, node)| Some((node.role(), node.label()?.to_string())))
            .collect()
    }

    #[test]
    fn drawn_meters_and_marks_are_named_for_a_screen_reader() {
        let names = spoken_names(|ui| {
            meter(ui, "Trust", 62.4, 200.0, GOOD, None);
            mark(ui, true);
            mark(ui, false);
            slot(ui, false);
            pain_dot(ui);
        });
        for (role, name) in [
            (Role::ProgressIndicator, "Trust: 62 of 100"),
            (Role::Image, "found"),
            (Role::Image, "missed"),
            (Role::Image, "not yet known"),
            (Role::Image, "pain"),
        ] {
            assert!(
                names.iter().any(|(r, n)| *r == role && n == name),
                "{role:?} \"{name}\" not in {names:?}"
            );
        }
    }
}
