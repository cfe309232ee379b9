//! The session database: turn-by-turn records that survive a crash, abandoned calls, exact
//! replays from the stored revision, the trainer's queries, migrations from an older file, files
//! that are not ours, and two writers at once.

use dealsim::engine::score::Dimension;
use dealsim::engine::session::Session;
use dealsim::records::clock::DAY_MS;
use dealsim::records::store::{Filter, SortKey, Status, Store};
use dealsim::{Outcome, Scenario};
use std::path::Path;

fn scenario(name: &str) -> Scenario {
    let path = format!(
        "{}/scenarios/{name}.scenario.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    dealsim::check_path(Path::new(&path))
        .scenario
        .expect("shipped scenarios check")
}

/// Plays offered choices by position (wrapping), recording every turn; returns the session id.
fn play(store: &Store, rep: &str, scenario: &Scenario, seed: u64, picks: &[usize], at: i64) -> i64 {
    let mut session = Session::new(scenario, seed);
    let mut recording = store.begin_at(rep, "test", &session, at).unwrap();
    let mut turn = 0;
    while !session.is_over() {
        let offered = session.offered().count();
        let pick = picks.get(turn).copied().unwrap_or(0) % offered;
        session.choose_offered(pick).unwrap();
        turn += 1;
        store
            .record_turn_at(&mut recording, &session, 1500, at + turn as i64 * 1000)
            .unwrap();
    }
    recording.session_id
}

#[test]
fn every_turn_is_on_disk_as_soon_as_it_is_played_and_a_crash_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let harbor = scenario("harbor-discovery");
    let (id, choices) = {
        let store = Store::open(&path).unwrap();
        let mut session = Session::new(&harbor, 11);
        let mut recording = store.begin("Sam", "test", &session).unwrap();
        for _ in 0..3 {
            session.choose_offered(0).unwrap();
            store.record_turn(&mut recording, &session, 900).unwrap();
        }
        // The process "dies" here: no end is recorded, the store is dropped.
        (recording.session_id, session.choice_indices())
    };
    let store = Store::open(&path).unwrap();
    let stored = store.session(id).unwrap();
    assert_eq!(stored.row.status, Status::Playing);
    assert_eq!(stored.choices(), choices);
    assert_eq!(stored.turns.len(), 3);
    assert!(stored.turns.iter().all(|t| t.think_ms == 900));
    assert!(!stored.opening.is_empty(), "the opening line is stored");
    assert!(
        !stored.turns[0].reply.is_empty(),
        "the buyer's answer is stored"
    );
}

#[test]
fn a_session_left_playing_for_an_hour_is_shown_as_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let session = Session::new(&harbor, 1);
    let long_ago = dealsim::records::clock::now_ms() - 2 * 3_600_000;
    let recording = store.begin_at("Sam", "test", &session, long_ago).unwrap();
    let row = store.session(recording.session_id).unwrap().row;
    assert_eq!(row.status, Status::Interrupted);
    let filter = Filter {
        status: Some(Status::Interrupted),
        ..Filter::default()
    };
    assert_eq!(store.count(&filter).unwrap(), 1);
}

#[test]
fn an_abandoned_call_is_recorded_as_abandoned_without_scores() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let brightline = scenario("brightline-whitepaper");
    let mut session = Session::new(&brightline, 3);
    let mut recording = store.begin("Ana", "test", &session).unwrap();
    session.choose_offered(0).unwrap();
    store.record_turn(&mut recording, &session, 100).unwrap();
    session.abandon();
    store.end(&mut recording, &session).unwrap();
    let stored = store.session(recording.session_id).unwrap();
    assert_eq!(stored.row.status, Status::Abandoned);
    assert_eq!(stored.row.scores, None);
    assert_eq!(stored.row.outcome, None);
    assert!(stored.row.ended_at.is_some());
    assert_eq!(stored.turns.len(), 1);
    assert_eq!(
        store.outbox_summary().unwrap().queued,
        2,
        "answered + terminated"
    );
}

#[test]
fn a_stored_session_replays_exactly_even_after_the_scenario_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let northwind = scenario("northwind-incumbent");
    let id = play(&store, "Sam", &northwind, 77, &[1, 2, 0, 1, 2, 0, 1], 1_000);
    let stored = store.session(id).unwrap();

    // The file on disk is not consulted: the stored text of the revision is.
    let source = dealsim::SourceFile::from_text("stored", stored.scenario_source.clone());
    assert_eq!(source.revision, stored.row.revision);
    let compiled = dealsim::check_source(&source).scenario.unwrap();
    let replayed = Session::replay(&compiled, stored.row.seed, &stored.choices()).unwrap();
    assert!(replayed.is_over());
    assert_eq!(replayed.scores(), stored.row.scores);
    let original = Session::replay(&northwind, 77, &stored.choices()).unwrap();
    let said = |s: &Session| s.transcript().map(|e| format!("{e:?}")).collect::<Vec<_>>();
    assert_eq!(said(&replayed), said(&original));
}

