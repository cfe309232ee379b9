//! Each finished session's digest (what its debrief leaves for the team's views, worked out once
//! by `records::digest`) and the tallies kept beside it, so that a scenario's insight and a rep's
//! brief read stored rows instead of replaying every session each time.

use super::error::failed;
use super::sessions::{Filter, where_clause};
use super::{Result, Store};
use crate::engine::score::SCORING_VERSION;
use crate::records::clock::{self, DAY_MS};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The version of what a digest holds: the scoring rules' version and the digest's own, since
/// either changes what a replay's debrief says. Digests of another version are worked out again.
pub const DIGEST_VERSION: i64 = SCORING_VERSION as i64 * 1000 + 1;

/// What one finished session's debrief says that the team's views add up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// False for a session whose revision no longer replays: it is counted, nothing else known.
    pub replayed: bool,
    /// Points of the best expected overall score each choice gave up, in turn order (`None`
    /// where the call is too large to search).
    #[serde(default)]
    pub lost: Vec<Option<f64>>,
    /// What the best path would have said, at the turns (by index) where the debrief names it.
    #[serde(default)]
    pub better: Vec<(u32, String)>,
    /// Best play's qualification, discovery, rapport and velocity with the same luck.
    #[serde(default)]
    pub ceiling: Option<[u8; 4]>,
    #[serde(default)]
    pub recognitions: Vec<String>,
    /// The ids of the facts the best path found with the same luck and the rep did not.
    #[serde(default)]
    pub missed: Vec<String>,
    /// The first choice that gave up a meaningful part of the score: where coaching starts.
    #[serde(default)]
    pub left: Option<LeftBestPath>,
}

/// Where a session first left the best path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftBestPath {
    pub node_id: String,
    pub said: String,
    pub lost: f64,
    pub better: Option<String>,
    pub note: Option<String>,
}

/// One row of a scenario's regret tallies: a choice taken at a node by sessions that scored
/// `overall`, how often, and the points it gave up in all.
#[derive(Debug, Clone, PartialEq)]
pub struct RegretTally {
    pub node_id: String,
    pub say: String,
    pub overall: u8,
    pub taken: u32,
    pub lost: f64,
    pub better: Option<String>,
}

/// A fact of a revision, as a brief names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionFact {
    pub kind: String,
    pub text: String,
}

