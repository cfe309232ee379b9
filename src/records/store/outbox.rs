//! The xAPI outbox: each finished session's statement ids, queued until the LRS accepts them.

use super::error::failed;
use super::{Result, Store};
use crate::records::clock::Millis;
use rusqlite::params;
use serde::Serialize;

/// A statement waiting for (or refused by) the LRS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub statement_id: String,
    pub session_id: i64,
    pub seq: u32,
}

/// How the xAPI outbox stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxSummary {
    pub queued: u32,
    pub sent: u32,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub statement_id: String,
    pub session_id: i64,
    pub reason: String,
}

/// The statement ids of a session, in order: one `answered` per choice, then `completed` (and
/// `passed` or `failed` where there is a pass mark) for a finished call, or `terminated` for an
/// abandoned one.
pub fn statement_ids(
    registration: &str,
    choices: usize,
    finished: bool,
    judged: bool,
) -> Vec<String> {
    let namespace = uuid::Uuid::parse_str(registration).unwrap_or(uuid::Uuid::NAMESPACE_OID);
    let id = |name: &str| uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string();
    let mut ids: Vec<String> = (0..choices).map(|i| id(&format!("answered/{i}"))).collect();
    if finished {
        ids.push(id("completed"));
        if judged {
            ids.push(id("judged"));
        }
    } else {
        ids.push(id("terminated"));
    }
    ids
}

impl Store {
    /// Ends every call that stopped mid-way (no turn for `INTERRUPTED_AFTER_MS`: the window
    /// or the terminal was killed, the laptop died) as abandoned, and queues its statements, so
    /// that nothing played is left behind. Returns how many calls it closed.
    pub fn close_interrupted(&self, now: Millis) -> Result<u32> {
        let cutoff = now - super::sessions::INTERRUPTED_AFTER_MS;
        self.close_playing("close interrupted calls", "last_activity < ?", cutoff)
    }

    /// Ends one call still being played as abandoned, at its last turn, and queues its
    /// statements: for a window whose display went away mid-call (the process is ending).
    pub fn close_as_abandoned(&self, session_id: i64) -> Result<u32> {
        self.close_playing("close the call as abandoned", "id = ?", session_id)
    }

    /// Ends the calls still playing that `condition` (with one parameter) selects.
    fn close_playing(&self, what: &str, condition: &str, value: i64) -> Result<u32> {
        self.write(what, |tx| {
            let stale: Vec<(i64, String, i64)> = tx
                .prepare(&format!(
                    "SELECT id, registration, turns FROM sessions
                     WHERE status = 'playing' AND {condition}"
                ))?
                .query_map([value], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, registration, turns) in &stale {
                tx.execute(
                    "UPDATE sessions SET status = 'abandoned', ended_at = last_activity,
                        end_reason = ? WHERE id = ? AND status = 'playing'",
                    params![
                        super::enum_text(crate::engine::session::EndReason::Abandoned),
                        id
                    ],
                )?;
                for (seq, statement) in statement_ids(registration, *turns as usize, false, false)
                    .iter()
                    .enumerate()
                {
                    tx.execute(
                        "INSERT OR IGNORE INTO xapi_outbox (statement_id, session_id, seq)
                         VALUES (?, ?, ?)",
                        params![statement, id, seq as i64],
                    )?;
                }
            }
            Ok(stale.len() as u32)
        })
    }

    /// Statements still waiting for the LRS, oldest session first.
    pub fn queued_statements(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        let run = || -> rusqlite::Result<Vec<OutboxEntry>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT statement_id, session_id, seq FROM xapi_outbox WHERE state = 'queued'
                 ORDER BY session_id, seq LIMIT ?",
            )?;

            statement
                .query_map([i64::from(limit)], |r| {
                    Ok(OutboxEntry {
                        statement_id: r.get(0)?,
                        session_id: r.get(1)?,
                        seq: r.get::<_, i64>(2)? as u32,
                    })
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read the xAPI queue", e))
    }

    /// Marks statements the LRS accepted.
    pub fn mark_sent(&self, ids: &[String], now: Millis) -> Result<()> {
        self.write("mark statements as sent", |tx| {
            for id in ids {
                tx.execute(
                    "UPDATE xapi_outbox SET state = 'sent', sent_at = ?, last_try = ?,
                        tries = tries + 1, reason = NULL WHERE statement_id = ?",
                    params![now, now, id],
                )?;
            }
            Ok(())
        })
    }

    /// Marks a statement the LRS refused, with its reason; it is not sent again.
    pub fn mark_rejected(&self, id: &str, reason: &str, now: Millis) -> Result<()> {
        self.conn
            .execute(
                "UPDATE xapi_outbox SET state = 'rejected', reason = ?, last_try = ?,
                    tries = tries + 1 WHERE statement_id = ?",
                params![reason, now, id],
            )
            .map(|_| ())
            .map_err(|e| failed(&self.path, "mark a statement as rejected", e))
    }

    /// Counts a failed attempt (the LRS was unreachable) on statements that stay queued.
    pub fn mark_attempted(&self, ids: &[String], now: Millis) -> Result<()> {
        self.write("note the attempt", |tx| {
            for id in ids {
                tx.execute(
                    "UPDATE xapi_outbox SET last_try = ?, tries = tries + 1 WHERE statement_id = ?",
                    params![now, id],
                )?;
            }
            Ok(())
        })
    }

    /// Puts rejected statements back in the queue (after the cause was fixed).
    pub fn requeue_rejected(&self) -> Result<u32> {
        self.conn
            .execute(
                "UPDATE xapi_outbox SET state = 'queued', reason = NULL WHERE state = 'rejected'",
                [],
            )
            .map(|n| n as u32)
            .map_err(|e| failed(&self.path, "requeue the rejected statements", e))
    }

    pub fn outbox_summary(&self) -> Result<OutboxSummary> {
        let run = || -> rusqlite::Result<OutboxSummary> {
            let (queued, sent): (i64, i64) = self.conn.query_row(
                "SELECT count(CASE WHEN state = 'queued' THEN 1 END),
                    count(CASE WHEN state = 'sent' THEN 1 END) FROM xapi_outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut statement = self.conn.prepare_cached(
                "SELECT statement_id, session_id, coalesce(reason, '') FROM xapi_outbox
                 WHERE state = 'rejected' ORDER BY session_id, seq",
            )?;
            let rejected = statement
                .query_map([], |r| {
                    Ok(Rejected {
                        statement_id: r.get(0)?,
                        session_id: r.get(1)?,
                        reason: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(OutboxSummary {
                queued: queued as u32,
                sent: sent as u32,
                rejected,
            })
        };
        run().map_err(|e| failed(&self.path, "read the xAPI queue", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_are_fixed_by_the_registration_and_distinct() {
        let registration = "2f1c6a3e-0e0f-4d8e-9b3c-1f2a3b4c5d6e";
        let ids = statement_ids(registration, 3, true, true);
        assert_eq!(ids, statement_ids(registration, 3, true, true));
        assert_eq!(ids.len(), 5);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 5);
        let other = statement_ids("8b1c6a3e-0e0f-4d8e-9b3c-1f2a3b4c5d6e", 3, true, true);
        assert!(ids.iter().all(|id| !other.contains(id)));
        assert_eq!(statement_ids(registration, 2, false, false).len(), 3);
    }
}