#[test]
fn the_trainers_queries_filter_sort_and_summarise() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let orbit = scenario("orbit-acquisition");
    let now = dealsim::records::clock::now_ms();
    let day = |d: i64| now - d * DAY_MS;
    // Sam gets better at Harbor over four sessions; Ana plays Orbit twice.
    let sam = [
        play(
            &store,
            "Sam",
            &harbor,
            1,
            &[0, 0, 0, 0, 0, 0, 0, 0, 0],
            day(50),
        ),
        play(
            &store,
            "Sam",
            &harbor,
            1,
            &[1, 1, 1, 1, 1, 1, 1, 1],
            day(40),
        ),
        play(
            &store,
            "Sam",
            &harbor,
            1,
            &[2, 0, 0, 0, 0, 0, 0, 0],
            day(10),
        ),
        play(&store, "Sam", &harbor, 1, &[2, 0, 0, 0, 0, 0, 0, 0], day(5)),
    ];
    play(&store, "Ana", &orbit, 2, &[0, 0, 0, 0, 0, 0], day(3));
    play(&store, "Ana", &orbit, 3, &[1, 1, 1, 1], day(2));

    let all = store
        .sessions(&Filter::default(), SortKey::Started, true, None)
        .unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.windows(2).all(|w| w[0].started_at >= w[1].started_at));
    let by_rep = Filter {
        rep: Some("Sam".into()),
        ..Filter::default()
    };
    let sams = store
        .sessions(&by_rep, SortKey::Overall, false, None)
        .unwrap();
    assert_eq!(sams.len(), 4);
    let overall: Vec<u8> = sams.iter().map(|r| r.scores.unwrap().overall).collect();
    assert!(overall.windows(2).all(|w| w[0] <= w[1]), "{overall:?}");
    let recent = Filter {
        since: Some(day(20)),
        ..Filter::default()
    };
    assert_eq!(store.count(&recent).unwrap(), 4);
    let orbit_only = Filter {
        scenario: Some("orbit-acquisition".into()),
        ..Filter::default()
    };
    assert_eq!(store.count(&orbit_only).unwrap(), 2);

    let trend = store.trend("Sam", None).unwrap();
    assert_eq!(trend.len(), 4);
    assert_eq!(
        trend.iter().map(|p| p.session_id).collect::<Vec<_>>(),
        sam.to_vec()
    );

    let report = store.report(&Filter::default()).unwrap();
    let sam_overall = report
        .iter()
        .find(|r| r.rep == "Sam" && r.dimension.is_none())
        .unwrap();
    assert_eq!(sam_overall.count, 4);
    assert_eq!(sam_overall.latest, trend[3].scores.overall);
    assert_eq!(
        sam_overall.best,
        trend.iter().map(|p| p.scores.overall).max().unwrap()
    );
    assert!(sam_overall.trend.is_some());
    let ana_velocity = report
        .iter()
        .find(|r| r.rep == "Ana" && r.dimension == Some(Dimension::Velocity))
        .unwrap();
    assert_eq!(ana_velocity.trend, None, "two sessions are not a trend");

    let heatmap = store.heatmap(None).unwrap();
    assert_eq!(
        heatmap.iter().map(|h| h.rep.as_str()).collect::<Vec<_>>(),
        ["Ana", "Sam"]
    );
    let sam_row = &heatmap[1];
    let mean = trend
        .iter()
        .map(|p| f64::from(p.scores.discovery))
        .sum::<f64>()
        / 4.0;
    assert!((sam_row.discovery - mean).abs() < 1e-9);

    let improved = store.most_improved(now, 5).unwrap();
    assert_eq!(improved.len(), 1, "only Sam has sessions in both windows");
    assert_eq!(improved[0].rep, "Sam");

    let facts: Vec<String> = harbor.facts().iter().map(|f| f.id.clone()).collect();
    let analysis = store.scenario_analysis("harbor-discovery", &facts).unwrap();
    assert_eq!(analysis.sessions, 4);
    let open = analysis.nodes.iter().find(|n| n.node_id == "open").unwrap();
    assert_eq!(open.visits, 4);
    assert_eq!(open.choices.iter().map(|c| c.taken).sum::<u32>(), 4);
    assert_eq!(analysis.missed_facts.len(), facts.len());
    let wrong = 4 - analysis.right_calls;
    assert_eq!(analysis.lost_at.iter().map(|l| l.1).sum::<u32>(), wrong);
    // The analysis reads tallies kept as calls are digested and counts the rest itself: the
    // same answer before any call is digested, with the recent ones digested, and with all.
    dealsim::records::digest::catch_up(&store, &recent, &mut |_, _| {}).unwrap();
    assert_eq!(store.undigested(&Filter::default()).unwrap().len(), 2);
    assert_eq!(
        store.scenario_analysis("harbor-discovery", &facts).unwrap(),
        analysis
    );
    dealsim::records::digest::catch_up(&store, &Filter::default(), &mut |_, _| {}).unwrap();
    assert!(store.undigested(&Filter::default()).unwrap().is_empty());
    assert_eq!(
        store.scenario_analysis("harbor-discovery", &facts).unwrap(),
        analysis
    );
}

