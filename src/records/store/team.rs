//! The team views: the heatmap of reps by dimension, who improved most, and where reps go wrong
//! on one scenario.

use super::error::failed;
use super::{Result, Store, enum_from};
use crate::engine::format::Move;
use crate::records::clock::{self, Millis};
use rusqlite::params;
use serde::Serialize;

/// One rep's row of the team heatmap: mean score per dimension over finished sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatmapRow {
    pub rep: String,
    pub sessions: u32,
    pub qualification: f64,
    pub discovery: f64,
    pub rapport: f64,
    pub velocity: f64,
    pub overall: f64,
}

/// A rep whose overall skill measure rose: mean of the last 30 days against the 30 days before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    pub rep: String,
    pub before: f64,
    pub recent: f64,
    pub recent_sessions: u32,
}

/// How much a rep practised in a period: who practises, not who scores (no leaderboard).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Practice {
    pub rep: String,
    pub sessions: u32,
    pub finished: u32,
    /// Time on calls, from each call's start to its end (or its last turn).
    pub minutes: f64,
    pub scenarios: u32,
    pub last: Millis,
}

/// A heatmap row from (name, sessions, the four dimensions' means, overall).
fn read_heatmap_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HeatmapRow> {
    Ok(HeatmapRow {
        rep: r.get(0)?,
        sessions: r.get::<_, i64>(1)? as u32,
        qualification: r.get(2)?,
        discovery: r.get(3)?,
        rapport: r.get(4)?,
        velocity: r.get(5)?,
        overall: r.get(6)?,
    })
}

/// A rep's mean overall score and count on one revision, in the earlier and the recent window.
type WindowedMeans = (String, i64, Option<f64>, i64, Option<f64>, i64);

