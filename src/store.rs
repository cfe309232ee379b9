//! Session records in SQLite: every call, finished or abandoned, written turn by turn so that a
//! crash loses nothing that was played. The window and the command line share one database file
//! (WAL mode, a busy timeout), and the schema is versioned and migrated forward on open.
//!
//! A file that is not a dealsim database, is corrupt, or was written by a newer dealsim is refused
//! with a sentence that says so, and is never written to.

use crate::clock::{self, Millis};
use crate::format::{Move, Outcome};
use crate::score::{Dimension, Scores};
use crate::session::{EndReason, Entry, Session};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a dealsim database: "dsim".
const APPLICATION_ID: i32 = 0x6473_696d;

/// Each migration takes the schema from its position to the next version. Never edit one that has
/// shipped: add a new one, so that an older file is brought forward step by step.
const MIGRATIONS: &[&str] = &[
    // 1: reps, scenario revisions (with their text, for exact replay), sessions and their turns.
    "CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE scenario_revisions (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        revision TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        first_seen INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        registration TEXT NOT NULL UNIQUE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        revision_id INTEGER NOT NULL REFERENCES scenario_revisions(id),
        scenario_id TEXT NOT NULL,
        seed INTEGER NOT NULL,
        origin TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        last_activity INTEGER NOT NULL,
        ended_at INTEGER,
        status TEXT NOT NULL CHECK (status IN ('playing', 'finished', 'abandoned')),
        turns INTEGER NOT NULL DEFAULT 0,
        opening TEXT NOT NULL,
        outcome TEXT,
        end_reason TEXT,
        end_node TEXT,
        right_call INTEGER,
        qualification INTEGER,
        discovery INTEGER,
        rapport INTEGER,
        velocity INTEGER,
        overall INTEGER,
        passed INTEGER,
        minutes_used INTEGER,
        final_trust INTEGER,
        facts_uncovered TEXT
    );
    CREATE INDEX sessions_by_start ON sessions (started_at);
    CREATE INDEX sessions_by_rep ON sessions (rep_id, started_at);
    CREATE INDEX sessions_by_scenario ON sessions (scenario_id, started_at);
    CREATE TABLE turns (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        turn INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        choice INTEGER NOT NULL,
        move TEXT NOT NULL,
        say TEXT NOT NULL,
        think_ms INTEGER NOT NULL,
        trust_after INTEGER NOT NULL,
        minutes_left_after INTEGER NOT NULL,
        at INTEGER NOT NULL,
        reply TEXT NOT NULL,
        PRIMARY KEY (session_id, turn)
    ) WITHOUT ROWID;",
    // 2: the xAPI outbox. Statement ids are fixed when a session ends; the statements themselves
    // are built from the session when sent, the same way `export xapi` builds them.
    "CREATE TABLE xapi_outbox (
        statement_id TEXT PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'rejected')),
        reason TEXT,
        tries INTEGER NOT NULL DEFAULT 0,
        last_try INTEGER,
        sent_at INTEGER
    );
    CREATE INDEX xapi_outbox_by_state ON xapi_outbox (state, session_id, seq);",
    // 3: the team heatmap and reports read only finished sessions' scores: a covering index.
    // Every sortable column of the trainer's table gets an index ending in the start time, so
    // that the first page of any sort is read in order instead of sorting every session.
    "CREATE INDEX sessions_scores ON sessions (status, rep_id, started_at, qualification,
        discovery, rapport, velocity, overall);
    CREATE INDEX sessions_by_overall ON sessions (overall, started_at);
    CREATE INDEX sessions_by_qualification ON sessions (qualification, started_at);
    CREATE INDEX sessions_by_discovery ON sessions (discovery, started_at);
    CREATE INDEX sessions_by_rapport ON sessions (rapport, started_at);
    CREATE INDEX sessions_by_velocity ON sessions (velocity, started_at);
    CREATE INDEX sessions_by_outcome ON sessions (outcome, started_at);
    CREATE INDEX turns_choices ON turns (session_id, node_id, choice, move);",
    // 4: each rep's focus skills, set by a trainer, in the shared database so that every copy
    // of the app (the trainer's, the rep's) sees the same.
    "CREATE TABLE focus (
        rep_id INTEGER PRIMARY KEY REFERENCES reps(id),
        dimensions TEXT NOT NULL,
        set_at INTEGER NOT NULL
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where the database lives unless `--db` says otherwise.
pub fn default_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("dealsim")
        .join("sessions.db")
}

/// What went wrong with the database, in words for the person who chose the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

pub type Result<T> = std::result::Result<T, StoreError>;