/// A regret tally from (node, words, overall, taken, lost, better).
fn read_tally(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegretTally> {
    Ok(RegretTally {
        node_id: r.get(0)?,
        say: r.get(1)?,
        overall: r.get::<_, i64>(2)?.clamp(0, 100) as u8,
        taken: r.get::<_, i64>(3)? as u32,
        lost: r.get(4)?,
        better: r.get(5)?,
    })
}

/// (overall, sessions, not replayed) from a row of those three.
fn read_scores(r: &rusqlite::Row<'_>) -> rusqlite::Result<(u8, u32, u32)> {
    Ok((
        r.get::<_, i64>(0)?.clamp(0, 100) as u8,
        r.get::<_, i64>(1)? as u32,
        r.get::<_, i64>(2)? as u32,
    ))
}

impl Store {
    /// Forgets digests of another version (new scoring rules change what a debrief says), so
    /// that they are worked out again when next needed.
    pub fn forget_stale_digests(&self) -> Result<()> {
        let stored = self.meta("digest_version")?;
        if stored.as_deref() == Some(DIGEST_VERSION.to_string().as_str()) {
            return Ok(());
        }
        self.write("forget digests of older scoring rules", |tx| {
            tx.execute_batch(
                "DELETE FROM session_digests; DELETE FROM regret_tallies;
                 DELETE FROM digest_scores; DELETE FROM lost_at_tallies;
                 DELETE FROM regret_daily; DELETE FROM scores_daily;
                 DELETE FROM fact_tallies;
                 UPDATE sessions SET digested = NULL WHERE digested IS NOT NULL;",
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('digest_version', ?)",
                [DIGEST_VERSION.to_string()],
            )?;
            Ok(())
        })
    }

    /// The finished sessions the filter selects that have no digest yet, oldest first.
    pub fn undigested(&self, filter: &Filter) -> Result<Vec<i64>> {
        let mut filter = filter.clone();
        filter.status = None;
        let (clause, values) = where_clause(&filter, clock::now_ms());
        // The filter's conditions, after the partial index's own.
        let more = clause
            .strip_prefix("WHERE ")
            .map(|c| format!("AND {c}"))
            .unwrap_or_default();
        // The partial index `sessions_to_digest` holds only the sessions still to digest (none,
        // once caught up), so it is named: otherwise SQLite may check each session of the period
        // in the table. Its condition is written out literally, which lets SQLite use it.
        let sql = format!(
            "SELECT s.id FROM sessions s INDEXED BY sessions_to_digest
             WHERE s.status = 'finished' AND s.digested IS NULL {more} ORDER BY s.id"
        );
        let run = || -> rusqlite::Result<Vec<i64>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "find the sessions to digest", e))
    }

    /// Keeps a session's digest and adds it to its scenario's tallies, once: a session already
    /// digested is left as it is.
    pub fn save_digest(&self, session_id: i64, digest: &Digest) -> Result<()> {
        self.write("keep a session's digest", |tx| {
            type Row = (String, Option<i64>, Option<i64>, Option<bool>, Option<String>, i64);
            let (scenario_id, overall, digested, right_call, facts_uncovered, started_at): Row =
                tx.query_row(
                    "SELECT scenario_id, overall, digested, right_call, facts_uncovered, started_at
                     FROM sessions WHERE id = ?",
                    [session_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )?;
            let day = started_at.div_euclid(DAY_MS);
            if digested.is_some() {
                return Ok(());
            }
            // The scenario analysis's counts come from the stored session, replayed or not.
            if right_call == Some(false) {
                tx.execute(
                    "INSERT INTO lost_at_tallies (scenario_id, node_id, sessions)
                     SELECT ?1, t.node_id, 1 FROM sessions s
                        JOIN turns t ON t.session_id = s.id AND t.turn = s.turns - 1
                     WHERE s.id = ?2
                     ON CONFLICT (scenario_id, node_id) DO UPDATE SET sessions = sessions + 1",
                    params![scenario_id, session_id],
                )?;
            }
            let found: Vec<String> = facts_uncovered
                .and_then(|f| serde_json::from_str(&f).ok())
                .unwrap_or_default();
            for fact in found {
                tx.execute(
                    "INSERT INTO fact_tallies (scenario_id, fact_id, found) VALUES (?1, ?2, 1)
                     ON CONFLICT (scenario_id, fact_id) DO UPDATE SET found = found + 1",
                    params![scenario_id, fact],
                )?;
            }
            let overall = overall.unwrap_or(0);
            tx.execute(
                "INSERT OR REPLACE INTO session_digests (session_id, digest) VALUES (?, ?)",
                params![session_id, super::json(digest)],
            )?;
            tx.execute(
                "UPDATE sessions SET digested = ? WHERE id = ?",
                params![DIGEST_VERSION, session_id],
            )?;
            tx.execute(
                "INSERT INTO digest_scores (scenario_id, overall, sessions, not_replayed,
                    right_calls)
                 VALUES (?1, ?2, 1, ?3, ?4)
                 ON CONFLICT (scenario_id, overall) DO UPDATE SET sessions = sessions + 1,
                    not_replayed = not_replayed + excluded.not_replayed,
                    right_calls = right_calls + excluded.right_calls",
                params![
                    scenario_id,
                    overall,
                    i64::from(!digest.replayed),
                    i64::from(right_call == Some(true))
                ],
            )?;
            tx.prepare_cached(
                "INSERT INTO scores_daily (scenario_id, day, overall, sessions, not_replayed)
                 VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT (scenario_id, day, overall) DO UPDATE SET
                    sessions = sessions + 1, not_replayed = not_replayed + excluded.not_replayed",
            )?
            .execute(params![scenario_id, day, overall, i64::from(!digest.replayed)])?;
            if !digest.replayed {
                return Ok(());
            }
            // The node and words of each turn as stored, so the tallies group what was played;
            // of the best path's words at a choice, the first in text order is kept (the same
            // whichever order calls are digested in, and whichever tallies are read).
            let mut tally = tx.prepare_cached(
                "INSERT INTO regret_tallies (scenario_id, node_id, say, overall, taken, lost, better)
                 SELECT ?1, t.node_id, t.say, ?2, 1, ?4, ?5 FROM turns t
                 WHERE t.session_id = ?3 AND t.turn = ?6
                 ON CONFLICT (scenario_id, node_id, say, overall) DO UPDATE SET
                    taken = taken + 1, lost = lost + excluded.lost,
                    better = min(coalesce(better, excluded.better),
                        coalesce(excluded.better, better))",
            )?;
            let mut daily = tx.prepare_cached(
                "INSERT INTO regret_daily (scenario_id, day, node_id, say, overall, taken, lost,
                    better)
                 SELECT ?1, ?7, t.node_id, t.say, ?2, 1, ?4, ?5 FROM turns t
                 WHERE t.session_id = ?3 AND t.turn = ?6
                 ON CONFLICT (scenario_id, day, node_id, say, overall) DO UPDATE SET
                    taken = taken + 1, lost = lost + excluded.lost,
                    better = min(coalesce(better, excluded.better),
                        coalesce(excluded.better, better))",
            )?;
            for (turn, lost) in digest.lost.iter().enumerate() {
                let better = digest
                    .better
                    .iter()
                    .find(|(at, _)| *at as usize == turn)
                    .map(|(_, text)| text.as_str());
                tally.execute(params![
                    scenario_id,
                    overall,
                    session_id,
                    lost.unwrap_or(0.0),
                    better,
                    turn as i64
                ])?;
                daily.execute(params![
                    scenario_id,
                    overall,
                    session_id,
                    lost.unwrap_or(0.0),
                    better,
                    turn as i64,
                    day
                ])?;
            }
            Ok(())
        })
    }

    /// Keeps the kind and text of a revision's facts (once per revision), for briefs.
    pub fn save_revision_facts(
        &self,
        revision: &str,
        facts: &[(String, RevisionFact)],
    ) -> Result<()> {
        self.write("keep a revision's facts", |tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO revision_facts (revision_id, fact_id, kind, text)
                 SELECT id, ?2, ?3, ?4 FROM scenario_revisions WHERE revision = ?1",
            )?;
            for (id, fact) in facts {
                insert.execute(params![revision, id, fact.kind, fact.text])?;
            }
            Ok(())
        })
    }

    /// The kind and text of a stored revision's facts, by fact id.
    pub fn revision_facts(&self, revision: &str) -> Result<HashMap<String, RevisionFact>> {
        let run = || -> rusqlite::Result<HashMap<String, RevisionFact>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT f.fact_id, f.kind, f.text FROM revision_facts f
                 JOIN scenario_revisions v ON v.id = f.revision_id WHERE v.revision = ?",
            )?;
            statement
                .query_map([revision], |r| {
                    Ok((
                        r.get(0)?,
                        RevisionFact {
                            kind: r.get(1)?,
                            text: r.get(2)?,
                        },
                    ))
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read a revision's facts", e))
    }

    /// Whether a revision's facts are kept.
    pub fn has_revision_facts(&self, revision: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT 1 FROM revision_facts f JOIN scenario_revisions v ON v.id = f.revision_id
                 WHERE v.revision = ? LIMIT 1",
                [revision],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| failed(&self.path, "read a revision's facts", e))
    }

    /// The digests of the finished sessions the filter selects, by session id.
    pub fn digests(&self, filter: &Filter) -> Result<HashMap<i64, Digest>> {
        let mut filter = filter.clone();
        filter.status = None;
        let (clause, values) = where_clause(&filter, clock::now_ms());
        let sql = format!(
            "SELECT s.id, d.digest FROM sessions s JOIN session_digests d ON d.session_id = s.id
             {clause}"
        );
        let run = || -> rusqlite::Result<Vec<(i64, String)>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect()
        };
        let rows = run().map_err(|e| failed(&self.path, "read the sessions' digests", e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, text)| Some((id, serde_json::from_str(&text).ok()?)))
            .collect())
    }

    /// The node and words of every turn of the finished sessions the filter selects, as
    /// (session, turn, node, words), in session and turn order.
    pub fn turn_choices(&self, filter: &Filter) -> Result<Vec<(i64, u32, String, String)>> {
        let mut filter = filter.clone();
        filter.status = None;
        let (clause, values) = where_clause(&filter, clock::now_ms());
        let joiner = if clause.is_empty() { "WHERE" } else { "AND" };
        let sql = format!(
            "SELECT s.id, t.turn, t.node_id, t.say FROM sessions s
                JOIN turns t ON t.session_id = s.id
             {clause} {joiner} s.status = 'finished'"
        );
        let run = || -> rusqlite::Result<Vec<(i64, u32, String, String)>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u32, r.get(2)?, r.get(3)?))
                })?
                .collect()
        };
        // Sorted here: in SQL the order would make SQLite walk every session in id order
        // instead of the scenario's index.
        let mut rows = run().map_err(|e| failed(&self.path, "read the sessions' choices", e))?;
        rows.sort_unstable_by_key(|r| (r.0, r.1));
        Ok(rows)
    }

    /// A scenario's regret tallies over every digested session.
    pub fn regret_tallies(&self, scenario_id: &str) -> Result<Vec<RegretTally>> {
        let run = || -> rusqlite::Result<Vec<RegretTally>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT node_id, say, overall, taken, lost, better FROM regret_tallies
                 WHERE scenario_id = ?",
            )?;
            statement.query_map([scenario_id], read_tally)?.collect()
        };
        run().map_err(|e| failed(&self.path, "read the scenario's tallies", e))
    }

    /// How many digested sessions of a scenario scored each overall score, and how many of
    /// them could not be replayed: (overall, sessions, not replayed).
    pub fn digest_scores(&self, scenario_id: &str) -> Result<Vec<(u8, u32, u32)>> {
        let run = || -> rusqlite::Result<Vec<(u8, u32, u32)>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT overall, sessions, not_replayed FROM digest_scores WHERE scenario_id = ?",
            )?;
            statement.query_map([scenario_id], read_scores)?.collect()
        };
        run().map_err(|e| failed(&self.path, "read the scenario's scores", e))
    }

    /// A scenario's regret tallies over the calls started on UTC days [from, to) (`None`: no
    /// bound), a row per day, each given to `add` as (node, words, overall, taken, points lost,
    /// the best path's words), borrowed: a month is a hundred thousand rows, and neither
    /// sorting them in SQL nor copying their words pays.
    pub fn each_regret_by_days(
        &self,
        scenario_id: &str,
        from: Option<i64>,
        to: Option<i64>,
        mut add: impl FnMut(&str, &str, u8, u32, f64, Option<&str>),
    ) -> Result<()> {
        let mut run = || -> rusqlite::Result<()> {
            let mut statement = self.conn.prepare_cached(
                "SELECT node_id, say, overall, taken, lost, better FROM regret_daily
                 WHERE scenario_id = ?1 AND day >= ?2 AND day < ?3",
            )?;
            let mut rows = statement.query(params![
                scenario_id,
                from.unwrap_or(i64::MIN),
                to.unwrap_or(i64::MAX)
            ])?;
            while let Some(r) = rows.next()? {
                let text = |i: usize| -> rusqlite::Result<&str> {
                    r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)
                };
                let better = match r.get_ref(5)? {
                    rusqlite::types::ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok(),
                    _ => None,
                };
                add(
                    text(0)?,
                    text(1)?,
                    r.get::<_, i64>(2)?.clamp(0, 100) as u8,
                    r.get::<_, i64>(3)? as u32,
                    r.get(4)?,
                    better,
                );
            }
            Ok(())
        };
        run().map_err(|e| failed(&self.path, "read the scenario's tallies", e))
    }

    /// `digest_scores` over the calls started on UTC days [from, to).
    pub fn scores_by_days(
        &self,
        scenario_id: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<(u8, u32, u32)>> {
        let run = || -> rusqlite::Result<Vec<(u8, u32, u32)>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT overall, sum(sessions), sum(not_replayed) FROM scores_daily
                 WHERE scenario_id = ?1 AND day >= ?2 AND day < ?3
                 GROUP BY overall",
            )?;
            statement
                .query_map(
                    params![
                        scenario_id,
                        from.unwrap_or(i64::MIN),
                        to.unwrap_or(i64::MAX)
                    ],
                    read_scores,
                )?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read the scenario's scores", e))
    }
}
