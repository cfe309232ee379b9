//! Campaigns: calls of one deal linked in order (`NAME.campaign.ron`), where what the rep learnt
//! and the trust they earned carry into the next call, a call can need an earlier outcome, and
//! chance can strike between calls. `file` is what a manager writes, `check` reads it against the
//! library, `run` plays a rep's way through it and scores the whole.

pub mod check;
pub mod dot;
pub mod file;
pub mod run;

pub use check::{CampaignReport, check_campaign};
pub use run::{CallStart, CampaignScore, PlayedCall, Progress, Stop};

use crate::engine::format::Outcome;
use crate::engine::model::{CampaignCall, Scenario};
use crate::engine::search;
use std::path::PathBuf;
use std::sync::Arc;

/// A checked campaign, ready to play.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub id: String,
    pub title: String,
    pub brief: String,
    pub path: PathBuf,
    /// A hash of the file's bytes.
    pub revision: String,
    pub calls: Vec<CallPlan>,
}

/// One call of a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPlan {
    pub scenario: String,
    /// (earlier call's scenario id, the outcome it must have ended with).
    pub requires: Vec<(String, Outcome)>,
    pub carry: Vec<String>,
    pub carry_trust: bool,
    pub between: Vec<HappeningPlan>,
}

/// What chance can bring before a call.
#[derive(Debug, Clone, PartialEq)]
pub struct HappeningPlan {
    pub weight: u32,
    pub say: String,
    pub trust: i32,
    pub forgets: Vec<String>,
}

/// The call as played at its place in a campaign run: the same call, starting with the trust and
/// facts the run carried into it. Best play, velocity's yardstick and the score bounds are worked
/// out again from that start, so the rep is measured against what was possible from where the
/// run left them. An unknown fact is an error naming it (a stored run of an older revision).
pub fn starting_call(scenario: &Scenario, call: CampaignCall) -> Result<Scenario, String> {
    let mut known = Vec::with_capacity(call.knows.len());
    for id in &call.knows {
        let index = scenario
            .facts()
            .iter()
            .position(|f| f.id == *id)
            .ok_or_else(|| format!("\"{id}\" is not a fact of {}", scenario.id))?;
        known.push(index as u32);
    }
    let trust = call.trust.min(100);
    let mut data = scenario.starting_with(trust, known, Some(call));
    data.fastest_right_minutes = match search::prepare(&data, search::DEFAULT_STATE_CAP) {
        Ok(Some(minutes)) => minutes.max(1),
        _ => data.minutes,
    };
    Ok(Scenario(Arc::new(data)))
}

/// How a campaign file is named.
pub const CAMPAIGN_EXTENSION: &str = ".campaign.ron";

/// The largest campaign file read (a campaign lists calls; it never needs more).
const MAX_CAMPAIGN_BYTES: u64 = 1024 * 1024;

pub fn is_campaign_path(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(CAMPAIGN_EXTENSION) && n.len() > CAMPAIGN_EXTENSION.len())
}

/// The campaign files among `inputs`: campaign files given, and those in folders given (searched
/// recursively), in a stable order. Unreadable folders are left to the scenario search to report.
pub fn campaign_paths(inputs: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(folder: &std::path::Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(&path, found);
            } else if is_campaign_path(&path) {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut found);
        } else if is_campaign_path(input) {
            found.push(input.clone());
        }
    }
    found
}

/// The folder a campaign file is in (`.` for a bare file name): where its scenarios are.
pub fn folder_of(path: &std::path::Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
}

/// The clean scenarios in a folder (found as `check` finds them): the library a campaign
/// there links.
pub fn library_in(folder: &std::path::Path) -> Vec<Scenario> {
    let (files, _) = crate::engine::format::load::collect_paths(&[folder.to_path_buf()]);
    files
        .iter()
        .filter_map(|f| crate::engine::check::compile_path(f).scenario)
        .collect()
}

/// The clean campaigns in a folder, checked against `library`.
pub fn campaigns_in(folder: &std::path::Path, library: &[Scenario]) -> Vec<Campaign> {
    campaign_paths(&[folder.to_path_buf()])
        .iter()
        .filter_map(|path| read_campaign(path, library).campaign)
        .collect()
}

/// Reads and checks a campaign file against the library's clean scenarios.
pub fn read_campaign(path: &std::path::Path, library: &[Scenario]) -> CampaignReport {
    use crate::engine::format::diagnostic::{Code, Diagnostic};
    let failed = |diagnostic: Diagnostic| CampaignReport {
        path: path.to_path_buf(),
        diagnostics: vec![diagnostic],
        campaign: None,
    };
    let unreadable = |message: String| Diagnostic::new(Code::Unreadable, path, message);
    let meta = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return failed(unreadable("this is not a regular file".into())),
        Err(e) => return failed(unreadable(format!("cannot open this file: {e}"))),
    };
    if meta.len() > MAX_CAMPAIGN_BYTES {
        return failed(unreadable(format!(
            "file is {} bytes; a campaign file may be at most 1 MiB",
            meta.len()
        )));
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return failed(unreadable(format!("cannot read this file: {e}"))),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return failed(unreadable("file is empty".into()).hint(
            "a campaign starts with `Campaign(`; docs/format.md, \"Campaigns\", has an example",
        ));
    }
    match crate::engine::format::load::source_within_limit(path, bytes) {
        Ok(source) => check_campaign(&source, library),
        // The reader's hints speak of scenarios; the problem (binary, not UTF-8) is the same.
        Err(diagnostic) => failed(diagnostic.hint("save the campaign as plain UTF-8 text")),
    }
}
