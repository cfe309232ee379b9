//! A rep's progress, read from the sessions themselves: attempts and best score per scenario for
//! the library's cards, and what a call just finished changed (a personal best, a first right
//! walk-away) for the debrief. Calls played in the window and with `dealsim play` count alike.

use super::error::failed;
use super::{Result, Store};
use std::collections::BTreeMap;

/// How a rep has done on one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioRecord {
    /// Finished calls.
    pub attempts: u32,
    pub best: Option<u8>,
}

/// What finishing a call changed in the rep's record, for the debrief's recognitions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Better than every earlier finished call on this scenario (and not the first).
    pub personal_best: bool,
    pub previous_best: Option<u8>,
    /// The rep's first right qualify-out on any scenario.
    pub first_right_qualify_out: bool,
}

impl Store {
    /// Per scenario id, the rep's finished calls and best overall score.
    pub fn rep_record(&self, rep: &str) -> Result<BTreeMap<String, ScenarioRecord>> {
        let run = || -> rusqlite::Result<BTreeMap<String, ScenarioRecord>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT scenario_id, count(*), max(overall) FROM sessions
                 WHERE status = 'finished' AND rep_id = {}
                 GROUP BY scenario_id",
                super::reps::REP_OF_KEY_1
            ))?;
            statement
                .query_map([super::reps::rep_key(rep)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        ScenarioRecord {
                            attempts: r.get::<_, i64>(1)? as u32,
                            best: r.get::<_, Option<i64>>(2)?.map(|b| b as u8),
                        },
                    ))
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read the rep's record", e))
    }

    /// What the finished session `session_id` changed: compared with the rep's finished calls
    /// before it.
    pub fn progress(&self, session_id: i64) -> Result<Progress> {
        let run = || -> rusqlite::Result<Progress> {
            let (rep_id, scenario, started, overall, right_out): (
                i64,
                String,
                i64,
                Option<i64>,
                bool,
            ) = self.conn.query_row(
                "SELECT rep_id, scenario_id, started_at, overall,
                        coalesce(right_call AND outcome = 'QualifiedOut', 0)
                     FROM sessions WHERE id = ?",
                [session_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
            let earlier = "status = 'finished' AND rep_id = ?1 AND id != ?2
                AND (started_at < ?3 OR (started_at = ?3 AND id < ?2))";
            let previous_best: Option<i64> = self.conn.query_row(
                &format!("SELECT max(overall) FROM sessions WHERE {earlier} AND scenario_id = ?4"),
                rusqlite::params![rep_id, session_id, started, scenario],
                |r| r.get(0),
            )?;
            let earlier_right_out: bool = self.conn.query_row(
                &format!(
                    "SELECT count(*) > 0 FROM sessions WHERE {earlier}
                     AND right_call AND outcome = 'QualifiedOut'"
                ),
                rusqlite::params![rep_id, session_id, started],
                |r| r.get(0),
            )?;
            Ok(Progress {
                personal_best: matches!((overall, previous_best), (Some(now), Some(before)) if now > before),
                previous_best: previous_best.map(|b| b as u8),
                first_right_qualify_out: right_out && !earlier_right_out,
            })
        };
        run().map_err(|e| failed(&self.path, "read the rep's progress", e))
    }
}