fn failed(path: &Path, what: &str, error: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let described = match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            return StoreError(format!(
                "{} is not a dealsim database (it is not an SQLite file at all); choose another file with --db; this one was left untouched",
                path.display()
            ));
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            return StoreError(format!(
                "{} is damaged (SQLite reports it as malformed); it was left untouched: restore it from a backup, or choose another file with --db",
                path.display()
            ));
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another dealsim kept the database busy for too long; try again".to_string()
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            format!("it cannot be opened for writing ({error})")
        }
        Some(ErrorCode::DiskFull) => "the disk is full".to_string(),
        _ => error.to_string(),
    };
    StoreError(format!("cannot {what} in {}: {described}", path.display()))
}

/// An open session database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// What the recorder needs to know about a session being played.
#[derive(Debug, Clone)]
pub struct Recording {
    pub session_id: i64,
    pub registration: String,
    /// Transcript entries already written.
    entries_written: usize,
    turns_written: usize,
    ended: bool,
}

/// One row of the trainer's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub registration: String,
    pub rep: String,
    pub scenario_id: String,
    pub scenario_title: String,
    pub revision: String,
    pub seed: u64,
    pub origin: String,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    pub status: Status,
    pub turns: u32,
    pub outcome: Option<Outcome>,
    pub right_call: Option<bool>,
    pub scores: Option<Scores>,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being played now, or the app stopped mid-call (see `Status::Interrupted`).
    Playing,
    /// No turn for an hour and never finished: the window closed or crashed mid-call.
    Interrupted,
    Finished,
    Abandoned,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Finished,
        Status::Abandoned,
        Status::Interrupted,
        Status::Playing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Playing => "playing",
            Status::Interrupted => "interrupted",
            Status::Finished => "finished",
            Status::Abandoned => "abandoned",
        }
    }
}

/// A playing session with no turn for this long is shown as interrupted.
const INTERRUPTED_AFTER_MS: Millis = 3_600_000;

/// Which sessions to list, report or export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub rep: Option<String>,
    pub scenario: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub outcome: Option<Outcome>,
    pub status: Option<Status>,
}

/// How the trainer's table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Started,
    Rep,
    Scenario,
    Outcome,
    Overall,
    Dimension(Dimension),
}

/// One turn as it was played.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnRow {
    pub turn: u32,
    pub node_id: String,
    /// The choice's position in the node's list (0-based), as replays use it.
    pub choice: usize,
    pub move_kind: Move,
    pub say: String,
    pub think_ms: u64,
    pub trust_after: u8,
    pub minutes_left_after: i32,
    pub at: Millis,
    /// What followed the choice, up to the next choice: buyer lines, facts, chance.
    pub reply: Vec<Said>,
}

/// One stored transcript entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Said {
    Buyer(String),
    Fact(String),
    Chance(String),
}

/// Everything stored about one session: enough to replay it exactly and to export it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSession {
    pub row: SessionRow,
    pub opening: Vec<Said>,
    pub turns: Vec<TurnRow>,
    pub end_reason: Option<EndReason>,
    pub end_node: Option<String>,
    pub facts_uncovered: Vec<String>,
    pub minutes_used: Option<u32>,
    pub final_trust: Option<u8>,
    /// The scenario file's text at the revision played.
    #[serde(skip)]
    pub scenario_source: String,
}

impl StoredSession {
    /// The choices in order: with the seed and the revision, all a replay needs.
    pub fn choices(&self) -> Vec<usize> {
        self.turns.iter().map(|t| t.choice).collect()
    }

    /// Plays the session again from its stored revision's text, seed and choices (and leaves it
    /// again if it was abandoned). The message says why when that cannot be done.
    pub fn replay(&self) -> std::result::Result<Session, String> {
        let row = &self.row;
        let source = crate::SourceFile::from_text(
            format!("{} (revision {})", row.scenario_id, row.revision),
            self.scenario_source.clone(),
        );
        let scenario = crate::check_source(&source).scenario.ok_or_else(|| {
            format!(
                "its revision {} of {} no longer checks with this version of dealsim",
                row.revision, row.scenario_id
            )
        })?;
        let mut session = Session::replay(&scenario, row.seed, &self.choices())
            .map_err(|(turn, e)| format!("it cannot be replayed at turn {}: {e}", turn + 1))?;
        if row.status == Status::Abandoned {
            session.abandon();
        }
        Ok(session)
    }
}

/// One dimension of one rep, over the sessions a filter selects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionSummary {
    pub rep: String,
    /// `None` is the overall score.
    pub dimension: Option<Dimension>,
    pub count: u32,
    pub mean: f64,
    pub best: u8,
    pub latest: u8,
    /// Least-squares slope, in points per session; `None` under three sessions.
    pub trend: Option<f64>,
}

/// One finished session's scores, in time order, for a rep's trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendPoint {
    pub session_id: i64,
    pub started_at: Millis,
    pub scores: Scores,
}

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