#[test]
fn outcome_filters_match_the_stored_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let brightline = scenario("brightline-whitepaper");
    for seed in 0..6 {
        play(
            &store,
            "Sam",
            &brightline,
            seed,
            &[seed as usize; 12],
            1_000 + seed as i64,
        );
    }
    let total: u64 = Outcome::ALL
        .iter()
        .map(|&o| {
            let filter = Filter {
                outcome: Some(o),
                ..Filter::default()
            };
            let rows = store
                .sessions(&filter, SortKey::Started, true, None)
                .unwrap();
            assert!(rows.iter().all(|r| r.outcome == Some(o)));
            rows.len() as u64
        })
        .sum();
    assert_eq!(total, 6);
}

/// The first shipped schema, as it was: an older file must open in this build.
const SCHEMA_V1: &str = "CREATE TABLE reps (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE scenario_revisions (id INTEGER PRIMARY KEY, scenario_id TEXT NOT NULL,
        revision TEXT NOT NULL UNIQUE, title TEXT NOT NULL, source TEXT NOT NULL,
        first_seen INTEGER NOT NULL);
    CREATE TABLE sessions (id INTEGER PRIMARY KEY, registration TEXT NOT NULL UNIQUE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        revision_id INTEGER NOT NULL REFERENCES scenario_revisions(id),
        scenario_id TEXT NOT NULL, seed INTEGER NOT NULL, origin TEXT NOT NULL,
        started_at INTEGER NOT NULL, last_activity INTEGER NOT NULL, ended_at INTEGER,
        status TEXT NOT NULL CHECK (status IN ('playing', 'finished', 'abandoned')),
        turns INTEGER NOT NULL DEFAULT 0, opening TEXT NOT NULL, outcome TEXT, end_reason TEXT,
        end_node TEXT, right_call INTEGER, qualification INTEGER, discovery INTEGER,
        rapport INTEGER, velocity INTEGER, overall INTEGER, passed INTEGER, minutes_used INTEGER,
        final_trust INTEGER, facts_uncovered TEXT);
    CREATE INDEX sessions_by_start ON sessions (started_at);
    CREATE INDEX sessions_by_rep ON sessions (rep_id, started_at);
    CREATE INDEX sessions_by_scenario ON sessions (scenario_id, started_at);
    CREATE TABLE turns (session_id INTEGER NOT NULL REFERENCES sessions(id),
        turn INTEGER NOT NULL, node_id TEXT NOT NULL, choice INTEGER NOT NULL,
        move TEXT NOT NULL, say TEXT NOT NULL, think_ms INTEGER NOT NULL,
        trust_after INTEGER NOT NULL, minutes_left_after INTEGER NOT NULL, at INTEGER NOT NULL,
        reply TEXT NOT NULL, PRIMARY KEY (session_id, turn)) WITHOUT ROWID;
    PRAGMA application_id = 1685285229;
    PRAGMA user_version = 1;";

#[test]
fn an_older_database_is_migrated_on_open_and_keeps_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute_batch(
            "INSERT INTO reps (name) VALUES ('Old Rep');
             INSERT INTO scenario_revisions (scenario_id, revision, title, source, first_seen)
                VALUES ('x', 'r1', 'Old call', '', 0);
             INSERT INTO sessions (registration, rep_id, revision_id, scenario_id, seed, origin,
                started_at, last_activity, ended_at, status, turns, opening, outcome, right_call,
                qualification, discovery, rapport, velocity, overall)
             VALUES ('9b3c1f2a-0000-4000-8000-000000000001', 1, 1, 'x', 5, 'window', 10, 20, 20,
                'finished', 0, '[]', 'Advance', 1, 60, 70, 80, 90, 75);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        dealsim::records::store::SCHEMA_VERSION
    );
    const { assert!(dealsim::records::store::SCHEMA_VERSION > 1) };
    let rows = store
        .sessions(&Filter::default(), SortKey::Started, true, None)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].rep, "Old Rep");
    assert_eq!(rows[0].scores.unwrap().overall, 75);
    // The new tables work on the migrated file.
    let harbor = scenario("harbor-discovery");
    play(&store, "New Rep", &harbor, 1, &[0; 12], 100);
    assert!(store.outbox_summary().unwrap().queued > 0);
    store
        .set_focus("Old Rep", &[Dimension::Discovery], 200)
        .unwrap();
    assert_eq!(
        store.focus("Old Rep").unwrap(),
        Some((vec![Dimension::Discovery], 200))
    );
}

fn refused_untouched(path: &Path, expected: &str) {
    let before = std::fs::read(path).unwrap();
    let error = Store::open(path).unwrap_err().to_string();
    assert!(error.contains(expected), "{error}");
    assert!(error.contains(&path.display().to_string()), "{error}");
    assert_eq!(std::fs::read(path).unwrap(), before, "the file was changed");
    let wal = path.with_extension("db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn a_file_that_is_not_a_dealsim_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "Q3 pipeline notes: call Marta on Tuesday.\n".repeat(200),
    )
    .unwrap();
    refused_untouched(&text, "not a dealsim database");

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
        .unwrap();
    refused_untouched(&other, "another program");

    let newer = dir.path().join("newer.db");
    Store::open(&newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    refused_untouched(&newer, "newer dealsim");
}

#[test]
fn a_damaged_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let store = Store::open(&path).unwrap();
        let harbor = scenario("harbor-discovery");
        for seed in 0..40 {
            play(
                &store,
                "Sam",
                &harbor,
                seed,
                &[seed as usize; 12],
                seed as i64,
            );
        }
        // Fold the WAL into the main file so that the damage below hits real pages.
        drop(store);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096, "{} bytes", bytes.len());
    for byte in &mut bytes[8 * 4096..12 * 4096] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    refused_untouched(&path, "damaged");
}

