//! Scenarios as Bevy assets: an `AssetLoader` for `.scenario.ron` that runs the checker, the
//! folder they come from (with hot reload), and the `Library` the screens show. A broken file
//! loads as an entry with its problems, so the library can grey it out instead of crashing.

use crate::engine::campaign::{self, Campaign, CampaignReport};
use crate::engine::check::{self, CheckReport};
use crate::engine::format::diagnostic::{Code, Diagnostic};
use crate::engine::format::load::{self, PathProblemKind};
use crate::engine::model::Scenario;
use bevy::asset::io::{AssetSourceBuilder, Reader};
use bevy::asset::{AssetLoader, LoadContext, LoadState};
use bevy::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the folder is looked at for added or removed files (changes to a file's contents
/// arrive at once through the asset watcher).
const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// The asset source name for the scenarios folder.
pub const SOURCE: &str = "scenarios";

/// A scenario file as loaded: the checker's report, with the playable scenario if it has no errors.
#[derive(Asset, TypePath, Debug)]
pub struct ScenarioAsset {
    pub report: CheckReport,
}

/// Loads `.scenario.ron` files by running the checker on them.
#[derive(TypePath)]
pub struct ScenarioLoader {
    /// The folder on disk, so that problems name the real file.
    folder: PathBuf,
}

impl AssetLoader for ScenarioLoader {
    type Asset = ScenarioAsset;
    type Settings = ();
    type Error = std::io::Error;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<ScenarioAsset, std::io::Error> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let path = self.folder.join(load_context.path().path());
        let report = match load::source_within_limit(&path, bytes) {
            Ok(source) => check::check_source(&source),
            Err(diagnostic) => CheckReport::failed(&path, diagnostic),
        };
        Ok(ScenarioAsset { report })
    }

    fn extensions(&self) -> &[&str] {
        &["scenario.ron"]
    }
}

/// One file of the library.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    pub asset: AssetId<ScenarioAsset>,
    pub report: CheckReport,
}

impl LibraryEntry {
    pub fn scenario(&self) -> Option<&Scenario> {
        self.report.scenario.as_ref()
    }
}

/// The scenarios the rep can pick from, in file order, broken ones included.
#[derive(Resource, Debug, Default)]
pub struct Library {
    pub entries: Vec<LibraryEntry>,
    /// Still waiting for the folder to load.
    pub loading: bool,
    /// What is wrong with the folder as a whole (missing, empty, unreadable).
    pub problem: Option<String>,
    /// The folder, for messages.
    pub folder: PathBuf,
    /// The campaigns in the folder (`NAME.campaign.ron`), each checked against the clean
    /// scenarios, broken ones included.
    pub campaigns: Vec<CampaignReport>,
}

impl Library {
    /// The clean campaign with this id, if any.
    pub fn campaign(&self, id: &str) -> Option<&Campaign> {
        self.campaigns
            .iter()
            .find_map(|r| r.campaign.as_ref().filter(|c| c.id == id))
    }

    /// The playable scenario with this id, if any.
    pub fn playable(&self, scenario_id: &str) -> Option<(&LibraryEntry, &Scenario)> {
        self.entries
            .iter()
            .find_map(|e| e.scenario().filter(|s| s.id == scenario_id).map(|s| (e, s)))
    }
}

/// The scenario files found in the folder, by path relative to it.
#[derive(Resource, Default)]
struct ScenarioFiles {
    handles: BTreeMap<PathBuf, Handle<ScenarioAsset>>,
    /// The set of files changed since the library was last rebuilt.
    changed: bool,
    /// The campaign files as last seen (path, modified, length): campaigns are not assets, so
    /// the scan notices their changes.
    campaigns_seen: Vec<(PathBuf, Option<std::time::SystemTime>, u64)>,
}

/// Registers the scenarios folder as an asset source. Must be added before `AssetPlugin`
/// (that is, before `DefaultPlugins`).
pub struct ScenarioSourcePlugin {
    pub folder: PathBuf,
}

impl Plugin for ScenarioSourcePlugin {
    fn build(&self, app: &mut App) {
        let folder = absolute(&self.folder);
        if folder.is_dir() {
            let path = folder.to_string_lossy().into_owned();
            app.register_asset_source(SOURCE, AssetSourceBuilder::platform_default(&path, None));
        }
        app.insert_resource(Library {
            loading: folder.is_dir(),
            folder,
            ..default()
        });
    }
}

/// Loads the folder and keeps the `Library` in step with it, hot reload included.
pub struct ScenarioLibraryPlugin;

impl Plugin for ScenarioLibraryPlugin {
    fn build(&self, app: &mut App) {
        let folder = app.world().resource::<Library>().folder.clone();
        app.init_asset::<ScenarioAsset>()
            .register_asset_loader(ScenarioLoader { folder })
            .init_resource::<ScenarioFiles>()
            .add_systems(PreUpdate, (scan_folder, refresh_library).chain())
            .add_systems(PostStartup, watch_folder);
    }
}

