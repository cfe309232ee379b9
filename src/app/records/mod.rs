//! The window's session records. Every call is written to the session database turn by turn on
//! the frame of the choice (one small WAL transaction, so that a crash loses nothing played);
//! everything else runs off the frame: reads on the database worker (`worker`), the rep's
//! progress kept in a resource (`progress`), and the LRS sync on a worker of its own. A database
//! that cannot be opened is reported on the start and trainer screens; the rep can still play.

mod progress;
pub mod worker;

pub use progress::{RepProgress, focus_lines};
pub use worker::{DbWorker, Pending};
pub(crate) use worker::{can_wake, wake};

use crate::engine::session::Session;
use crate::records::config::Config;
use crate::records::store::{Recording, Store};
use crate::records::xapi::{Lrs, PullReport, SyncReport};
use bevy::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

pub fn plugin(app: &mut App) {
    app.add_systems(Startup, worker::install_waker).add_systems(
        Update,
        (
            progress::refresh_progress,
            take_sync_report,
            take_pull_report,
        ),
    );
}

/// The database the window writes calls to, and the call being recorded.
#[derive(Resource)]
pub struct SessionLog {
    /// In a mutex only so that the resource is `Sync`, as Bevy asks; only the main thread uses it.
    store: std::sync::Mutex<Option<Store>>,
    pub path: PathBuf,
    pub config: Config,
    /// Why sessions are not being stored, when they are not.
    pub problem: Option<String>,
    recording: Option<Recording>,
    /// The stored id of the last call that ended (for its progress and the trainer).
    pub last_ended: Option<i64>,
    /// When the rep was last asked to choose (for the time taken over a choice).
    asked_at: Instant,
    /// The LRS sync runs here, apart from the reads, since it can wait on the network.
    lrs_worker: DbWorker,
    sync: Option<Pending<Result<SyncReport, String>>>,
    /// What the last sync did, or why it could not run.
    pub last_sync: Option<Result<SyncReport, String>>,
    /// How many syncs have finished.
    pub syncs_done: u32,
    pull: Option<Pending<Result<PullReport, String>>>,
    /// Pulled calls being digested.
    digesting: Option<Pending<Result<(), String>>>,
    /// What the last pull of the team's sessions did (and when), or why it could not run.
    pub last_pull: Option<(crate::records::clock::Millis, Result<PullReport, String>)>,
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
            store: std::sync::Mutex::new(store),
            lrs_worker: DbWorker::start(path.clone()),
            path,
            config,
            problem,
            recording: None,
            last_ended: None,
            asked_at: Instant::now(),
            sync: None,
            last_sync: None,
            syncs_done: 0,
            pull: None,
            digesting: None,
            last_pull: None,
        }
    }

    fn write(
        &mut self,
        work: impl FnOnce(&Store, &mut Option<Recording>) -> crate::records::store::Result<()>,
    ) {
        let guard = self.store.get_mut().unwrap_or_else(|p| p.into_inner());
        let Some(store) = guard.as_ref() else {
            return;
        };
        if let Err(error) = work(store, &mut self.recording) {
            // The call goes on; the start and trainer screens show why it is not stored.
            warn!("{error}");
            self.problem = Some(error.to_string());
            self.recording = None;
        }
    }

    /// A call started: its opening is stored.
    pub fn begin(&mut self, rep: &str, session: &Session) {
        self.asked_at = Instant::now();
        let rep = if rep.is_empty() { "rep" } else { rep };
        self.write(|store, recording| {
            *recording = Some(store.begin(rep, "window", session)?);
            Ok(())
        });
        crate::app::stop::note_call_in_progress(
            self.recording
                .as_ref()
                .map(|r| (self.path.clone(), r.session_id)),
        );
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
            self.ended();
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
        self.ended();
    }

    fn ended(&mut self) {
        crate::app::stop::note_call_in_progress(None);
        self.last_ended = self.recording.take().map(|r| r.session_id);
        self.sync_in_background();
    }

    /// Whether a sync is on its way.
    pub fn syncing(&self) -> bool {
        self.sync.is_some()
    }

    /// Sends what is queued to the configured LRS on the LRS worker (one sync at a time).
    pub fn sync_in_background(&mut self) {
        let Some(settings) = &self.config.lrs else {
            return;
        };
        if self.sync.is_some() {
            return;
        }
        if self.config.xapi.is_placeholder() {
            self.last_sync = Some(Err(PLACEHOLDER.into()));
            return;
        }
        let lrs = match Lrs::from_config(settings) {
            Ok(lrs) => lrs,
            Err(problem) => {
                self.last_sync = Some(Err(problem.to_string()));
                return;
            }
        };
        let xapi = self.config.xapi.clone();
        self.sync = Some(self.lrs_worker.submit(move |store| {
            crate::records::xapi::sync(store, &xapi, &lrs, 100).map_err(|e| e.to_string())
        }));
    }
}