#[test]
fn two_writers_share_one_database_without_losing_a_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    Store::open(&path).unwrap();
    let harbor = scenario("harbor-discovery");
    let handles: Vec<_> = ["Window", "Terminal"]
        .into_iter()
        .map(|rep| {
            let path = path.clone();
            let harbor = harbor.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                let mut turns = 0;
                for seed in 0..25 {
                    let id = play(&store, rep, &harbor, seed, &[seed as usize % 3; 12], 0);
                    turns += store.session(id).unwrap().turns.len();
                }
                turns
            })
        })
        .collect();
    let expected: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let store = Store::open(&path).unwrap();
    let rows = store
        .sessions(&Filter::default(), SortKey::Started, true, None)
        .unwrap();
    assert_eq!(rows.len(), 50);
    assert_eq!(
        rows.iter().map(|r| r.turns as usize).sum::<usize>(),
        expected
    );
    assert!(rows.iter().all(|r| r.status == Status::Finished));
}

#[test]
fn focus_skills_set_by_a_trainer_are_seen_by_another_copy_of_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let trainer = Store::open(&path).unwrap();
    let rep = Store::open(&path).unwrap();
    assert_eq!(rep.focus("Sam").unwrap(), None);
    trainer
        .set_focus("Sam", &[Dimension::Discovery, Dimension::Velocity], 1_000)
        .unwrap();
    assert_eq!(
        rep.focus("Sam").unwrap(),
        Some((vec![Dimension::Discovery, Dimension::Velocity], 1_000))
    );
    trainer
        .set_focus("Sam", &[Dimension::Rapport], 2_000)
        .unwrap();
    assert_eq!(
        rep.focus("Sam").unwrap(),
        Some((vec![Dimension::Rapport], 2_000))
    );
    assert_eq!(rep.focus("Ana").unwrap(), None);
}

#[test]
fn copies_opening_a_new_database_at_the_same_moment_all_see_a_dealsim_database() {
    // Each round: a fresh file and four copies of the app opening it at once, as parallel
    // `dealsim play` runs do.
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("new-{round}.db"));
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&path).map(|_| ()).map_err(|e| e.to_string())
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), Ok(()), "round {round}");
        }
    }
}

#[test]
fn a_call_that_stopped_mid_way_is_closed_as_abandoned_and_queued_once_known_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sessions.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let t0 = 1_800_000_000_000;
    let mut session = Session::new(&harbor, 5);
    let mut recording = store.begin_at("Sam", "test", &session, t0).unwrap();
    for turn in 1..=2 {
        session.choose_offered(0).unwrap();
        store
            .record_turn_at(&mut recording, &session, 800, t0 + turn * 1000)
            .unwrap();
    }
    // The process dies here. Half an hour on, the call may still be going: nothing is closed.
    assert_eq!(store.close_interrupted(t0 + 30 * 60_000).unwrap(), 0);
    assert_eq!(store.queued_statements(100).unwrap().len(), 0);
    // Two hours on, it is known to be interrupted: closed as abandoned, its statements queued.
    assert_eq!(store.close_interrupted(t0 + 2 * 3_600_000).unwrap(), 1);
    let stored = store.session(recording.session_id).unwrap();
    assert_eq!(stored.row.status, Status::Abandoned);
    assert_eq!(
        stored.row.ended_at,
        Some(t0 + 2000),
        "ended at its last turn"
    );
    assert_eq!(
        store.queued_statements(100).unwrap().len(),
        3,
        "two answered and one terminated"
    );
    // Closing again changes nothing.
    assert_eq!(store.close_interrupted(t0 + 3 * 3_600_000).unwrap(), 0);
    assert_eq!(store.queued_statements(100).unwrap().len(), 3);
}

/// Plays the best path a debrief shows for this seed, recording every turn.
fn play_best(store: &Store, rep: &str, scenario: &Scenario, seed: u64, at: i64) -> i64 {
    let best = dealsim::engine::debrief::Debrief::of(&Session::new(scenario, seed))
        .best_path
        .expect("searchable");
    let mut session = Session::new(scenario, seed);
    let mut recording = store.begin_at(rep, "test", &session, at).unwrap();
    for (turn, step) in best.steps.iter().enumerate() {
        let index = session
            .offered()
            .find(|o| o.say == step.say)
            .expect("the best choice is offered")
            .index;
        session.choose(index).unwrap();
        store
            .record_turn_at(&mut recording, &session, 1500, at + turn as i64 * 1000)
            .unwrap();
    }
    recording.session_id
}

