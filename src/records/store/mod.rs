//! Session records in SQLite: every call, finished or abandoned, written turn by turn so that a
//! crash loses nothing that was played. The window and the command line share one database file
//! (WAL mode, a busy timeout), and the schema is versioned and migrated forward on open.
//!
//! A file that is not a dealsim database, is corrupt, or was written by a newer dealsim is refused
//! with a sentence that says so, and is never written to.

mod assignments;
mod campaigns;
mod digests;
mod error;
mod focus;
mod import;
mod integrity;
mod norms;
mod outbox;
mod progress;
mod recording;
mod replay;
mod report;
mod reps;
mod schema;
mod sessions;
mod team;

pub use assignments::{Assignment, AssignmentStatus, RepProgress, ScenarioProgress, Unsent};
pub use campaigns::StoredRun;
pub use digests::{DIGEST_VERSION, Digest, LeftBestPath, RegretTally, RevisionFact};
pub use error::{Result, StoreError};
pub use import::{Imported, PulledSession, PulledTurn};
pub use outbox::{OutboxEntry, OutboxSummary, Rejected, statement_ids};
pub use progress::{Progress, ScenarioRecord};
pub use recording::Recording;
pub use replay::ReplayError;
pub use report::{DimensionSummary, TrendPoint, mean, slope};
pub use reps::rep_key;
pub use schema::SCHEMA_VERSION;
pub use sessions::{Filter, Said, SessionRow, SortKey, Status, StoredSession, TurnRow};
pub use team::{ChoiceCount, HeatmapRow, Improvement, NodeChoices, Practice, ScenarioAnalysis};

use crate::records::clock;
use error::failed;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use schema::{APPLICATION_ID, MIGRATIONS};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An open session database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Each revision's norms once read or measured (`norms.rs`): measuring takes a simulation.
    norms: norms::NormsCache,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn enum_text<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => format!("{other:?}"),
    }
}

