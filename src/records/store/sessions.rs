//! Reading sessions back: the trainer's table (filtered, sorted, counted), one stored session
//! whole, and the reps and scenarios that have sessions.

use super::error::failed;
use super::{Result, Store, StoreError, enum_from, enum_text};
use crate::engine::format::{Move, Outcome};
use crate::engine::score::{Dimension, Scores};
use crate::engine::session::EndReason;
use crate::records::clock::{self, Millis};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// One row of the trainer's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub registration: String,
    pub rep: String,
    pub scenario_id: String,
    pub scenario_title: String,
    pub revision: String,
    pub seed: u64,
    pub origin: String,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    pub status: Status,
    pub turns: u32,
    pub outcome: Option<Outcome>,
    pub right_call: Option<bool>,
    pub scores: Option<Scores>,
    /// For a call played in a campaign run: the campaign's id and the call's place, such as
    /// "harbor-deal 2/3".
    pub campaign: Option<String>,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being played now, or the app stopped mid-call (see `Status::Interrupted`).
    Playing,
    /// No turn for an hour and never finished: the window closed or crashed mid-call.
    Interrupted,
    Finished,
    Abandoned,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Finished,
        Status::Abandoned,
        Status::Interrupted,
        Status::Playing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Playing => "playing",
            Status::Interrupted => "interrupted",
            Status::Finished => "finished",
            Status::Abandoned => "abandoned",
        }
    }
}

/// A playing session with no turn for this long is shown as interrupted.
pub(super) const INTERRUPTED_AFTER_MS: Millis = 3_600_000;

/// Which sessions to list, report or export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub rep: Option<String>,
    /// Only the members of this team (`dealsim reps team`).
    pub team: Option<String>,
    pub scenario: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub outcome: Option<Outcome>,
    pub status: Option<Status>,
}

/// How the trainer's table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Started,
    Rep,
    Scenario,
    Outcome,
    Overall,
    Dimension(Dimension),
}

/// One turn as it was played.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnRow {
    pub turn: u32,
    pub node_id: String,
    /// The choice's position in the node's list (0-based), as replays use it.
    pub choice: usize,
    pub move_kind: Move,
    pub say: String,
    pub think_ms: u64,
    pub trust_after: u8,
    pub minutes_left_after: i32,
    pub at: Millis,
    /// What followed the choice, up to the next choice: buyer lines, facts, chance.
    pub reply: Vec<Said>,
    /// Where the choice was shown among the offered choices (1 = first); `None` for sessions
    /// recorded before choices were shuffled, when it was shown at its place in the file.
    pub shown: Option<u32>,
    /// The choice's stable id (the author's, or `node/place`); `None` for older sessions.
    pub choice_id: Option<String>,
}

/// One stored transcript entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Said {
    Buyer(String),
    Fact(String),
    Chance(String),
}

/// Everything stored about one session: enough to replay it exactly and to export it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSession {
    pub row: SessionRow,
    pub opening: Vec<Said>,
    pub turns: Vec<TurnRow>,
    pub end_reason: Option<EndReason>,
    pub end_node: Option<String>,
    pub facts_uncovered: Vec<String>,
    pub minutes_used: Option<u32>,
    pub final_trust: Option<u8>,
    /// The version of the scoring rules its stored scores were worked out under.
    pub scoring_version: u32,
    /// The scenario file's text at the revision played.
    #[serde(skip)]
    pub scenario_source: String,
    /// The rep's login or e-mail, when the rep's machine is set up with one (`config.rep`):
    /// the account their statements go to the LRS under.
    pub rep_login: Option<String>,
    /// The call's place in a campaign run and what the run carried into it, when it was
    /// played in one (it is replayed from that start).
    pub campaign: Option<crate::engine::model::CampaignCall>,
}

impl StoredSession {
    /// The choices in order: with the seed and the revision, all a replay needs.
    pub fn choices(&self) -> Vec<usize> {
        self.turns.iter().map(|t| t.choice).collect()
    }
}

