//! Each rep's focus skills, set by a trainer.

use super::error::failed;
use super::{Result, Store, json};
use crate::engine::score::Dimension;
use crate::records::clock::Millis;
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Sets a rep's focus skills (one or two dimensions; none clears them), to be sent to the
    /// LRS at the next sync so that the rep's own app sees them.
    pub fn set_focus(&self, rep: &str, focus: &[Dimension], now: Millis) -> Result<()> {
        self.write("save the focus skills", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            tx.execute(
                "INSERT INTO focus (rep_id, dimensions, set_at, statement_id, sent_at)
                 VALUES (?1, ?2, ?3, ?4, NULL)
                 ON CONFLICT (rep_id) DO UPDATE SET dimensions = ?2, set_at = ?3,
                    statement_id = ?4, sent_at = NULL",
                params![rep_id, json(&focus), now, uuid::Uuid::new_v4().to_string()],
            )?;
            Ok(())
        })
    }

    /// Keeps focus skills read from the LRS, unless newer ones are already here; returns
    /// whether it changed anything.
    pub fn receive_focus(
        &self,
        rep: &str,
        focus: &[Dimension],
        set_at: Millis,
        statement_id: &str,
    ) -> Result<bool> {
        self.write("keep focus skills from the LRS", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            let newer: Option<Millis> = tx
                .query_row(
                    "SELECT set_at FROM focus WHERE rep_id = ?1",
                    [rep_id],
                    |r| r.get(0),
                )
                .optional()?;
            if newer.is_some_and(|at| at >= set_at) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO focus (rep_id, dimensions, set_at, statement_id, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?3)
                 ON CONFLICT (rep_id) DO UPDATE SET dimensions = ?2, set_at = ?3,
                    statement_id = ?4, sent_at = ?3",
                params![rep_id, json(&focus), set_at, statement_id],
            )?;
            Ok(true)
        })
    }

    /// A rep's focus skills and when they were set; `None` when a trainer never set any.
    pub fn focus(&self, rep: &str) -> Result<Option<(Vec<Dimension>, Millis)>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT f.dimensions, f.set_at FROM focus f WHERE f.rep_id = {}",
                    super::reps::REP_OF_KEY_1
                ),
                [super::reps::rep_key(rep)],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Millis>(1)?)),
            )
            .optional()
            .map(|found| {
                found.map(|(text, at)| (serde_json::from_str(&text).unwrap_or_default(), at))
            })
            .map_err(|e| failed(&self.path, "read the focus skills", e))
    }
}
