//! Writing a call as it is played: the opening when it starts, each turn in its own transaction,
//! and the ending (finished or abandoned) with its scores and the statement ids for the LRS.

use super::sessions::Said;
use super::{Result, Store, StoreError, enum_text, json};
use crate::engine::score::SCORING_VERSION;
use crate::engine::session::{EndReason, Entry, Session};
use crate::records::clock::{self, Millis};
use rusqlite::{Connection, OptionalExtension, params};

/// What the recorder needs to know about a session being played.
#[derive(Debug, Clone)]
pub struct Recording {
    pub session_id: i64,
    pub registration: String,
    /// Transcript entries already written.
    entries_written: usize,
    turns_written: usize,
    ended: bool,
}

fn said_of(entry: Entry<'_>) -> Option<Said> {
    match entry {
        Entry::Buyer { line, .. } => Some(Said::Buyer(line.to_string())),
        Entry::Revealed { fact } => Some(Said::Fact(fact.id.clone())),
        Entry::Chance { to, .. } => Some(Said::Chance(to.to_string())),
        Entry::Rep { .. } => None,
    }
}

impl Store {
    pub(super) fn revision_id(
        tx: &Connection,
        session: &Session,
        now: Millis,
    ) -> rusqlite::Result<i64> {
        let s = session.scenario();
        let mut find = tx.prepare_cached("SELECT id FROM scenario_revisions WHERE revision = ?")?;
        if let Some(id) = find.query_row([&s.revision], |r| r.get(0)).optional()? {
            return Ok(id);
        }
        tx.prepare_cached(
            "INSERT INTO scenario_revisions (scenario_id, revision, title, source, first_seen)
             VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(params![s.id, s.revision, s.title, &*s.source_text, now])?;
        Ok(tx.last_insert_rowid())
    }

    /// Records a call that has just started (the opening lines said), before the rep chooses.
    pub fn begin(&self, rep: &str, origin: &str, session: &Session) -> Result<Recording> {
        self.begin_at(rep, origin, session, clock::now_ms())
    }

    /// `begin` at a given time (imports and benchmarks).
    pub fn begin_at(
        &self,
        rep: &str,
        origin: &str,
        session: &Session,
        now: Millis,
    ) -> Result<Recording> {
        let registration = uuid::Uuid::new_v4().to_string();
        self.begin_registered(&registration, rep, origin, session, now)
    }

    /// `begin_at` under a registration already given (a session pulled from the LRS keeps the
    /// one it was played under).
    pub(super) fn begin_registered(
        &self,
        registration: &str,
        rep: &str,
        origin: &str,
        session: &Session,
        now: Millis,
    ) -> Result<Recording> {
        let registration = registration.to_string();
        let opening: Vec<Said> = session.transcript().filter_map(said_of).collect();
        let entries_written = session.transcript().count();
        let session_id = self.write("record the new session", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            let revision_id = Self::revision_id(tx, session, now)?;
            tx.prepare_cached("INSERT INTO sessions (registration, rep_id, revision_id, scenario_id, seed, origin,
                    started_at, last_activity, status, opening, scoring_version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'playing', ?, ?)")?.execute(
                params![
                    registration,
                    rep_id,
                    revision_id,
                    session.scenario().id,
                    session.seed() as i64,
                    origin,
                    now,
                    now,
                    json(&opening),
                    SCORING_VERSION
                ],
            )?;
            let id = tx.last_insert_rowid();
            super::campaigns::write_campaign(tx, id, session.scenario().campaign.as_ref())?;
            Ok(id)
        })?;
        let mut recording = Recording {
            session_id,
            registration,
            entries_written,
            turns_written: 0,
            ended: false,
        };
        if session.is_over() {
            self.end_at(&mut recording, session, now)?;
        }
        Ok(recording)
    }

    /// Records the turns played since the last call (normally one), and the ending if the call
    /// is now over. `think_ms` is how long the rep took over the latest choice.
    pub fn record_turn(
        &self,
        recording: &mut Recording,
        session: &Session,
        think_ms: u64,
    ) -> Result<()> {
        self.record_turn_at(recording, session, think_ms, clock::now_ms())
    }

    pub fn record_turn_at(
        &self,
        recording: &mut Recording,
        session: &Session,
        think_ms: u64,
        now: Millis,
    ) -> Result<()> {
        if recording.ended {
            return Ok(());
        }
        let entries = session.transcript().skip(recording.entries_written).count();
        let turns = turns_said(session, recording.entries_written);
        let ending = session.ending();
        self.write("record the turn", |tx| {
            let mut turn_no = recording.turns_written;
            for (entry, reply) in &turns {
                insert_turn(
                    tx,
                    session,
                    recording.session_id,
                    turn_no,
                    (entry, reply),
                    think_ms,
                    now,
                )?;
                turn_no += 1;
            }
            tx.prepare_cached("UPDATE sessions SET turns = ?, last_activity = ? WHERE id = ?")?
                .execute(params![turn_no as i64, now, recording.session_id])?;
            if ending.is_some() {
                Self::write_end(tx, recording, session, now)?;
            }
            Ok(())
        })?;
        recording.entries_written += entries;
        recording.turns_written += turns.len();
        if ending.is_some() {
            recording.ended = true;
        }
        Ok(())
    }

    /// Records the end of a call: finished, or abandoned when the rep left (call
    /// `Session::abandon` first). Turns not yet written are written too.
    pub fn end(&self, recording: &mut Recording, session: &Session) -> Result<()> {
        self.end_at(recording, session, clock::now_ms())
    }

    pub fn end_at(&self, recording: &mut Recording, session: &Session, now: Millis) -> Result<()> {
        if recording.ended {
            return Ok(());
        }
        if session.ending().is_none() {
            return Err(StoreError::NotEnded);
        }
        self.record_turn_at(recording, session, 0, now)
    }

    fn write_end(
        tx: &Connection,
        recording: &Recording,
        session: &Session,
        now: Millis,
    ) -> rusqlite::Result<()> {
        let Some(end) = EndColumns::of(session) else {
            return Ok(());
        };
        tx.prepare_cached(
            "UPDATE sessions SET ended_at = ?, last_activity = ?, status = ?, outcome = ?,
                end_reason = ?, end_node = ?, right_call = ?, qualification = ?, discovery = ?,
                rapport = ?, velocity = ?, overall = ?, passed = ?, minutes_used = ?,
                final_trust = ?, facts_uncovered = ?
             WHERE id = ?",
        )?
        .execute(rusqlite::params_from_iter(
            [now.into(), now.into()]
                .into_iter()
                .chain(end.values())
                .chain([recording.session_id.into()]),
        ))?;
        let abandoned = end.status == "abandoned";
        // Statement ids are fixed now: derived from the registration, so they are the same
        // whoever builds them (the outbox, `export xapi`).
        let statements = super::outbox::statement_ids(
            &recording.registration,
            session.choices_made(),
            !abandoned,
            session.scenario().pass_mark.is_some() && !abandoned,
        );
        for (seq, id) in statements.iter().enumerate() {
            tx.prepare_cached("INSERT OR IGNORE INTO xapi_outbox (statement_id, session_id, seq) VALUES (?, ?, ?)")?.execute(
                params![id, recording.session_id, seq as i64],
            )?;
        }
        Ok(())
    }
}

