//! The Author screen, for the manager who writes the calls: pick a scenario file, see the call as
//! a map (pan and zoom, best play, unreachable and dead-end nodes, problems on their nodes),
//! click a problem to select its node, read a node's line, choices, conditions, reveals and
//! trust, play from any node, and see what random play scores. Saving the file in an editor
//! redraws the map and the problems (the library reloads it; the map follows its revision).
//! The map and the simulation are worked out off the frame.

mod campaign_view;
mod map_view;
mod node_panel;

use crate::app::records::{DbWorker, Pending};
use crate::app::scenarios::{Library, LibraryEntry, ScenarioAsset};
use crate::app::{Screen, UiSystems, theme};
use crate::engine::map::{CallMap, marks_by_node, node_at_line, node_lines};
use crate::engine::model::Scenario;
use crate::engine::simulate::{Policy, Settings, Summary, simulate};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::{BTreeSet, HashMap};

use crate::app::playing::{Notice, StartPlaytest};

/// The map of one revision of a file, with where its problems are.
pub struct AuthorMap {
    pub file: AssetId<ScenarioAsset>,
    pub revision: String,
    pub map: CallMap,
    /// The checker's problem codes on each node.
    pub marks: HashMap<String, Vec<String>>,
}

/// What random play scored on the file's current revision.
pub struct Simulation {
    pub revision: String,
    pub summary: Result<Summary, String>,
}

/// Where a playtest starts: set in the node panel's form.
#[derive(Debug, Clone, Default)]
pub struct PlaytestForm {
    pub node: String,
    pub trust: u8,
    pub minutes_left: u32,
    pub knows: BTreeSet<String>,
}

#[derive(Resource)]
pub struct AuthorView {
    /// The file being authored (a library entry).
    pub file: Option<AssetId<ScenarioAsset>>,
    /// A campaign file shown instead of a scenario's map (its path).
    pub campaign: Option<std::path::PathBuf>,
    /// The selected node's id.
    pub selected: Option<String>,
    pub map: Option<AuthorMap>,
    mapping: Option<(String, Pending<AuthorMap>)>,
    /// Each node's lines in the file as it is on disk now (for a problem's node, also while
    /// the file does not check).
    pub lines: Vec<(String, usize, usize)>,
    lines_of: Option<AssetId<ScenarioAsset>>,
    /// The part of the map in view (egui's scene: pan and zoom).
    pub scene: egui::Rect,
    pub form: PlaytestForm,
    pub simulation: Option<Simulation>,
    simulating: Option<(String, Pending<Result<Summary, String>>)>,
    pub show_simulation: bool,
}

impl Default for AuthorView {
    fn default() -> Self {
        AuthorView {
            file: None,
            campaign: None,
            selected: None,
            map: None,
            mapping: None,
            lines: Vec::new(),
            lines_of: None,
            // Nothing yet: the map fits itself to the call when first drawn.
            scene: egui::Rect::NOTHING,
            form: PlaytestForm::default(),
            simulation: None,
            simulating: None,
            show_simulation: false,
        }
    }
}