/// A rep whose overall score rose: mean of the last 30 days against the 30 days before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    pub rep: String,
    pub before: f64,
    pub recent: f64,
    pub recent_sessions: u32,
}

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

fn enum_text<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => format!("{other:?}"),
    }
}

fn enum_from<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn said_of(entry: Entry<'_>) -> Option<Said> {
    match entry {
        Entry::Buyer { line, .. } => Some(Said::Buyer(line.to_string())),
        Entry::Revealed { fact } => Some(Said::Fact(fact.id.clone())),
        Entry::Chance { to, .. } => Some(Said::Chance(to.to_string())),
        Entry::Rep { .. } => None,
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// SQL text for sorting the trainer's table (from a closed set, never from user text).
fn order_by(key: SortKey, descending: bool) -> String {
    let column = match key {
        SortKey::Started => "s.started_at",
        SortKey::Rep => "r.name",
        SortKey::Scenario => "s.scenario_id",
        SortKey::Outcome => "s.outcome",
        SortKey::Overall => "s.overall",
        SortKey::Dimension(Dimension::Qualification) => "s.qualification",
        SortKey::Dimension(Dimension::Discovery) => "s.discovery",
        SortKey::Dimension(Dimension::Rapport) => "s.rapport",
        SortKey::Dimension(Dimension::Velocity) => "s.velocity",
    };
    let direction = if descending { "DESC" } else { "ASC" };
    if key == SortKey::Started {
        format!("s.started_at {direction}, s.id {direction}")
    } else {
        format!("{column} {direction}, s.started_at {direction}, s.id {direction}")
    }
}

/// The WHERE clause and its parameters for a filter.
fn where_clause(filter: &Filter, now: Millis) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(rep) = &filter.rep {
        clauses.push("r.name = ?");
        values.push(Value::Text(rep.clone()));
    }
    if let Some(scenario) = &filter.scenario {
        clauses.push("s.scenario_id = ?");
        values.push(Value::Text(scenario.clone()));
    }
    if let Some(since) = filter.since {
        clauses.push("s.started_at >= ?");
        values.push(Value::Integer(since));
    }
    if let Some(until) = filter.until {
        clauses.push("s.started_at < ?");
        values.push(Value::Integer(until));
    }
    if let Some(outcome) = filter.outcome {
        clauses.push("s.outcome = ?");
        values.push(Value::Text(enum_text(outcome)));
    }
    match filter.status {
        Some(Status::Finished) => clauses.push("s.status = 'finished'"),
        Some(Status::Abandoned) => clauses.push("s.status = 'abandoned'"),
        Some(Status::Playing) => {
            clauses.push("s.status = 'playing' AND s.last_activity >= ?");
            values.push(Value::Integer(now - INTERRUPTED_AFTER_MS));
        }
        Some(Status::Interrupted) => {
            clauses.push("s.status = 'playing' AND s.last_activity < ?");
            values.push(Value::Integer(now - INTERRUPTED_AFTER_MS));
        }
        None => {}
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

const ROW_COLUMNS: &str =
    "s.id, s.registration, r.name, s.scenario_id, v.title, v.revision, s.seed,
    s.origin, s.started_at, s.ended_at, s.status, s.turns, s.outcome, s.right_call,
    s.qualification, s.discovery, s.rapport, s.velocity, s.overall, s.passed, s.last_activity";

const ROW_FROM: &str = "FROM sessions s JOIN reps r ON r.id = s.rep_id
    JOIN scenario_revisions v ON v.id = s.revision_id";

fn read_row(row: &rusqlite::Row<'_>, now: Millis) -> rusqlite::Result<SessionRow> {
    let status: String = row.get(10)?;
    let last_activity: Millis = row.get(20)?;
    let status = match status.as_str() {
        "finished" => Status::Finished,
        "abandoned" => Status::Abandoned,
        _ if now - last_activity > INTERRUPTED_AFTER_MS => Status::Interrupted,
        _ => Status::Playing,
    };
    let overall: Option<i64> = row.get(18)?;
    let scores = match overall {
        Some(overall) => Some(Scores {
            qualification: row.get::<_, i64>(14)? as u8,
            discovery: row.get::<_, i64>(15)? as u8,
            rapport: row.get::<_, i64>(16)? as u8,
            velocity: row.get::<_, i64>(17)? as u8,
            overall: overall as u8,
            passed: row.get::<_, Option<bool>>(19)?,
        }),
        None => None,
    };
    Ok(SessionRow {
        id: row.get(0)?,
        registration: row.get(1)?,
        rep: row.get(2)?,
        scenario_id: row.get(3)?,
        scenario_title: row.get(4)?,
        revision: row.get(5)?,
        seed: row.get::<_, i64>(6)? as u64,
        origin: row.get(7)?,
        started_at: row.get(8)?,
        ended_at: row.get(9)?,
        status,
        turns: row.get::<_, i64>(11)? as u32,
        outcome: row
            .get::<_, Option<String>>(12)?
            .and_then(|o| enum_from(&o)),
        right_call: row.get(13)?,
        scores,
    })
}

/// Least-squares slope of the values against their position.
fn slope(values: &[f64]) -> Option<f64> {
    if values.len() < 3 {
        return None;
    }
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut numerator, mut denominator) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        numerator += dx * (y - mean_y);
        denominator += dx * dx;
    }
    Some(numerator / denominator)
}

impl Store {
    /// Opens (or creates) the database at `path`, bringing an older schema forward.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError(format!(
                    "cannot create the folder {} for the database: {e}",
                    parent.display()
                ))
            })?;
        }
        if path.is_dir() {
            return Err(StoreError(format!(
                "{} is a folder; --db needs a file path",
                path.display()
            )));
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
        };
        store.identify()?;
        store.use_wal()?;
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| failed(path, "set up the database", e))?;
        store
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| failed(path, "set up the database", e))?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Switches the file to WAL mode (a no-op once it is). Changing the journal mode does not
    /// wait for other connections the way a write does, so while another copy is opening the
    /// same new file it is retried for up to ten seconds.
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
    fn identify(&self) -> Result<()> {
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

    fn identify_in_snapshot(&self) -> Result<()> {
        let read = |pragma: &str| -> Result<i64> {
            self.conn
                .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
                .map_err(|e| failed(&self.path, "read the database", e))
        };
        let application_id = read("application_id")?;
        let version = read("user_version")?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| failed(&self.path, "read the database", e))?;
        if application_id == 0 && tables == 0 {
            return Ok(()); // a new file
        }
        if application_id != i64::from(APPLICATION_ID) {
            return Err(StoreError(format!(
                "{} is an SQLite database of another program, not a dealsim database; choose another file with --db; this one was left untouched",
                self.path.display()
            )));
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError(format!(
                "{} was written by a newer dealsim (schema version {version}; this one knows up to {SCHEMA_VERSION}); update dealsim to open it; the file was left untouched",
                self.path.display()
            )));
        }
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| failed(&self.path, "check the database", e))?;
        if check != "ok" {
            return Err(StoreError(format!(
                "{} is damaged ({check}); it was left untouched: restore it from a backup, or choose another file with --db",
                self.path.display()
            )));
        }
        Ok(())
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

    fn rep_id(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
        tx.execute("INSERT OR IGNORE INTO reps (name) VALUES (?)", [name])?;
        tx.query_row("SELECT id FROM reps WHERE name = ?", [name], |r| r.get(0))
    }

    fn revision_id(tx: &Connection, session: &Session, now: Millis) -> rusqlite::Result<i64> {
        let s = session.scenario();
        tx.execute(
            "INSERT OR IGNORE INTO scenario_revisions (scenario_id, revision, title, source, first_seen)
             VALUES (?, ?, ?, ?, ?)",
            params![s.id, s.revision, s.title, &*s.source_text, now],
        )?;
        tx.query_row(
            "SELECT id FROM scenario_revisions WHERE revision = ?",
            [&s.revision],
            |r| r.get(0),
        )
    }

    /// Records a call that has just started (the opening lines said), before the rep chooses.
    pub fn begin(&self, rep: &str, origin: &str, session: &Session) -> Result<Recording> {
        self.begin_at(rep, origin, session, clock::now_ms())
    }

    /// `begin` at a given time (imports and benchmarks).
    pub fn begin_at(
        &self,
        rep: &str,
        origin: &str,
        session: &Session,
        now: Millis,
    ) -> Result<Recording> {
        let registration = uuid::Uuid::new_v4().to_string();
        let opening: Vec<Said> = session.transcript().filter_map(said_of).collect();
        let entries_written = session.transcript().count();
        let session_id = self.write("record the new session", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            let revision_id = Self::revision_id(tx, session, now)?;
            tx.execute(
                "INSERT INTO sessions (registration, rep_id, revision_id, scenario_id, seed, origin,
                    started_at, last_activity, status, opening)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'playing', ?)",
                params![
                    registration,
                    rep_id,
                    revision_id,
                    session.scenario().id,
                    session.seed() as i64,
                    origin,
                    now,
                    now,
                    json(&opening)
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        let mut recording = Recording {
            session_id,
            registration,
            entries_written,
            turns_written: 0,
            ended: false,
        };
        if session.is_over() {
            self.end_at(&mut recording, session, now)?;
        }
        Ok(recording)
    }

    /// Records the turns played since the last call (normally one), and the ending if the call
    /// is now over. `think_ms` is how long the rep took over the latest choice.
    pub fn record_turn(
        &self,
        recording: &mut Recording,
        session: &Session,
        think_ms: u64,
    ) -> Result<()> {
        self.record_turn_at(recording, session, think_ms, clock::now_ms())
    }

    pub fn record_turn_at(
        &self,
        recording: &mut Recording,
        session: &Session,
        think_ms: u64,
        now: Millis,
    ) -> Result<()> {
        if recording.ended {
            return Ok(());
        }
        let entries: Vec<Entry> = session
            .transcript()
            .skip(recording.entries_written)
            .collect();
        let mut turns: Vec<(Entry, Vec<Said>)> = Vec::new();
        for entry in entries.iter().copied() {
            match entry {
                Entry::Rep { .. } => turns.push((entry, Vec::new())),
                other => {
                    if let (Some(said), Some((_, reply))) = (said_of(other), turns.last_mut()) {
                        reply.push(said);
                    }
                }
            }
        }
        let ending = session.ending();
        self.write("record the turn", |tx| {
            let mut turn_no = recording.turns_written;
            for (entry, reply) in &turns {
                if let Entry::Rep {
                    node_id,
                    index,
                    say,
                    move_kind,
                    trust_after,
                    minutes_left_after,
                    ..
                } = entry
                {
                    tx.execute(
                        "INSERT INTO turns (session_id, turn, node_id, choice, move, say, think_ms,
                            trust_after, minutes_left_after, at, reply)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        params![
                            recording.session_id,
                            turn_no as i64,
                            node_id,
                            *index as i64,
                            enum_text(*move_kind),
                            say,
                            think_ms as i64,
                            i64::from(*trust_after),
                            i64::from(*minutes_left_after),
                            now,
                            json(reply)
                        ],
                    )?;
                    turn_no += 1;
                }
            }
            tx.execute(
                "UPDATE sessions SET turns = ?, last_activity = ? WHERE id = ?",
                params![turn_no as i64, now, recording.session_id],
            )?;
            if ending.is_some() {
                Self::write_end(tx, recording, session, now)?;
            }
            Ok(())
        })?;
        recording.entries_written += entries.len();
        recording.turns_written += turns.len();
        if ending.is_some() {
            recording.ended = true;
        }
        Ok(())
    }

    /// Records the end of a call: finished, or abandoned when the rep left (call
    /// `Session::abandon` first). Turns not yet written are written too.
    pub fn end(&self, recording: &mut Recording, session: &Session) -> Result<()> {
        self.end_at(recording, session, clock::now_ms())
    }

    pub fn end_at(&self, recording: &mut Recording, session: &Session, now: Millis) -> Result<()> {
        if recording.ended {
            return Ok(());
        }
        if session.ending().is_none() {
            return Err(StoreError(
                "the call has not ended; abandon it before recording its end".into(),
            ));
        }
        self.record_turn_at(recording, session, 0, now)
    }

    fn write_end(
        tx: &Connection,
        recording: &Recording,
        session: &Session,
        now: Millis,
    ) -> rusqlite::Result<()> {
        let Some(ending) = session.ending() else {
            return Ok(());
        };
        let abandoned = ending.reason == EndReason::Abandoned;
        let scores = if abandoned { None } else { session.scores() };
        let facts: Vec<&str> = session.known_facts().map(|f| f.id.as_str()).collect();
        let winnable = session.scenario().winnable;
        tx.execute(
            "UPDATE sessions SET ended_at = ?, last_activity = ?, status = ?, outcome = ?,
                end_reason = ?, end_node = ?, right_call = ?, qualification = ?, discovery = ?,
                rapport = ?, velocity = ?, overall = ?, passed = ?, minutes_used = ?,
                final_trust = ?, facts_uncovered = ?
             WHERE id = ?",
            params![
                now,
                now,
                if abandoned { "abandoned" } else { "finished" },
                (!abandoned).then(|| enum_text(ending.outcome)),
                enum_text(ending.reason),
                session.node_id(),
                (!abandoned).then(|| ending.outcome.is_right_call(winnable)),
                scores.map(|s| s.qualification),
                scores.map(|s| s.discovery),
                scores.map(|s| s.rapport),
                scores.map(|s| s.velocity),
                scores.map(|s| s.overall),
                scores.and_then(|s| s.passed),
                i64::from(session.minutes_used()),
                i64::from(session.trust()),
                json(&facts),
                recording.session_id,
            ],
        )?;
        // Statement ids are fixed now: derived from the registration, so they are the same
        // whoever builds them (the outbox, `export xapi`).
        let statements = crate::xapi::statement_ids(
            &recording.registration,
            session.choices_made(),
            !abandoned,
            session.scenario().pass_mark.is_some() && !abandoned,
        );
        for (seq, id) in statements.iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO xapi_outbox (statement_id, session_id, seq) VALUES (?, ?, ?)",
                params![id, recording.session_id, seq as i64],
            )?;
        }
        Ok(())
    }

    /// Sessions for the trainer's table, newest first unless sorted otherwise.
    pub fn sessions(
        &self,
        filter: &Filter,
        sort: SortKey,
        descending: bool,
        limit: Option<u32>,
    ) -> Result<Vec<SessionRow>> {
        let now = clock::now_ms();
        let (clause, values) = where_clause(filter, now);
        let sql = format!(
            "SELECT {ROW_COLUMNS} {ROW_FROM} {clause} ORDER BY {} LIMIT {}",
            order_by(sort, descending),
            limit.map_or(-1, i64::from)
        );
        let run = || -> rusqlite::Result<Vec<SessionRow>> {
            let mut statement = self.conn.prepare_cached(&sql)?;

            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    read_row(r, now)
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "list the sessions", e))
    }

    /// How many sessions a filter selects.
    pub fn count(&self, filter: &Filter) -> Result<u64> {
        let (clause, values) = where_clause(filter, clock::now_ms());
        // Only the rep's name needs a join; without it the count reads an index alone.
        let from = if filter.rep.is_some() {
            "FROM sessions s JOIN reps r ON r.id = s.rep_id"
        } else {
            "FROM sessions s"
        };
        let sql = format!("SELECT count(*) {from} {clause}");
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(values.iter()), |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| failed(&self.path, "count the sessions", e))
    }

    /// One session, all of it.
    pub fn session(&self, id: i64) -> Result<StoredSession> {
        let now = clock::now_ms();
        let read = || -> rusqlite::Result<Option<StoredSession>> {
            let sql = format!(
                "SELECT {ROW_COLUMNS}, s.opening, s.end_reason, s.end_node, s.facts_uncovered,
                    s.minutes_used, s.final_trust, v.source {ROW_FROM} WHERE s.id = ?"
            );
            let Some(mut stored) = self
                .conn
                .query_row(&sql, [id], |r| {
                    let opening: String = r.get(21)?;
                    let facts: Option<String> = r.get(24)?;
                    Ok(StoredSession {
                        row: read_row(r, now)?,
                        opening: serde_json::from_str(&opening).unwrap_or_default(),
                        turns: Vec::new(),
                        end_reason: r.get::<_, Option<String>>(22)?.and_then(|t| enum_from(&t)),
                        end_node: r.get(23)?,
                        facts_uncovered: facts
                            .and_then(|f| serde_json::from_str(&f).ok())
                            .unwrap_or_default(),
                        minutes_used: r.get::<_, Option<i64>>(25)?.map(|m| m as u32),
                        final_trust: r.get::<_, Option<i64>>(26)?.map(|t| t as u8),
                        scenario_source: r.get(27)?,
                    })
                })
                .optional()?
            else {
                return Ok(None);
            };
            let mut statement = self.conn.prepare_cached(
                "SELECT turn, node_id, choice, move, say, think_ms, trust_after, minutes_left_after,
                    at, reply FROM turns WHERE session_id = ? ORDER BY turn",
            )?;
            stored.turns = statement
                .query_map([id], |r| {
                    let reply: String = r.get(9)?;
                    Ok(TurnRow {
                        turn: r.get::<_, i64>(0)? as u32,
                        node_id: r.get(1)?,
                        choice: r.get::<_, i64>(2)? as usize,
                        move_kind: enum_from(&r.get::<_, String>(3)?).unwrap_or(Move::Situation),
                        say: r.get(4)?,
                        think_ms: r.get::<_, i64>(5)? as u64,
                        trust_after: r.get::<_, i64>(6)? as u8,
                        minutes_left_after: r.get::<_, i64>(7)? as i32,
                        at: r.get(8)?,
                        reply: serde_json::from_str(&reply).unwrap_or_default(),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(stored))
        };
        read()
            .map_err(|e| failed(&self.path, "read the session", e))?
            .ok_or_else(|| {
                StoreError(format!(
                    "there is no session {id} in {}; `dealsim sessions` lists them",
                    self.path.display()
                ))
            })
    }

    /// The rep names, alphabetically.
    pub fn reps(&self) -> Result<Vec<String>> {
        let run = || -> rusqlite::Result<Vec<String>> {
            let mut statement = self
                .conn
                .prepare_cached("SELECT name FROM reps ORDER BY name")?;

            statement.query_map([], |r| r.get(0))?.collect()
        };
        run().map_err(|e| failed(&self.path, "list the reps", e))
    }

    /// The scenario ids that have sessions, with their latest title.
    pub fn scenarios(&self) -> Result<Vec<(String, String)>> {
        let run = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT scenario_id, title FROM scenario_revisions
                 WHERE id IN (SELECT max(id) FROM scenario_revisions GROUP BY scenario_id)
                 ORDER BY title",
            )?;

            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "list the scenarios", e))
    }

    /// A rep's finished sessions in time order (the trend chart).
    pub fn trend(&self, rep: &str, scenario: Option<&str>) -> Result<Vec<TrendPoint>> {
        let run = || -> rusqlite::Result<Vec<TrendPoint>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT s.id, s.started_at, s.qualification, s.discovery, s.rapport, s.velocity,
                    s.overall, s.passed
                 FROM sessions s
                 WHERE s.status = 'finished' AND s.rep_id = (SELECT id FROM reps WHERE name = ?1)
                    AND (?2 IS NULL OR s.scenario_id = ?2)
                 ORDER BY s.started_at, s.id",
            )?;

            statement
                .query_map(params![rep, scenario], |r| {
                    Ok(TrendPoint {
                        session_id: r.get(0)?,
                        started_at: r.get(1)?,
                        scores: Scores {
                            qualification: r.get::<_, i64>(2)? as u8,
                            discovery: r.get::<_, i64>(3)? as u8,
                            rapport: r.get::<_, i64>(4)? as u8,
                            velocity: r.get::<_, i64>(5)? as u8,
                            overall: r.get::<_, i64>(6)? as u8,
                            passed: r.get(7)?,
                        },
                    })
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read the rep's trend", e))
    }

    /// Per rep and dimension (and overall): count, mean, best, latest and trend over the
    /// finished sessions the filter selects.
    pub fn report(&self, filter: &Filter) -> Result<Vec<DimensionSummary>> {
        let mut filter = filter.clone();
        filter.status = Some(Status::Finished);
        let now = clock::now_ms();
        let (clause, values) = where_clause(&filter, now);
        let sql = format!(
            "SELECT r.name, s.qualification, s.discovery, s.rapport, s.velocity, s.overall
             FROM sessions s JOIN reps r ON r.id = s.rep_id {clause}
             ORDER BY r.name, s.started_at, s.id"
        );
        let run = || -> rusqlite::Result<Vec<(String, [u8; 5])>> {
            let mut statement = self.conn.prepare_cached(&sql)?;

            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    let mut scores = [0u8; 5];
                    for (i, score) in scores.iter_mut().enumerate() {
                        *score = r.get::<_, i64>(i + 1)? as u8;
                    }
                    Ok((r.get(0)?, scores))
                })?
                .collect()
        };
        let rows = run().map_err(|e| failed(&self.path, "build the report", e))?;
        let dimensions = [
            Some(Dimension::Qualification),
            Some(Dimension::Discovery),
            Some(Dimension::Rapport),
            Some(Dimension::Velocity),
            None,
        ];
        let mut out = Vec::new();
        for group in rows.chunk_by(|a, b| a.0 == b.0) {
            for (column, dimension) in dimensions.iter().enumerate() {
                let values: Vec<f64> = group.iter().map(|(_, s)| f64::from(s[column])).collect();
                out.push(DimensionSummary {
                    rep: group[0].0.clone(),
                    dimension: *dimension,
                    count: values.len() as u32,
                    mean: values.iter().sum::<f64>() / values.len() as f64,
                    best: group.iter().map(|(_, s)| s[column]).max().unwrap_or(0),
                    latest: group.last().map_or(0, |(_, s)| s[column]),
                    trend: slope(&values),
                });
            }
        }
        Ok(out)
    }

    /// The team heatmap: each rep's mean per dimension over finished sessions since `since`.
    pub fn heatmap(&self, since: Option<Millis>) -> Result<Vec<HeatmapRow>> {
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
                .query_map([since.unwrap_or(Millis::MIN)], |r| {
                    Ok(HeatmapRow {
                        rep: r.get(0)?,
                        sessions: r.get::<_, i64>(1)? as u32,
                        qualification: r.get(2)?,
                        discovery: r.get(3)?,
                        rapport: r.get(4)?,
                        velocity: r.get(5)?,
                        overall: r.get(6)?,
                    })
                })?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "build the team heatmap", e))
    }

    /// Reps whose mean overall score rose most: the 30 days before `now` against the 30 before
    /// that. Reps without sessions in both windows are left out.
    pub fn most_improved(&self, now: Millis, limit: usize) -> Result<Vec<Improvement>> {
        let window = 30 * clock::DAY_MS;
        let run = || -> rusqlite::Result<Vec<Improvement>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT r.name, h.before, h.recent, h.recent_n FROM (
                    SELECT rep_id,
                        avg(CASE WHEN started_at < ?1 THEN overall END) AS before,
                        avg(CASE WHEN started_at >= ?1 THEN overall END) AS recent,
                        count(CASE WHEN started_at >= ?1 THEN 1 END) AS recent_n
                    FROM sessions INDEXED BY sessions_scores
                    WHERE status = 'finished' AND started_at >= ?2 AND started_at < ?3
                    GROUP BY rep_id) h
                 JOIN reps r ON r.id = h.rep_id
                 WHERE h.before IS NOT NULL AND h.recent IS NOT NULL
                 ORDER BY h.recent - h.before DESC, r.name",
            )?;

            statement
                .query_map(params![now - window, now - 2 * window, now], |r| {
                    Ok(Improvement {
                        rep: r.get(0)?,
                        before: r.get(1)?,
                        recent: r.get(2)?,
                        recent_sessions: r.get::<_, i64>(3)? as u32,
                    })
                })?
                .collect()
        };
        let mut rows = run().map_err(|e| failed(&self.path, "find the most improved reps", e))?;
        rows.truncate(limit);
        Ok(rows)
    }

    /// Where reps go wrong on one scenario: choices per node, where wrong calls ended, and the
    /// facts most often missed (against the fact ids of `facts`, the current revision's).
    pub fn scenario_analysis(
        &self,
        scenario_id: &str,
        facts: &[String],
    ) -> Result<ScenarioAnalysis> {
        let run = || -> rusqlite::Result<ScenarioAnalysis> {
            let mut analysis = ScenarioAnalysis::default();
            let (sessions, finished, right): (i64, i64, i64) = self.conn.query_row(
                "SELECT count(*), count(CASE WHEN status = 'finished' THEN 1 END),
                    count(CASE WHEN right_call THEN 1 END)
                 FROM sessions WHERE scenario_id = ?",
                [scenario_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            analysis.sessions = sessions as u32;
            analysis.finished = finished as u32;
            analysis.right_calls = right as u32;
            // Counted on a narrow index (no text read); the words of each choice are then read
            // once per choice, from its latest session.
            let mut statement = self.conn.prepare_cached(
                "SELECT t.node_id, t.choice, t.move, count(*), max(t.session_id)
                 FROM sessions s JOIN turns t INDEXED BY turns_choices ON t.session_id = s.id
                 WHERE s.scenario_id = ? GROUP BY t.node_id, t.choice, t.move",
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
            let mut statement = self.conn.prepare_cached(
                "SELECT t.node_id, count(*) FROM sessions s
                 JOIN turns t ON t.session_id = s.id AND t.turn = s.turns - 1
                 WHERE s.scenario_id = ? AND s.status = 'finished' AND NOT s.right_call
                 GROUP BY t.node_id ORDER BY count(*) DESC, t.node_id",
            )?;
            analysis.lost_at = statement
                .query_map([scenario_id], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u32))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut statement = self.conn.prepare_cached(
                "SELECT j.value, count(*) FROM sessions s, json_each(s.facts_uncovered) j
                 WHERE s.scenario_id = ? AND s.status = 'finished' GROUP BY j.value",
            )?;
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

    /// Sets a rep's focus skills (one or two dimensions; none clears them).
    pub fn set_focus(&self, rep: &str, focus: &[Dimension], now: Millis) -> Result<()> {
        self.write("save the focus skills", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            tx.execute(
                "INSERT INTO focus (rep_id, dimensions, set_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (rep_id) DO UPDATE SET dimensions = ?2, set_at = ?3",
                params![rep_id, json(&focus), now],
            )?;
            Ok(())
        })
    }

    /// A rep's focus skills and when they were set; `None` when a trainer never set any.
    pub fn focus(&self, rep: &str) -> Result<Option<(Vec<Dimension>, Millis)>> {
        self.conn
            .query_row(
                "SELECT f.dimensions, f.set_at FROM focus f JOIN reps r ON r.id = f.rep_id
                 WHERE r.name = ?",
                [rep],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Millis>(1)?)),
            )
            .optional()
            .map(|found| {
                found.map(|(text, at)| (serde_json::from_str(&text).unwrap_or_default(), at))
            })
            .map_err(|e| failed(&self.path, "read the focus skills", e))
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

    /// Runs a closure in one transaction (bulk imports and the benchmark's fixture).
    pub fn in_transaction<T>(&self, work: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slope_needs_three_points_and_follows_the_line() {
        assert_eq!(slope(&[1.0, 2.0]), None);
        assert_eq!(slope(&[10.0, 20.0, 30.0]), Some(10.0));
        assert_eq!(slope(&[50.0, 50.0, 50.0, 50.0]), Some(0.0));
    }

    #[test]
    fn every_sort_key_names_a_real_column() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        for key in [
            SortKey::Started,
            SortKey::Rep,
            SortKey::Scenario,
            SortKey::Outcome,
            SortKey::Overall,
            SortKey::Dimension(Dimension::Velocity),
        ] {
            store
                .sessions(&Filter::default(), key, true, Some(5))
                .unwrap();
        }
    }
}
