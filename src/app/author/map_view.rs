//! The Author screen's map: the call's nodes as boxes in layers left to right, its ways on as
//! lines (best play thick and teal, the buyer's own turns dashed), in a scene the manager pans
//! (drag) and zooms (Ctrl and the wheel, or pinch); a click selects a node. And the simulation's
//! window: each score's spread as a histogram, the outcomes, where random play goes wrong.

use super::AuthorView;
use crate::app::theme;
use crate::engine::map::{CallMap, MapNode, NodeKind};
use crate::engine::score::Dimension;
use crate::engine::text::shorten;
use bevy_egui::egui::{self, Color32, CornerRadius, Pos2, Rect, Sense, Stroke, Vec2};
use egui_plot::{Bar, BarChart, Plot};

const NODE_SIZE: Vec2 = Vec2::new(210.0, 86.0);
const COLUMN: f32 = 300.0;
const ROW: f32 = 120.0;

/// Where a node's box is on the map.
pub fn node_rect(layer: usize, row: usize) -> Rect {
    Rect::from_min_size(
        Pos2::new(layer as f32 * COLUMN, row as f32 * ROW),
        NODE_SIZE,
    )
}

fn bounds(map: &CallMap) -> Rect {
    map.nodes
        .iter()
        .map(|n| node_rect(n.layer, n.row))
        .fold(Rect::NOTHING, |all, r| all.union(r))
        .expand(40.0)
}

fn fill(node: &MapNode) -> Color32 {
    match node.kind {
        NodeKind::End(outcome) => {
            let colour = match outcome {
                crate::engine::format::Outcome::Advance => theme::GOOD,
                crate::engine::format::Outcome::Continuation => theme::WARN,
                crate::engine::format::Outcome::Lost => theme::BAD,
                crate::engine::format::Outcome::QualifiedOut => theme::INFO,
            };
            colour.gamma_multiply(0.35)
        }
        NodeKind::Chance => Color32::from_rgb(0x3a, 0x2f, 0x5a),
        NodeKind::Next => theme::SURFACE_RAISED,
        NodeKind::Choices => theme::SURFACE,
    }
}

/// Draws the map; returns the node clicked, if one was.
pub fn show(ui: &mut egui::Ui, view: &mut AuthorView) -> Option<String> {
    let AuthorView {
        map,
        scene,
        selected,
        ..
    } = view;
    let map_data = map.as_ref()?;
    let (map, marks) = (&map_data.map, &map_data.marks);
    // First the start and the next few layers at a readable size; "Fit" shows the whole call.
    if !scene.is_finite() || scene.width() <= 0.0 {
        let all = bounds(map);
        *scene = egui::Rect::from_min_size(
            all.min,
            egui::vec2(all.width().min(1000.0), all.height().min(700.0)),
        );
    }
    ui.horizontal_wrapped(|ui| {
        theme::muted(ui, "Drag to pan, Ctrl and the wheel to zoom.");
        ui.label(egui::RichText::new("Legend").underline()).on_hover_text(
            "Thick teal: best play · dashed: the buyer's luck or the buyer going on · orange border: a problem · red border: cannot reach an ending · grey: unreachable",
        );
        if ui.small_button("Fit").clicked() {
            *scene = bounds(map);
        }
    });
    let mut clicked = None;
    egui::Scene::new()
        .zoom_range(0.1..=2.0)
        .show(ui, scene, |ui| {
            let painter = ui.painter().clone();
            for edge in &map.edges {
                let (from, to) = (&map.nodes[edge.from], &map.nodes[edge.to]);
                let (a, b) = (
                    node_rect(from.layer, from.row).right_center(),
                    node_rect(to.layer, to.row).left_center(),
                );
                let colour = if edge.best {
                    theme::ACCENT
                } else {
                    theme::TEXT_MUTED.gamma_multiply(0.7)
                };
                let stroke = Stroke::new(if edge.best { 3.5 } else { 1.2 }, colour);
                let points = [a, a + Vec2::new(40.0, 0.0), b - Vec2::new(40.0, 0.0), b];
                if edge.automatic {
                    for pair in points.windows(2) {
                        painter.extend(egui::Shape::dashed_line(pair, stroke, 6.0, 4.0));
                    }
                } else {
                    painter.add(egui::Shape::line(points.to_vec(), stroke));
                }
                let middle = points[1].lerp(points[2], 0.5);
                painter.text(
                    middle,
                    egui::Align2::CENTER_BOTTOM,
                    &edge.label,
                    egui::FontId::proportional(11.0),
                    colour,
                );
            }
            for node in &map.nodes {
                let rect = node_rect(node.layer, node.row);
                let response = ui.interact(
                    rect,
                    ui.id().with(("author-node", &node.id)),
                    Sense::click(),
                );
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::Button,
                        true,
                        format!("node {}: {}", node.id, node.line),
                    )
                });
                let is_selected = selected.as_deref() == Some(node.id.as_str());
                let problem = marks.contains_key(&node.id);
                let border = if is_selected {
                    Stroke::new(3.0, theme::TEXT)
                } else if problem {
                    Stroke::new(3.0, theme::WARN)
                } else if node.dead_end {
                    Stroke::new(2.5, theme::BAD)
                } else if node.start {
                    Stroke::new(2.5, theme::ACCENT)
                } else {
                    Stroke::new(1.0, theme::SURFACE_RAISED)
                };
                let mut colour = fill(node);
                if !node.reachable {
                    colour = colour.gamma_multiply(0.4);
                }
                painter.rect(
                    rect,
                    CornerRadius::same(8),
                    colour,
                    border,
                    egui::StrokeKind::Inside,
                );
                let mut title = node.id.clone();
                if node.start {
                    title = format!("START · {title}");
                }
                match node.kind {
                    NodeKind::End(outcome) => {
                        title.push_str(&format!(" · ends {}", outcome.label()))
                    }
                    NodeKind::Chance => title.push_str(" · chance"),
                    _ => {}
                }
                if let Some(codes) = marks.get(&node.id) {
                    title.push_str(&format!(" · {}", codes.join(", ")));
                }
                if !node.reachable {
                    title.push_str(" · unreachable");
                }
                painter.text(
                    rect.left_top() + Vec2::new(8.0, 6.0),
                    egui::Align2::LEFT_TOP,
                    shorten(&title, 34),
                    egui::FontId::proportional(13.0),
                    theme::TEXT,
                );
                let galley = painter.layout(
                    shorten(&node.line, 110),
                    egui::FontId::proportional(11.5),
                    theme::TEXT_MUTED,
                    rect.width() - 16.0,
                );
                painter.galley(
                    rect.left_top() + Vec2::new(8.0, 26.0),
                    galley,
                    theme::TEXT_MUTED,
                );
                if response.clicked() {
                    clicked = Some(node.id.clone());
                }
            }
        });
    clicked
}

