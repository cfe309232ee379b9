//! Headless tests of the game as the window composes it: `DealsimPlugin` itself over
//! `MinimalPlugins` (no window, no renderer), driven by messages, with assertions on the `World`.
#![cfg(feature = "app")]

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use dealsim::Outcome;
use dealsim::app::playing::{
    ActiveCall, Choose, FinishedCall, OpenDebrief, RestartCall, StartCall, StartCampaignCall,
};
use dealsim::app::records::{DbWorker, RepProgress};
use dealsim::app::reps::Reps;
use dealsim::app::scenarios::{Library, ScenarioSourcePlugin};
use dealsim::app::{AppOptions, DealsimPlugin, Screen};
use dealsim::engine::format::diagnostic::Code;
use dealsim::records::store::{Filter, SortKey, Status, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.scenario.ron"))
}

/// A scenarios folder holding copies of these shipped scenarios.
fn folder_with(names: &[&str]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    for name in names {
        std::fs::copy(
            shipped(name),
            folder.path().join(format!("{name}.scenario.ron")),
        )
        .unwrap();
    }
    folder
}

/// The headless app over `folder`, with its library loaded.
fn loaded(folder: &Path) -> App {
    let mut app = headless(folder, &folder.join("profiles.json"));
    update_until(&mut app, "the library", library_loaded);
    app
}

/// The app as the window composes it, without the window: the real `DealsimPlugin`.
fn headless(folder: &Path, profiles: &Path) -> App {
    let mut app = App::new();
    app.set_error_handler(bevy::ecs::error::panic);
    app.add_plugins(ScenarioSourcePlugin {
        folder: folder.to_path_buf(),
    })
    .add_plugins((
        MinimalPlugins,
        AssetPlugin {
            watch_for_changes_override: Some(true),
            ..default()
        },
        StatesPlugin,
    ))
    .add_plugins(DealsimPlugin {
        options: AppOptions {
            scenarios_dir: folder.to_path_buf(),
            assets_dir: folder.join("assets"),
            profiles_path: profiles.to_path_buf(),
            db_path: profiles.with_file_name("sessions.db"),
            config: Default::default(),
        },
    });
    app
}