impl AuthorView {
    /// The library entry being authored.
    pub fn entry<'a>(&self, library: &'a Library) -> Option<&'a LibraryEntry> {
        self.file
            .and_then(|file| library.entries.iter().find(|e| e.asset == file))
    }

    /// Selects the node a problem at `line` is in, and brings it into view. Returns the node.
    pub fn select_line(&mut self, line: usize) -> Option<String> {
        let node = node_at_line(&self.lines, line)?.to_string();
        self.select(&node);
        Some(node)
    }

    /// Selects a node and centres the map on it.
    pub fn select(&mut self, node: &str) {
        self.selected = Some(node.to_string());
        if let Some(place) = self
            .map
            .as_ref()
            .and_then(|m| m.map.find(node).map(|i| &m.map.nodes[i]))
        {
            let centre = map_view::node_rect(place.layer, place.row).center();
            // Close enough to read the node and its neighbours.
            self.scene = egui::Rect::from_center_size(centre, egui::vec2(700.0, 480.0));
        }
    }

    /// Whether the map is being worked out.
    pub fn mapping(&self) -> bool {
        self.mapping.is_some()
    }

    /// Runs random play on the current revision in the background.
    pub fn simulate(&mut self, scenario: &Scenario, worker: &DbWorker) {
        let scenario = scenario.clone();
        let revision = scenario.revision.clone();
        self.show_simulation = true;
        if self
            .simulation
            .as_ref()
            .is_some_and(|s| s.revision == revision)
            || self.simulating.as_ref().is_some_and(|s| s.0 == revision)
        {
            return;
        }
        let pending = worker.compute(move || {
            let settings = Settings {
                runs: 20_000,
                policy: Policy::Random,
                seed: 1,
                threads: 1,
            };
            simulate(&scenario, &settings).map_err(|e| e.to_string())
        });
        self.simulating = Some((revision, pending));
    }

    pub fn simulating(&self) -> bool {
        self.simulating.is_some()
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<AuthorView>()
        .add_systems(Update, refresh.run_if(in_state(Screen::Author)))
        .add_systems(
            EguiPrimaryContextPass,
            draw.in_set(UiSystems::Screens)
                .run_if(in_state(Screen::Author)),
        );
}

/// Keeps the map on the file's current revision: picks a file when none is, starts working
/// out the map of a new revision, takes in finished maps and simulations, and reads where
/// each node is in the file when it changes on disk.
pub fn refresh(mut view: ResMut<AuthorView>, library: Res<Library>, worker: Res<DbWorker>) {
    if view.entry(&library).is_none() {
        view.file = library.entries.first().map(|e| e.asset);
        view.selected = None;
    }
    let Some(entry) = view.entry(&library) else {
        return;
    };
    let asset = entry.asset;
    // Where each node is in the file as it is now: problems point at lines.
    if library.is_changed() || view.lines_of != Some(asset) {
        view.lines = std::fs::read_to_string(&entry.report.path)
            .map(|text| node_lines(&text))
            .unwrap_or_default();
        view.lines_of = Some(asset);
    }
    // Another file was picked: its map, not the last file's.
    if view.map.as_ref().is_some_and(|m| m.file != asset) {
        view.map = None;
        view.selected = None;
    }
    if let Some(scenario) = entry.scenario() {
        let revision = scenario.revision.clone();
        // A map on its way for another file or an older revision is not wanted any more.
        if view.mapping.as_ref().is_some_and(|m| m.0 != revision) {
            view.mapping = None;
        }
        let current = view.map.as_ref().is_some_and(|m| m.revision == revision);
        let on_its_way = view.mapping.as_ref().is_some_and(|m| m.0 == revision);
        if !current && !on_its_way {
            let scenario = scenario.clone();
            let diagnostics = entry.report.diagnostics.clone();
            let pending = worker.compute(move || {
                let best = crate::engine::dot::best_play(&scenario);
                AuthorMap {
                    file: asset,
                    revision: scenario.revision.clone(),
                    map: CallMap::of(&scenario, &best),
                    marks: marks_by_node(&scenario.source_text, &diagnostics),
                }
            });
            view.mapping = Some((revision, pending));
        }
    }
    if let Some((_, pending)) = &mut view.mapping
        && let Some(map) = pending.try_take()
    {
        let fresh = view
            .map
            .as_ref()
            .is_none_or(|old| old.map.nodes.len() != map.map.nodes.len());
        let selected_gone = view
            .selected
            .as_ref()
            .is_some_and(|id| map.map.find(id).is_none());
        if selected_gone {
            view.selected = None;
        }
        view.map = Some(map);
        view.mapping = None;
        if fresh && view.selected.is_none() {
            view.scene = egui::Rect::NOTHING;
        }
    }
    if let Some((revision, pending)) = &mut view.simulating
        && let Some(summary) = pending.try_take()
    {
        let revision = revision.clone();
        view.simulation = Some(Simulation { revision, summary });
        view.simulating = None;
    }
}

