//! The progress of the rep at the keyboard, read from the session database off the frame and kept
//! in a resource: attempts and best score per scenario (the library's cards), the focus skills a
//! trainer set (perhaps on another machine) with how the rep is doing on them, and the reps the
//! start screen offers. Read again when the rep changes or a call ends, never on a repaint.

use super::{DbWorker, Pending, SessionLog};
use crate::app::reps::Reps;
use crate::engine::score::Dimension;
use crate::records::store::{Assignment, ScenarioRecord, TrendPoint};
use bevy::prelude::*;
use std::collections::BTreeMap;

#[derive(Resource, Default)]
pub struct RepProgress {
    /// Whose progress this is.
    pub rep: String,
    /// Per scenario id.
    pub record: BTreeMap<String, ScenarioRecord>,
    /// The rep's focus skills, as a trainer set them.
    pub focus: Vec<Dimension>,
    /// One line per focus skill: the latest score against the calls before.
    pub focus_lines: Vec<String>,
    /// The reps who played on this machine, for the start screen.
    pub known_reps: Vec<String>,
    /// What the trainer assigned this rep (perhaps from another machine, through the LRS), the
    /// soonest due first, each with where the rep stands.
    pub assignments: Vec<(Assignment, crate::records::store::RepProgress)>,
    /// The rep's campaign runs, latest first (all campaigns).
    pub campaign_runs: Vec<crate::records::store::StoredRun>,
    /// Set to read everything again.
    pub stale: bool,
    /// The first answer has arrived.
    pub loaded: bool,
    pending: Option<Pending<Result<Loaded, String>>>,
}

struct Loaded {
    rep: String,
    record: BTreeMap<String, ScenarioRecord>,
    focus: Vec<Dimension>,
    trend: Vec<TrendPoint>,
    known_reps: Vec<String>,
    assignments: Vec<(Assignment, crate::records::store::RepProgress)>,
    campaign_runs: Vec<crate::records::store::StoredRun>,
}

/// Asks the worker for the rep's progress when the rep changes, a call ended or a trainer set
/// focus skills, and takes the answer in when it arrives.
pub(super) fn refresh_progress(
    mut progress: ResMut<RepProgress>,
    reps: Res<Reps>,
    log: Res<SessionLog>,
    worker: Res<DbWorker>,
    mut last_ended: Local<Option<i64>>,
) {
    if let Some(pending) = &mut progress.pending {
        match pending.try_take() {
            Some(Ok(loaded)) => {
                progress.pending = None;
                progress.loaded = true;
                progress.focus_lines = focus_lines(&loaded.trend, &loaded.focus);
                progress.rep = loaded.rep;
                progress.record = loaded.record;
                progress.focus = loaded.focus;
                progress.known_reps = loaded.known_reps;
                progress.assignments = loaded.assignments;
                progress.campaign_runs = loaded.campaign_runs;
            }
            Some(Err(problem)) => {
                warn!("cannot read the rep's progress: {problem}");
                progress.pending = None;
                progress.loaded = true;
                progress.rep = reps.current.clone();
            }
            None => return,
        }
    }
    let call_ended = log.last_ended != *last_ended;
    *last_ended = log.last_ended;
    if !(progress.stale || call_ended || progress.rep != reps.current || !progress.loaded) {
        return;
    }
    progress.stale = false;
    let rep = reps.current.clone();
    progress.pending = Some(worker.submit(move |store| {
        let read = || -> crate::records::store::Result<Loaded> {
            Ok(Loaded {
                record: store.rep_record(&rep)?,
                focus: store.focus(&rep)?.map(|(f, _)| f).unwrap_or_default(),
                trend: store.trend(&rep, None)?,
                known_reps: store.reps_who_played_here()?,
                assignments: store.assignments_for(&rep, crate::records::clock::now_ms())?,
                campaign_runs: store.campaign_runs(Some(&rep), None)?,
                rep,
            })
        };
        read().map_err(|e| e.to_string())
    }));
}

/// One line per focus skill: the latest score against the mean of the five finished calls
/// before it.
pub fn focus_lines(trend: &[TrendPoint], focus: &[Dimension]) -> Vec<String> {
    focus
        .iter()
        .map(|d| match trend.split_last() {
            None => format!("{}: no finished calls yet", d.label()),
            Some((latest, [])) => {
                format!("{}: {} in your first call", d.label(), d.of(&latest.scores))
            }
            Some((latest, earlier)) => {
                let window = &earlier[earlier.len().saturating_sub(5)..];
                let mean = window
                    .iter()
                    .map(|p| f64::from(d.of(&p.scores)))
                    .sum::<f64>()
                    / window.len() as f64;
                let now = f64::from(d.of(&latest.scores));
                format!(
                    "{}: {now:.0} in your latest call, {:+.0} on your {} before",
                    d.label(),
                    now - mean,
                    if window.len() == 1 {
                        "call".to_string()
                    } else {
                        format!("mean of the {} calls", window.len())
                    }
                )
            }
        })
        .collect()
}