/// Runs frames until `done` holds, failing with `what` after a few seconds.
fn update_until(app: &mut App, what: &str, done: impl Fn(&mut World) -> bool) {
    for _ in 0..1000 {
        app.update();
        if done(app.world_mut()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let library = app.world().resource::<Library>();
    let files: Vec<_> = library
        .entries
        .iter()
        .map(|e| e.report.path.display().to_string())
        .collect();
    panic!(
        "gave up waiting for {what}; library: loading {}, problem {:?}, files {files:?}",
        library.loading, library.problem
    );
}

fn library_loaded(world: &mut World) -> bool {
    let library = world.resource::<Library>();
    !library.loading && (library.problem.is_some() || !library.entries.is_empty())
}

fn screen(app: &App) -> Screen {
    *app.world().resource::<State<Screen>>().get()
}

#[test]
fn a_whole_shipped_call_is_played_by_messages_and_debriefed() {
    let folder = folder_with(&["harbor-discovery"]);
    let profiles = folder.path().join("profiles.json");
    let mut app = loaded(folder.path());
    app.world_mut().resource_mut::<Reps>().sign_in("Sam");

    app.world_mut().write_message(StartCall {
        scenario_id: "harbor-discovery".into(),
        seed: 1,
    });
    update_until(&mut app, "the call screen", |w| {
        w.contains_resource::<ActiveCall>()
    });
    app.update();
    assert_eq!(screen(&app), Screen::Call);

    // The golden best path, each choice found where this seed's order shows it.
    for id in [
        "open/1",
        "booking/2",
        "staff/1",
        "cost/1",
        "payoff/1",
        "authority/1",
        "budget/1",
    ] {
        let shown = {
            let call = app.world().resource::<ActiveCall>();
            let session = &call.session;
            let index = session
                .scenario()
                .choice_position(session.node_id(), id)
                .unwrap();
            session
                .offered()
                .find(|o| o.index == index)
                .unwrap_or_else(|| panic!("{id} is offered"))
                .shown
        };
        app.world_mut().write_message(Choose(shown));
        app.update();
    }
    // The call screen keeps the buyer's closing line up while the debrief is worked out off the
    // frame; the rep then opens it.
    assert_eq!(screen(&app), Screen::Call);
    update_until(&mut app, "the debrief to be ready", |w| {
        w.contains_resource::<FinishedCall>()
    });
    app.world_mut().write_message(OpenDebrief);
    app.update();
    app.update();
    assert_eq!(screen(&app), Screen::Debrief);
    let finished = app.world().resource::<FinishedCall>();
    assert_eq!(finished.debrief.outcome, Outcome::Advance);
    assert!(finished.debrief.right_call);
    assert_eq!(finished.debrief.scores.unwrap().overall, 89);
    assert_eq!(finished.debrief.left_best_path_at, None);
    assert!(!app.world().contains_resource::<ActiveCall>());

    // The result is in the rep's record: the session database, as the library reads it.
    update_until(&mut app, "the rep's record", |w| {
        w.resource::<RepProgress>()
            .record
            .contains_key("harbor-discovery")
    });
    let record = &app.world().resource::<RepProgress>().record["harbor-discovery"];
    assert_eq!((record.attempts, record.best), (1, Some(89)));
    let saved = dealsim::records::profile::Profiles::load(&profiles).unwrap();
    assert_eq!(
        saved.last_rep.as_deref(),
        Some("Sam"),
        "the rep is remembered"
    );

    // And the session is in the database, every turn of it.
    let db = profiles.with_file_name("sessions.db");
    let rows = Store::open(&db)
        .unwrap()
        .sessions(&Filter::default(), SortKey::Started, true, None)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].rep, "Sam");
    assert_eq!(rows[0].turns, 7);
    assert_eq!(rows[0].status, Status::Finished);
    assert_eq!(rows[0].scores.unwrap().overall, 89);
    assert_eq!(rows[0].origin, "window");

    // Trying again with the same luck starts the same call afresh.
    app.world_mut()
        .write_message(RestartCall { new_seed: false });
    update_until(&mut app, "the restarted call", |w| {
        w.contains_resource::<ActiveCall>()
    });
    assert_eq!(app.world().resource::<ActiveCall>().session.seed(), 1);
    assert_eq!(
        app.world().resource::<ActiveCall>().session.choices_made(),
        0
    );

    // One choice, then the window closes mid-call: stored as abandoned with that turn.
    app.world_mut().write_message(Choose(0));
    app.update();
    app.world_mut().write_message(AppExit::Success);
    app.update();
    let store = Store::open(&db).unwrap();
    let rows = store
        .sessions(&Filter::default(), SortKey::Started, true, None)
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].status, Status::Abandoned);
    assert_eq!(rows[0].turns, 1);
}

#[test]
fn a_changed_scenario_file_reaches_the_library_and_the_call_in_progress() {
    let folder = folder_with(&["fernway-bakery"]);
    let file = folder.path().join("fernway-bakery.scenario.ron");
    let mut app = loaded(folder.path());
    app.world_mut().write_message(StartCall {
        scenario_id: "fernway-bakery".into(),
        seed: 3,
    });
    update_until(&mut app, "the call", |w| {
        w.contains_resource::<ActiveCall>()
    });

    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replace(
        "ten minutes before the lunch rush\",",
        "ten minutes before the rush\",",
    );
    assert_ne!(text, edited);
    // Let the watcher settle before the write, so the change is not folded into the first load.
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(&file, edited).unwrap();

    update_until(&mut app, "the library to show the new title", |w| {
        w.resource::<Library>().entries.iter().any(|e| {
            e.scenario()
                .is_some_and(|s| s.title.ends_with("before the rush"))
        })
    });
    update_until(&mut app, "the call to notice the change", |w| {
        w.resource::<ActiveCall>().changed_on_disk
    });

    app.world_mut()
        .write_message(RestartCall { new_seed: false });
    update_until(&mut app, "the restart on the new version", |w| {
        w.get_resource::<ActiveCall>().is_some_and(|c| {
            !c.changed_on_disk && c.session.scenario().title.ends_with("before the rush")
        })
    });
}

