//! `dealsim sessions`, `report`, `replay`, `export xapi` and `sync`: the trainer's commands over
//! the session database.

use super::tell;
use super::{Failure, say};
use dealsim::engine::debrief::Debrief;
use dealsim::engine::score::Dimension;
use dealsim::records::clock;
use dealsim::records::config::Config;
use dealsim::records::store::{Filter, Said, SessionRow, SortKey, Store, StoredSession};
use dealsim::records::xapi::Lrs;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the sessions are: `--db`, `--config`, shared by every command that touches them.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct DbArgs {
    /// The session database (default: sessions.db in the platform's data folder, or the
    /// settings file's `db`).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The settings file (default: config.ron in the platform's data folder).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

impl DbArgs {
    pub fn config(&self) -> Result<Config, Failure> {
        match &self.config {
            Some(path) => Config::load_named(path),
            None => Config::load(&dealsim::records::config::default_path()),
        }
        .map_err(|e| Failure(e.to_string()))
    }

    pub fn open(&self) -> Result<(Store, Config), Failure> {
        let config = self.config()?;
        let store =
            Store::open(&config.db_path(self.db.as_deref())).map_err(|e| Failure(e.to_string()))?;
        Ok((store, config))
    }

    /// For the commands that only read: a database the user may not write is opened read-only.
    pub fn open_for_reading(&self) -> Result<(Store, Config), Failure> {
        let config = self.config()?;
        let store = Store::open_for_reading(&config.db_path(self.db.as_deref()))
            .map_err(|e| Failure(e.to_string()))?;
        Ok((store, config))
    }
}

/// Which sessions: the filters of `sessions`, `report` and `export`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct FilterArgs {
    /// Only this rep's sessions.
    #[arg(long)]
    rep: Option<String>,
    /// Only the sessions of this team's members (`dealsim reps team`).
    #[arg(long)]
    team: Option<String>,
    /// Only this scenario's sessions (its id).
    #[arg(long)]
    scenario: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_date)]
    since: Option<i64>,
    /// Only sessions started before this date (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_date)]
    until: Option<i64>,
}

pub(crate) fn parse_date(text: &str) -> Result<i64, String> {
    clock::parse(text)
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            rep: self.rep.clone(),
            team: self.team.clone(),
            scenario: self.scenario.clone(),
            since: self.since,
            until: self.until,
            ..Filter::default()
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableFormat {
    Table,
    Csv,
    Json,
}

pub(crate) fn json_out<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    say(&format!("{text}\n"));
    Ok(())
}

