//! The Author screen's side panel: the selected node's line, trust change, reveals, and each
//! choice with its conditions, move, minutes, trust, reveals and note (or a chance node's
//! branches, or where the buyer goes on); and "Play from here", with the trust, minutes left and
//! facts known to start with. A playtest is never stored as a rep's session.

use super::AuthorView;
use crate::app::playing::StartPlaytest;
use crate::app::theme;
use crate::engine::map::NodeKind;
use crate::engine::model::Scenario;
use crate::engine::session::PlaytestStart;
use bevy_egui::egui;

/// Draws the panel; returns a playtest to start when "Play from here" was pressed.
pub fn show(
    ui: &mut egui::Ui,
    view: &mut AuthorView,
    scenario: Option<&Scenario>,
) -> Option<StartPlaytest> {
    let (Some(map), Some(selected)) = (&view.map, view.selected.clone()) else {
        theme::section(ui, "node");
        theme::muted(
            ui,
            "Click a node on the map, or a problem on the left, to see it here and play the call from it.",
        );
        return None;
    };
    let node = map.map.find(&selected).map(|i| map.map.nodes[i].clone())?;
    theme::section(ui, "node");
    ui.label(egui::RichText::new(&node.id).strong().size(17.0));
    let kind = match node.kind {
        NodeKind::Choices => "the rep chooses".to_string(),
        NodeKind::Chance => "the buyer's luck picks a branch".to_string(),
        NodeKind::Next => "the buyer goes on".to_string(),
        NodeKind::End(outcome) => format!("the call ends: {}", outcome.label()),
    };
    theme::muted(ui, kind);
    if !node.reachable {
        ui.label(egui::RichText::new("No path from the start reaches it.").color(theme::WARN));
    }
    if node.dead_end {
        ui.label(egui::RichText::new("No way on from it reaches an ending.").color(theme::BAD));
    }
    if let Some(codes) = map.marks.get(&node.id) {
        ui.label(
            egui::RichText::new(format!("Problems here: {}", codes.join(", "))).color(theme::WARN),
        );
    }
    ui.add_space(4.0);
    ui.add(egui::Label::new(format!("\"{}\"", node.line)).wrap());
    let mut facts = Vec::new();
    if node.trust != 0 {
        facts.push(format!("trust {:+}", node.trust));
    }
    if !node.reveals.is_empty() {
        facts.push(format!("reveals {}", node.reveals.join(", ")));
    }
    if !facts.is_empty() {
        theme::muted(ui, facts.join(" · "));
    }
    if !node.choices.is_empty() {
        ui.add_space(6.0);
        theme::section(ui, "choices");
        for choice in &node.choices {
            egui::Frame::new()
                .fill(theme::SURFACE_RAISED)
                .corner_radius(egui::CornerRadius::same(6))
                .inner_margin(egui::Margin::same(8))
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    let mut head = format!("{} · {} min", choice.move_kind.label(), choice.minutes);
                    if choice.trust != 0 {
                        head.push_str(&format!(" · trust {:+}", choice.trust));
                    }
                    if choice.best {
                        head.push_str(" · best play");
                    }
                    ui.label(egui::RichText::new(head).small().color(if choice.best {
                        theme::ACCENT
                    } else {
                        theme::TEXT_MUTED
                    }));
                    ui.add(egui::Label::new(&choice.say).wrap());
                    if !choice.condition.is_empty() {
                        ui.label(
                            egui::RichText::new(format!("only if {}", choice.condition))
                                .small()
                                .color(theme::WARN),
                        );
                    }
                    let mut after = format!("to {}", choice.to);
                    if !choice.reveals.is_empty() {
                        after.push_str(&format!(" · reveals {}", choice.reveals.join(", ")));
                    }
                    theme::muted(ui, after);
                    if let Some(note) = &choice.note {
                        ui.add(
                            egui::Label::new(egui::RichText::new(note).small().italics()).wrap(),
                        );
                    }
                });
            ui.add_space(4.0);
        }
    }
    for (to, share, condition) in &node.branches {
        if condition.is_empty() {
            theme::muted(ui, format!("{share:.0}%: to {to}"));
        } else {
            theme::muted(ui, format!("{share:.0}%: to {to}, {condition}"));
        }
    }
    for (to, condition) in &node.next {
        if condition.is_empty() {
            theme::muted(ui, format!("goes on to {to}"));
        } else {
            theme::muted(ui, format!("{condition}: goes on to {to}"));
        }
    }
    let scenario = scenario?;
    // The form starts from what a call would have at the start, for the node selected.
    if view.form.node != node.id {
        view.form.node = node.id.clone();
        view.form.trust = scenario.buyer.trust.min(100);
        view.form.minutes_left = scenario.minutes;
        view.form.knows.clear();
    }
    ui.add_space(10.0);
    theme::section(ui, "play from here");
    ui.add(egui::Slider::new(&mut view.form.trust, 0..=100).text("trust"));
    ui.add(
        egui::Slider::new(&mut view.form.minutes_left, 1..=scenario.minutes.max(1))
            .text("minutes left"),
    );
    ui.label("Facts the rep already knows:");
    for fact in scenario.facts() {
        let mut known = view.form.knows.contains(&fact.id);
        if ui
            .checkbox(&mut known, format!("{} ({})", fact.id, fact.kind.label()))
            .on_hover_text(&fact.text)
            .changed()
        {
            if known {
                view.form.knows.insert(fact.id.clone());
            } else {
                view.form.knows.remove(&fact.id);
            }
        }
    }
    let play = theme::primary_button(ui, "Play from here").on_hover_text(
        "A playtest: the call starts at this node with the trust, minutes and facts above. It is not stored as a session.",
    );
    play.clicked().then(|| StartPlaytest {
        scenario_id: scenario.id.clone(),
        start: PlaytestStart {
            node: node.id.clone(),
            trust: Some(view.form.trust),
            knows: view.form.knows.iter().cloned().collect(),
            minutes_left: Some(view.form.minutes_left),
            chance: Vec::new(),
        },
        seed: 1,
    })
}