impl SessionLog {
    /// Whether a pull is on its way.
    pub fn pulling(&self) -> bool {
        self.pull.is_some()
    }

    /// Reads the team's sessions from the configured LRS on the LRS worker (one at a time):
    /// the trainer's screen does this when it opens, and on "Pull now".
    pub fn pull_in_background(&mut self) {
        let Some(settings) = &self.config.lrs else {
            return;
        };
        if self.pull.is_some() {
            return;
        }
        if self.config.xapi.is_placeholder() {
            self.last_pull = Some((crate::records::clock::now_ms(), Err(PLACEHOLDER.into())));
            return;
        }
        let lrs = match Lrs::from_config(settings) {
            Ok(lrs) => lrs,
            Err(problem) => {
                self.last_pull = Some((crate::records::clock::now_ms(), Err(problem.to_string())));
                return;
            }
        };
        let xapi = self.config.xapi.clone();
        self.pull = Some(self.lrs_worker.submit(move |store| {
            // Statements sent by this dealsim carry their scenario's text.
            crate::records::xapi::pull(store, &xapi, &lrs, &|_| None).map_err(|e| e.to_string())
        }));
    }

    /// Works out the debriefs of calls not digested yet (`records::digest`), in the background
    /// after a pull has reported, so that the Scenarios tab's insight and the Reps tab's briefs
    /// read them at once; the pull's report does not wait for it.
    fn digest_in_background(&mut self) {
        if self.digesting.is_some() {
            return;
        }
        self.digesting = Some(self.lrs_worker.submit(|store| {
            let everything = crate::records::store::Filter::default();
            crate::records::digest::catch_up(store, &everything, &mut |_, _| {})
                .map(|_| ())
                .map_err(|e| e.to_string())
        }));
    }
}

/// Why nothing goes to the LRS from a machine without the company's settings.
const PLACEHOLDER: &str = "this machine does not have your company's dealsim settings (`xapi` in config.ron still holds the placeholders), so nothing is sent under a made-up identity; set `xapi: (base: ..., home_page: ...)` as your company's set-up says";

/// Takes in what the background pull did.
fn take_pull_report(mut log: ResMut<SessionLog>) {
    if let Some(pending) = &mut log.digesting
        && let Some(result) = pending.try_take()
    {
        if let Err(error) = result {
            warn!("could not digest the pulled calls: {error}");
        }
        log.digesting = None;
    }
    let Some(pending) = &mut log.pull else {
        return;
    };
    if let Some(result) = pending.try_take() {
        let added = result.as_ref().map_or(0, |r| r.added);
        if let Ok(report) = &result {
            info!(
                "LRS pull: {} statements read, {} sessions added, {} already here",
                report.statements, report.added, report.already_here
            );
        }
        log.last_pull = Some((crate::records::clock::now_ms(), result));
        log.pull = None;
        log.syncs_done += 1;
        if added > 0 {
            log.digest_in_background();
        }
    }
}

/// Takes in what the background sync did; assignments or focus skills it brought are shown at
/// once.
fn take_sync_report(mut log: ResMut<SessionLog>, mut progress: ResMut<RepProgress>) {
    let Some(pending) = &mut log.sync else {
        return;
    };
    if let Some(result) = pending.try_take() {
        if let Ok(report) = &result {
            info!(
                "xAPI sync: {} sent, {} rejected, {} queued; {} assignment(s) or focus received",
                report.sent,
                report.rejected.len(),
                report.queued,
                report.directions.received
            );
            if report.directions.received > 0 {
                progress.stale = true;
            }
        }
        log.last_sync = Some(result);
        log.sync = None;
        log.syncs_done += 1;
    }
}
