//! Each stored revision's norms (what random and best play score on it per skill), measured from
//! its stored text the first time a skill measure needs them and kept in `revision_norms`, so
//! the trainer's trends and reports compare every call like with like without simulating again.

use super::error::failed;
use super::{Result, SessionRow, Store};
use crate::engine::check::compile_source;
use crate::engine::format::load::SourceFile;
use crate::engine::norms::{Measures, NORMS_VERSION, Norms};
use crate::engine::score::{SCORING_VERSION, Scores};
use rusqlite::{OptionalExtension, params};
use std::cell::RefCell;
use std::collections::HashMap;

/// Norms by revision row id, `None` for a revision that cannot be measured (too large, or no
/// longer checks).
pub(super) type NormsCache = RefCell<HashMap<i64, Option<Norms>>>;

/// The version stored beside norms: both the norms' and the scoring rules' versions, since
/// either changes what they are.
pub(super) fn stored_version() -> i64 {
    i64::from(NORMS_VERSION) * 1000 + i64::from(SCORING_VERSION)
}

impl Store {
    /// The norms of a stored revision, by its hash (see `norms_of_revision`).
    pub fn norms(&self, revision: &str) -> Result<Option<Norms>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM scenario_revisions WHERE revision = ?1",
                params![revision],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| failed(&self.path, "read a scenario revision", e))?;
        match id {
            Some(id) => self.norms_of_revision(id),
            None => Ok(None),
        }
    }

    /// The norms of a stored revision, by its row id: from memory, from the database, or
    /// measured now (and kept when the database can be written; a read-only copy measures them
    /// again next time it is opened).
    pub(super) fn norms_of_revision(&self, revision_id: i64) -> Result<Option<Norms>> {
        if let Some(norms) = self.norms.borrow().get(&revision_id) {
            return Ok(*norms);
        }
        let stored = self
            .conn
            .query_row(
                "SELECT n.version, n.norms, v.scenario_id, v.revision, v.source
                 FROM scenario_revisions v LEFT JOIN revision_norms n ON n.revision_id = v.id
                 WHERE v.id = ?1",
                params![revision_id],
                |r| {
                    Ok((
                        r.get::<_, Option<i64>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| failed(&self.path, "read a scenario revision", e))?;
        let Some((version, norms, scenario_id, revision, source)) = stored else {
            return Ok(None);
        };
        let norms = if version == Some(stored_version()) {
            norms.and_then(|text| serde_json::from_str::<Norms>(&text).ok())
        } else {
            let measured = measure(&scenario_id, &revision, source);
            // A cache: a database that cannot be written (a trainer's read-only copy) measures
            // again next time, which costs time but loses nothing.
            let _ = self.conn.execute(
                "INSERT OR REPLACE INTO revision_norms (revision_id, version, norms)
                 VALUES (?1, ?2, ?3)",
                params![
                    revision_id,
                    stored_version(),
                    measured.map(|n| super::json(&n))
                ],
            );
            measured
        };
        self.norms.borrow_mut().insert(revision_id, norms);
        Ok(norms)
    }

    /// A finished session's skill measures on its own revision (`None` for a session with no
    /// scores, or on a revision that cannot be measured).
    pub fn measures(&self, row: &SessionRow) -> Result<Option<Measures>> {
        let Some(scores) = row.scores else {
            return Ok(None);
        };
        Ok(self.norms(&row.revision)?.map(|n| n.measures(&scores)))
    }

    pub(super) fn measures_of(
        &self,
        revision_id: i64,
        scores: &Scores,
    ) -> Result<Option<Measures>> {
        Ok(self
            .norms_of_revision(revision_id)?
            .map(|n| n.measures(scores)))
    }
}

fn measure(scenario_id: &str, revision: &str, source: String) -> Option<Norms> {
    let file = SourceFile::from_text(format!("{scenario_id} (revision {revision})"), source);
    let scenario = compile_source(&file).scenario?;
    Norms::of(&scenario).ok()
}
