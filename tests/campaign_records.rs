//! Campaign calls in the records: a call keeps its run and carried state, replays exactly from
//! it, is rebuilt whole from what the LRS holds, reads back as the rep's run, and goes to the
//! LRS with the campaign as its parent activity. Played through the command line as a rep would.

use dealsim::engine::campaign::{Campaign, PlayedCall, Progress, read_campaign};
use dealsim::records::config::XapiSettings;
use dealsim::records::store::{Imported, PulledSession, PulledTurn, Store};
use dealsim::{Scenario, Session, check_path};
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn library() -> Vec<Scenario> {
    ["harbor-discovery", "harbor-coo-demo", "harbor-negotiation"]
        .iter()
        .map(|id| {
            check_path(&root().join(format!("scenarios/{id}.scenario.ron")))
                .scenario
                .unwrap()
        })
        .collect()
}

fn harbor_deal(library: &[Scenario]) -> Campaign {
    read_campaign(&root().join("scenarios/harbor-deal.campaign.ron"), library)
        .campaign
        .unwrap()
}

/// The best choices of each call, by stable id.
const BEST: [&[&str]; 3] = [
    &[
        "open/1",
        "booking/2",
        "staff/1",
        "cost/1",
        "payoff/1",
        "authority/1",
        "budget/1",
    ],
    &[
        "open/1",
        "board/1",
        "stakes/1",
        "payoff/1",
        "it-needs/1",
        "competition/1",
        "funding/1",
    ],
    &["open/1", "anchored/2"],
];

/// Plays the first `calls` calls of a run and records each; returns the session ids.
fn record_run(store: &Store, rep: &str, run_seed: u64, calls: usize) -> Vec<i64> {
    let library = library();
    let campaign = harbor_deal(&library);
    let mut played = Vec::new();
    let mut ids = Vec::new();
    for index in 0..calls {
        let scenario = &library[index];
        let start = campaign
            .start_call(index, &played, run_seed, "run-a", scenario)
            .unwrap();
        let mut session = Session::new(&start.scenario, start.seed);
        let mut recording = store.begin(rep, "test", &session).unwrap();
        for id in BEST[index] {
            let position = start
                .scenario
                .choice_position(session.node_id(), id)
                .unwrap();
            session.choose(position).unwrap();
            store.record_turn(&mut recording, &session, 1_000).unwrap();
        }
        assert!(session.is_over());
        played.push(PlayedCall::of(&session).unwrap());
        ids.push(recording.session_id);
    }
    ids
}

#[test]
fn a_campaign_call_keeps_its_run_and_carried_state_and_replays_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let ids = record_run(&store, "Sam", 7, 2);
    let second = store.session(ids[1]).unwrap();
    let call = second
        .campaign
        .clone()
        .expect("the call's campaign is stored");
    assert_eq!(call.campaign, "harbor-deal");
    assert_eq!((call.call, call.calls, call.run.as_str()), (1, 3, "run-a"));
    assert!(call.knows.iter().any(|f| f == "no-show-cost"), "{call:?}");
    // Replayed from the stored revision and the stored carried state: the same scores.
    let replayed = second.replay().unwrap();
    assert_eq!(replayed.scores(), second.row.scores);
    assert_eq!(second.scoring_note(replayed.scores()), None);
    assert!(replayed.knows("no-show-cost"));
    // The runs read back, in order, with what the run needs to go on.
    let runs = store
        .campaign_runs(Some("Sam"), Some("harbor-deal"))
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run_seed, 7);
    let calls = runs[0].calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].scores, second.row.scores.unwrap());
    let library = library();
    assert_eq!(harbor_deal(&library).progress(&calls), Progress::Next(2));
    // Another rep has no run; a call on its own is in none.
    assert!(store.campaign_runs(Some("Ana"), None).unwrap().is_empty());
}

#[test]
fn a_pulled_campaign_call_is_rebuilt_from_its_carried_state() {
    let dir = tempfile::tempdir().unwrap();
    let laptop = Store::open(&dir.path().join("laptop.db")).unwrap();
    let trainer = Store::open(&dir.path().join("trainer.db")).unwrap();
    let ids = record_run(&laptop, "Sam", 9, 3);
    let library = library();
    for (id, scenario) in ids.iter().zip(&library) {
        let played = laptop.session(*id).unwrap();
        let pulled = PulledSession {
            registration: played.row.registration.clone(),
            rep: played.row.rep.clone(),
            seed: played.row.seed,
            started_at: played.row.started_at,
            ended_at: played.row.ended_at.unwrap(),
            abandoned: false,
            turns: played
                .turns
                .iter()
                .map(|t| PulledTurn {
                    choice: t.choice,
                    think_ms: t.think_ms,
                    at: t.at,
                })
                .collect(),
            campaign: played.campaign.clone(),
        };
        let Imported::Added(new_id) = trainer.import(scenario, &pulled).unwrap() else {
            panic!("added");
        };
        let rebuilt = trainer.session(new_id).unwrap();
        assert_eq!(rebuilt.row.scores, played.row.scores, "{}", scenario.id);
        assert_eq!(rebuilt.campaign, played.campaign);
        assert_eq!(rebuilt.facts_uncovered, played.facts_uncovered);
        // Without its carried state, the same choices are not even possible on the demo.
        if scenario.id == "harbor-coo-demo" {
            let mut alone = pulled.clone();
            alone.campaign = None;
            alone.registration = "another".into();
            assert!(trainer.import(scenario, &alone).is_err());
        }
    }
    assert_eq!(
        trainer.campaign_runs(Some("Sam"), None).unwrap(),
        laptop.campaign_runs(Some("Sam"), None).unwrap()
    );
}