#[test]
fn a_rep_improving_on_harder_calls_shows_it_on_the_skill_measure_not_the_raw_score() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let fernway = scenario("fernway-bakery");
    let brightline = scenario("brightline-whitepaper");
    let now = dealsim::records::clock::now_ms();
    // Ira plays the easy call below its best, then moves to a harder one and plays it as well as
    // it can be played: her raw discovery falls while her play gets better.
    let fair: [(u64, &[usize]); 3] = [(1, &[2, 0, 0]), (2, &[2, 0, 0]), (3, &[0, 1, 0])];
    for (i, (seed, picks)) in fair.into_iter().enumerate() {
        play(
            &store,
            "Ira",
            &fernway,
            seed,
            picks,
            now - (40 - i as i64) * DAY_MS,
        );
    }
    for (i, seed) in [4, 5, 6].into_iter().enumerate() {
        play_best(
            &store,
            "Ira",
            &brightline,
            seed,
            now - (10 - i as i64) * DAY_MS,
        );
    }
    let trend = store.trend("Ira", None).unwrap();
    let measured: Vec<f64> = trend.iter().filter_map(|p| p.measures.discovery).collect();
    assert_eq!(measured.len(), 6, "both calls test discovery");
    let report = store.report(&Filter::default()).unwrap();
    let discovery = report
        .iter()
        .find(|r| r.dimension == Some(Dimension::Discovery))
        .unwrap();
    assert!(discovery.trend.unwrap() < 0.0, "{discovery:?}");
    assert!(discovery.measure_trend.unwrap() > 0.0, "{discovery:?}");
    // Best play measures 100 on average over the luck, so each best-played call is near it.
    for m in &measured[3..] {
        assert!((70.0..=130.0).contains(m), "{measured:?}");
    }
    // The team's "improved most" reads the same measure: her raw discovery fell, her play rose.
    let improved = store.most_improved(now, 5).unwrap();
    assert_eq!(improved[0].rep, "Ira");
    assert!(
        improved[0].recent > improved[0].before + 10.0,
        "{improved:?}"
    );
    // Norms are measured once per revision and kept.
    let kept: i64 = rusqlite::Connection::open(dir.path().join("s.db"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM revision_norms WHERE norms IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 2);
}

