//! The window's session records: every call is written to the session database turn by turn
//! (through `crate::store`, as the command line does), and finished calls are sent to the LRS in
//! the background when one is configured. A database that cannot be opened is reported on the
//! start and trainer screens; the rep can still play.

use crate::config::Config;
use crate::session::Session;
use crate::store::{Recording, Store};
use crate::xapi::SyncReport;
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The open database and the call being recorded.
#[derive(Resource)]
pub struct SessionLog {
    store: Mutex<Option<Store>>,
    pub path: PathBuf,
    pub config: Config,
    /// Why sessions are not being stored, when they are not.
    pub problem: Option<String>,
    recording: Option<Recording>,
    /// When the rep was last asked to choose (for the time taken over a choice).
    asked_at: Instant,
    pub sync: Arc<SyncState>,
}

/// The background sync, shared with its thread.
#[derive(Debug, Default)]
pub struct SyncState {
    pub running: AtomicBool,
    pub last: Mutex<Option<Result<SyncReport, String>>>,
}

impl SessionLog {
    pub fn open(path: PathBuf, config: Config) -> SessionLog {
        let (store, problem) = match Store::open(&path) {
            Ok(store) => (Some(store), None),
            Err(error) => {
                warn!("{error}");
                (None, Some(error.to_string()))
            }
        };
        SessionLog {
            store: Mutex::new(store),
            path,
            config,
            problem,
            recording: None,
            asked_at: Instant::now(),
            sync: Arc::default(),
        }
    }

    /// Runs a query on the database, if it is open.
    pub fn with_store<T>(&self, query: impl FnOnce(&Store) -> T) -> Option<T> {
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(query)
    }

    fn write(
        &mut self,
        work: impl FnOnce(&Store, &mut Option<Recording>) -> crate::store::Result<()>,
    ) {
        let result = {
            let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_ref() {
                Some(store) => work(store, &mut self.recording),
                None => return,
            }
        };
        if let Err(error) = result {
            // The call goes on; the trainer screen shows why it is not stored.
            warn!("{error}");
            self.problem = Some(error.to_string());
            self.recording = None;
        }
    }

    /// The rep's focus skills as the trainer set them in the database (`None`: never set, or no
    /// database).
    pub fn focus(&self, rep: &str) -> Option<Vec<crate::score::Dimension>> {
        self.with_store(|store| store.focus(rep))
            .and_then(Result::ok)
            .flatten()
            .map(|(focus, _)| focus)
    }

    /// Saves a rep's focus skills in the shared database.
    pub fn set_focus(&self, rep: &str, focus: &[crate::score::Dimension]) -> Result<(), String> {
        self.with_store(|store| store.set_focus(rep, focus, crate::clock::now_ms()))
            .unwrap_or_else(|| Err(crate::store::StoreError("no session database".into())))
            .map_err(|e| e.to_string())
    }

    /// A call started: its opening is stored.
    pub fn begin(&mut self, rep: &str, session: &Session) {
        self.asked_at = Instant::now();
        let rep = if rep.is_empty() { "rep" } else { rep };
        self.write(|store, recording| {
            *recording = Some(store.begin(rep, "window", session)?);
            Ok(())
        });
    }

    /// The rep chose: the turn (and the ending, if it ended the call) is stored now.
    pub fn turn(&mut self, session: &Session) {
        let think_ms = self.asked_at.elapsed().as_millis() as u64;
        self.asked_at = Instant::now();
        self.write(|store, recording| match recording {
            Some(r) => store.record_turn(r, session, think_ms),
            None => Ok(()),
        });
        if session.is_over() {
            self.recording = None;
            self.sync_in_background();
        }
    }

    /// The rep left the call (or the window closed mid-call): stored as abandoned.
    pub fn abandon(&mut self, session: &Session) {
        if session.is_over() && self.recording.is_none() {
            return;
        }
        let mut left = session.clone();
        left.abandon();
        self.write(|store, recording| match recording {
            Some(r) => store.end(r, &left),
            None => Ok(()),
        });
        self.recording = None;
        self.sync_in_background();
    }

    /// Sends what is queued to the configured LRS on a thread of its own (one at a time).
    pub fn sync_in_background(&self) {
        let lrs = match self.config.lrs() {
            Ok(Some(lrs)) => lrs,
            Ok(None) => return,
            Err(problem) => {
                *self.sync.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(Err(problem));
                return;
            }
        };
        if self.sync.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let (path, settings, state) = (
            self.path.clone(),
            self.config.xapi.clone(),
            self.sync.clone(),
        );
        std::thread::spawn(move || {
            let result = Store::open(&path)
                .and_then(|store| crate::xapi::sync(&store, &settings, &lrs, 100))
                .map_err(|e| e.to_string());
            if let Ok(report) = &result {
                info!(
                    "xAPI sync: {} sent, {} rejected, {} queued",
                    report.sent,
                    report.rejected.len(),
                    report.queued
                );
            }
            *state.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
            state.running.store(false, Ordering::SeqCst);
        });
    }
}

/// One line per focus skill: the latest score against the mean of the five sessions before it,
/// for the library and the debrief.
pub fn focus_progress(
    log: &SessionLog,
    rep: &str,
    focus: &[crate::score::Dimension],
) -> Vec<String> {
    if focus.is_empty() {
        return Vec::new();
    }
    let trend = log
        .with_store(|store| store.trend(rep, None))
        .and_then(Result::ok)
        .unwrap_or_default();
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

/// On the way to the library: the rep's focus skills as the trainer set them (perhaps on another
/// machine) replace the ones remembered here.
pub fn sync_focus(mut reps: ResMut<super::reps::Reps>, log: Res<SessionLog>) {
    let rep = reps.current.clone();
    if rep.is_empty() {
        return;
    }
    if let Some(focus) = log.focus(&rep)
        && reps.profiles.rep(&rep).map(|r| &r.focus) != Some(&focus)
    {
        reps.set_focus(&rep, focus);
    }
}
