//! What a screen reader is given: the accessibility tree egui builds for each frame (AccessKit),
//! kept by the demo and written beside each screenshot as text, one node a line (its role, name
//! and value, indented under its parent), so that CI checks what a screen reader would read.

use bevy::prelude::*;
use bevy_egui::egui::accesskit::{Node, NodeId, TreeUpdate};
use bevy_egui::{EguiContexts, EguiOutput, EguiPostUpdateSet};
use std::collections::HashMap;

/// The newest frame's accessibility tree, as text.
#[derive(Resource, Default)]
pub struct LatestTree(pub Option<String>);

pub struct AccessibilityDump;

impl Plugin for AccessibilityDump {
    fn build(&self, app: &mut App) {
        app.init_resource::<LatestTree>()
            .add_systems(bevy_egui::EguiPrimaryContextPass, enable)
            .add_systems(
                PostUpdate,
                keep_tree.after(EguiPostUpdateSet::ProcessOutput),
            );
    }
}

/// egui builds the tree once asked to; the window asks when a screen reader is running, the demo
/// always.
fn enable(mut contexts: EguiContexts) {
    if let Ok(ctx) = contexts.ctx_mut() {
        ctx.enable_accesskit();
    }
}

fn keep_tree(outputs: Query<&EguiOutput>, mut latest: ResMut<LatestTree>) {
    for output in &outputs {
        if let Some(update) = &output.platform_output.accesskit_update {
            latest.0 = Some(render(update));
        }
    }
}

/// The tree as text: each node's role, name (label) and value, depth first from the root.
pub fn render(update: &TreeUpdate) -> String {
    let nodes: HashMap<NodeId, &Node> = update.nodes.iter().map(|(id, n)| (*id, n)).collect();
    let root = update.tree.as_ref().map(|t| t.root).or_else(|| {
        let children: std::collections::HashSet<NodeId> = update
            .nodes
            .iter()
            .flat_map(|(_, n)| n.children().iter().copied())
            .collect();
        update
            .nodes
            .iter()
            .map(|(id, _)| *id)
            .find(|id| !children.contains(id))
    });
    let mut out = String::new();
    let mut stack: Vec<(NodeId, usize)> = root.into_iter().map(|r| (r, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = nodes.get(&id) else { continue };
        // Runs of a label's text, for moving through it word by word: the label has it all.
        if node.role() == bevy_egui::egui::accesskit::Role::TextRun {
            continue;
        }
        let mut line = format!("{}{:?}", "  ".repeat(depth), node.role());
        if let Some(label) = node.label() {
            line.push_str(&format!(": {label}"));
        }
        if let Some(value) = node.value() {
            line.push_str(&format!(" = {value}"));
        }
        if node.is_disabled() {
            line.push_str(" (disabled)");
        }
        out.push_str(line.replace('\n', " / ").trim_end());
        out.push('\n');
        for child in node.children().iter().rev() {
            stack.push((*child, depth + 1));
        }
    }
    out
}