#[test]
fn an_assignments_status_follows_the_reps_calls_and_the_due_date() {
    use dealsim::records::store::{Assignment, AssignmentStatus};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let fernway = scenario("fernway-bakery");
    let now = dealsim::records::clock::now_ms();
    // An older call does not count: only calls since the assignment was set.
    play_best(&store, "Ira", &fernway, 1, now - 10 * DAY_MS);
    store.set_team("Ira", "North").unwrap();
    let assignment = Assignment {
        id: "a1".into(),
        scenarios: vec!["fernway-bakery".into()],
        reps: store.team_members("north").unwrap(),
        team: Some("North".into()),
        due_at: now + 3 * DAY_MS,
        required_score: Some(80),
        set_by: "Kim".into(),
        set_at: now - 5 * DAY_MS,
        cancelled: false,
    };
    assert_eq!(assignment.reps, ["Ira"]);
    store.save_assignment(&assignment).unwrap();
    let status = |at| {
        store
            .assignment_progress(&assignment, "ira", at)
            .unwrap()
            .status
    };
    assert_eq!(status(now), AssignmentStatus::NotStarted);
    // A call begun and not finished: in progress.
    let mut session = Session::new(&fernway, 2);
    let mut recording = store
        .begin_at("Ira", "test", &session, now - 4 * DAY_MS)
        .unwrap();
    session.choose_offered(0).unwrap();
    store
        .record_turn_at(&mut recording, &session, 1500, now - 4 * DAY_MS + 1000)
        .unwrap();
    assert_eq!(status(now), AssignmentStatus::InProgress);
    // A finished call below the score asked for: not passed; after the due date: past due.
    let picks: &[usize] = &[0, 0, 0, 0, 0, 0, 0, 0, 0];
    play(&store, "Ira", &fernway, 1, picks, now - 3 * DAY_MS);
    let best_so_far = store.assignment_progress(&assignment, "Ira", now).unwrap();
    assert!(
        best_so_far.scenarios[0].best.unwrap() < 80,
        "{best_so_far:?}"
    );
    assert_eq!(status(now), AssignmentStatus::NotPassed);
    assert_eq!(status(now + 4 * DAY_MS), AssignmentStatus::PastDue);
    // Best play passes it: done, whatever the date.
    play_best(&store, "Ira", &fernway, 3, now - 2 * DAY_MS);
    assert_eq!(status(now), AssignmentStatus::Done);
    assert_eq!(status(now + 4 * DAY_MS), AssignmentStatus::Done);
    assert_eq!(store.assignments_for("IRA", now).unwrap().len(), 1);
    // A cancelled assignment is no longer the rep's.
    let mut cancelled = assignment.clone();
    cancelled.cancelled = true;
    cancelled.set_at += 1;
    store.save_assignment(&cancelled).unwrap();
    assert!(store.assignments_for("Ira", now).unwrap().is_empty());
    // The team filter selects its members' sessions.
    let north = Filter {
        team: Some("NORTH".into()),
        ..Filter::default()
    };
    assert_eq!(store.count(&north).unwrap(), 4);
    // Who practised: by name, with calls and time, for the team.
    let practice = store.practice(now - 30 * DAY_MS, Some("north")).unwrap();
    assert_eq!(practice.len(), 1);
    assert_eq!((practice[0].sessions, practice[0].finished), (4, 3));
    assert!(practice[0].minutes > 0.0);
    assert!(
        store
            .practice(now - 30 * DAY_MS, Some("south"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn work_that_fails_inside_a_transaction_is_undone_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    store
        .in_transaction(|s| {
            s.set_team("Kept", "North")?;
            let inner: dealsim::records::store::Result<()> = s.in_transaction(|s| {
                s.set_team("Undone", "North")?;
                Err(dealsim::records::store::StoreError::NoSuchSession {
                    path: dir.path().join("s.db"),
                    id: 1,
                })
            });
            assert!(inner.is_err());
            Ok(())
        })
        .unwrap();
    assert_eq!(store.team_members("north").unwrap(), ["Kept"]);
}

#[test]
fn the_heatmaps_running_totals_agree_with_every_session_after_plays_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let fernway = scenario("fernway-bakery");
    let now = dealsim::records::clock::now_ms();
    for (i, rep) in ["Ann", "Bo", "Cy", "Ann", "bo ", "Di"].iter().enumerate() {
        play(
            &store,
            rep,
            &harbor,
            i as u64,
            &[i, 1, 0, 2, 1],
            now - DAY_MS,
        );
        play_best(&store, rep, &fernway, i as u64, now - DAY_MS / 2);
    }
    // An abandoned call counts nowhere; a merge moves a rep's totals.
    let mut session = Session::new(&harbor, 9);
    let mut recording = store.begin("Cy", "test", &session).unwrap();
    session.abandon();
    store.end(&mut recording, &session).unwrap();
    store.merge_reps("Di", "Cy").unwrap();
    let totals = store.heatmap(None).unwrap();
    let scanned = store.heatmap(Some(i64::MIN)).unwrap();
    assert_eq!(totals.len(), 3);
    assert_eq!(totals.len(), scanned.len());
    for (a, b) in totals.iter().zip(&scanned) {
        assert_eq!((&a.rep, a.sessions), (&b.rep, b.sessions));
        for (x, y) in [
            (a.qualification, b.qualification),
            (a.discovery, b.discovery),
            (a.rapport, b.rapport),
            (a.velocity, b.velocity),
            (a.overall, b.overall),
        ] {
            assert!((x - y).abs() < 1e-9, "{a:?} {b:?}");
        }
    }
}

#[test]
fn a_call_cut_short_by_a_lost_display_is_closed_as_abandoned_and_queued() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let mut session = Session::new(&harbor, 3);
    let mut recording = store.begin("Lou", "window", &session).unwrap();
    session.choose_offered(0).unwrap();
    store.record_turn(&mut recording, &session, 1_000).unwrap();
    let queued = store.outbox_summary().unwrap().queued;
    assert_eq!(store.close_as_abandoned(recording.session_id).unwrap(), 1);
    let stored = store.session(recording.session_id).unwrap();
    assert_eq!(stored.row.status, Status::Abandoned);
    assert_eq!(stored.row.turns, 1);
    assert!(
        store.outbox_summary().unwrap().queued > queued,
        "its statements wait for the LRS"
    );
    // Closing it again does nothing.
    assert_eq!(store.close_as_abandoned(recording.session_id).unwrap(), 0);
}

#[test]
fn insight_finds_what_a_generated_teams_top_quartile_does_and_digests_each_session_once() {
    use dealsim::engine::debrief::Debrief;
    use dealsim::records::insight::insight;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = Store::open(&path).unwrap();
    let fernway = scenario("fernway-bakery");
    let now = dealsim::records::clock::now_ms();
    // The generator: two reps play the best path; six open with the pitch (the second choice
    // in the file at "open") and then take the first offered choice.
    let pitch: String = Session::new(&fernway, 1)
        .offered()
        .find(|o| o.say.starts_with("We help bakeries"))
        .expect("fernway opens with a pitch on offer")
        .say
        .to_string();
    let mut at = now - 20 * DAY_MS;
    for (rep, seeds) in [("Top A", [1, 2]), ("Top B", [3, 4])] {
        for seed in seeds {
            play_best(&store, rep, &fernway, seed, at);
            at += DAY_MS;
        }
    }
    for rep in ["R1", "R2", "R3", "R4", "R5", "R6"] {
        for seed in [5, 6] {
            let mut session = Session::new(&fernway, seed);
            let mut recording = store.begin_at(rep, "test", &session, at).unwrap();
            let index = session.offered().find(|o| o.say == pitch).unwrap().index;
            session.choose(index).unwrap();
            store
                .record_turn_at(&mut recording, &session, 900, at)
                .unwrap();
            while !session.is_over() {
                session.choose_offered(0).unwrap();
                store
                    .record_turn_at(&mut recording, &session, 900, at)
                    .unwrap();
            }
            at += DAY_MS;
        }
    }
    let all = Filter::default();
    assert_eq!(store.undigested(&all).unwrap().len(), 16);
    let seen = insight(&store, "fernway-bakery", None, None).unwrap();
    assert_eq!(
        store.undigested(&all).unwrap(),
        Vec::<i64>::new(),
        "digested once"
    );
    assert_eq!((seen.sessions, seen.top_sessions), (16, 4), "{seen:#?}");
    // At the opening, the top quartile takes the best path's choice, the rest the pitch.
    let open = seen.nodes.iter().find(|n| n.node_id == "open").unwrap();
    let best_open = Debrief::of(&Session::new(&fernway, 1))
        .best_path
        .unwrap()
        .steps[0]
        .say
        .clone();
    let share = |say: &str| open.choices.iter().find(|c| c.say == say).unwrap();
    assert_eq!((share(&best_open).top, share(&best_open).rest), (4, 0));
    assert_eq!((share(&pitch).top, share(&pitch).rest), (0, 12));
    assert!(share(&pitch).regret_each > 1.0, "{open:#?}");
    assert_eq!(open.better.as_deref(), Some(best_open.as_str()));
    // The regret is what replaying and debriefing every session adds up, over all time and
    // over a period that starts and ends part way through a day (whole days from the day
    // tallies, the ends from the digests).
    let sessions = store.sessions(&all, SortKey::Started, false, None).unwrap();
    let (from, to) = (
        sessions[3].started_at - 3_600_000,
        sessions[11].started_at + 60_000,
    );
    for (since, until) in [(None, None), (Some(from), Some(to))] {
        let mut by_node: std::collections::HashMap<String, f64> = Default::default();
        let mut count = 0;
        for row in &sessions {
            if since.is_some_and(|s| row.started_at < s)
                || until.is_some_and(|u| row.started_at >= u)
            {
                continue;
            }
            count += 1;
            let debrief = Debrief::of(&store.session(row.id).unwrap().replay().unwrap());
            for turn in &debrief.turns {
                *by_node.entry(turn.node_id.clone()).or_default() +=
                    turn.points_lost.unwrap_or(0.0);
            }
        }
        let seen = insight(&store, "fernway-bakery", since, until).unwrap();
        assert_eq!(seen.sessions, count, "{since:?} {until:?}");
        assert_eq!(seen.nodes.len(), by_node.len());
        for node in &seen.nodes {
            assert!(
                (node.regret - by_node[&node.node_id]).abs() < 0.1,
                "{} {} {}",
                node.node_id,
                node.regret,
                by_node[&node.node_id]
            );
        }
    }
    assert_eq!(
        insight(&store, "fernway-bakery", Some(from), Some(to))
            .unwrap()
            .sessions,
        9
    );
    // Over a period the digests are read instead of the tallies: the same answer.
    let period = insight(&store, "fernway-bakery", Some(0), Some(now + DAY_MS)).unwrap();
    assert_eq!(period.render_text(), seen.render_text());
    // A session played since is digested and added to the tallies at the next insight.
    play_best(&store, "Top A", &fernway, 7, now);
    let next = insight(&store, "fernway-bakery", None, None).unwrap();
    assert_eq!(next.sessions, 17);
    let open = next.nodes.iter().find(|n| n.node_id == "open").unwrap();
    assert_eq!(open.visits_top + open.visits_rest, 17);
    // Digests of older scoring rules are forgotten and worked out again: the same answer.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE meta SET value = '1' WHERE key = 'digest_version'",
            [],
        )
        .unwrap();
    let again = insight(&store, "fernway-bakery", None, None).unwrap();
    assert_eq!(again.render_text(), next.render_text());
    // A read-only copy digests in memory what it cannot store: the same answer.
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DELETE FROM session_digests; DELETE FROM regret_tallies; DELETE FROM digest_scores;
             UPDATE sessions SET digested = NULL; PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    let mut permissions = std::fs::metadata(dir.path()).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    permissions.set_mode(0o555);
    std::fs::set_permissions(dir.path(), permissions.clone()).unwrap();
    let read_only = Store::open_for_reading(&path).unwrap();
    let copy = insight(&read_only, "fernway-bakery", None, None);
    permissions.set_mode(0o755);
    std::fs::set_permissions(dir.path(), permissions).unwrap();
    assert_eq!(copy.unwrap().render_text(), next.render_text());
}