fn enum_from<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Opens (or creates) the database at `path`, bringing an older schema forward.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Folder {
                path: parent.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        if path.is_dir() {
            return Err(StoreError::IsFolder {
                path: path.to_path_buf(),
            });
        }
        // A device or a pipe (`--db /dev/null`) is no database, and SQLite would put its
        // journal beside it (`/dev/null-journal`).
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(StoreError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| failed(path, "open the database", e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| failed(path, "set up the database", e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            norms: Default::default(),
        };
        let checked = store.identify()?;
        store.use_wal()?;
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| failed(path, "set up the database", e))?;
        store
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| failed(path, "set up the database", e))?;
        // 16 MB of pages kept between queries (SQLite's default is 2 MB): a trainer's question
        // over a month of day tallies reads them from memory the second time.
        store
            .conn
            .pragma_update(None, "cache_size", -16_384)
            .map_err(|e| failed(path, "set up the database", e))?;
        // Room for every statement a pull or a trainer's screen prepares (rusqlite keeps 16),
        // so none is prepared again each time round.
        store.conn.set_prepared_statement_cache_capacity(64);
        store.migrate()?;
        if checked {
            store.note_integrity_checked(clock::now_ms())?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Switches the file to WAL mode (a no-op once it is). Changing the journal mode does not
    /// wait for other connections the way a write does, so while another copy is opening the
    /// same new file it is retried for up to ten seconds.
    /// Opens an existing database only to read it, for the commands that only read (so that a
    /// database the user may not write, such as a trainer's shared copy, can still be read).
    /// A missing file, or one that needs its schema brought up to date, is opened as `open`
    /// does; a read-only one at an older schema version says so.
    pub fn open_for_reading(path: &Path) -> Result<Store> {
        let writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
        if !path.exists() || writable {
            return Store::open(path);
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(StoreError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        let open = |immutable: bool| -> Result<(Store, i64)> {
            // A database in WAL mode needs its `-shm` file; in a folder the user may not write
            // either, SQLite can only read it as immutable (no one else is writing it there).
            let (name, extra) = if immutable {
                (file_uri(path), OpenFlags::SQLITE_OPEN_URI)
            } else {
                (path.to_string_lossy().into_owned(), OpenFlags::empty())
            };
            let conn = Connection::open_with_flags(
                name,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra,
            )
            .map_err(|e| failed(path, "open the database", e))?;
            conn.busy_timeout(Duration::from_secs(10))
                .map_err(|e| failed(path, "set up the database", e))?;
            let store = Store {
                conn,
                path: path.to_path_buf(),
                norms: Default::default(),
            };
            let version: i64 = store
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| failed(path, "read the database", e))?;
            Ok((store, version))
        };
        let (store, version) = match open(false) {
            Ok(opened) => opened,
            Err(_) => open(true)?,
        };
        let application_id: i64 = store
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| failed(path, "read the database", e))?;
        if application_id != i64::from(APPLICATION_ID) {
            return Err(StoreError::OtherProgram {
                path: path.to_path_buf(),
            });
        }
        if version != SCHEMA_VERSION {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                what: "read the sessions".into(),
                detail: format!(
                    "it is read-only and at schema version {version}; this dealsim reads version {SCHEMA_VERSION}, so open it once with write access to bring it up to date"
                ),
            });
        }
        Ok(store)
    }

    fn use_wal(&self) -> Result<()> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Ok(()) => return Ok(()),
                Err(error)
                    if matches!(
                        error.sqlite_error_code(),
                        Some(
                            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                        )
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(error) => {
                    return Err(failed(&self.path, "switch the database to WAL mode", error));
                }
            }
        }
    }

    /// Runs `work` in a write transaction, taken at once (`BEGIN IMMEDIATE`) so that two copies
    /// of the app wait for each other instead of failing; inside `in_transaction`, joins it.
    fn write<T>(
        &self,
        what: &str,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let nested = !self.conn.is_autocommit();
        if !nested {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| failed(&self.path, what, e))?;
        }
        match work(&self.conn) {
            Ok(value) => {
                if !nested {
                    self.conn
                        .execute_batch("COMMIT")
                        .map_err(|e| failed(&self.path, what, e))?;
                }
                Ok(value)
            }
            Err(error) => {
                if !nested {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                Err(failed(&self.path, what, error))
            }
        }
    }

    /// Reads only: is this file empty, ours, or something else? Nothing is written before this
    /// says yes, so a file that is not ours is never changed.
    /// Says whether the file was checked for damage on the way.
    fn identify(&self) -> Result<bool> {
        // One read transaction, so that the header and the schema are read from the same
        // snapshot: another copy creating the file at this moment is seen before or after its
        // first migration, never half way.
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| failed(&self.path, "read the database", e))?;
        let identified = self.identify_in_snapshot();
        let _ = self.conn.execute_batch("COMMIT");
        identified
    }

    /// A numeric PRAGMA's value; `what` names the work for the error.
    fn pragma(&self, pragma: &str, what: &str) -> Result<i64> {
        self.conn
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .map_err(|e| failed(&self.path, what, e))
    }

    fn identify_in_snapshot(&self) -> Result<bool> {
        let application_id = self.pragma("application_id", "read the database")?;
        let version = self.pragma("user_version", "read the database")?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| failed(&self.path, "read the database", e))?;
        if application_id == 0 && tables == 0 {
            return Ok(false); // a new file: nothing to check
        }
        if application_id != i64::from(APPLICATION_ID) {
            return Err(StoreError::OtherProgram {
                path: self.path.clone(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: self.path.clone(),
                version,
                known: SCHEMA_VERSION,
            });
        }
        if self.integrity_due(version, clock::now_ms())? {
            self.check_integrity()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Applies the migrations this file has not had, each in its own transaction. Two copies
    /// opening a new file at once both try; the second waits, then sees the new version.
    fn migrate(&self) -> Result<()> {
        loop {
            // The write lock is taken before the version is read, so it cannot go stale.
            let done = self.write("bring the schema up to date", |tx| {
                let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                if version >= SCHEMA_VERSION {
                    return Ok(true);
                }
                tx.execute_batch(MIGRATIONS[version as usize])?;
                tx.execute_batch(&format!(
                    "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                    version + 1
                ))?;
                Ok(false)
            })?;
            if done {
                return Ok(());
            }
        }
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| failed(&self.path, "read the schema version", e))
    }

    /// Runs bulk writes (a pull) with three of SQLite's settings changed for them, and put back
    /// afterwards whatever the outcome:
    /// - statement journals in memory (`temp_store`): every insert that fires a trigger keeps a
    ///   copy of the pages it changes until it ends, and past 64 KiB SQLite wrote those copies
    ///   to a temporary file, a system call per page. Put back so that the trainer's large
    ///   sorts still spill to disk, not to memory.
    /// - plans kept (`QPSG`): with its default, SQLite prepared the rep lookup again each time
    ///   it was given a new name, once per session pulled.
    /// - checkpoints every 64 MB of log rather than 4 MB: a page changed by many sessions is
    ///   copied into the database once, and the file is flushed to disk less often (each
    ///   checkpoint waits for the disk; the WAL's commits stay as safe as ever).
    pub fn for_bulk_writes<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let temp_store = self.pragma("temp_store", "set up a bulk write")?;
        let autocheckpoint = self.pragma("wal_autocheckpoint", "set up a bulk write")?;
        let qpsg = self
            .conn
            .db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
            .map_err(|e| failed(&self.path, "set up a bulk write", e))?;
        let set = |temp_store: i64, qpsg: bool, autocheckpoint: i64| -> Result<()> {
            self.conn
                .pragma_update(None, "temp_store", temp_store)
                .and_then(|_| {
                    self.conn
                        .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, qpsg)
                })
                .and_then(|_| {
                    self.conn
                        .pragma_update(None, "wal_autocheckpoint", autocheckpoint)
                })
                .map_err(|e| failed(&self.path, "set up a bulk write", e))
        };
        // temp_store 2 is MEMORY; 16,000 pages of 4 KiB is 64 MB.
        set(2, true, 16_000)?;
        let result = work();
        let restored = set(temp_store, qpsg, autocheckpoint);
        let value = result?;
        restored?;
        Ok(value)
    }

    /// Runs a closure in one transaction (bulk imports and the benchmark's fixture).
    pub fn in_transaction<T>(&self, work: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        // Inside another transaction, a savepoint: the work is undone alone when it fails, and
        // kept with the outer transaction when it succeeds (the pull writes a page of sessions
        // in one transaction, each session in a savepoint of its own).
        if !self.conn.is_autocommit() {
            // Prepared once: a pull opens one for every session it rebuilds.
            let run = |sql: &str| {
                self.conn
                    .prepare_cached(sql)
                    .and_then(|mut s| s.execute([]))
            };
            run("SAVEPOINT work").map_err(|e| failed(&self.path, "start a transaction", e))?;
            return match work(self) {
                Ok(value) => {
                    run("RELEASE work")
                        .map_err(|e| failed(&self.path, "save the transaction", e))?;
                    Ok(value)
                }
                Err(error) => {
                    let _ = self.conn.execute_batch("ROLLBACK TO work; RELEASE work");
                    Err(error)
                }
            };
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| failed(&self.path, "start a transaction", e))?;
        match work(self) {
            Ok(value) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| failed(&self.path, "save the transaction", e))?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }
}

/// An SQLite URI for reading a file as immutable, with the path percent-encoded.
fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(byte as char)
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(store: &Store) -> (i64, i64, bool) {
        let read = |pragma: &str| {
            store
                .conn
                .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, i64>(0))
                .unwrap()
        };
        let qpsg = store
            .conn
            .db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
            .unwrap();
        (read("temp_store"), read("wal_autocheckpoint"), qpsg)
    }

    #[test]
    fn bulk_writes_put_sqlites_settings_back_whatever_the_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("bulk.db")).unwrap();
        let before = settings(&store);
        assert_eq!(before, (0, 1_000, false), "SQLite's defaults");
        let during = store.for_bulk_writes(|| Ok(settings(&store))).unwrap();
        assert_eq!(during, (2, 16_000, true));
        assert_eq!(settings(&store), before);
        let failed: Result<()> = store.for_bulk_writes(|| {
            Err(StoreError::Import {
                registration: "r".into(),
                detail: "broken".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(settings(&store), before, "put back after a failure too");
    }
}