#[test]
fn a_campaign_calls_statements_name_the_campaign_as_parent_and_carry_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let ids = record_run(&store, "Sam", 7, 2);
    let settings = XapiSettings {
        base: "https://acme.example/xapi".into(),
        home_page: "https://acme.example".into(),
        language: "en-US".into(),
    };
    let statements = dealsim::records::xapi::statements(&store.session(ids[1]).unwrap(), &settings);
    let campaign_iri = "https://acme.example/xapi/campaigns/harbor-deal";
    let completed = statements
        .iter()
        .find(|s| s["verb"]["id"].as_str().unwrap().ends_with("completed"))
        .unwrap();
    assert_eq!(
        completed["context"]["contextActivities"]["parent"][0]["id"],
        campaign_iri
    );
    let answered = &statements[0];
    assert_eq!(
        answered["context"]["contextActivities"]["grouping"][0]["id"],
        campaign_iri
    );
    assert!(
        answered["context"]["contextActivities"]["parent"][0]["id"]
            .as_str()
            .unwrap()
            .ends_with("/scenarios/harbor-coo-demo")
    );
    let extension =
        &completed["context"]["extensions"]["https://acme.example/xapi/extensions/campaign"];
    assert_eq!(extension["id"], "harbor-deal");
    assert_eq!(extension["run"], "run-a");
    assert_eq!(extension["run-seed"], "7");
    assert_eq!(extension["call"], 2);
    assert_eq!(extension["calls"], 3);
    assert!(
        extension["start-knows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "no-shows")
    );
    // A call played on its own has no campaign in its statements.
    let harbor = &library()[0];
    let mut session = Session::new(harbor, 1);
    let mut recording = store.begin("Sam", "test", &session).unwrap();
    session.abandon();
    store.end(&mut recording, &session).unwrap();
    let alone = dealsim::records::xapi::statements(
        &store.session(recording.session_id).unwrap(),
        &settings,
    );
    assert!(alone.iter().all(|s| {
        s["context"]["extensions"]
            .get("https://acme.example/xapi/extensions/campaign")
            .is_none()
    }));
}

/// `dealsim campaign` as a rep types it: the first call, then the rep leaves the second; the
/// next `dealsim campaign` goes on with the second call, carried state and all, and ends with
/// the campaign's score.
#[test]
fn the_command_line_plays_a_campaign_and_goes_on_where_the_rep_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let config = dir.path().join("config.ron");
    std::fs::write(&config, "()").unwrap();
    let run = |input: &str, extra: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
            .arg("campaign")
            .arg(root().join("scenarios/harbor-deal.campaign.ron"))
            .args(["--rep", "Sam Rivera"])
            .args(extra)
            .arg("--db")
            .arg(&db)
            .arg("--config")
            .arg(&config)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = format!("{}\nq\n", BEST[0].join("\n"));
    let out = run(&first, &["--seed", "7"]);
    assert!(out.contains("A new run, seed 7."), "{out}");
    assert!(
        out.contains("=== Call 2 of 3: Harbor Clinics: the demo with the COO ==="),
        "{out}"
    );
    assert!(out.contains("Carried in: Dev Raman's trust"), "{out}");
    assert!(out.contains("The campaign waits at call 2"), "{out}");
    let rest = format!("{}\n{}\n", BEST[1].join("\n"), BEST[2].join("\n"));
    let out = run(&rest, &[]);
    assert!(
        out.contains("Going on with your run: 1 of 3 calls played."),
        "{out}"
    );
    assert!(!out.contains("=== Call 1 of 3"), "{out}");
    assert!(
        out.contains("=== Campaign: Harbor Clinics: from discovery to signature ==="),
        "{out}"
    );
    assert!(out.contains("the deal went the whole way"), "{out}");
    // The same run's calls, with the same seeds as the golden run (tests/campaigns.rs).
    let store = Store::open(&db).unwrap();
    let runs = store
        .campaign_runs(Some("Sam Rivera"), Some("harbor-deal"))
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].played.len(), 3);
    // The trainer's list of runs: Sam's, whole, with the campaign's score.
    let listed = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["runs", "--format", "json", "--scenarios"])
        .arg(root().join("scenarios"))
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:#}");
    assert_eq!(listed[0]["rep"], "Sam Rivera");
    assert_eq!(listed[0]["calls"].as_array().unwrap().len(), 3);
    assert!(
        listed[0]["stands"]
            .as_str()
            .unwrap()
            .contains("the deal went the whole way"),
        "{listed:#}"
    );
    assert!(listed[0]["campaign_score"]["overall"].as_u64().unwrap() >= 70);
    let golden =
        std::fs::read_to_string(root().join("tests/campaigns/harbor-deal-best.golden")).unwrap();
    for (id, _) in &runs[0].played {
        let seed = store.session(*id).unwrap().row.seed;
        assert!(golden.contains(&format!("(seed {seed})")), "seed {seed}");
    }
}