/// A CSV field. A text a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return: a rep named `=HYPERLINK(..)`) gets a leading `'`, as OWASP
/// advises, so it shows as text; numbers are written as they are.
pub(crate) fn csv_field(text: &str) -> String {
    let formula =
        text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Text for a terminal: control characters (an escape sequence in a rep's name could move the
/// cursor or recolour the terminal) are shown as `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Lays out rows as aligned columns, the first row being the header.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| format!("{:<width$}", printable(cell), width = widths[c]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn score_cells(row: &SessionRow) -> [String; 5] {
    match row.scores {
        Some(s) => [
            s.overall.to_string(),
            s.qualification.to_string(),
            s.discovery.to_string(),
            s.rapport.to_string(),
            s.velocity.to_string(),
        ],
        None => std::array::from_fn(|_| "-".to_string()),
    }
}

fn result_cell(row: &SessionRow) -> String {
    match (row.outcome, row.right_call) {
        (Some(outcome), Some(right)) => {
            format!(
                "{}{}",
                outcome.label(),
                if right { " (right)" } else { " (wrong)" }
            )
        }
        _ => row.status.label().to_string(),
    }
}

/// "pass", "fail", or "-" when the scenario has no pass mark or the call was not scored.
fn pass_cell(row: &SessionRow) -> String {
    match row.scores.and_then(|s| s.passed) {
        Some(true) => "pass".into(),
        Some(false) => "fail".into(),
        None => "-".into(),
    }
}

pub(crate) fn sessions(
    db: &DbArgs,
    filters: &FilterArgs,
    limit: Option<u32>,
    format: TableFormat,
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let rows = store
        .sessions(&filters.filter(), SortKey::Started, true, limit)
        .map_err(|e| Failure(e.to_string()))?;
    match format {
        TableFormat::Json => {
            // Times as ISO 8601, as the CSV has them (the database keeps milliseconds).
            let mut value = serde_json::to_value(&rows).map_err(|e| Failure(e.to_string()))?;
            for row in value.as_array_mut().into_iter().flatten() {
                for key in ["started_at", "ended_at"] {
                    if let Some(ms) = row[key].as_i64() {
                        row[key] = serde_json::Value::String(clock::iso8601(ms));
                    }
                }
                let passed = row["scores"]["passed"].clone();
                row["passed"] = passed;
            }
            json_out(&value)?
        }
        TableFormat::Csv => {
            // A byte-order mark first: without it Excel reads UTF-8 as its local code page and
            // garbles accented names.
            let mut out = String::from(
                "\u{feff}id,started_at,ended_at,rep,scenario,revision,seed,status,outcome,right_call,overall,qualification,discovery,rapport,velocity,passed,turns,campaign\n",
            );
            for row in &rows {
                let scores = score_cells(row);
                let fields = [
                    row.id.to_string(),
                    clock::iso8601(row.started_at),
                    row.ended_at.map(clock::iso8601).unwrap_or_default(),
                    row.rep.clone(),
                    row.scenario_id.clone(),
                    row.revision.clone(),
                    row.seed.to_string(),
                    row.status.label().to_string(),
                    row.outcome
                        .map(|o| o.label().to_string())
                        .unwrap_or_default(),
                    row.right_call.map(|r| r.to_string()).unwrap_or_default(),
                    scores[0].replace('-', ""),
                    scores[1].replace('-', ""),
                    scores[2].replace('-', ""),
                    scores[3].replace('-', ""),
                    scores[4].replace('-', ""),
                    row.scores
                        .and_then(|s| s.passed)
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    row.turns.to_string(),
                    row.campaign.clone().unwrap_or_default(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
            say(&out);
        }
        TableFormat::Table => {
            if rows.is_empty() {
                say(&format!(
                    "No sessions match in {}.\n",
                    store.path().display()
                ));
                return Ok(ExitCode::SUCCESS);
            }
            let mut cells = vec![
                [
                    "ID",
                    "STARTED (UTC)",
                    "REP",
                    "SCENARIO",
                    "RESULT",
                    "PASS",
                    "OVERALL",
                    "QUAL",
                    "DISC",
                    "RAPP",
                    "VEL",
                    "TURNS",
                ]
                .map(String::from)
                .to_vec(),
            ];
            for row in &rows {
                let mut line = vec![
                    row.id.to_string(),
                    clock::short(row.started_at),
                    row.rep.clone(),
                    // A campaign's call says which call of which campaign it was.
                    match &row.campaign {
                        Some(place) => format!("{} ({place})", row.scenario_id),
                        None => row.scenario_id.clone(),
                    },
                    result_cell(row),
                    pass_cell(row),
                ];
                line.extend(score_cells(row));
                line.push(row.turns.to_string());
                cells.push(line);
            }
            say(&table(&cells));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn report(
    db: &DbArgs,
    filters: &FilterArgs,
    format: TableFormat,
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let rows = store
        .report(&filters.filter())
        .map_err(|e| Failure(e.to_string()))?;
    let calls = calls_per_rep(&store, &filters.filter())?;
    let name = |d: Option<Dimension>| d.map_or("Overall", Dimension::label);
    let trend = |t: Option<f64>| t.map_or("-".to_string(), |t| format!("{t:+.1}/session"));
    match format {
        TableFormat::Json => json_out(&serde_json::json!({ "dimensions": rows, "calls": calls }))?,
        TableFormat::Csv => {
            let mut out = String::from(
                "\u{feff}rep,dimension,count,mean,best,latest,trend,skill_measure,skill_trend\n",
            );
            let decimals = |t: Option<f64>, places: usize| {
                t.map(|t| format!("{t:.places$}")).unwrap_or_default()
            };
            for r in &rows {
                out.push_str(&format!(
                    "{},{},{},{:.1},{},{},{},{},{}\n",
                    csv_field(&r.rep),
                    name(r.dimension),
                    r.count,
                    r.mean,
                    r.best,
                    r.latest,
                    decimals(r.trend, 2),
                    decimals(r.measure_mean, 1),
                    decimals(r.measure_trend, 2),
                ));
            }
            say(&out);
        }
        TableFormat::Table => {
            if rows.is_empty() {
                say("No finished sessions match.\n");
                return Ok(ExitCode::SUCCESS);
            }
            let mut cells = vec![
                [
                    "REP",
                    "DIMENSION",
                    "SESSIONS",
                    "MEAN",
                    "BEST",
                    "LATEST",
                    "TREND",
                    "SKILL",
                    "SKILL TREND",
                ]
                .map(String::from)
                .to_vec(),
            ];
            for r in &rows {
                cells.push(vec![
                    r.rep.clone(),
                    name(r.dimension).to_string(),
                    r.count.to_string(),
                    format!("{:.1}", r.mean),
                    r.best.to_string(),
                    r.latest.to_string(),
                    trend(r.trend),
                    r.measure_mean
                        .map_or("-".to_string(), |m| format!("{m:.0}")),
                    trend(r.measure_trend),
                ]);
            }
            let mut text = table(&cells);
            text.push_str(&format!(
                "\nTrend: points per session (least squares), shown from three sessions.\nSkill: {} \"-\" is a dimension none of these calls tests.\n\n",
                dealsim::engine::norms::EXPLANATION
            ));
            let mut call_cells = vec![
                ["REP", "FINISHED", "ABANDONED", "RIGHT CALL", "PASSED"]
                    .map(String::from)
                    .to_vec(),
            ];
            for c in &calls {
                call_cells.push(vec![
                    c.rep.clone(),
                    c.finished.to_string(),
                    c.abandoned.to_string(),
                    if c.finished == 0 {
                        "-".into()
                    } else {
                        format!(
                            "{} of {} ({:.0}%)",
                            c.right_calls,
                            c.finished,
                            100.0 * c.right_calls as f64 / c.finished as f64
                        )
                    },
                    if c.judged == 0 {
                        "-".into()
                    } else {
                        format!("{} of {}", c.passed, c.judged)
                    },
                ]);
            }
            text.push_str(&table(&call_cells));
            say(&text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A rep's calls: how many finished and were left, the right calls, and passes where the
/// scenario has a pass mark.
#[derive(Debug, Default, serde::Serialize)]
struct Calls {
    rep: String,
    finished: u32,
    abandoned: u32,
    right_calls: u32,
    /// Finished calls on scenarios with a pass mark, and how many of them passed.
    judged: u32,
    passed: u32,
}

fn calls_per_rep(store: &Store, filter: &Filter) -> Result<Vec<Calls>, Failure> {
    let rows = store
        .sessions(filter, SortKey::Rep, false, None)
        .map_err(|e| Failure(e.to_string()))?;
    let mut by_rep: std::collections::BTreeMap<String, Calls> = std::collections::BTreeMap::new();
    for row in rows {
        let calls = by_rep.entry(row.rep.clone()).or_insert_with(|| Calls {
            rep: row.rep.clone(),
            ..Calls::default()
        });
        match row.status {
            dealsim::records::store::Status::Finished => {
                calls.finished += 1;
                calls.right_calls += u32::from(row.right_call == Some(true));
                if let Some(passed) = row.scores.and_then(|s| s.passed) {
                    calls.judged += 1;
                    calls.passed += u32::from(passed);
                }
            }
            dealsim::records::store::Status::Abandoned
            | dealsim::records::store::Status::Interrupted => calls.abandoned += 1,
            dealsim::records::store::Status::Playing => {}
        }
    }
    Ok(by_rep.into_values().collect())
}

pub(crate) fn replay(db: &DbArgs, id: i64, json: bool) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let stored = store.session(id).map_err(|e| Failure(e.to_string()))?;
    let session = stored
        .replay()
        .map_err(|e| Failure(format!("session {id}: {e}")))?;
    let row = &stored.row;
    if json {
        let debrief = session.is_over().then(|| Debrief::of(&session));
        return json_out(&serde_json::json!({ "session": stored, "debrief": debrief }))
            .map(|()| ExitCode::SUCCESS);
    }
    let mut out = format!(
        "Session {} · {} · {}\nStarted {} UTC · seed {} · revision {} · {}\n\n",
        row.id,
        printable(&row.rep),
        printable(&row.scenario_title),
        clock::short(row.started_at),
        row.seed,
        row.revision,
        row.status.label()
    );
    // A campaign's call: its place in the run, and what the run carried into it.
    if let Some(call) = &stored.campaign {
        out.push_str(&format!(
            "Call {} of {} of the campaign {} ({}), run {}{}\nStarted from trust {}{}\n\n",
            call.call + 1,
            call.calls,
            printable(&call.campaign_title),
            call.campaign,
            call.run,
            call.between
                .as_ref()
                .map(|b| format!("; between the calls: {}", printable(b)))
                .unwrap_or_default(),
            call.trust,
            if call.knows.is_empty() {
                String::new()
            } else {
                format!(", knowing {}", call.knows.join(", "))
            }
        ));
    }
    for line in transcript_lines(&stored) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    if session.is_over() {
        if let Some(note) = stored.scoring_note(session.scores()) {
            out.push_str(&format!("Note: {note}\n"));
        }
        out.push_str(&Debrief::of(&session).render_text());
    } else {
        out.push_str(&format!(
            "The call was not finished ({}): {} turn(s) were played.\n",
            row.status.label(),
            stored.turns.len()
        ));
    }
    say(&out);
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn export_xapi(db: &DbArgs, filters: &FilterArgs) -> Result<ExitCode, Failure> {
    let (store, config) = db.open_for_reading()?;
    let rows = store
        .sessions(&filters.filter(), SortKey::Started, false, None)
        .map_err(|e| Failure(e.to_string()))?;
    let mut statements = Vec::new();
    for row in rows {
        let stored = store.session(row.id).map_err(|e| Failure(e.to_string()))?;
        statements.extend(dealsim::records::xapi::statements(&stored, &config.xapi));
    }
    json_out(&statements)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) struct SyncArgs {
    pub lrs: Option<String>,
    pub user: Option<String>,
    pub password_env: Option<String>,
    pub batch: u32,
    pub retry_rejected: bool,
}

pub(crate) fn sync(db: &DbArgs, args: &SyncArgs) -> Result<ExitCode, Failure> {
    let (store, config) = db.open()?;
    let lrs = lrs_of(
        db,
        &config,
        args.lrs.clone(),
        args.user.clone(),
        args.password_env.clone(),
    )?;
    sync_with(&store, &config, &lrs, args)
}

/// The LRS to use: the command line's settings win over the settings file's, field by field.
fn lrs_of(
    db: &DbArgs,
    config: &dealsim::records::config::Config,
    lrs: Option<String>,
    user: Option<String>,
    password_env: Option<String>,
) -> Result<Lrs, Failure> {
    let args = SyncArgs {
        lrs,
        user,
        password_env,
        batch: 0,
        retry_rejected: false,
    };
    let from_file = config.lrs.clone();
    let Some(endpoint) = args
        .lrs
        .clone()
        .or_else(|| from_file.as_ref().map(|l| l.endpoint.clone()))
    else {
        return Err(Failure(format!(
            "no LRS given: use --lrs URL --user U --password-env VAR, or set `lrs` in {}",
            db.config
                .clone()
                .unwrap_or_else(dealsim::records::config::default_path)
                .display()
        )));
    };
    let settings = dealsim::records::config::LrsConfig {
        endpoint,
        user: args
            .user
            .clone()
            .or_else(|| from_file.as_ref().map(|l| l.user.clone()))
            .ok_or_else(|| Failure("--lrs needs --user".into()))?,
        password_env: args
            .password_env
            .clone()
            .or_else(|| from_file.map(|l| l.password_env))
            .unwrap_or_else(dealsim::records::config::default_password_env),
    };
    let lrs = Lrs::from_config(&settings).map_err(|e| Failure(e.to_string()))?;
    if config.xapi.is_placeholder() {
        return Err(Failure(format!(
            "this machine does not have your company's dealsim settings: `xapi` in {} still holds the placeholder {}, so reps would reach the LRS as nobody's accounts; set `xapi: (base: ..., home_page: ...)` as your company's set-up says (the README shows the file)",
            db.config
                .clone()
                .unwrap_or_else(dealsim::records::config::default_path)
                .display(),
            dealsim::records::config::XapiSettings::default().home_page
        )));
    }
    if let Some(warning) = lrs.warning() {
        tell(&format!("dealsim: warning: {warning}\n"));
    }
    Ok(lrs)
}

fn sync_with(
    store: &Store,
    config: &dealsim::records::config::Config,
    lrs: &Lrs,
    args: &SyncArgs,
) -> Result<ExitCode, Failure> {
    if args.retry_rejected {
        let n = store
            .requeue_rejected()
            .map_err(|e| Failure(e.to_string()))?;
        say(&format!(
            "{n} rejected statement(s) put back in the queue.\n"
        ));
    }
    let report = dealsim::records::xapi::sync(store, &config.xapi, lrs, args.batch)
        .map_err(|e| Failure(e.to_string()))?;
    let mut out = format!(
        "Sent {} statement(s) to {}; {} waiting in the queue.\n",
        report.sent, lrs.endpoint, report.queued
    );
    for (id, reason) in &report.rejected {
        out.push_str(&format!("Rejected {id}: {reason}\n"));
    }
    let summary = store.outbox_summary().map_err(|e| Failure(e.to_string()))?;
    if !summary.rejected.is_empty() {
        out.push_str(&format!(
            "{} statement(s) were rejected by the LRS and are kept aside; fix the cause, then `dealsim sync --retry-rejected`.\n",
            summary.rejected.len()
        ));
    }
    let directions = &report.directions;
    if directions.sent > 0 || directions.received > 0 {
        out.push_str(&format!(
            "Assignments and focus skills: {} sent, {} received.\n",
            directions.sent, directions.received
        ));
    }
    say(&out);
    if let Some(why) = report.stopped {
        tell(&format!(
            "dealsim: {why}; the statements stay queued and go at the next sync\n"
        ));
        return Ok(ExitCode::from(3));
    }
    if let Some(why) = &directions.unread {
        tell(&format!(
            "dealsim: warning: assignments and focus skills could not be read from the LRS ({why}); the next sync tries again\n"
        ));
    }
    if let Some(why) = &directions.stopped {
        tell(&format!("dealsim: {why}\n"));
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// `dealsim pull`: every session the team sent to the LRS, rebuilt here.
pub(crate) fn pull(
    db: &DbArgs,
    lrs: Option<String>,
    user: Option<String>,
    password_env: Option<String>,
    scenarios: &std::path::Path,
) -> Result<ExitCode, Failure> {
    let (store, config) = db.open()?;
    let lrs = lrs_of(db, &config, lrs, user, password_env)?;
    // This machine's scenario files by revision, read only if a session needs one.
    let local: std::cell::OnceCell<std::collections::HashMap<String, String>> =
        std::cell::OnceCell::new();
    let local_source = |revision: &str| {
        local
            .get_or_init(|| {
                let (files, _) =
                    dealsim::engine::format::load::collect_paths(&[scenarios.to_path_buf()]);
                files
                    .iter()
                    .filter_map(|path| dealsim::engine::format::load::read_source(path).ok())
                    .map(|source| (source.revision.clone(), source.text))
                    .collect()
            })
            .get(revision)
            .cloned()
    };
    let report = dealsim::records::xapi::pull(&store, &config.xapi, &lrs, &local_source)
        .map_err(|e| Failure(e.to_string()))?;
    let mut out = format!(
        "Read {} dealsim statement(s) from {}: {} session(s) added, {} already here.\n",
        report.statements, lrs.endpoint, report.added, report.already_here
    );
    if report.directions > 0 {
        out.push_str(&format!(
            "{} assignment(s) or focus skills received.\n",
            report.directions
        ));
    }
    if !report.left.is_empty() {
        out.push_str(&format!(
            "{} session(s) left for the next pull:\n",
            report.left.len()
        ));
        for why in &report.left {
            out.push_str(&format!("  {why}\n"));
        }
    }
    say(&out);
    if let Some(why) = report.stopped {
        tell(&format!(
            "dealsim: {why}; what was read so far is kept, and the next pull carries on\n"
        ));
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// "; did you mean `x`?" for a name close to one of the candidates, else nothing.
pub(crate) fn near<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    dealsim::engine::format::diagnostic::did_you_mean(name, candidates)
        .map(|hint| format!("; {hint}"))
        .unwrap_or_default()
}

/// A rep name that matches nobody is most often a typo: refused with the nearest name, so it
/// never becomes a rep of its own. `advice` says where to look.
pub(crate) fn require_rep(store: &Store, rep: &str, advice: &str) -> Result<(), Failure> {
    if store.knows_rep(rep).map_err(|e| Failure(e.to_string()))? {
        return Ok(());
    }
    let known = store.reps().map_err(|e| Failure(e.to_string()))?;
    let hint = near(rep, known.iter().map(String::as_str));
    Err(Failure(format!(
        "no rep named \"{rep}\" has sessions here{hint} ({advice})"
    )))
}

/// Works out the debriefs of the calls a brief or insight reads that have none kept yet
/// (`records::digest`), saying so on stderr when there are many: the first question after a
/// large pull replays each new call once; the next ones read what was kept.
fn digest_first(store: &Store, filter: &Filter) -> Result<(), Failure> {
    let mut told = false;
    let mut progress = |done: usize, of: usize| {
        if of >= 1000 && (done == of || done % 5000 < 200) {
            eprint!("\rWorking out {of} calls' debriefs, once (kept for next time): {done}/{of}");
            told = true;
        }
    };
    let unsaved = dealsim::records::digest::catch_up(store, filter, &mut progress)
        .map_err(|e| Failure(e.to_string()))?;
    if told {
        eprintln!();
    }
    drop(unsaved);
    Ok(())
}

/// `dealsim brief REP`: the rep's brief for a 1:1.
pub(crate) fn brief(
    db: &DbArgs,
    rep: &str,
    since: Option<i64>,
    until: Option<i64>,
    format: super::BriefFormat,
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    require_rep(&store, rep, "`dealsim reps` lists them")?;
    let filter = Filter {
        rep: Some(rep.to_string()),
        since,
        until,
        ..Filter::default()
    };
    digest_first(&store, &filter)?;
    let brief = dealsim::records::brief::brief(&store, rep, since, until)
        .map_err(|e| Failure(e.to_string()))?;
    match format {
        super::BriefFormat::Text => say(&brief.render_text()),
        super::BriefFormat::Html => say(&brief.render_html()),
        super::BriefFormat::Json => json_out(&brief)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `dealsim insight SCENARIO`: where the team loses points on a call, and what the top
/// performers do there.
pub(crate) fn insight(
    db: &DbArgs,
    scenario: &str,
    since: Option<i64>,
    until: Option<i64>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let known = store.scenarios().map_err(|e| Failure(e.to_string()))?;
    if !known.iter().any(|(id, _)| id == scenario) {
        let hint = near(scenario, known.iter().map(|(id, _)| id.as_str()));
        return Err(Failure(format!(
            "no sessions of a scenario \"{scenario}\" here{hint} (give its id, as `dealsim sessions` shows)"
        )));
    }
    let filter = Filter {
        scenario: Some(scenario.to_string()),
        since,
        until,
        ..Filter::default()
    };
    digest_first(&store, &filter)?;
    let insight = dealsim::records::insight::insight(&store, scenario, since, until)
        .map_err(|e| Failure(e.to_string()))?;
    if json {
        json_out(&insight)?;
    } else {
        say(&insight.render_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// `dealsim reps`: the reps on record, with their sessions.
pub(crate) fn reps(db: &DbArgs) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let names = store.reps().map_err(|e| Failure(e.to_string()))?;
    if names.is_empty() {
        say("No reps yet: their sessions appear once they play.\n");
    }
    for name in names {
        let filter = Filter {
            rep: Some(name.clone()),
            ..Filter::default()
        };
        let count = store.count(&filter).map_err(|e| Failure(e.to_string()))?;
        say(&format!(
            "{}  ({count} session{})\n",
            printable(&name),
            if count == 1 { "" } else { "s" }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `dealsim reps merge FROM INTO`.
pub(crate) fn merge_reps(db: &DbArgs, from: &str, into: &str) -> Result<ExitCode, Failure> {
    let (store, _) = db.open()?;
    let moved = store
        .merge_reps(from, into)
        .map_err(|e| Failure(e.to_string()))?;
    say(&format!(
        "Merged \"{}\" into \"{}\": {moved} session(s) moved; that name now counts as {} everywhere.\n",
        printable(from),
        printable(into),
        printable(into)
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn focus(
    db: &DbArgs,
    rep: &str,
    dimensions: &[super::DimensionArg],
    clear: bool,
    new: bool,
) -> Result<ExitCode, Failure> {
    let showing = !clear && dimensions.is_empty();
    let (store, _) = if showing {
        db.open_for_reading()?
    } else {
        db.open()?
    };
    if !new {
        require_rep(
            &store,
            rep,
            "`dealsim reps` lists them; --new sets the focus of a rep who has not played yet",
        )?;
    }
    let rep = &store
        .rep_name(rep)
        .map_err(|e| Failure(e.to_string()))?
        .unwrap_or_else(|| rep.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut chosen: Vec<Dimension> = Vec::new();
    for d in dimensions.iter().map(|d| d.dimension()) {
        if !chosen.contains(&d) {
            chosen.push(d);
        }
    }
    if clear || !chosen.is_empty() {
        store
            .set_focus(rep, &chosen, clock::now_ms())
            .map_err(|e| Failure(e.to_string()))?;
    }
    let names = |focus: &[Dimension]| {
        focus
            .iter()
            .map(|d| d.label())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    match store.focus(rep).map_err(|e| Failure(e.to_string()))? {
        Some((focus, at)) if !focus.is_empty() => say(&format!(
            "{rep}'s focus: {} (set {}).\n",
            names(&focus),
            clock::date(at)
        )),
        _ => say(&format!("{rep} has no focus skills set.\n")),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the transcript of a stored session as lines for people.
pub fn transcript_lines(stored: &StoredSession) -> Vec<String> {
    let said = |s: &Said| match s {
        Said::Buyer(line) => format!("Buyer: \"{line}\""),
        Said::Fact(id) => format!("   (noted: {id})"),
        Said::Chance(to) => format!("   (chance: to {to})"),
    };
    let mut lines: Vec<String> = stored.opening.iter().map(said).collect();
    for turn in &stored.turns {
        lines.push(format!(
            "Rep [{}, {:.1} s]: \"{}\"",
            turn.move_kind.label(),
            turn.think_ms as f64 / 1000.0,
            turn.say
        ));
        lines.extend(turn.reply.iter().map(said));
    }
    lines
}

/// `dealsim db check`: SQLite's check of the whole file, on demand.
pub(crate) fn check_database(db: &DbArgs) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    match store.check_integrity() {
        Ok(()) => {
            say(&format!("{}: no damage found.\n", store.path().display()));
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            tell(&format!("dealsim: {error}\n"));
            Ok(ExitCode::from(1))
        }
    }
}