#[test]
fn a_kept_report_is_used_only_while_none_of_the_reps_calls_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let fernway = scenario("fernway-bakery");
    let now = dealsim::records::clock::now_ms();
    // Worked out from every session, as a filtered report is.
    let scanned = |filter: &Filter| {
        let mut filter = filter.clone();
        filter.since = Some(i64::MIN);
        store.report(&filter).unwrap()
    };
    for (i, rep) in ["Ann", "Bo", "Cy", "Ann", "Di"].iter().enumerate() {
        play(
            &store,
            rep,
            &harbor,
            i as u64,
            &[i, 1, 0, 2, 1],
            now - 3 * DAY_MS,
        );
        play_best(&store, rep, &fernway, i as u64, now - 2 * DAY_MS);
    }
    let everyone = Filter::default();
    let first = store.report(&everyone).unwrap();
    assert_eq!(first, scanned(&everyone));
    assert_eq!(first.len(), 4 * 5, "four reps, four dimensions and overall");
    // Kept: the same again without reading the sessions.
    assert_eq!(store.report(&everyone).unwrap(), first);
    // A call played since, and one synced late that belongs before the others in time: the
    // rep's kept report is stale and worked out again (the trend depends on the order).
    play(&store, "Ann", &harbor, 7, &[2, 2, 2, 2, 2], now);
    play(&store, "Bo", &fernway, 8, &[1, 0, 1, 0], now - 30 * DAY_MS);
    let after = store.report(&everyone).unwrap();
    assert_ne!(after, first);
    assert_eq!(after, scanned(&everyone));
    // An abandoned call changes nothing; a merge changes both reps.
    let mut session = Session::new(&harbor, 9);
    let mut recording = store.begin("Cy", "test", &session).unwrap();
    session.abandon();
    store.end(&mut recording, &session).unwrap();
    assert_eq!(store.report(&everyone).unwrap(), after);
    store.merge_reps("Di", "Cy").unwrap();
    let merged = store.report(&everyone).unwrap();
    assert_eq!(merged.len(), 3 * 5);
    assert_eq!(merged, scanned(&everyone));
    // One rep and one team read the same kept reports.
    store.set_team("Bo", "North").unwrap();
    for filter in [
        Filter {
            rep: Some("ann".into()),
            ..Filter::default()
        },
        Filter {
            team: Some("north".into()),
            ..Filter::default()
        },
    ] {
        let kept = store.report(&filter).unwrap();
        assert_eq!(kept.len(), 5);
        assert_eq!(kept, scanned(&filter));
    }
}

