//! The session database at a company's scale: 100,000 stored sessions of 20 turns (200 reps, six
//! scenarios, a year of practice). Measures the trainer's table, a rep's trend and the team
//! heatmap through the real `Store` queries, and prints the database's size.
//!
//!   cargo bench --no-default-features --bench store
//!   DEALSIM_BENCH_SESSIONS=10000 cargo bench --no-default-features --bench store   (quicker)
//!   DEALSIM_BENCH_DB=/tmp/big.db ...   keeps the database (to open it in the window with --db)

use dealsim::engine::score::Dimension;
use dealsim::records::clock::DAY_MS;
use dealsim::records::store::{DIGEST_VERSION, Digest, Filter, LeftBestPath, SortKey, Store};
use rusqlite::params;
use std::path::PathBuf;
use std::sync::OnceLock;

const TURNS: usize = 20;
const REPS: usize = 200;

fn sessions() -> usize {
    std::env::var("DEALSIM_BENCH_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// A small deterministic generator, so that every run builds the same database.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Fixture {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Builds the database once: the schema from `Store::open`, rows written in one transaction
/// with the texts of the shipped scenarios, so that sizes are realistic.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let started = std::time::Instant::now();
        let (dir, path) = match std::env::var_os("DEALSIM_BENCH_DB") {
            Some(path) => {
                let path = PathBuf::from(path);
                if path.exists() {
                    return Fixture { path, _dir: None };
                }
                (None, path)
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("sessions.db");
                (Some(dir), path)
            }
        };
        drop(Store::open(&path).unwrap());
        let scenarios: Vec<(String, String)> = std::fs::read_dir("scenarios")
            .unwrap()
            .filter_map(|e| {
                let path = e.ok()?.path();
                path.to_string_lossy()
                    .ends_with(".scenario.ron")
                    .then(|| (path.clone(), std::fs::read_to_string(&path).ok()))
            })
            .filter_map(|(path, text)| {
                let scenario = dealsim::check_path(&path).scenario?;
                Some((scenario.id.clone(), text?))
            })
            .collect();
        let lines: Vec<String> = scenarios
            .iter()
            .flat_map(|(_, text)| {
                text.lines()
                    .filter_map(|l| l.trim().strip_prefix("say: \"").or_else(|| l.trim().strip_prefix("line: \"")))
                    .map(|l| l.trim_end_matches("\",").to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let moves = ["Situation", "Problem", "Implication", "NeedPayoff", "Qualify", "Pitch", "Rapport"];
        let outcomes = ["Advance", "Continuation", "Lost", "QualifiedOut"];
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        let now = dealsim::records::clock::now_ms();
        let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
        for rep in 0..REPS {
            tx.execute("INSERT INTO reps (name) VALUES (?)", [format!("Rep {rep:03}")])
                .unwrap();
        }
        for (i, (id, text)) in scenarios.iter().enumerate() {
            tx.execute(
                "INSERT INTO scenario_revisions (scenario_id, revision, title, source, first_seen)
                 VALUES (?, ?, ?, ?, 0)",
                params![id, format!("rev{i}"), id, text],
            )
            .unwrap();
        }
        {
            let mut session = tx
                .prepare(
                    "INSERT INTO sessions (registration, rep_id, revision_id, scenario_id, seed,
                        origin, started_at, last_activity, ended_at, status, turns, opening,
                        outcome, end_reason, end_node, right_call, qualification, discovery,
                        rapport, velocity, overall, passed, minutes_used, final_trust,
                        facts_uncovered)
                     VALUES (?, ?, ?, ?, ?, 'window', ?, ?, ?, ?, ?, ?, ?, 'Ending', 'n', ?, ?, ?,
                        ?, ?, ?, NULL, 18, 55, '[\"pain\",\"budget\"]')",
                )
                .unwrap();
            let mut digest = tx
                .prepare(
                    "INSERT INTO session_digests (session_id, digest) VALUES (?, ?)",
                )
                .unwrap();
            let mut turn = tx
                .prepare(
                    "INSERT INTO turns (session_id, turn, node_id, choice, move, say, think_ms,
                        trust_after, minutes_left_after, at, reply)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .unwrap();
            for s in 0..sessions() {
                let scenario = rng.below(scenarios.len() as u64) as usize;
                let started = now - rng.below(365 * DAY_MS as u64) as i64;
                let roll = rng.below(100);
                let (status, ended) = match roll {
                    0..90 => ("finished", Some(started + 600_000)),
                    90..97 => ("abandoned", Some(started + 300_000)),
                    _ => ("playing", None),
                };
                let finished = status == "finished";
                let score = |rng: &mut Xorshift| finished.then(|| rng.below(101) as i64);
                let (q, d, r, v) = (score(&mut rng), score(&mut rng), score(&mut rng), score(&mut rng));
                let overall = q.map(|q| (q + d.unwrap() + r.unwrap() + v.unwrap()) / 4);
                let opening = serde_json::json!([{ "buyer": lines[rng.below(lines.len() as u64) as usize] }]);
                session
                    .execute(params![
                        uuid::Uuid::new_v4().to_string(),
                        rng.below(REPS as u64) as i64 + 1,
                        scenario as i64 + 1,
                        scenarios[scenario].0,
                        rng.next() as i64,
                        started,
                        ended.unwrap_or(started),
                        ended,
                        status,
                        TURNS as i64,
                        opening.to_string(),
                        finished.then(|| outcomes[rng.below(4) as usize]),
                        finished.then(|| rng.below(2) == 1),
                        q,
                        d,
                        r,
                        v,
                        overall,
                    ])
                    .unwrap();
                let session_id = s as i64 + 1;
                let mut played = Vec::with_capacity(TURNS);
                for t in 0..TURNS {
                    let reply = serde_json::json!([
                        { "buyer": lines[rng.below(lines.len() as u64) as usize] },
                    ]);
                    // A choice's words follow from its node and place, as in a real call.
                    let (node, choice) = (rng.below(24), rng.below(4));
                    let say = &lines[((node * 4 + choice) * 7919) as usize % lines.len()];
                    let node = format!("node-{node}");
                    played.push((node.clone(), say.clone(), choice));
                    turn.execute(params![
                        session_id,
                        t as i64,
                        node,
                        choice as i64,
                        moves[rng.below(moves.len() as u64) as usize],
                        say,
                        rng.below(20_000) as i64,
                        rng.below(100) as i64,
                        20 - t as i64,
                        started + t as i64 * 30_000,
                        reply.to_string(),
                    ])
                    .unwrap();
                }
                if finished {
                    digest
                        .execute(params![session_id, digest_of(&played, &mut rng)])
                        .unwrap();
                }
            }
        }
        // What digesting every finished call would have kept: the digests above (a choice's
        // points lost are its place times 1.5, so the tallies can be added up here) and the
        // tallies beside them, as `Store::save_digest` keeps them.
        tx.execute_batch(&format!(
            "UPDATE sessions SET digested = {DIGEST_VERSION} WHERE status = 'finished';
             INSERT INTO regret_tallies
                SELECT s.scenario_id, t.node_id, t.say, s.overall, count(*), sum(t.choice * 1.5),
                    NULL
                FROM sessions s JOIN turns t ON t.session_id = s.id
                WHERE s.status = 'finished' GROUP BY 1, 2, 3, 4;
             INSERT INTO regret_daily
                SELECT s.scenario_id, s.started_at / 86400000, t.node_id, t.say, s.overall,
                    count(*), sum(t.choice * 1.5), NULL
                FROM sessions s JOIN turns t ON t.session_id = s.id
                WHERE s.status = 'finished' GROUP BY 1, 2, 3, 4, 5;
             INSERT INTO scores_daily
                SELECT scenario_id, started_at / 86400000, overall, count(*), 0
                FROM sessions WHERE status = 'finished' GROUP BY 1, 2, 3;
             INSERT INTO digest_scores
                SELECT scenario_id, overall, count(*), 0, count(CASE WHEN right_call THEN 1 END)
                FROM sessions WHERE status = 'finished' GROUP BY 1, 2;
             INSERT INTO lost_at_tallies
                SELECT s.scenario_id, t.node_id, count(*) FROM sessions s
                    JOIN turns t ON t.session_id = s.id AND t.turn = s.turns - 1
                WHERE s.status = 'finished' AND NOT s.right_call GROUP BY 1, 2;
             INSERT INTO fact_tallies
                SELECT s.scenario_id, j.value, count(*) FROM sessions s,
                    json_each(s.facts_uncovered) j
                WHERE s.status = 'finished' GROUP BY 1, 2;
             INSERT OR REPLACE INTO meta VALUES ('digest_version', '{DIGEST_VERSION}');
             INSERT INTO revision_facts
                SELECT id, 'pain', 'Pain', 'The buyer''s pain' FROM scenario_revisions;
             INSERT INTO revision_facts
                SELECT id, 'budget', 'Budget', 'The budget' FROM scenario_revisions;"
        ))
        .unwrap();
        tx.commit().unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;").unwrap();
        drop(conn);
        let size: u64 = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        eprintln!(
            "fixture: {} sessions x {TURNS} turns, {REPS} reps, {} scenarios: {:.1} MB on disk, built in {:.1} s",
            sessions(),
            scenarios.len(),
            size as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        Fixture { path, _dir: dir }
    })
}

/// A finished call's digest as `records::digest` keeps it, for generated turns.
fn digest_of(played: &[(String, String, u64)], rng: &mut Xorshift) -> String {
    let lost: Vec<Option<f64>> = played.iter().map(|t| Some(t.2 as f64 * 1.5)).collect();
    let left = played.iter().find(|t| t.2 >= 2).map(|t| LeftBestPath {
        node_id: t.0.clone(),
        said: t.1.clone(),
        lost: t.2 as f64 * 1.5,
        better: Some(played[0].1.clone()),
        note: Some("Ask before you pitch.".into()),
    });
    let titles = [
        "Right call: advance",
        "Full SPIN",
        "Pain before pitch",
        "Listener",
    ];
    let digest = Digest {
        replayed: true,
        lost,
        better: vec![(0, played[0].1.clone())],
        ceiling: Some([90, 85, 70, 80]),
        recognitions: titles
            .iter()
            .filter(|_| rng.below(2) == 1)
            .map(|t| t.to_string())
            .collect(),
        missed: if rng.below(2) == 1 {
            vec!["pain".into()]
        } else {
            Vec::new()
        },
        left,
    };
    serde_json::to_string(&digest).unwrap()
}

fn store() -> Store {
    Store::open(&fixture().path).unwrap()
}

fn main() {
    fixture();
    divan::main();
}

/// What the trainer's screen reads on opening: the newest 1,000 sessions and the count.
#[divan::bench(sample_count = 20)]
fn trainer_table_newest(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| {
        let rows = store
            .sessions(&Filter::default(), SortKey::Started, true, Some(1000))
            .unwrap();
        let total = store.count(&Filter::default()).unwrap();
        (rows.len(), total)
    });
}

/// The table sorted by a score column (no index: a sort of every session).
#[divan::bench(sample_count = 20)]
fn trainer_table_by_discovery(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| {
        store
            .sessions(
                &Filter::default(),
                SortKey::Dimension(Dimension::Discovery),
                true,
                Some(1000),
            )
            .unwrap()
            .len()
    });
}

