//! Sessions played on another machine, rebuilt in this database from what the LRS holds: each is
//! replayed from its revision, seed and choices and written in one transaction under its own
//! registration, so a second pull adds nothing and an interrupted one leaves no half session.

use super::error::failed;
use super::recording::{EndColumns, insert_turn, opening_said, turns_said};
use super::{Result, Store, StoreError, json};
use crate::engine::campaign::starting_call;
use crate::engine::model::{CampaignCall, Scenario};
use crate::engine::score::SCORING_VERSION;
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
    /// The call's place in a campaign run and what the run carried into it, when it was
    /// played in one.
    pub campaign: Option<CampaignCall>,
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
            .prepare_cached("SELECT count(*) FROM sessions WHERE registration = ?")
            .and_then(|mut s| s.query_row([registration], |r| r.get::<_, i64>(0)))
            .map(|n| n > 0)
            .map_err(|e| failed(&self.path, "look a session up", e))
    }

    /// Rebuilds a pulled session by playing it again on `scenario` (the revision it was played
    /// on) and writes it in one transaction, out of the LRS queue so it is never sent back. A
    /// choice the revision does not offer is an error and nothing is written. The rows are
    /// those recording the call as it was played writes (`recording.rs`), written at once:
    /// the session whole, then its turns.
    pub fn import(&self, scenario: &Scenario, pulled: &PulledSession) -> Result<Imported> {
        self.in_transaction(|store| {
            if store.has_registration(&pulled.registration)? {
                return Ok(Imported::AlreadyHere);
            }
            // A campaign's call starts where its run left it, so it replays from there.
            let in_campaign;
            let scenario = match &pulled.campaign {
                Some(call) => {
                    in_campaign = starting_call(scenario, call.clone()).map_err(|detail| {
                        StoreError::Import {
                            registration: pulled.registration.clone(),
                            detail,
                        }
                    })?;
                    &in_campaign
                }
                None => scenario,
            };
            let mut session = Session::new(scenario, pulled.seed);
            // When recorded as played, a call that ends on a choice ends at that turn's time
            // (and one over before any choice, when it started).
            let mut ended_at = session.is_over().then_some(pulled.started_at);
            for (turn, step) in pulled.turns.iter().enumerate() {
                session
                    .choose(step.choice)
                    .map_err(|error| StoreError::Import {
                        registration: pulled.registration.clone(),
                        detail: format!("turn {}: {error}", turn + 1),
                    })?;
                if session.is_over() && ended_at.is_none() {
                    ended_at = Some(step.at);
                }
            }
            if pulled.abandoned && !session.is_over() {
                session.abandon();
            }
            let Some(end) = EndColumns::of(&session) else {
                return Err(StoreError::Import {
                    registration: pulled.registration.clone(),
                    detail: "its choices do not reach an ending on this revision".into(),
                });
            };
            let ended_at = ended_at.unwrap_or(pulled.ended_at);
            let turns = turns_said(&session, 0);
            let id = store.write("rebuild a pulled session", |tx| {
                let rep_id = Self::rep_id(tx, &pulled.rep)?;
                let revision_id = Self::revision_id(tx, &session, pulled.started_at)?;
                tx.prepare_cached(
                    "INSERT INTO sessions (registration, rep_id, revision_id, scenario_id, seed,
                        origin, started_at, last_activity, opening, scoring_version, turns,
                        ended_at, status, outcome, end_reason, end_node, right_call,
                        qualification, discovery, rapport, velocity, overall, passed,
                        minutes_used, final_trust, facts_uncovered)
                     VALUES (?, ?, ?, ?, ?, 'lrs', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                        ?, ?, ?, ?, ?)",
                )?
                .execute(rusqlite::params_from_iter(
                    [
                        pulled.registration.clone().into(),
                        rep_id.into(),
                        revision_id.into(),
                        scenario.id.clone().into(),
                        (pulled.seed as i64).into(),
                        pulled.started_at.into(),
                        ended_at.into(),
                        json(&opening_said(&session)).into(),
                        i64::from(SCORING_VERSION).into(),
                        (turns.len() as i64).into(),
                        ended_at.into(),
                    ]
                    .into_iter()
                    .chain(end.values()),
                ))?;
                let id = tx.last_insert_rowid();
                super::campaigns::write_campaign(tx, id, pulled.campaign.as_ref())?;
                for (turn_no, (entry, reply)) in turns.iter().enumerate() {
                    let (think_ms, at) = pulled
                        .turns
                        .get(turn_no)
                        .map_or((0, ended_at), |step| (step.think_ms, step.at));
                    insert_turn(tx, &session, id, turn_no, (entry, reply), think_ms, at)?;
                }
                Ok(id)
            })?;
            Ok(Imported::Added(id))
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
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
            )?
            .execute(params![key, value])
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
