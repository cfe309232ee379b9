//! What a screen reader is given: the accessibility tree egui builds for each frame (AccessKit),
//! kept by the demo and written beside each screenshot as text, one node a line (its role, name
//! and value, indented under its parent), so that CI checks what a screen reader would read. And
//! the keyboard walk: Tab pressed through a screen, noting what takes the focus each time, so
//! that CI checks every button can be reached without a mouse.

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyCode, KeyboardInput};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui::accesskit::{Node, NodeId, TreeUpdate};
use bevy_egui::{EguiContexts, EguiOutput, EguiPostUpdateSet};
use std::collections::{BTreeSet, HashMap};

/// The newest frame's accessibility tree, as text.
#[derive(Resource, Default)]
pub struct LatestTree(pub Option<String>);

pub struct AccessibilityDump;

impl Plugin for AccessibilityDump {
    fn build(&self, app: &mut App) {
        app.init_resource::<LatestTree>()
            .init_resource::<TabWalk>()
            .add_systems(First, press_tab)
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

fn keep_tree(
    outputs: Query<&EguiOutput>,
    mut latest: ResMut<LatestTree>,
    mut walk: ResMut<TabWalk>,
) {
    for output in &outputs {
        if let Some(update) = &output.platform_output.accesskit_update {
            latest.0 = Some(render(update));
            if walk.running() {
                walk.see(update);
            }
        }
    }
}

/// Tab pressed through a screen: what took the focus at each press, and every button there is.
#[derive(Resource, Default)]
pub struct TabWalk {
    running: bool,
    frames: u32,
    presses: u32,
    /// The focused widget's name after each press, in order.
    order: Vec<String>,
    buttons: BTreeSet<String>,
    /// When set, only these must be reached (a modal dialog over a screen, whose buttons
    /// behind it cannot take the focus while it is open).
    only: Option<BTreeSet<String>>,
    /// The focus order as text once done, or the buttons Tab never reached.
    pub result: Option<Result<String, String>>,
}

/// Presses beyond the number of buttons, so the walk comes round to the first again.
const EXTRA_PRESSES: u32 = 4;

impl TabWalk {
    pub fn start(&mut self) {
        *self = TabWalk {
            running: true,
            ..TabWalk::default()
        };
    }

    /// A walk that must reach just these buttons (those of a modal dialog).
    pub fn start_for(&mut self, buttons: &[&str]) {
        self.start();
        self.only = Some(buttons.iter().map(|b| b.to_string()).collect());
    }

    pub fn running(&self) -> bool {
        self.running
    }

    fn see(&mut self, update: &TreeUpdate) {
        for (_, node) in &update.nodes {
            // A disabled button (the choices while the call is paused) cannot take the focus.
            if node.role() == bevy_egui::egui::accesskit::Role::Button
                && !node.is_disabled()
                && let Some(label) = node.label()
            {
                self.buttons.insert(label.to_string());
            }
        }
        let focused = update
            .nodes
            .iter()
            .find(|(id, _)| *id == update.focus)
            .and_then(|(_, node)| node.label().or(node.value()))
            .map(str::to_string);
        if let Some(focused) = focused
            && self.order.last() != Some(&focused)
        {
            self.order.push(focused);
        }
    }

    fn finish(&mut self) {
        self.running = false;
        if let Some(only) = self.only.take() {
            self.buttons = only;
        }
        let reached: BTreeSet<&String> = self.order.iter().collect();
        let missing: Vec<&String> = self
            .buttons
            .iter()
            .filter(|b| !reached.contains(b))
            .collect();
        self.result = Some(if self.buttons.is_empty() {
            Err("the screen has no buttons to reach".into())
        } else if missing.is_empty() {
            Ok(self
                .order
                .iter()
                .enumerate()
                .map(|(i, name)| format!("{:>2}. {}\n", i + 1, name.replace('\n', " / ")))
                .collect())
        } else {
            Err(format!(
                "Tab never reaches {} of its {} buttons: {}",
                missing.len(),
                self.buttons.len(),
                missing
                    .iter()
                    .map(|m| format!("\"{m}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
    }
}

/// While a walk runs: Tab down on one frame, up on the next, as a rep's key would.
fn press_tab(
    mut walk: ResMut<TabWalk>,
    window: Query<Entity, With<PrimaryWindow>>,
    mut keys: MessageWriter<KeyboardInput>,
) {
    if !walk.running {
        return;
    }
    let Ok(window) = window.single() else { return };
    walk.frames += 1;
    // A few frames for the screen to be seen whole first.
    if walk.frames < 4 {
        return;
    }
    let down = walk.frames.is_multiple_of(2);
    if down {
        if walk.presses >= walk.buttons.len() as u32 + EXTRA_PRESSES {
            walk.finish();
            return;
        }
        walk.presses += 1;
    }
    keys.write(KeyboardInput {
        key_code: KeyCode::Tab,
        logical_key: Key::Tab,
        state: if down {
            ButtonState::Pressed
        } else {
            ButtonState::Released
        },
        text: None,
        repeat: false,
        window,
    });
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
