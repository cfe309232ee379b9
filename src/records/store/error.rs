//! What can go wrong with the session database, by kind, each said in one sentence for the person
//! who chose the file. Callers that must act on the kind (a file that is not ours, a full disk)
//! match on it; nothing decides on the words.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{} is not a dealsim database (it is not an SQLite file at all); choose another file with --db; this one was left untouched",
        path.display()
    )]
    NotSqlite { path: PathBuf },
    #[error(
        "{} is an SQLite database of another program, not a dealsim database; choose another file with --db; this one was left untouched",
        path.display()
    )]
    OtherProgram { path: PathBuf },
    #[error(
        "{} was written by a newer dealsim (schema version {version}; this one knows up to {known}); update dealsim to open it; the file was left untouched",
        path.display()
    )]
    Newer {
        path: PathBuf,
        version: i64,
        known: i64,
    },
    #[error(
        "{} is damaged ({detail}); it was left untouched: restore it from a backup, or choose another file with --db",
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    #[error("{} is a folder; --db needs a file path", path.display())]
    IsFolder { path: PathBuf },
    #[error(
        "{} is not a regular file (a device, a pipe or a socket); --db needs a file path",
        path.display()
    )]
    NotAFile { path: PathBuf },
    #[error("cannot create the folder {} for the database: {detail}", path.display())]
    Folder { path: PathBuf, detail: String },
    #[error(
        "cannot {what} in {}: another dealsim kept the database busy for too long; try again",
        path.display()
    )]
    Busy { path: PathBuf, what: String },
    #[error(
        "cannot {what} in {}: the disk is full; free some space and try again (nothing already stored was lost)",
        path.display()
    )]
    DiskFull { path: PathBuf, what: String },
    #[error("cannot {what} in {}: it cannot be opened for writing ({detail})", path.display())]
    ReadOnly {
        path: PathBuf,
        what: String,
        detail: String,
    },
    #[error("there is no session {id} in {}; `dealsim sessions` lists them", path.display())]
    NoSuchSession { path: PathBuf, id: i64 },
    #[error("the call has not ended; abandon it before recording its end")]
    NotEnded,
    #[error("the session {registration} from the LRS cannot be rebuilt: {detail}")]
    Import {
        registration: String,
        detail: String,
    },
    #[error("cannot {what} in {}: {detail}", path.display())]
    Other {
        path: PathBuf,
        what: String,
        detail: String,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The first line of a message, trimmed: SQLite's reports can run to many lines, and a person
/// needs the first.
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

/// Turns an SQLite failure while doing `what` to the file at `path` into the kind it is.
pub(super) fn failed(path: &Path, what: &str, error: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let path = path.to_path_buf();
    let what = what.to_string();
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path,
            detail: "SQLite reports it as malformed".into(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy { path, what }
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path, what },
        // SQLite says "disk I/O error" when it cannot grow its journal or shared-memory file;
        // most often that is a full disk, which is worth saying plainly.
        Some(ErrorCode::SystemIoFailure) if disk_is_full(&path) => {
            StoreError::DiskFull { path, what }
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            StoreError::ReadOnly {
                path,
                what,
                detail: first_line(&error.to_string()),
            }
        }
        _ => StoreError::Other {
            path,
            what,
            detail: first_line(&error.to_string()),
        },
    }
}

/// Whether the disk that holds `path` has no room for even a small file.
fn disk_is_full(path: &Path) -> bool {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = folder.join(format!(".dealsim-space-probe-{}", std::process::id()));
    let result = std::fs::write(&probe, [0u8; 8192]);
    let _ = std::fs::remove_file(&probe);
    matches!(result, Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
}

/// The integrity check's report, as one sentence's worth.
pub(super) fn damage(path: &Path, report: &str) -> StoreError {
    // SQLite's report starts with headings such as "*** in database main ***": the findings
    // are the other lines.
    let findings: Vec<&str> = report
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("***"))
        .collect();
    let first = findings
        .first()
        .map(|f| first_line(f).trim_end_matches('.').to_string())
        .unwrap_or_else(|| "SQLite reports damage".into());
    let detail = match findings.len() {
        0 | 1 => format!("SQLite's check found: {first}"),
        n => format!("SQLite's check found {n} problems, the first: {first}"),
    };
    StoreError::Damaged {
        path: path.to_path_buf(),
        detail,
    }
}
