//! The integrity check. SQLite's `quick_check` reads the whole file (138 MB read to open a 76 MB
//! database when it ran on every open), so it runs when it can matter: on a file this build has
//! not checked before, when the last check is a week old, and on demand (`dealsim db check`).
//! A crash of dealsim cannot damage the file (WAL keeps every transaction whole); what can is a
//! failing disk or a copy taken mid-write, which the schedule catches. SQLite also reports
//! damage it meets while reading, and that is said in one sentence like this check's findings.

use super::error::{damage, failed};
use super::schema::META_SINCE;
use super::{Result, Store};
use crate::records::clock::{self, Millis};
use rusqlite::OptionalExtension;

/// How long a check stays good.
const CHECK_EVERY: Millis = 7 * clock::DAY_MS;

impl Store {
    /// Whether the file at schema `version` should be checked as it is opened.
    pub(super) fn integrity_due(&self, version: i64, now: Millis) -> Result<bool> {
        if version < META_SINCE {
            return Ok(true);
        }
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'integrity_checked_at'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| failed(&self.path, "read the database", e))?;
        Ok(last
            .and_then(|text| text.parse::<Millis>().ok())
            .is_none_or(|at| now - at >= CHECK_EVERY || at > now))
    }

    /// Runs SQLite's quick check of the whole file; a damaged file is an error that says so in
    /// one sentence. Reads only.
    pub fn check_integrity(&self) -> Result<()> {
        let mut statement = self
            .conn
            .prepare("PRAGMA quick_check")
            .map_err(|e| failed(&self.path, "check the database", e))?;
        let findings: Vec<String> = statement
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| failed(&self.path, "check the database", e))?;
        if findings.len() == 1 && findings[0] == "ok" {
            Ok(())
        } else {
            Err(damage(&self.path, &findings.join("\n")))
        }
    }

    /// Remembers that the file was checked now.
    pub(super) fn note_integrity_checked(&self, now: Millis) -> Result<()> {
        self.write("note the integrity check", |tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('integrity_checked_at', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = ?1",
                [now.to_string()],
            )?;
            Ok(())
        })
    }
}
