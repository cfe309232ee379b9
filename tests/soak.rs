//! A simulated week of a 50-rep team: 2,000 calls through the session engine into one database
//! by four writers at once while two readers list and report, and twenty `dealsim play`
//! processes killed mid-call. Then every count, score and trend is checked against an
//! independent recomputation: each session replayed from its stored seed and choices, and the
//! report's means, bests and least-squares trends worked out again here from those replays.

use dealsim::engine::score::{Dimension, Scores};
use dealsim::records::store::{Filter, Status, Store};
use dealsim::{Scenario, Session, check_paths};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

const REPS: usize = 50;
const CALLS_PER_REP: usize = 40;
const WRITERS: usize = 4;
const KILLED: usize = 20;
/// Monday 2026-11-23 00:00 UTC.
const WEEK_START: i64 = 1_795_392_000_000;
const DAY: i64 = 86_400_000;

fn shipped() -> Vec<Scenario> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    check_paths(&[folder])
        .into_iter()
        .map(|r| r.scenario.expect("shipped scenarios check"))
        .collect()
}

/// One planned call: who, which scenario, its seed, when, and whether the rep leaves early.
#[derive(Clone)]
struct Plan {
    rep: String,
    scenario: usize,
    seed: u64,
    at: i64,
    leave_after: Option<usize>,
}

fn plans(scenarios: usize) -> Vec<Plan> {
    let mut plans = Vec::new();
    for rep in 0..REPS {
        for call in 0..CALLS_PER_REP {
            let n = (rep * CALLS_PER_REP + call) as u64;
            plans.push(Plan {
                rep: format!("Rep {rep:02}"),
                scenario: (rep + call * 7) % scenarios,
                seed: n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11,
                // Spread over the week, a rep's calls in order.
                at: WEEK_START
                    + (call as i64 * 7 * DAY) / CALLS_PER_REP as i64
                    + rep as i64 * 60_000,
                leave_after: (n % 9 == 4).then_some(2),
            });
        }
    }
    plans
}

/// The choice a planned call makes at a turn: a place among the offered choices drawn from its
/// seed and the turn.
fn pick(session: &Session, plan: &Plan, turn: usize) -> usize {
    let offered = session.offered().count();
    ((plan.seed as usize >> (turn % 16)) + turn) % offered
}

fn play(store: &Store, scenario: &Scenario, plan: &Plan) {
    let mut session = Session::new(scenario, plan.seed);
    let mut recording = store
        .begin_at(&plan.rep, "soak", &session, plan.at)
        .expect("begin");
    let mut turn = 0;
    while !session.is_over() {
        if plan.leave_after == Some(turn) {
            session.abandon();
            store
                .end_at(&mut recording, &session, plan.at + turn as i64 * 30_000)
                .expect("end");
            return;
        }
        session.choose_offered(pick(&session, plan, turn)).unwrap();
        turn += 1;
        store
            .record_turn_at(
                &mut recording,
                &session,
                1_500,
                plan.at + turn as i64 * 30_000,
            )
            .expect("turn");
    }
}

/// Starts `dealsim play`, makes two choices, waits until both are stored (the transcript shows
/// the second), and kills the process.
fn play_and_kill(db: &Path, rep: &str, seed: u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["play", "scenarios/harbor-discovery.scenario.ron", "--seed"])
        .arg(seed.to_string())
        .args(["--rep", rep, "--db"])
        .arg(db)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dealsim runs");
    let mut input = child.stdin.take().unwrap();
    let mut output = child.stdout.take().unwrap();
    input.write_all(b"1\n1\n").unwrap();
    input.flush().unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    // A choice is stored before the transcript shows it, so two "You:" lines mean two turns.
    while String::from_utf8_lossy(&seen).matches("You: ").count() < 2 {
        let n = output.read(&mut buffer).expect("read the call");
        assert!(n > 0, "the call ended before it was killed");
        seen.extend_from_slice(&buffer[..n]);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(input);
}

fn slope(values: &[f64]) -> Option<f64> {
    if values.len() < 3 {
        return None;
    }
    // The slope by its textbook formula, n Σxy − Σx Σy over n Σx² − (Σx)², written apart from
    // the store's centred version.
    let n = values.len() as f64;
    let (mut sx, mut sy, mut sxy, mut sxx) = (0.0, 0.0, 0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let x = i as f64;
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
    }
    Some((n * sxy - sx * sy) / (n * sxx - sx * sx))
}

fn value(scores: &Scores, dimension: Option<Dimension>) -> u8 {
    match dimension {
        None => scores.overall,
        Some(Dimension::Qualification) => scores.qualification,
        Some(Dimension::Discovery) => scores.discovery,
        Some(Dimension::Rapport) => scores.rapport,
        Some(Dimension::Velocity) => scores.velocity,
    }
}