#[test]
fn a_pulled_session_is_rebuilt_with_the_rows_recording_it_as_played_wrote() {
    use dealsim::records::store::{Imported, PulledSession, PulledTurn};
    let dir = tempfile::tempdir().unwrap();
    let laptop = Store::open(&dir.path().join("laptop.db")).unwrap();
    let trainer = Store::open(&dir.path().join("trainer.db")).unwrap();
    let harbor = scenario("harbor-discovery");
    let fernway = scenario("fernway-bakery");
    let t0 = 1_800_000_000_000;
    // Finished calls on two scenarios (chance turns included) and one left half way.
    let mut ids = vec![
        play(&laptop, "Eve", &harbor, 3, &[1, 0, 2, 1, 0, 1], t0),
        play(&laptop, "Eve", &fernway, 4, &[0, 1, 0, 1], t0 + 60_000),
        play_best(&laptop, "Eve", &harbor, 5, t0 + 120_000),
    ];
    let mut session = Session::new(&fernway, 6);
    let mut recording = laptop
        .begin_at("Eve", "test", &session, t0 + 200_000)
        .unwrap();
    session.choose_offered(1).unwrap();
    laptop
        .record_turn_at(&mut recording, &session, 700, t0 + 201_000)
        .unwrap();
    session.abandon();
    laptop
        .end_at(&mut recording, &session, t0 + 230_000)
        .unwrap();
    ids.push(recording.session_id);
    for id in ids {
        let played = laptop.session(id).unwrap();
        let scenario = if played.row.scenario_id == "harbor-discovery" {
            &harbor
        } else {
            &fernway
        };
        let pulled = PulledSession {
            registration: played.row.registration.clone(),
            rep: played.row.rep.clone(),
            seed: played.row.seed,
            started_at: played.row.started_at,
            ended_at: played.row.ended_at.unwrap(),
            abandoned: played.row.status == Status::Abandoned,
            turns: played
                .turns
                .iter()
                .map(|t| PulledTurn {
                    choice: t.choice,
                    think_ms: t.think_ms,
                    at: t.at,
                })
                .collect(),
            campaign: None,
        };
        let Imported::Added(new_id) = trainer.import(scenario, &pulled).unwrap() else {
            panic!("added");
        };
        assert_eq!(
            trainer.import(scenario, &pulled).unwrap(),
            Imported::AlreadyHere
        );
        let mut rebuilt = trainer.session(new_id).unwrap();
        assert_eq!(rebuilt.row.origin, "lrs");
        rebuilt.row.origin = played.row.origin.clone();
        rebuilt.row.id = played.row.id;
        assert_eq!(rebuilt, played, "session {id}");
    }
    assert_eq!(
        trainer.outbox_summary().unwrap().queued,
        0,
        "never sent back"
    );
    // The running totals and tallies see the pulled calls as the laptop's own.
    assert_eq!(
        trainer.heatmap(None).unwrap(),
        laptop.heatmap(None).unwrap()
    );
    let facts: Vec<String> = harbor.facts().iter().map(|f| f.id.clone()).collect();
    assert_eq!(
        trainer
            .scenario_analysis("harbor-discovery", &facts)
            .unwrap(),
        laptop
            .scenario_analysis("harbor-discovery", &facts)
            .unwrap()
    );
}