#[test]
fn a_broken_scenario_shows_its_problems_instead_of_crashing() {
    let folder = folder_with(&["orbit-acquisition"]);
    let broken = std::fs::read_to_string(shipped("fernway-bakery"))
        .unwrap()
        .replacen(r#"to: "waste""#, r#"to: "wast""#, 1);
    std::fs::write(folder.path().join("fernway-bakery.scenario.ron"), broken).unwrap();
    std::fs::write(folder.path().join("garbage.scenario.ron"), [0u8, 1, 2, 3]).unwrap();
    std::fs::write(folder.path().join("notes.txt"), "not a scenario").unwrap();
    let mut app = headless(folder.path(), &folder.path().join("profiles.json"));
    update_until(&mut app, "the library", |w| {
        library_loaded(w) && w.resource::<Library>().entries.len() == 3
    });

    let library = app.world().resource::<Library>();
    let names: Vec<String> = library
        .entries
        .iter()
        .map(|e| {
            e.report
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "fernway-bakery.scenario.ron",
            "garbage.scenario.ron",
            "orbit-acquisition.scenario.ron"
        ]
    );
    let fernway = &library.entries[0];
    assert!(fernway.scenario().is_none());
    assert!(
        fernway
            .report
            .diagnostics
            .iter()
            .any(|d| d.code == Code::UnknownNode),
        "{:?}",
        fernway.report.diagnostics
    );
    assert_eq!(
        library.entries[1].report.diagnostics[0].code,
        Code::Unreadable
    );
    assert!(library.entries[2].scenario().is_some());

    // Asking to play the broken one leaves the rep in the library with a notice.
    app.world_mut().write_message(StartCall {
        scenario_id: "fernway-bakery".into(),
        seed: 1,
    });
    app.update();
    app.update();
    assert!(!app.world().contains_resource::<ActiveCall>());
    assert!(
        app.world()
            .resource::<dealsim::app::playing::Notice>()
            .0
            .is_some()
    );
}

#[test]
fn a_missing_or_empty_scenarios_folder_is_explained() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = headless(
        &folder.path().join("nowhere"),
        &folder.path().join("profiles.json"),
    );
    update_until(&mut app, "the missing-folder message", library_loaded);
    let problem = app.world().resource::<Library>().problem.clone().unwrap();
    assert!(
        problem.contains("does not exist") && problem.contains("--scenarios"),
        "{problem}"
    );

    let empty = tempfile::tempdir().unwrap();
    let mut app = headless(empty.path(), &folder.path().join("profiles.json"));
    update_until(&mut app, "the empty-folder message", library_loaded);
    let problem = app.world().resource::<Library>().problem.clone().unwrap();
    assert!(problem.contains("no scenario files"), "{problem}");
}

#[test]
fn a_scenario_file_added_while_running_joins_the_library() {
    let folder = folder_with(&["harbor-discovery"]);
    let mut app = loaded(folder.path());
    assert_eq!(app.world().resource::<Library>().entries.len(), 1);
    std::fs::create_dir(folder.path().join("team-b")).unwrap();
    std::fs::copy(
        shipped("cobalt-bank-ciso"),
        folder.path().join("team-b/cobalt-bank-ciso.scenario.ron"),
    )
    .unwrap();
    update_until(&mut app, "the new file", |w| {
        w.resource::<Library>()
            .playable("cobalt-bank-ciso")
            .is_some()
    });
}