/// The columns a session's ending sets (`write_end`, and a pulled session's one insert).
pub(super) struct EndColumns {
    pub status: &'static str,
    pub outcome: Option<String>,
    pub end_reason: String,
    pub end_node: String,
    pub right_call: Option<bool>,
    pub scores: Option<crate::engine::score::Scores>,
    pub minutes_used: i64,
    pub final_trust: i64,
    pub facts_uncovered: String,
}

impl EndColumns {
    /// The values of status, outcome, end_reason, end_node, right_call, qualification,
    /// discovery, rapport, velocity, overall, passed, minutes_used, final_trust and
    /// facts_uncovered, in that order.
    pub fn values(&self) -> [rusqlite::types::Value; 14] {
        use rusqlite::types::Value;
        let score = |pick: fn(&crate::engine::score::Scores) -> u8| {
            self.scores
                .map_or(Value::Null, |s| Value::Integer(i64::from(pick(&s))))
        };
        [
            Value::Text(self.status.to_string()),
            self.outcome.clone().map_or(Value::Null, Value::Text),
            Value::Text(self.end_reason.clone()),
            Value::Text(self.end_node.clone()),
            self.right_call
                .map_or(Value::Null, |r| Value::Integer(i64::from(r))),
            score(|s| s.qualification),
            score(|s| s.discovery),
            score(|s| s.rapport),
            score(|s| s.velocity),
            score(|s| s.overall),
            self.scores
                .and_then(|s| s.passed)
                .map_or(Value::Null, |p| Value::Integer(i64::from(p))),
            Value::Integer(self.minutes_used),
            Value::Integer(self.final_trust),
            Value::Text(self.facts_uncovered.clone()),
        ]
    }