/// SQL text for sorting the trainer's table (from a closed set, never from user text).
fn order_by(key: SortKey, descending: bool) -> String {
    let column = match key {
        SortKey::Started => "s.started_at",
        SortKey::Rep => "r.name",
        SortKey::Scenario => "s.scenario_id",
        SortKey::Outcome => "s.outcome",
        SortKey::Overall => "s.overall",
        SortKey::Dimension(Dimension::Qualification) => "s.qualification",
        SortKey::Dimension(Dimension::Discovery) => "s.discovery",
        SortKey::Dimension(Dimension::Rapport) => "s.rapport",
        SortKey::Dimension(Dimension::Velocity) => "s.velocity",
    };
    let direction = if descending { "DESC" } else { "ASC" };
    if key == SortKey::Started {
        format!("s.started_at {direction}, s.id {direction}")
    } else {
        format!("{column} {direction}, s.started_at {direction}, s.id {direction}")
    }
}

/// The conditions on a rep id `column` that a filter's rep and team make (a rep by their name
/// in any case or spacing, or a name merged into them; a team's members), with their values:
/// one rule for the session filter and the kept per-rep reports.
pub(super) fn rep_clauses(
    filter: &Filter,
    column: &str,
) -> (Vec<String>, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(rep) = &filter.rep {
        clauses.push(format!("{column} = {}", super::reps::REP_OF_KEY));
        let key = super::reps::rep_key(rep);
        values.push(Value::Text(key.clone()));
        values.push(Value::Text(key));
    }
    if let Some(team) = &filter.team {
        clauses.push(format!(
            "{column} IN (SELECT m.rep_id FROM teams m WHERE lower(m.team) = lower(?))"
        ));
        values.push(Value::Text(
            team.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
    }
    (clauses, values)
}

/// The WHERE clause and its parameters for a filter.
pub(super) fn where_clause(filter: &Filter, now: Millis) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let (mut clauses, mut values) = rep_clauses(filter, "s.rep_id");
    if let Some(scenario) = &filter.scenario {
        clauses.push("s.scenario_id = ?".to_string());
        values.push(Value::Text(scenario.clone()));
    }
    if let Some(since) = filter.since {
        clauses.push("s.started_at >= ?".to_string());
        values.push(Value::Integer(since));
    }
    if let Some(until) = filter.until {
        clauses.push("s.started_at < ?".to_string());
        values.push(Value::Integer(until));
    }
    if let Some(outcome) = filter.outcome {
        clauses.push("s.outcome = ?".to_string());
        values.push(Value::Text(enum_text(outcome)));
    }
    match filter.status {
        Some(Status::Finished) => clauses.push("s.status = 'finished'".to_string()),
        Some(Status::Abandoned) => clauses.push("s.status = 'abandoned'".to_string()),
        Some(Status::Playing) => {
            clauses.push("s.status = 'playing' AND s.last_activity >= ?".to_string());
            values.push(Value::Integer(now - INTERRUPTED_AFTER_MS));
        }
        Some(Status::Interrupted) => {
            clauses.push("s.status = 'playing' AND s.last_activity < ?".to_string());
            values.push(Value::Integer(now - INTERRUPTED_AFTER_MS));
        }
        None => {}
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

pub(super) const ROW_COLUMNS: &str =
    "s.id, s.registration, r.name, s.scenario_id, v.title, v.revision, s.seed,
    s.origin, s.started_at, s.ended_at, s.status, s.turns, s.outcome, s.right_call,
    s.qualification, s.discovery, s.rapport, s.velocity, s.overall, s.passed, s.last_activity,
    s.campaign_id, s.campaign_call, s.campaign_calls";

pub(super) const ROW_FROM: &str = "FROM sessions s JOIN reps r ON r.id = s.rep_id
    JOIN scenario_revisions v ON v.id = s.revision_id";

pub(super) fn read_row(row: &rusqlite::Row<'_>, now: Millis) -> rusqlite::Result<SessionRow> {
    let status: String = row.get(10)?;
    let last_activity: Millis = row.get(20)?;
    let status = match status.as_str() {
        "finished" => Status::Finished,
        "abandoned" => Status::Abandoned,
        _ if now - last_activity > INTERRUPTED_AFTER_MS => Status::Interrupted,
        _ => Status::Playing,
    };
    let overall: Option<i64> = row.get(18)?;
    let scores = match overall {
        Some(overall) => Some(Scores {
            qualification: row.get::<_, i64>(14)? as u8,
            discovery: row.get::<_, i64>(15)? as u8,
            rapport: row.get::<_, i64>(16)? as u8,
            velocity: row.get::<_, i64>(17)? as u8,
            overall: overall as u8,
            passed: row.get::<_, Option<bool>>(19)?,
        }),
        None => None,
    };
    Ok(SessionRow {
        id: row.get(0)?,
        registration: row.get(1)?,
        rep: row.get(2)?,
        scenario_id: row.get(3)?,
        scenario_title: row.get(4)?,
        revision: row.get(5)?,
        seed: row.get::<_, i64>(6)? as u64,
        origin: row.get(7)?,
        started_at: row.get(8)?,
        ended_at: row.get(9)?,
        status,
        turns: row.get::<_, i64>(11)? as u32,
        outcome: row
            .get::<_, Option<String>>(12)?
            .and_then(|o| enum_from(&o)),
        right_call: row.get(13)?,
        scores,
        campaign: row.get::<_, Option<String>>(21)?.map(|id| {
            let place = row.get::<_, Option<i64>>(22).ok().flatten().unwrap_or(0) + 1;
            let calls = row.get::<_, Option<i64>>(23).ok().flatten().unwrap_or(0);
            format!("{id} {place}/{calls}")
        }),
    })
}

impl Store {
    /// Sessions for the trainer's table, newest first unless sorted otherwise.
    pub fn sessions(
        &self,
        filter: &Filter,
        sort: SortKey,
        descending: bool,
        limit: Option<u32>,
    ) -> Result<Vec<SessionRow>> {
        let now = clock::now_ms();
        let (clause, values) = where_clause(filter, now);
        let sql = format!(
            "SELECT {ROW_COLUMNS} {ROW_FROM} {clause} ORDER BY {} LIMIT {}",
            order_by(sort, descending),
            limit.map_or(-1, i64::from)
        );
        let run = || -> rusqlite::Result<Vec<SessionRow>> {
            let mut statement = self.conn.prepare_cached(&sql)?;

            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    read_row(r, now)
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "list the sessions", e))
    }

    /// How many sessions a filter selects.
    pub fn count(&self, filter: &Filter) -> Result<u64> {
        let (clause, values) = where_clause(filter, clock::now_ms());
        // Only the rep's name needs a join; without it the count reads an index alone.
        let from = if filter.rep.is_some() {
            "FROM sessions s JOIN reps r ON r.id = s.rep_id"
        } else {
            "FROM sessions s"
        };
        let sql = format!("SELECT count(*) {from} {clause}");
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(values.iter()), |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| failed(&self.path, "count the sessions", e))
    }

    /// One session, all of it.
    pub fn session(&self, id: i64) -> Result<StoredSession> {
        let now = clock::now_ms();
        let read = || -> rusqlite::Result<Option<StoredSession>> {
            let sql = format!(
                "SELECT {ROW_COLUMNS}, s.opening, s.end_reason, s.end_node, s.facts_uncovered,
                    s.minutes_used, s.final_trust, v.source, s.scoring_version, r.login,
                    {} {ROW_FROM}
                 WHERE s.id = ?",
                super::campaigns::CAMPAIGN_COLUMNS
            );
            let Some(mut stored) = self
                .conn
                .query_row(&sql, [id], |r| {
                    let opening: String = r.get(24)?;
                    let facts: Option<String> = r.get(27)?;
                    Ok(StoredSession {
                        row: read_row(r, now)?,
                        opening: serde_json::from_str(&opening).unwrap_or_default(),
                        turns: Vec::new(),
                        end_reason: r.get::<_, Option<String>>(25)?.and_then(|t| enum_from(&t)),
                        end_node: r.get(26)?,
                        facts_uncovered: facts
                            .and_then(|f| serde_json::from_str(&f).ok())
                            .unwrap_or_default(),
                        minutes_used: r.get::<_, Option<i64>>(28)?.map(|m| m as u32),
                        final_trust: r.get::<_, Option<i64>>(29)?.map(|t| t as u8),
                        scenario_source: r.get(30)?,
                        scoring_version: r.get::<_, i64>(31)? as u32,
                        rep_login: r.get(32)?,
                        campaign: super::campaigns::read_campaign(r, 33)?,
                    })
                })
                .optional()?
            else {
                return Ok(None);
            };
            let mut statement = self.conn.prepare_cached(
                "SELECT turn, node_id, choice, move, say, think_ms, trust_after, minutes_left_after,
                    at, reply, shown, choice_id FROM turns WHERE session_id = ? ORDER BY turn",
            )?;
            stored.turns = statement
                .query_map([id], |r| {
                    let reply: String = r.get(9)?;
                    Ok(TurnRow {
                        turn: r.get::<_, i64>(0)? as u32,
                        node_id: r.get(1)?,
                        choice: r.get::<_, i64>(2)? as usize,
                        move_kind: enum_from(&r.get::<_, String>(3)?).unwrap_or(Move::Situation),
                        say: r.get(4)?,
                        think_ms: r.get::<_, i64>(5)? as u64,
                        trust_after: r.get::<_, i64>(6)? as u8,
                        minutes_left_after: r.get::<_, i64>(7)? as i32,
                        at: r.get(8)?,
                        reply: serde_json::from_str(&reply).unwrap_or_default(),
                        shown: r.get::<_, Option<i64>>(10)?.map(|n| n as u32),
                        choice_id: r.get(11)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(stored))
        };
        read()
            .map_err(|e| failed(&self.path, "read the session", e))?
            .ok_or_else(|| StoreError::NoSuchSession {
                path: self.path.clone(),
                id,
            })
    }

    /// The rep names, alphabetically.
    pub fn reps(&self) -> Result<Vec<String>> {
        let run = || -> rusqlite::Result<Vec<String>> {
            let mut statement = self
                .conn
                .prepare_cached("SELECT name FROM reps ORDER BY name")?;

            statement.query_map([], |r| r.get(0))?.collect()
        };
        run().map_err(|e| failed(&self.path, "list the reps", e))
    }

    /// The reps who played on this machine (not those known only from pulled sessions, focus
    /// skills or assignments read from the LRS): who the start screen offers to continue as.
    pub fn reps_who_played_here(&self) -> Result<Vec<String>> {
        let run = || -> rusqlite::Result<Vec<String>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT name FROM reps WHERE id IN
                    (SELECT DISTINCT rep_id FROM sessions WHERE origin != 'lrs')
                 ORDER BY name",
            )?;
            statement.query_map([], |r| r.get(0))?.collect()
        };
        run().map_err(|e| failed(&self.path, "list the reps", e))
    }

    /// The scenario ids that have sessions, with their latest title.
    pub fn scenarios(&self) -> Result<Vec<(String, String)>> {
        let run = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT scenario_id, title FROM scenario_revisions
                 WHERE id IN (SELECT max(id) FROM scenario_revisions GROUP BY scenario_id)
                 ORDER BY title",
            )?;

            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "list the scenarios", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_key_names_a_real_column() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        for key in [
            SortKey::Started,
            SortKey::Rep,
            SortKey::Scenario,
            SortKey::Outcome,
            SortKey::Overall,
            SortKey::Dimension(Dimension::Velocity),
        ] {
            store
                .sessions(&Filter::default(), key, true, Some(5))
                .unwrap();
        }
    }
}