/// Where reps go wrong on one scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ScenarioAnalysis {
    pub sessions: u32,
    pub finished: u32,
    pub right_calls: u32,
    /// Per node, each choice taken and how often, most-visited nodes first.
    pub nodes: Vec<NodeChoices>,
    /// The node of the last choice in calls that ended wrong, most frequent first.
    pub lost_at: Vec<(String, u32)>,
    /// Facts and how many finished sessions missed them, most missed first.
    pub missed_facts: Vec<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct NodeChoices {
    pub node_id: String,
    pub visits: u32,
    pub choices: Vec<ChoiceCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceCount {
    pub say: String,
    pub move_kind: Move,
    pub taken: u32,
}

impl Store {
    /// The team heatmap: each rep's mean per dimension over finished sessions since `since`.
    pub fn heatmap(&self, since: Option<Millis>) -> Result<Vec<HeatmapRow>> {
        // Every session: the running totals answer it without reading the sessions.
        if since.is_none() {
            let run = || -> rusqlite::Result<Vec<HeatmapRow>> {
                let mut statement = self.conn.prepare_cached(
                    "SELECT r.name, t.n, t.q * 1.0 / t.n, t.d * 1.0 / t.n, t.ra * 1.0 / t.n,
                        t.v * 1.0 / t.n, t.o * 1.0 / t.n
                     FROM rep_totals t JOIN reps r ON r.id = t.rep_id
                     WHERE t.n > 0 ORDER BY r.name",
                )?;
                statement.query_map([], read_heatmap_row)?.collect()
            };
            return run().map_err(|e| failed(&self.path, "build the team heatmap", e));
        }
        let run = || -> rusqlite::Result<Vec<HeatmapRow>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT r.name, h.n, h.q, h.d, h.ra, h.v, h.o FROM (
                    SELECT rep_id, count(*) AS n, avg(qualification) AS q, avg(discovery) AS d,
                        avg(rapport) AS ra, avg(velocity) AS v, avg(overall) AS o
                    FROM sessions INDEXED BY sessions_scores
                    WHERE status = 'finished' AND started_at >= ?
                    GROUP BY rep_id) h
                 JOIN reps r ON r.id = h.rep_id ORDER BY r.name",
            )?;

            statement
                .query_map([since.unwrap_or(Millis::MIN)], read_heatmap_row)?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "build the team heatmap", e))
    }

    /// Reps whose overall skill measure rose most (`engine::norms`: like with like, so moving
    /// to harder calls is not read as getting worse): the 30 days before `now` against the 30
    /// before that. Reps without measured sessions in both windows are left out.
    pub fn most_improved(&self, now: Millis, limit: usize) -> Result<Vec<Improvement>> {
        let window = 30 * clock::DAY_MS;
        // Per rep and revision, the mean overall score and count in each window: the measure is
        // linear in the score, so the measure of a mean is the mean of the measures (bar the
        // bound on a single call), and the norms are applied to a few rows, not every session.
        let run = || -> rusqlite::Result<Vec<WindowedMeans>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT r.name, s.revision_id,
                    avg(CASE WHEN s.started_at < ?1 THEN s.overall END),
                    count(CASE WHEN s.started_at < ?1 THEN 1 END),
                    avg(CASE WHEN s.started_at >= ?1 THEN s.overall END),
                    count(CASE WHEN s.started_at >= ?1 THEN 1 END)
                 FROM sessions s INDEXED BY sessions_by_rep_revision
                    JOIN reps r ON r.id = s.rep_id
                 WHERE s.status = 'finished' AND s.started_at >= ?2 AND s.started_at < ?3
                 GROUP BY s.rep_id, s.revision_id
                 ORDER BY r.name",
            )?;
            statement
                .query_map(params![now - window, now - 2 * window, now], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect()
        };
        let groups = run().map_err(|e| failed(&self.path, "find the most improved reps", e))?;
        // Per rep: the sums of measures and the counts, before and recent.
        let mut reps: Vec<(String, [f64; 2], [u32; 2])> = Vec::new();
        for (rep, revision, before, before_n, recent, recent_n) in groups {
            let Some(norm) = self.norms_of_revision(revision)?.map(|n| n.overall) else {
                continue;
            };
            if reps.last().is_none_or(|r| r.0 != rep) {
                reps.push((rep, [0.0; 2], [0; 2]));
            }
            let entry = reps.last_mut().expect("pushed above");
            for (i, (mean, n)) in [(before, before_n), (recent, recent_n)]
                .into_iter()
                .enumerate()
            {
                if let Some(measure) = mean.and_then(|m| norm.measure_value(m)) {
                    entry.1[i] += measure * n as f64;
                    entry.2[i] += n as u32;
                }
            }
        }
        let mut rows: Vec<Improvement> = reps
            .into_iter()
            .filter(|(_, _, n)| n[0] > 0 && n[1] > 0)
            .map(|(rep, sum, n)| Improvement {
                rep,
                before: sum[0] / f64::from(n[0]),
                recent: sum[1] / f64::from(n[1]),
                recent_sessions: n[1],
            })
            .collect();
        rows.sort_by(|a, b| {
            (b.recent - b.before)
                .total_cmp(&(a.recent - a.before))
                .then(a.rep.cmp(&b.rep))
        });
        rows.truncate(limit);
        Ok(rows)
    }

    /// Every rep's practice since `since` (a team's members only, with `team`), by name.
    pub fn practice(&self, since: Millis, team: Option<&str>) -> Result<Vec<Practice>> {
        let run = || -> rusqlite::Result<Vec<Practice>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT r.name, count(*), count(CASE WHEN s.status = 'finished' THEN 1 END),
                    sum(coalesce(s.ended_at, s.last_activity) - s.started_at),
                    count(DISTINCT s.scenario_id), max(s.started_at)
                 FROM sessions s JOIN reps r ON r.id = s.rep_id
                 WHERE s.started_at >= ?1 AND (?2 IS NULL OR s.rep_id IN
                    (SELECT t.rep_id FROM teams t WHERE lower(t.team) = lower(?2)))
                 GROUP BY s.rep_id ORDER BY r.name",
            )?;
            statement
                .query_map(params![since, team], |r| {
                    Ok(Practice {
                        rep: r.get(0)?,
                        sessions: r.get(1)?,
                        finished: r.get(2)?,
                        minutes: r.get::<_, Option<i64>>(3)?.unwrap_or(0).max(0) as f64 / 60_000.0,
                        scenarios: r.get(4)?,
                        last: r.get(5)?,
                    })
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read who practised", e))
    }

    /// Where reps go wrong on one scenario: choices per node, where wrong calls ended, and the
    /// facts most often missed (against the fact ids of `facts`, the current revision's). Read
    /// from tallies (`schema`, migration 13): each choice's kept by a trigger on every turn, the
    /// finished calls' kept when each is digested, plus the calls not digested yet counted here,
    /// so the answer is exact whatever has been digested and takes a few thousand rows at any size.
    pub fn scenario_analysis(
        &self,
        scenario_id: &str,
        facts: &[String],
    ) -> Result<ScenarioAnalysis> {
        /// The finished sessions of the scenario not digested yet (the partial index's rows).
        const UNDIGESTED: &str =
            "s.scenario_id = ?1 AND s.status = 'finished' AND s.digested IS NULL";
        let run = || -> rusqlite::Result<ScenarioAnalysis> {
            let mut analysis = ScenarioAnalysis::default();
            let sessions: i64 = self.conn.query_row(
                "SELECT count(*) FROM sessions WHERE scenario_id = ?",
                [scenario_id],
                |r| r.get(0),
            )?;
            let (digested, digested_right): (i64, i64) = self.conn.query_row(
                "SELECT coalesce(sum(sessions), 0), coalesce(sum(right_calls), 0)
                 FROM digest_scores WHERE scenario_id = ?",
                [scenario_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let (pending, pending_right): (i64, i64) = self.conn.query_row(
                &format!(
                    "SELECT count(*), count(CASE WHEN s.right_call THEN 1 END) FROM sessions s
                     WHERE {UNDIGESTED}"
                ),
                [scenario_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let finished = digested + pending;
            analysis.sessions = sessions as u32;
            analysis.finished = finished as u32;
            analysis.right_calls = (digested_right + pending_right) as u32;
            // Each choice's count; its words read once, from its latest session.
            let mut statement = self.conn.prepare_cached(
                "SELECT node_id, choice, move, taken, latest_session FROM choice_tallies
                 WHERE scenario_id = ?",
            )?;
            let groups: Vec<(String, i64, String, i64, i64)> = statement
                .query_map([scenario_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut words = self.conn.prepare_cached(
                "SELECT say FROM turns WHERE session_id = ? AND node_id = ? AND choice = ? LIMIT 1",
            )?;
            let mut counts: Vec<(String, String, String, i64)> = Vec::with_capacity(groups.len());
            for (node, choice, move_kind, n, session) in groups {
                let say: String = words.query_row(params![session, node, choice], |r| r.get(0))?;
                counts.push((node, say, move_kind, n));
            }
            counts.sort_by(|a, b| a.0.cmp(&b.0).then(b.3.cmp(&a.3)));
            for group in counts.chunk_by(|a, b| a.0 == b.0) {
                analysis.nodes.push(NodeChoices {
                    node_id: group[0].0.clone(),
                    visits: group.iter().map(|c| c.3 as u32).sum(),
                    choices: group
                        .iter()
                        .map(|(_, say, move_kind, n)| ChoiceCount {
                            say: say.clone(),
                            move_kind: enum_from(move_kind).unwrap_or(Move::Situation),
                            taken: *n as u32,
                        })
                        .collect(),
                });
            }
            analysis
                .nodes
                .sort_by(|a, b| b.visits.cmp(&a.visits).then(a.node_id.cmp(&b.node_id)));
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT node_id, sum(n) FROM (
                    SELECT node_id, sessions AS n FROM lost_at_tallies WHERE scenario_id = ?1
                    UNION ALL
                    SELECT t.node_id, 1 FROM sessions s
                        JOIN turns t ON t.session_id = s.id AND t.turn = s.turns - 1
                    WHERE {UNDIGESTED} AND NOT s.right_call)
                 GROUP BY node_id ORDER BY sum(n) DESC, node_id"
            ))?;
            analysis.lost_at = statement
                .query_map([scenario_id], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u32))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT fact_id, sum(n) FROM (
                    SELECT fact_id, found AS n FROM fact_tallies WHERE scenario_id = ?1
                    UNION ALL
                    SELECT j.value, 1 FROM sessions s, json_each(s.facts_uncovered) j
                    WHERE {UNDIGESTED})
                 GROUP BY fact_id"
            ))?;
            let uncovered: std::collections::HashMap<String, i64> = statement
                .query_map([scenario_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut missed: Vec<(String, u32)> = facts
                .iter()
                .map(|f| {
                    let found = uncovered.get(f).copied().unwrap_or(0);
                    (f.clone(), (finished - found).max(0) as u32)
                })
                .collect();
            missed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            analysis.missed_facts = missed;
            Ok(analysis)
        };
        run().map_err(|e| failed(&self.path, "analyse the scenario", e))
    }
}