fn draw(
    mut contexts: EguiContexts,
    mut view: ResMut<AuthorView>,
    library: Res<Library>,
    worker: Res<DbWorker>,
    mut next: ResMut<NextState<Screen>>,
    mut playtest: MessageWriter<StartPlaytest>,
    notice: Res<Notice>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let Some(mut ui) = crate::app::screens::screen_ui(&ctx) else {
        return Ok(());
    };
    if view.mapping() || view.simulating() {
        ctx.request_repaint_after(std::time::Duration::from_millis(200));
    }
    egui::Panel::top("author-top")
        .frame(theme::screen().inner_margin(egui::Margin::symmetric(20, 10)))
        .show(&mut ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                if ui.button("Back").clicked() {
                    next.set(Screen::Start);
                }
                theme::heading(ui, "Author");
                let files: Vec<(AssetId<ScenarioAsset>, String)> = library
                    .entries
                    .iter()
                    .map(|e| (e.asset, file_label(e)))
                    .collect();
                let campaign_label = |path: &std::path::Path| {
                    format!(
                        "campaign: {}",
                        path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    )
                };
                let shown = match &view.campaign {
                    Some(path) => campaign_label(path),
                    None => view
                        .entry(&library)
                        .map(file_label)
                        .unwrap_or_else(|| "no scenario files".into()),
                };
                egui::ComboBox::from_id_salt("author-file")
                    .selected_text(shown)
                    .width(320.0)
                    .show_ui(ui, |ui| {
                        for (asset, label) in files {
                            if ui
                                .selectable_label(
                                    view.campaign.is_none() && view.file == Some(asset),
                                    label,
                                )
                                .clicked()
                            {
                                view.file = Some(asset);
                                view.campaign = None;
                                view.selected = None;
                                view.scene = egui::Rect::NOTHING;
                            }
                        }
                        // Campaign files: their calls in order and their problems.
                        for report in &library.campaigns {
                            if ui
                                .selectable_label(
                                    view.campaign.as_ref() == Some(&report.path),
                                    campaign_label(&report.path),
                                )
                                .clicked()
                            {
                                view.campaign = Some(report.path.clone());
                            }
                        }
                    });
                if let Some(scenario) = view.entry(&library).and_then(|e| e.scenario()).cloned()
                    && view.campaign.is_none()
                    && ui
                        .button("Simulate random play")
                        .on_hover_text("20,000 calls of random choices: each score's spread, the outcomes, where random play goes wrong")
                        .clicked()
                {
                    view.simulate(&scenario, &worker);
                }
                if let Some(notice) = &notice.0 {
                    ui.label(egui::RichText::new(notice).color(theme::WARN));
                }
            });
        });
    // A campaign file: its problems on the left, its calls in the middle.
    if let Some(path) = view.campaign.clone() {
        let campaign = library.campaigns.iter().find(|r| r.path == path).cloned();
        side_panel(&mut ui, egui::Panel::left("author-problems"), 270.0, |ui| {
            theme::section(ui, "problems");
            match &campaign {
                None => theme::muted(ui, "This campaign file is no longer in the folder."),
                Some(report) if report.diagnostics.is_empty() => {
                    theme::muted(ui, "None: the file checks clean.")
                }
                Some(report) => {
                    for d in &report.diagnostics {
                        ui.label(problem_text(d));
                        if let Some(hint) = &d.hint {
                            ui.label(egui::RichText::new(hint).small().color(theme::TEXT_MUTED));
                        }
                        ui.add_space(4.0);
                    }
                }
            }
        });
        egui::CentralPanel::default()
            .frame(theme::screen())
            .show(&mut ui, |ui| {
                if let Some(report) = &campaign {
                    campaign_view::show(ui, &mut view, &library, report);
                }
            });
        return Ok(());
    }
    let entry = view.entry(&library);
    let report = entry.map(|e| e.report.clone());
    let scenario = entry.and_then(|e| e.scenario()).cloned();
    // The side panels give the map what room they can spare on a small window: there, one at a
    // time, the problems until a node is selected, then the node (with a way back to the
    // problems), so that the map keeps more than half the width at 800x600.
    let narrow = ui.available_width() < 1000.0;
    let node_shown = view.selected.is_some() && view.map.is_some();
    let show_problems = !narrow || !node_shown;
    let show_node = !narrow || node_shown;
    if show_problems {
        side_panel(
            &mut ui,
            egui::Panel::left("author-problems"),
            if narrow { 230.0 } else { 270.0 },
            |ui| {
                theme::section(ui, "problems");
                let Some(report) = &report else {
                    theme::muted(ui, "Put a .scenario.ron file in the scenarios folder.");
                    return;
                };
                if report.diagnostics.is_empty() {
                    theme::muted(ui, "None: the file checks clean.");
                }
                for d in &report.diagnostics {
                    let line = d.location.as_deref().map(|l| l.line);
                    let button = egui::Button::new(problem_text(d)).wrap().frame(false);
                    let response = ui.add(button).on_hover_text("Show its node on the map");
                    if let Some(hint) = &d.hint {
                        ui.label(egui::RichText::new(hint).small().color(theme::TEXT_MUTED));
                    }
                    ui.add_space(4.0);
                    if response.clicked()
                        && let Some(line) = line
                    {
                        view.select_line(line);
                    }
                }
                if scenario.is_none() && view.map.is_some() {
                    ui.add_space(8.0);
                    ui.label(
                        egui::RichText::new(
                            "The file does not check now: the map shows its last good version.",
                        )
                        .color(theme::WARN),
                    );
                }
            },
        );
    }
    if show_node {
        let problems = report.as_ref().map_or(0, |r| r.diagnostics.len());
        side_panel(
            &mut ui,
            egui::Panel::right("author-node"),
            if narrow { 300.0 } else { 340.0 },
            |ui| {
                let view = &mut *view;
                if narrow
                    && ui
                        .button(if problems == 0 {
                            "Back to the problems (none)".to_string()
                        } else {
                            format!("Back to the problems ({problems})")
                        })
                        .on_hover_text("The window is narrow: one side panel at a time")
                        .clicked()
                {
                    view.selected = None;
                }
                if let Some(request) = node_panel::show(ui, view, scenario.as_ref()) {
                    playtest.write(request);
                }
            },
        );
    }
    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            let view = &mut *view;
            if view.show_simulation {
                map_view::simulation_window(ui.ctx(), view);
            }
            match &view.map {
                None if view.mapping() => {
                    ui.spinner();
                    theme::muted(ui, "Drawing the map…");
                }
                None => {
                    theme::muted(
                        ui,
                        "The map shows once the file checks without errors. `dealsim graph FILE --format svg` draws a file with errors as far as it can.",
                    );
                }
                Some(_) => {
                    if let Some(clicked) = map_view::show(ui, view) {
                        view.selected = Some(clicked);
                    }
                }
            }
        });
    Ok(())
}

/// A problem as the side panel lists it: its code, its line and its message, coloured by
/// whether it is an error or a warning (scenario and campaign files alike).
fn problem_text(d: &crate::engine::format::diagnostic::Diagnostic) -> egui::RichText {
    let line = d.location.as_deref().map(|l| l.line);
    egui::RichText::new(format!(
        "{} {}{}",
        d.code.as_str(),
        line.map(|l| format!("line {l}: ")).unwrap_or_default(),
        d.message
    ))
    .color(if d.is_error() {
        theme::BAD
    } else {
        theme::WARN
    })
}

/// One of the screen's side panels: its width, its colour and its own scroll.
fn side_panel(ui: &mut egui::Ui, panel: egui::Panel, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    panel
        .exact_size(width)
        .resizable(false)
        .frame(
            theme::screen()
                .fill(theme::SURFACE)
                .inner_margin(egui::Margin::same(14)),
        )
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, add);
        });
}

/// A file's name in the list: its title, and its file name, with a broken file marked.
fn file_label(entry: &LibraryEntry) -> String {
    let name = entry
        .report
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match entry.scenario() {
        Some(scenario) => format!("{} ({name})", scenario.title),
        None => format!("{name} (has errors)"),
    }
}
