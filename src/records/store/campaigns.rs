//! Campaign runs in the records: the columns that tie a call to its campaign, its run and the
//! state the run carried into it (written when the call starts, or when a pulled one is rebuilt),
//! and a rep's runs read back, for the library's progress and the last call's campaign score.

use super::error::failed;
use super::{Result, Store};
use crate::engine::campaign::PlayedCall;
use crate::engine::format::Outcome;
use crate::engine::model::CampaignCall;
use crate::engine::score::Scores;
use rusqlite::{Connection, params};

/// One rep's run through a campaign, as stored: its finished calls in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub rep: String,
    pub campaign: String,
    pub run: String,
    pub run_seed: u64,
    /// (session id, the call as played), in the order played.
    pub played: Vec<(i64, PlayedCall)>,
    /// When the run's latest call was started.
    pub last_played: i64,
}

impl StoredRun {
    /// The calls played, without their session ids (what `Campaign::progress` reads).
    pub fn calls(&self) -> Vec<PlayedCall> {
        self.played.iter().map(|(_, call)| call.clone()).collect()
    }
}

/// Writes a session's campaign columns (nothing for a call played on its own).
pub(super) fn write_campaign(
    tx: &Connection,
    session_id: i64,
    call: Option<&CampaignCall>,
) -> rusqlite::Result<()> {
    let Some(call) = call else {
        return Ok(());
    };
    tx.prepare_cached(
        "UPDATE sessions SET campaign_id = ?, campaign_title = ?, campaign_run = ?,
            campaign_seed = ?, campaign_call = ?, campaign_calls = ?, start_trust = ?,
            start_knows = ?, between_calls = ?
         WHERE id = ?",
    )?
    .execute(params![
        call.campaign,
        call.campaign_title,
        call.run,
        call.run_seed as i64,
        call.call,
        call.calls,
        call.trust,
        super::json(&call.knows),
        call.between,
        session_id
    ])?;
    Ok(())
}

/// The campaign columns of a session row, read as the call's place in its run.
pub(super) const CAMPAIGN_COLUMNS: &str = "s.campaign_id, s.campaign_title, s.campaign_run, \
    s.campaign_seed, s.campaign_call, s.campaign_calls, s.start_trust, s.start_knows, \
    s.between_calls";

/// Reads `CAMPAIGN_COLUMNS` starting at column `at`.
pub(super) fn read_campaign(
    row: &rusqlite::Row,
    at: usize,
) -> rusqlite::Result<Option<CampaignCall>> {
    let Some(campaign) = row.get::<_, Option<String>>(at)? else {
        return Ok(None);
    };
    let knows: Option<String> = row.get(at + 7)?;
    Ok(Some(CampaignCall {
        campaign,
        campaign_title: row.get::<_, Option<String>>(at + 1)?.unwrap_or_default(),
        run: row.get::<_, Option<String>>(at + 2)?.unwrap_or_default(),
        run_seed: row.get::<_, Option<i64>>(at + 3)?.unwrap_or_default() as u64,
        call: row.get::<_, Option<i64>>(at + 4)?.unwrap_or_default() as u32,
        calls: row.get::<_, Option<i64>>(at + 5)?.unwrap_or_default() as u32,
        trust: row
            .get::<_, Option<i64>>(at + 6)?
            .unwrap_or_default()
            .clamp(0, 100) as u8,
        knows: knows
            .and_then(|k| serde_json::from_str(&k).ok())
            .unwrap_or_default(),
        between: row.get(at + 8)?,
    }))
}

impl Store {
    /// A rep's runs through a campaign (every rep's, every campaign's for `None`), latest
    /// first, each with its finished calls in the order played. A call left before its end
    /// does not count: the run waits at that call.
    pub fn campaign_runs(
        &self,
        rep: Option<&str>,
        campaign: Option<&str>,
    ) -> Result<Vec<StoredRun>> {
        let read = || -> rusqlite::Result<Vec<StoredRun>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT s.id, s.campaign_run, s.campaign_seed, s.scenario_id, s.outcome,
                    s.final_trust, s.facts_uncovered, s.qualification, s.discovery, s.rapport,
                    s.velocity, s.overall, s.passed, s.started_at, s.campaign_id, r.name
                 FROM sessions s JOIN reps r ON r.id = s.rep_id
                 WHERE s.campaign_id = coalesce(?2, s.campaign_id) AND s.status = 'finished'
                    AND (?1 IS NULL OR s.rep_id = {})
                 ORDER BY s.campaign_run, s.campaign_call, s.started_at",
                super::reps::REP_OF_KEY_1
            ))?;
            let key = rep.map(super::reps::rep_key);
            let rows = statement.query_map(params![key, campaign], |r| {
                let outcome: String = r.get(4)?;
                let facts: Option<String> = r.get(6)?;
                let score = |i: usize| -> rusqlite::Result<u8> {
                    Ok(r.get::<_, Option<i64>>(i)?
                        .unwrap_or_default()
                        .clamp(0, 100) as u8)
                };
                Ok((
                    r.get::<_, String>(15)?,
                    r.get::<_, String>(14)?,
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(13)?,
                    PlayedCall {
                        scenario: r.get(3)?,
                        outcome: super::enum_from::<Outcome>(&outcome).unwrap_or(Outcome::Lost),
                        final_trust: score(5)?,
                        known: facts
                            .and_then(|f| serde_json::from_str(&f).ok())
                            .unwrap_or_default(),
                        scores: Scores {
                            qualification: score(7)?,
                            discovery: score(8)?,
                            rapport: score(9)?,
                            velocity: score(10)?,
                            overall: score(11)?,
                            passed: r.get::<_, Option<bool>>(12)?,
                        },
                    },
                ))
            })?;
            let mut runs: Vec<StoredRun> = Vec::new();
            for row in rows {
                let (rep, campaign, id, run, run_seed, started, call) = row?;
                match runs.iter_mut().find(|r| r.run == run) {
                    Some(found) => {
                        // A call played again ("Try again" on its debrief, from the same
                        // carried start) counts once, as its latest attempt: the next call
                        // starts from what that attempt left.
                        match found
                            .played
                            .iter_mut()
                            .find(|(_, p)| p.scenario == call.scenario)
                        {
                            Some(earlier) => *earlier = (id, call),
                            None => found.played.push((id, call)),
                        }
                        found.last_played = found.last_played.max(started);
                    }
                    None => runs.push(StoredRun {
                        rep,
                        campaign,
                        run,
                        run_seed,
                        played: vec![(id, call)],
                        last_played: started,
                    }),
                }
            }
            runs.sort_by_key(|r| std::cmp::Reverse(r.last_played));
            Ok(runs)
        };
        read().map_err(|e| failed(&self.path, "read the campaign's runs", e))
    }
}