#[test]
fn a_week_of_a_fifty_rep_team_adds_up_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let scenarios = shipped();
    let plans = plans(scenarios.len());
    Store::open(&db).unwrap();

    // Four writers and two readers at once, and processes killed mid-call beside them.
    let writing = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let (db, plans, scenarios) = (&db, &plans, &scenarios);
            scope.spawn(move || {
                let store = Store::open(db).expect("a writer opens the database");
                for plan in plans.iter().skip(writer).step_by(WRITERS) {
                    play(&store, &scenarios[plan.scenario], plan);
                }
            });
        }
        let writing = &writing;
        for _ in 0..2 {
            let db = &db;
            scope.spawn(move || {
                let store = Store::open(db).expect("a reader opens the database");
                while writing.load(std::sync::atomic::Ordering::Relaxed) {
                    store
                        .sessions(&Filter::default(), Default::default(), true, Some(100))
                        .expect("the table reads while others write");
                    store.report(&Filter::default()).expect("the report reads");
                }
            });
        }
        let db = &db;
        scope.spawn(move || {
            for k in 0..KILLED {
                play_and_kill(db, &format!("Killed {k:02}"), k as u64);
            }
        });
        // The writers are the first WRITERS threads; the readers stop once the rows are in.
        let store = Store::open(db).unwrap();
        loop {
            let written = store.count(&Filter::default()).unwrap();
            if written >= (REPS * CALLS_PER_REP + KILLED) as u64 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
    });

    let store = Store::open(&db).unwrap();
    let rows = store
        .sessions(&Filter::default(), Default::default(), false, None)
        .unwrap();
    assert_eq!(rows.len(), REPS * CALLS_PER_REP + KILLED);

    // Every killed call kept its two stored turns and is not counted as finished.
    let killed: Vec<_> = rows
        .iter()
        .filter(|r| r.rep.starts_with("Killed"))
        .collect();
    assert_eq!(killed.len(), KILLED);
    for row in &killed {
        assert_eq!(row.turns, 2, "session {}: turns lost in the kill", row.id);
        assert_ne!(row.status, Status::Finished);
        assert!(row.scores.is_none());
    }

    // Every other session, replayed from its stored seed and choices, scores what was stored.
    let by_id: BTreeMap<&str, &Scenario> = scenarios.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut finished: BTreeMap<String, Vec<(i64, i64, Scores)>> = BTreeMap::new();
    let mut abandoned_per_rep: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows.iter().filter(|r| !r.rep.starts_with("Killed")) {
        let stored = store.session(row.id).unwrap();
        let scenario = by_id[row.scenario_id.as_str()];
        let replayed = Session::replay(scenario, row.seed, &stored.choices()).unwrap();
        assert_eq!(stored.turns.len() as u32, row.turns);
        match row.status {
            Status::Finished => {
                assert_eq!(row.scores, replayed.scores(), "session {}", row.id);
                assert_eq!(row.outcome, replayed.outcome(), "session {}", row.id);
                finished.entry(row.rep.clone()).or_default().push((
                    row.started_at,
                    row.id,
                    replayed.scores().unwrap(),
                ));
            }
            Status::Abandoned => {
                assert!(row.scores.is_none());
                *abandoned_per_rep.entry(row.rep.clone()).or_default() += 1;
            }
            other => panic!("session {} is {other:?}", row.id),
        }
    }
    // The counts per rep are the plan's.
    for rep in 0..REPS {
        let name = format!("Rep {rep:02}");
        let planned: Vec<&Plan> = plans.iter().filter(|p| p.rep == name).collect();
        let leaving = planned.iter().filter(|p| p.leave_after.is_some()).count();
        let abandoned = abandoned_per_rep.get(&name).copied().unwrap_or(0);
        let done = finished.get(&name).map_or(0, Vec::len);
        // A call planned to leave after two turns may have ended by itself before.
        assert!(abandoned <= leaving, "{name}");
        assert_eq!(abandoned + done, CALLS_PER_REP, "{name}");
    }

    // The report, worked out again from the replays.
    let report = store.report(&Filter::default()).unwrap();
    for line in &report {
        let mut sessions = finished[&line.rep].clone();
        sessions.sort_by_key(|(at, id, _)| (*at, *id));
        let values: Vec<f64> = sessions
            .iter()
            .map(|(_, _, s)| f64::from(value(s, line.dimension)))
            .collect();
        assert_eq!(
            line.count as usize,
            values.len(),
            "{} {:?}",
            line.rep,
            line.dimension
        );
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!((line.mean - mean).abs() < 1e-9, "{} mean", line.rep);
        let best = values.iter().cloned().fold(0.0, f64::max);
        assert_eq!(f64::from(line.best), best, "{} best", line.rep);
        assert_eq!(
            f64::from(line.latest),
            *values.last().unwrap(),
            "{} latest",
            line.rep
        );
        match (line.trend, slope(&values)) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{} trend {a} vs {b}", line.rep),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{} trend", line.rep),
        }
    }
    assert_eq!(
        report.iter().filter(|l| l.dimension.is_none()).count(),
        REPS,
        "one overall line per rep (killed calls have no scores)"
    );
}