/// The table filtered to one rep.
#[divan::bench(sample_count = 20)]
fn trainer_table_one_rep(bencher: divan::Bencher) {
    let store = store();
    let filter = Filter {
        rep: Some("Rep 042".into()),
        ..Filter::default()
    };
    bencher.bench_local(|| {
        store
            .sessions(&filter, SortKey::Started, true, Some(1000))
            .unwrap()
            .len()
    });
}

/// One rep's trend: every finished session of theirs, in time order.
#[divan::bench(sample_count = 20)]
fn rep_trend(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| store.trend("Rep 042", None).unwrap().len());
}

/// The team heatmap: every rep's mean per dimension.
#[divan::bench(sample_count = 20)]
fn team_heatmap(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| store.heatmap(None).unwrap().len());
}

/// Who improved most in the last 30 days.
#[divan::bench(sample_count = 20)]
fn most_improved(bencher: divan::Bencher) {
    let store = store();
    let now = dealsim::records::clock::now_ms();
    bencher.bench_local(|| store.most_improved(now, 5).unwrap().len());
}

/// The per-rep report of `dealsim report` over everyone.
#[divan::bench(sample_count = 10)]
fn report_everyone(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| store.report(&Filter::default()).unwrap().len());
}

/// Where reps go wrong on one scenario (about 17,000 sessions, 330,000 turns).
#[divan::bench(sample_count = 10)]
fn scenario_analysis(bencher: divan::Bencher) {
    let store = store();
    let facts: Vec<String> = vec!["pain".into(), "budget".into(), "authority".into()];
    bencher.bench_local(|| {
        store
            .scenario_analysis("harbor-discovery", &facts)
            .unwrap()
            .nodes
            .len()
    });
}