#[test]
fn the_trainer_screen_reads_sessions_trends_the_team_and_replays_from_the_database() {
    use dealsim::app::trainer::{Tab, TrainerView, open_replay};
    use dealsim::engine::score::Dimension;

    let folder = folder_with(&["harbor-discovery"]);
    let profiles = folder.path().join("profiles.json");
    let harbor = dealsim::check_path(&shipped("harbor-discovery"))
        .scenario
        .unwrap();
    {
        // A history: Sam plays four calls, Ana one.
        let store = Store::open(&profiles.with_file_name("sessions.db")).unwrap();
        for (rep, seed, pick) in [
            ("Sam", 1, 0),
            ("Sam", 2, 1),
            ("Sam", 3, 2),
            ("Sam", 4, 0),
            ("Ana", 5, 1),
        ] {
            let mut session = dealsim::Session::new(&harbor, seed);
            let mut recording = store.begin(rep, "test", &session).unwrap();
            while !session.is_over() {
                let offered = session.offered().count();
                session.choose_offered(pick % offered).unwrap();
                store.record_turn(&mut recording, &session, 500).unwrap();
            }
        }
    }
    let mut app = headless(folder.path(), &profiles);
    update_until(&mut app, "the library", library_loaded);
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Trainer);
    app.update();
    // What a view shows is read off the frame, by the database worker.
    let show = |app: &mut App, change: &dyn Fn(&mut TrainerView)| {
        let mut view = app.world_mut().resource_mut::<TrainerView>();
        change(&mut view);
        view.stale = true;
        update_until(app, "the trainer's view", |w| {
            let view = w.resource::<TrainerView>();
            !view.stale && view.loading.is_none()
        });
        let view = app.world().resource::<TrainerView>();
        assert_eq!(view.error, None);
    };

    show(&mut app, &|v| v.tab = Tab::Sessions);
    let view = app.world().resource::<TrainerView>();
    assert_eq!((view.rows.len(), view.matching), (5, 5));

    show(&mut app, &|v| {
        v.sort = dealsim::records::store::SortKey::Dimension(Dimension::Discovery);
        v.ascending = true;
    });
    let discovery: Vec<u8> = app
        .world()
        .resource::<TrainerView>()
        .rows
        .iter()
        .map(|r| r.scores.unwrap().discovery)
        .collect();
    assert!(discovery.windows(2).all(|w| w[0] <= w[1]), "{discovery:?}");

    show(&mut app, &|v| v.filter.rep = Some("Ana".into()));
    assert_eq!(app.world().resource::<TrainerView>().rows.len(), 1);

    show(&mut app, &|v| {
        v.tab = Tab::Reps;
        v.rep = Some("Sam".into());
    });
    assert_eq!(app.world().resource::<TrainerView>().trend.len(), 4);

    show(&mut app, &|v| v.tab = Tab::Team);
    let team: Vec<String> = app
        .world()
        .resource::<TrainerView>()
        .heatmap
        .iter()
        .map(|h| h.rep.clone())
        .collect();
    assert_eq!(team, ["Ana", "Sam"]);

    show(&mut app, &|v| {
        v.tab = Tab::Scenarios;
        v.scenario = Some("harbor-discovery".into());
    });
    let analysis = app
        .world()
        .resource::<TrainerView>()
        .analysis
        .clone()
        .expect("the scenario's analysis");
    assert_eq!(analysis.sessions, 5);
    assert_eq!(
        analysis.missed_facts.len(),
        harbor.facts().len(),
        "facts come from the library's scenario"
    );

    // Replay the first session: the same seed and choices give the stored scores.
    let worker = app.world().resource::<DbWorker>().clone();
    let replay = worker
        .submit(|store| open_replay(store, 1))
        .wait()
        .unwrap()
        .unwrap();
    let session = replay.session.expect("the stored revision replays");
    assert_eq!(session.scores(), replay.stored.row.scores);
    assert_eq!(session.choices_made(), replay.stored.turns.len());
    assert!(
        replay.debrief.is_some(),
        "the debrief comes with the replay"
    );

    // Focus skills set by the trainer reach the rep's copy through the database.
    worker
        .submit(|store| {
            store
                .set_focus("Ana", &[Dimension::Discovery], 0)
                .map_err(|e| e.to_string())
        })
        .wait()
        .unwrap()
        .unwrap();
    show(&mut app, &|v| {
        v.tab = Tab::Reps;
        v.rep = Some("Ana".into());
    });
    assert_eq!(
        app.world().resource::<TrainerView>().focus,
        [Dimension::Discovery]
    );
    app.world_mut().resource_mut::<Reps>().sign_in("Ana");
    update_until(&mut app, "Ana's progress", |w| {
        let progress = w.resource::<RepProgress>();
        progress.rep == "Ana" && progress.focus == [Dimension::Discovery]
    });
    let progress = app.world().resource::<RepProgress>();
    assert_eq!(progress.focus_lines.len(), 1, "{:?}", progress.focus_lines);
}