/// The window sleeps until input, so a change in the scenarios folder would wait for the rep
/// to move the mouse: a thread looks at the folder every `RESCAN_EVERY` and wakes the window
/// when a scenario file was added, removed or written (and a few times over the next seconds,
/// while the asset watcher and the checker catch up). Only in a window that can be woken.
fn watch_folder(library: Res<Library>) {
    if !crate::app::records::can_wake() {
        return;
    }
    let folder = library.folder.clone();
    let look = move || -> Vec<(PathBuf, Option<std::time::SystemTime>, u64)> {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Vec::new();
        };
        let mut seen: Vec<_> = entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(".scenario.ron") || name.ends_with(campaign::CAMPAIGN_EXTENSION)
            })
            .map(|e| {
                let meta = e.metadata().ok();
                (
                    e.path(),
                    meta.as_ref().and_then(|m| m.modified().ok()),
                    meta.map_or(0, |m| m.len()),
                )
            })
            .collect();
        seen.sort();
        seen
    };
    let spawned = std::thread::Builder::new()
        .name("dealsim-folder".into())
        .spawn(move || {
            let mut last = look();
            loop {
                std::thread::sleep(RESCAN_EVERY);
                let now = look();
                if now != last {
                    last = now;
                    // The asset watcher debounces a write, then the file is checked on a task
                    // thread: a few wakes over the next seconds let each step show.
                    for pause in [0, 500, 500, 1000, 1500, 2500] {
                        std::thread::sleep(Duration::from_millis(pause));
                        crate::app::records::wake();
                    }
                }
            }
        });
    if let Err(error) = spawned {
        warn!("cannot watch the scenarios folder ({error}); changes show at the next input");
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Finds the `*.scenario.ron` files under the folder (other files are ignored) and loads new
/// ones; files that disappeared leave the library.
fn scan_folder(
    server: Res<AssetServer>,
    time: Res<Time<Real>>,
    mut files: ResMut<ScenarioFiles>,
    mut library: ResMut<Library>,
    mut last_scan: Local<Option<Duration>>,
) {
    let now = time.elapsed();
    if last_scan.is_some_and(|last| now.saturating_sub(last) < RESCAN_EVERY) {
        return;
    }
    *last_scan = Some(now);
    if !library.folder.is_dir() {
        library.loading = false;
        library.entries.clear();
        library.problem = Some(format!(
            "The scenarios folder {} does not exist. Start dealsim from the project folder, or choose one with --scenarios DIR.",
            library.folder.display()
        ));
        return;
    }
    let (found, problems) = load::collect_paths(std::slice::from_ref(&library.folder));
    if let Some(problem) = problems
        .iter()
        .find(|p| p.kind == PathProblemKind::UnreadableFolder)
    {
        library.problem = Some(format!(
            "Cannot read the scenarios folder {}: {}",
            library.folder.display(),
            problem.diagnostic.message
        ));
        return;
    }
    // Only regular files: a named pipe would block the loader forever and a link to a device
    // would be read until memory ran out (`dealsim check` names them; the window skips them).
    let found: Vec<PathBuf> = found
        .iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .filter_map(|p| p.strip_prefix(&library.folder).ok().map(Path::to_path_buf))
        .collect();
    let campaigns_seen: Vec<_> = campaign::campaign_paths(std::slice::from_ref(&library.folder))
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            (path, modified, meta.map_or(0, |m| m.len()))
        })
        .collect();
    if campaigns_seen != files.campaigns_seen {
        files.campaigns_seen = campaigns_seen;
        files.changed = true;
    }
    let before = files.handles.len();
    files.handles.retain(|path, _| found.contains(path));
    let mut changed = files.handles.len() != before;
    for path in found {
        if let std::collections::btree_map::Entry::Vacant(slot) = files.handles.entry(path) {
            let asset_path = format!(
                "{SOURCE}://{}",
                slot.key().to_string_lossy().replace('\\', "/")
            );
            slot.insert(server.load(asset_path));
            changed = true;
        }
    }
    files.changed |= changed;
}

/// Rebuilds the library whenever a scenario or the set of files changes.
fn refresh_library(
    mut files: ResMut<ScenarioFiles>,
    scenarios: Res<Assets<ScenarioAsset>>,
    server: Res<AssetServer>,
    mut events: MessageReader<AssetEvent<ScenarioAsset>>,
    mut library: ResMut<Library>,
    time: Res<Time<Real>>,
) {
    let changed = events.read().count() > 0 || files.changed;
    if !library.folder.is_dir() || (!changed && !library.loading) {
        return;
    }
    files.changed = false;
    let mut entries: Vec<LibraryEntry> = Vec::new();
    let mut pending = false;
    for (path, handle) in &files.handles {
        match (scenarios.get(handle), server.load_state(handle)) {
            (Some(asset), _) => entries.push(LibraryEntry {
                asset: handle.id(),
                report: asset.report.clone(),
            }),
            (None, LoadState::Failed(error)) => {
                let file = library.folder.join(path);
                let diagnostic = Diagnostic::new(
                    Code::Unreadable,
                    &file,
                    format!("cannot read this file: {error}"),
                );
                entries.push(LibraryEntry {
                    asset: handle.id(),
                    report: CheckReport::failed(&file, diagnostic),
                });
            }
            (None, _) => pending = true,
        }
    }
    entries.sort_by(|a, b| a.report.path.cmp(&b.report.path));
    // Two files with one id would share a rep's history: the later one is refused.
    let reports = check::check_library(entries.iter().map(|e| e.report.clone()).collect());
    for (entry, report) in entries.iter_mut().zip(reports) {
        entry.report = report;
    }
    if library.loading && !pending {
        info!(
            "library ready: {} scenario files after {:.0} ms",
            entries.len(),
            time.elapsed().as_secs_f64() * 1000.0
        );
    }
    // Campaigns are checked against the clean scenarios, once they have all loaded.
    if !pending {
        let clean: Vec<Scenario> = entries
            .iter()
            .filter_map(|e| e.scenario().cloned())
            .collect();
        library.campaigns = files
            .campaigns_seen
            .iter()
            .map(|(path, _, _)| campaign::read_campaign(path, &clean))
            .collect();
    }
    library.loading = pending;
    library.problem = (entries.is_empty() && !pending).then(|| {
        format!(
            "There are no scenario files (NAME.scenario.ron) in {}.",
            library.folder.display()
        )
    });
    library.entries = entries;
}