    /// `None` while the session goes on.
    pub fn of(session: &Session) -> Option<EndColumns> {
        let ending = session.ending()?;
        let abandoned = ending.reason == EndReason::Abandoned;
        let facts: Vec<&str> = session.known_facts().map(|f| f.id.as_str()).collect();
        let winnable = session.scenario().winnable;
        Some(EndColumns {
            status: if abandoned { "abandoned" } else { "finished" },
            outcome: (!abandoned).then(|| enum_text(ending.outcome)),
            end_reason: enum_text(ending.reason),
            end_node: session.node_id().to_string(),
            right_call: (!abandoned).then(|| ending.outcome.is_right_call(winnable)),
            scores: if abandoned { None } else { session.scores() },
            minutes_used: i64::from(session.minutes_used()),
            final_trust: i64::from(session.trust()),
            facts_uncovered: json(&facts),
        })
    }
}

/// The opening: what was said before the rep's first choice.
pub(super) fn opening_said(session: &Session) -> Vec<Said> {
    session
        .transcript()
        .take_while(|e| !matches!(e, Entry::Rep { .. }))
        .filter_map(said_of)
        .collect()
}

/// The rep's choices in the transcript from entry `from` on, each with what followed it up to
/// the next choice.
pub(super) fn turns_said(session: &Session, from: usize) -> Vec<(Entry<'_>, Vec<Said>)> {
    let mut turns: Vec<(Entry, Vec<Said>)> = Vec::new();
    for entry in session.transcript().skip(from) {
        match entry {
            Entry::Rep { .. } => turns.push((entry, Vec::new())),
            other => {
                if let (Some(said), Some((_, reply))) = (said_of(other), turns.last_mut()) {
                    reply.push(said);
                }
            }
        }
    }
    turns
}

/// Writes one turn: the rep's choice (`entry`) and what followed it.
pub(super) fn insert_turn(
    tx: &Connection,
    session: &Session,
    session_id: i64,
    turn_no: usize,
    (entry, reply): (&Entry<'_>, &Vec<Said>),
    think_ms: u64,
    at: Millis,
) -> rusqlite::Result<()> {
    let Entry::Rep {
        node_id,
        index,
        shown,
        say,
        move_kind,
        trust_after,
        minutes_left_after,
        ..
    } = entry
    else {
        return Ok(());
    };
    let choice_id = session.scenario().choice_id(node_id, *index);
    tx.prepare_cached(
        "INSERT INTO turns (session_id, turn, node_id, choice, move, say, think_ms,
            trust_after, minutes_left_after, at, reply, shown, choice_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        session_id,
        turn_no as i64,
        node_id,
        *index as i64,
        enum_text(*move_kind),
        say,
        think_ms as i64,
        i64::from(*trust_after),
        i64::from(*minutes_left_after),
        at,
        json(reply),
        *shown as i64 + 1,
        choice_id
    ])?;
    Ok(())
}