#[test]
fn the_author_screen_maps_a_file_selects_a_problems_node_and_follows_edits() {
    use dealsim::app::author::AuthorView;
    let folder = folder_with(&["fernway-bakery"]);
    let file = folder.path().join("fernway-bakery.scenario.ron");
    let mut app = loaded(folder.path());
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Author);
    update_until(&mut app, "the map", |w| {
        w.resource::<AuthorView>().map.is_some()
    });
    let nodes = |app: &App| {
        app.world()
            .resource::<AuthorView>()
            .map
            .as_ref()
            .map(|m| m.map.nodes.len())
            .unwrap_or(0)
    };
    let shipped = nodes(&app);
    assert!(shipped > 10);
    assert!(
        app.world()
            .resource::<AuthorView>()
            .map
            .as_ref()
            .unwrap()
            .map
            .edges
            .iter()
            .any(|e| e.best),
        "best play is drawn"
    );

    // Saved in the editor with a node nothing leads to: the map follows, and the checker's
    // warning selects the new node.
    let text = std::fs::read_to_string(&file).unwrap();
    let with_orphan = text.replacen(
        "    nodes: {\n",
        "    nodes: {\n        \"orphan\": (\n            line: \"Nobody ever gets here.\",\n            end: Lost,\n        ),\n",
        1,
    );
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(&file, &with_orphan).unwrap();
    update_until(&mut app, "the map of the edited file", |w| {
        w.resource::<AuthorView>()
            .map
            .as_ref()
            .is_some_and(|m| m.map.find("orphan").is_some())
    });
    assert_eq!(nodes(&app), shipped + 1);
    let warning_line = {
        let library = app.world().resource::<Library>();
        let entry = &library.entries[0];
        entry
            .report
            .diagnostics
            .iter()
            .find(|d| d.message.contains("orphan"))
            .and_then(|d| d.location.as_deref().map(|l| l.line))
            .expect("a warning about the unreachable node")
    };
    let mut view = app.world_mut().resource_mut::<AuthorView>();
    assert_eq!(view.select_line(warning_line).as_deref(), Some("orphan"));
    assert_eq!(view.selected.as_deref(), Some("orphan"));
    let orphan = view.map.as_ref().unwrap().map.find("orphan").unwrap();
    assert!(!view.map.as_ref().unwrap().map.nodes[orphan].reachable);

    // A typo'd id: the file stops checking, the map keeps its last good version, and the error
    // selects the node the typo is in.
    let broken = with_orphan.replacen("to: \"gut-feel\"", "to: \"gut-fel\"", 1);
    std::fs::write(&file, &broken).unwrap();
    update_until(&mut app, "the error", |w| {
        w.resource::<Library>().entries[0].scenario().is_none()
    });
    app.update();
    let error_line = app.world().resource::<Library>().entries[0]
        .report
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .and_then(|d| d.location.as_deref().map(|l| l.line))
        .unwrap();
    let mut view = app.world_mut().resource_mut::<AuthorView>();
    assert!(view.map.is_some(), "the last good map stays");
    assert_eq!(view.select_line(error_line).as_deref(), Some("open"));
}

/// Plays the choices named by stable id where this seed's order shows them, then opens the
/// debrief once it is ready.
fn play_by_ids(app: &mut App, ids: &[&str]) {
    for id in ids {
        let shown = {
            let session = &app.world().resource::<ActiveCall>().session;
            let index = session
                .scenario()
                .choice_position(session.node_id(), id)
                .unwrap_or_else(|| panic!("no {id} at {}", session.node_id()));
            session
                .offered()
                .find(|o| o.index == index)
                .unwrap_or_else(|| panic!("{id} is offered"))
                .shown
        };
        app.world_mut().write_message(Choose(shown));
        app.update();
    }
    update_until(app, "the debrief to be ready", |w| {
        w.contains_resource::<FinishedCall>()
    });
    app.world_mut().write_message(OpenDebrief);
    app.update();
    app.update();
    assert_eq!(screen(app), Screen::Debrief);
}