/// Opening the database as the window and every command do (after the first open by this
/// build, whose whole-file check is then not due for a week): the time does not grow with the
/// file, since nothing reads it whole.
#[divan::bench(sample_count = 20)]
fn open(bencher: divan::Bencher) {
    let path = &fixture().path;
    drop(Store::open(path).unwrap());
    bencher.bench_local(|| Store::open(path).unwrap().schema_version().unwrap());
}

/// What the team's top quartile does on one scenario, over every session (the Scenarios tab and
/// `dealsim insight`): read from the scenario's tallies.
#[divan::bench(sample_count = 20)]
fn insight_all_time(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| {
        dealsim::records::insight::insight(&store, "harbor-discovery", None, None)
            .unwrap()
            .nodes
            .len()
    });
}

/// The same over the last 30 days: read from that period's digests.
#[divan::bench(sample_count = 10)]
fn insight_30_days(bencher: divan::Bencher) {
    let store = store();
    let since = dealsim::records::clock::now_ms() - 30 * DAY_MS;
    bencher.bench_local(|| {
        dealsim::records::insight::insight(&store, "harbor-discovery", Some(since), None)
            .unwrap()
            .nodes
            .len()
    });
}

/// A rep's brief for the last 30 days (the Reps tab and `dealsim brief`).
#[divan::bench(sample_count = 20)]
fn brief_30_days(bencher: divan::Bencher) {
    let store = store();
    let since = dealsim::records::clock::now_ms() - 30 * DAY_MS;
    bencher.bench_local(|| {
        dealsim::records::brief::brief(&store, "Rep 042", Some(since), None)
            .unwrap()
            .finished
    });
}

/// A rep's brief over every call they played.
#[divan::bench(sample_count = 10)]
fn brief_all_time(bencher: divan::Bencher) {
    let store = store();
    bencher.bench_local(|| {
        dealsim::records::brief::brief(&store, "Rep 042", None, None)
            .unwrap()
            .finished
    });
}