/// A manager checks a campaign by its file name from inside its folder: the scenarios beside it
/// are its library.
#[test]
fn a_campaign_checked_by_its_file_name_finds_the_scenarios_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "harbor-discovery.scenario.ron",
        "harbor-coo-demo.scenario.ron",
        "harbor-negotiation.scenario.ron",
        "harbor-deal.campaign.ron",
    ] {
        std::fs::copy(root().join("scenarios").join(name), dir.path().join(name)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["check", "harbor-deal.campaign.ron"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok  harbor-deal.campaign.ron (campaign harbor-deal: 3 calls"),
        "{stdout}"
    );
    // A typo'd scenario id is named with the right one.
    let text = std::fs::read_to_string(dir.path().join("harbor-deal.campaign.ron"))
        .unwrap()
        .replacen("\"harbor-coo-demo\",", "\"harbor-coo-dmeo\",", 1);
    std::fs::write(dir.path().join("harbor-deal.campaign.ron"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["check", "harbor-deal.campaign.ron", "--color", "never"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[E0022]: no scenario \"harbor-coo-dmeo\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("did you mean `harbor-coo-demo`?"),
        "{stdout}"
    );
}

/// A trainer assigns the deal by the campaign's id: each of its calls is assigned; a misspelt
/// id is named with the nearest one.
#[test]
fn a_campaign_is_assigned_by_its_id_as_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let config = dir.path().join("config.ron");
    std::fs::write(&config, "()").unwrap();
    // The rep has played once, so the trainer's machine knows them.
    let store = Store::open(&db).unwrap();
    record_run(&store, "Sam Rivera", 3, 1);
    drop(store);
    let assign = |what: &str| {
        Command::new(env!("CARGO_BIN_EXE_dealsim"))
            .args(["assign", what, "--rep", "Sam Rivera", "--due", "2099-12-31"])
            .arg("--scenarios-folder")
            .arg(root().join("scenarios"))
            .arg("--db")
            .arg(&db)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
    };
    let out = assign("harbor-deal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "Assigned harbor-discovery, harbor-coo-demo, harbor-negotiation to Sam Rivera"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = assign("harbor-dea");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean \"harbor-deal\"?"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dealsim_graph_draws_a_campaign_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["graph", "--format", "html"])
        .arg(root().join("scenarios/harbor-deal.campaign.ron"))
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        page.contains("<svg") && page.contains("the campaign as a map"),
        "{page}"
    );
    assert!(page.contains("3. Harbor Clinics: the negotiation"));
}

/// A call played again from its debrief ("Try again", the same carried start) counts as its
/// latest attempt: the next call starts from what that attempt left.
#[test]
fn a_call_played_again_in_a_run_counts_as_its_latest_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let ids = record_run(&store, "Sam", 7, 1);
    // The same call again, under the same run, ending with a proposal instead of a meeting.
    let first = store.session(ids[0]).unwrap();
    let library = library();
    let scenario =
        dealsim::engine::campaign::starting_call(&library[0], first.campaign.clone().unwrap())
            .unwrap();
    let mut session = Session::new(&scenario, first.row.seed + 1);
    let mut recording = store.begin("Sam", "test", &session).unwrap();
    for id in [
        "open/1",
        "booking/2",
        "staff/1",
        "cost/1",
        "payoff/1",
        "authority/1",
        "budget/2",
    ] {
        let position = scenario.choice_position(session.node_id(), id).unwrap();
        session.choose(position).unwrap();
        store.record_turn(&mut recording, &session, 1_000).unwrap();
    }
    let runs = store.campaign_runs(Some("Sam"), None).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].played.len(), 1);
    assert_eq!(
        runs[0].played[0].0, recording.session_id,
        "the latest attempt"
    );
    assert_eq!(runs[0].played[0].1.outcome, dealsim::Outcome::Continuation);
}