#[test]
fn a_campaign_is_found_in_the_library_and_played_call_by_call_to_its_score() {
    let folder = folder_with(&["harbor-discovery", "harbor-coo-demo", "harbor-negotiation"]);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/harbor-deal.campaign.ron"),
        folder.path().join("harbor-deal.campaign.ron"),
    )
    .unwrap();
    // A manager's broken copy beside it: shown with its problem, never played.
    let broken = std::fs::read_to_string(folder.path().join("harbor-deal.campaign.ron"))
        .unwrap()
        .replacen("id: \"harbor-deal\"", "id: \"harbor-deal-copy\"", 1)
        .replacen("\"harbor-coo-demo\",", "\"harbor-coo-dmeo\",", 1);
    std::fs::write(folder.path().join("copy.campaign.ron"), broken).unwrap();
    let mut app = loaded(folder.path());
    update_until(&mut app, "the campaign", |w| {
        w.resource::<Library>().campaign("harbor-deal").is_some()
    });
    {
        let library = app.world().resource::<Library>();
        assert_eq!(library.campaigns.len(), 2);
        let copy = library
            .campaigns
            .iter()
            .find(|r| r.path.ends_with("copy.campaign.ron"))
            .unwrap();
        assert!(copy.campaign.is_none());
        assert_eq!(copy.diagnostics[0].code.as_str(), "E0022");
        assert!(library.campaign("harbor-deal-copy").is_none());
    }
    app.world_mut().resource_mut::<Reps>().sign_in("Sam");
    app.world_mut().write_message(StartCampaignCall {
        campaign_id: "harbor-deal".into(),
        run: None,
    });
    update_until(&mut app, "the first call", |w| {
        w.contains_resource::<ActiveCall>()
    });
    let calls: [&[&str]; 3] = [
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
    for (n, ids) in calls.iter().enumerate() {
        let carried = app
            .world()
            .resource::<ActiveCall>()
            .session
            .scenario()
            .campaign
            .clone()
            .expect("a campaign call");
        assert_eq!(carried.call as usize, n);
        if n == 1 {
            // The demo starts knowing what discovery found, unless chance took the champion.
            assert!(
                carried.knows.iter().any(|f| f == "no-show-cost"),
                "{carried:?}"
            );
        }
        play_by_ids(&mut app, ids);
        let run = app
            .world()
            .resource::<FinishedCall>()
            .campaign_run
            .clone()
            .expect("the debrief knows the run");
        assert_eq!(run.played.len(), n + 1);
        if n < 2 {
            // The debrief's "Next call" button sends this.
            app.world_mut().write_message(StartCampaignCall {
                campaign_id: "harbor-deal".into(),
                run: Some(run),
            });
            update_until(&mut app, "the next call", |w| {
                w.contains_resource::<ActiveCall>()
            });
        } else {
            let library = app.world().resource::<Library>();
            let campaign = library.campaign("harbor-deal").unwrap();
            let score = campaign.score(&run.played).expect("the campaign is scored");
            assert_eq!(score.played, 3);
            assert!(score.deal_advanced);
            assert_eq!(score.scores.passed, Some(true));
        }
    }
    // The manager fixes the copy while the window is open: it joins the library.
    let fixed = std::fs::read_to_string(folder.path().join("copy.campaign.ron"))
        .unwrap()
        .replacen("\"harbor-coo-dmeo\",", "\"harbor-coo-demo\",", 1);
    std::fs::write(folder.path().join("copy.campaign.ron"), fixed).unwrap();
    update_until(&mut app, "the fixed campaign", |w| {
        w.resource::<Library>()
            .campaign("harbor-deal-copy")
            .is_some()
    });
    // The library reads the run back from the database: three calls played, nothing next.
    app.world_mut().resource_mut::<RepProgress>().stale = true;
    update_until(&mut app, "the run in the rep's progress", |w| {
        w.resource::<RepProgress>()
            .campaign_runs
            .iter()
            .any(|r| r.campaign == "harbor-deal" && r.played.len() == 3)
    });
    // The trainer's Campaigns tab lists the run, whole, under the rep.
    use dealsim::app::trainer::{Tab, TrainerView};
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Trainer);
    app.update();
    {
        let mut view = app.world_mut().resource_mut::<TrainerView>();
        view.tab = Tab::Campaigns;
        view.stale = true;
    }
    update_until(&mut app, "the trainer's campaign runs", |w| {
        let view = w.resource::<TrainerView>();
        !view.stale && view.loading.is_none() && !view.runs.is_empty()
    });
    let view = app.world().resource::<TrainerView>();
    assert_eq!(view.error, None);
    assert_eq!(view.runs.len(), 1);
    assert_eq!(view.runs[0].rep, "Sam");
    assert_eq!(view.runs[0].played.len(), 3);
}