/// The simulation of random play: a window with each score's histogram and the outcomes.
pub fn simulation_window(ctx: &egui::Context, view: &mut AuthorView) {
    let mut open = view.show_simulation;
    egui::Window::new("Random play")
        .open(&mut open)
        .default_width(560.0)
        .default_height(560.0)
        .vscroll(true)
        .show(ctx, |ui| match &view.simulation {
            None => {
                ui.spinner();
                theme::muted(ui, "Playing 20,000 calls at random…");
            }
            Some(simulation) => match &simulation.summary {
                Err(why) => {
                    ui.label(egui::RichText::new(why).color(theme::WARN));
                }
                Ok(summary) => {
                    if view.simulating() {
                        theme::muted(ui, "The file changed: simulating the new version…");
                    }
                    theme::muted(
                        ui,
                        format!(
                            "{} calls of random choices: right call in {:.0}%, {:.1} choices a call on average.",
                            summary.runs,
                            100.0 * summary.right_call_share,
                            summary.mean_choices
                        ),
                    );
                    ui.horizontal_wrapped(|ui| {
                        for (outcome, share) in &summary.outcomes {
                            ui.label(format!("{}: {:.0}%", outcome.label(), 100.0 * share));
                        }
                    });
                    let names = std::iter::once("Overall")
                        .chain(Dimension::ALL.iter().map(|d| d.label()));
                    for (index, (name, histogram)) in
                        names.zip(&summary.histograms).enumerate()
                    {
                        theme::section(ui, name);
                        let bars: Vec<Bar> = histogram
                            .iter()
                            .enumerate()
                            .filter(|(_, n)| **n > 0)
                            .map(|(score, n)| {
                                Bar::new(score as f64, 100.0 * *n as f64 / summary.runs.max(1) as f64)
                                    .width(1.0)
                            })
                            .collect();
                        Plot::new(("author-histogram", index))
                            .height(90.0)
                            .allow_zoom(false)
                            .allow_drag(false)
                            .allow_scroll(false)
                            .include_x(0.0)
                            .include_x(100.0)
                            .y_axis_label("% of calls")
                            .show(ui, |plot| {
                                plot.bar_chart(BarChart::new(name, bars).color(theme::ACCENT));
                            });
                    }
                    if !summary.trouble.is_empty() {
                        theme::section(ui, "where random play first goes wrong");
                        for trouble in &summary.trouble {
                            ui.add(
                                egui::Label::new(format!(
                                    "{}: {:.0}% of calls, {:.1} points each; the costliest: \"{}\"",
                                    trouble.node_id,
                                    100.0 * trouble.share,
                                    trouble.points_lost / trouble.share.max(f64::MIN_POSITIVE),
                                    trouble.costliest_mistake
                                ))
                                .wrap(),
                            );
                        }
                    }
                }
            },
        });
    view.show_simulation = open;
}
