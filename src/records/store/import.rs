//! Sessions played on another machine, rebuilt in this database from what the LRS holds: each is
//! replayed from its revision, seed and choices and written in one transaction under its own
//! registration, so a second pull adds nothing and an interrupted one leaves no half session.

use super::error::failed;
use super::{Result, Store, StoreError};
use crate::engine::model::Scenario;
use crate::engine::session::Session;
use crate::records::clock::Millis;
use rusqlite::params;

/// One turn of a pulled session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledTurn {
    /// The choice's position in its node's list (0-based).
    pub choice: usize,
    pub think_ms: u64,
    pub at: Millis,
}

/// A session as the LRS's statements describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledSession {
    pub registration: String,
    pub rep: String,
    pub seed: u64,
    pub started_at: Millis,
    pub ended_at: Millis,
    /// Left before the end (a `terminated` statement) rather than finished.
    pub abandoned: bool,
    pub turns: Vec<PulledTurn>,
}

/// What importing one pulled session did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Added(i64),
    /// A session with this registration is already here (played here, or pulled before).
    AlreadyHere,
}

impl Store {
    /// Whether a session with this registration is stored.
    pub fn has_registration(&self, registration: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sessions WHERE registration = ?",
                [registration],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| failed(&self.path, "look a session up", e))
    }

    /// Rebuilds a pulled session by playing it again on `scenario` (the revision it was played
    /// on) and writes it in one transaction, out of the LRS queue so it is never sent back. A
    /// choice the revision does not offer is an error and nothing is written.
    pub fn import(&self, scenario: &Scenario, pulled: &PulledSession) -> Result<Imported> {
        self.in_transaction(|store| {
            if store.has_registration(&pulled.registration)? {
                return Ok(Imported::AlreadyHere);
            }
            let mut session = Session::new(scenario, pulled.seed);
            let mut recording = store.begin_registered(
                &pulled.registration,
                &pulled.rep,
                "lrs",
                &session,
                pulled.started_at,
            )?;
            for (turn, step) in pulled.turns.iter().enumerate() {
                session
                    .choose(step.choice)
                    .map_err(|error| StoreError::Import {
                        registration: pulled.registration.clone(),
                        detail: format!("turn {}: {error}", turn + 1),
                    })?;
                store.record_turn_at(&mut recording, &session, step.think_ms, step.at)?;
            }
            if pulled.abandoned && !session.is_over() {
                session.abandon();
            }
            if !session.is_over() {
                return Err(StoreError::Import {
                    registration: pulled.registration.clone(),
                    detail: "its choices do not reach an ending on this revision".into(),
                });
            }
            store.end_at(&mut recording, &session, pulled.ended_at)?;
            // Its statements are in the LRS already, sent by the machine it was played on: this
            // machine's queue (and its "sent" count) is for its own sessions only.
            store.write("leave the pulled session out of the LRS queue", |tx| {
                tx.execute(
                    "DELETE FROM xapi_outbox WHERE session_id = ?",
                    params![recording.session_id],
                )
            })?;
            Ok(Imported::Added(recording.session_id))
        })
    }

    /// A value kept between runs (such as where the last pull got to).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?", [key], |r| r.get(0))
            .optional()
            .map_err(|e| failed(&self.path, "read a setting", e))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.write("save a setting", |tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
                params![key, value],
            )
            .map(|_| ())
        })
    }

    /// The stored text of a scenario revision, if a session on it was ever stored here.
    pub fn revision_source(&self, revision: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT source FROM scenario_revisions WHERE revision = ?",
                [revision],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| failed(&self.path, "read a scenario revision", e))
    }
}
