//! The real `dealsim` binary on good and broken files, as a manager or a script runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dealsim(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        // Sessions of `play` without --db go to a data folder of the test's own.
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join(format!("dealsim-cli-test-{}", std::process::id())),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scenario(name: &str) -> String {
    format!("scenarios/{name}.scenario.ron")
}

/// Fernway played as the best path plays it, and opened with a pitch, by choice id.
const FERNWAY_TEXTBOOK: &str =
    "open/1\ngut-feel/1\nwaste/2\nordering/1\nwaste-cost/1\npayoff/1\nauthority/1\nbudget/1\n";
const FERNWAY_PITCH_FIRST: &str =
    "open/3\npitch-early/1\nwaste/2\nordering/1\nwaste-cost/1\npayoff/1\nauthority/1\nbudget/1\n";

/// An empty folder of the test's own under the system's temporary folder.
fn fresh_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn broken_copy(folder: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let original =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario(name)))
            .unwrap();
    assert!(original.contains(from), "{name} has no {from:?}");
    let path = folder.join(format!("{name}.scenario.ron"));
    std::fs::write(&path, original.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn check_passes_the_shipped_library_with_no_warnings() {
    let out = dealsim(&["check", "scenarios/"], "");
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert_eq!(text(&out.stderr), "", "nothing on standard error");
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("warning["),
        "no warnings expected: {stdout}"
    );
    assert!(
        stdout.contains("checked 9 files: 0 errors, 0 warnings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok  scenarios/harbor-deal.campaign.ron (campaign harbor-deal: 3 calls"),
        "the campaign is checked with its scenarios: {stdout}"
    );
    assert!(
        stdout.contains("fastest right call"),
        "check reports difficulty: {stdout}"
    );
}

#[test]
fn check_shows_a_broken_file_like_a_compiler_and_exits_one() {
    let folder = tempfile::tempdir().unwrap();
    let path = broken_copy(
        folder.path(),
        "harbor-discovery",
        r#"to: "authority""#,
        r#"to: "authorty""#,
    );
    let out = dealsim(&["check", path.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    // The problems and the summary on one stream, so that one redirect keeps the report.
    let stderr = text(&out.stdout);
    assert!(stderr.contains("checked 1 file: 1 error"), "{stderr}");
    assert!(
        stderr.contains(r#"error[E0003]: unknown node "authorty""#),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}:", path.display())),
        "file:line:column: {stderr}"
    );
    assert!(
        stderr.contains("^^^^^^^^^^ no node has this id"),
        "caret under the id: {stderr}"
    );
    assert!(
        stderr.contains("= help: did you mean `authority`?"),
        "{stderr}"
    );
}

#[test]
fn warnings_alone_do_not_fail_check() {
    let folder = tempfile::tempdir().unwrap();
    let path = broken_copy(
        folder.path(),
        "fernway-bakery",
        r#"note: "A tour of price tiers on a ten-minute call loses him.","#,
        "",
    );
    let out = dealsim(&["check", path.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("warning[W0001]"));
}

#[test]
fn bad_paths_and_files_get_a_message_and_a_non_zero_exit_without_a_panic() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("empty.scenario.ron"), "").unwrap();
    std::fs::write(
        folder.path().join("binary.scenario.ron"),
        [0u8, 159, 146, 150],
    )
    .unwrap();
    std::fs::write(folder.path().join("wrong.ron"), "Scenario()").unwrap();
    // Special files: a link to an endless device, and a named pipe with no writer (each once
    // made `check` read until memory ran out, or wait forever).
    let specials = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", specials.path().join("zero.scenario.ron")).unwrap();
    let fifo = specials.path().join("pipe.scenario.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let empty_folder = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["check".into(), "no/such/folder".into()],
            "does not exist",
        ),
        (
            vec!["check".into(), empty_folder.path().display().to_string()],
            "no scenario files",
        ),
        (
            vec![
                "check".into(),
                folder
                    .path()
                    .join("empty.scenario.ron")
                    .display()
                    .to_string(),
            ],
            "file is empty",
        ),
        (
            vec![
                "check".into(),
                folder
                    .path()
                    .join("binary.scenario.ron")
                    .display()
                    .to_string(),
            ],
            "binary",
        ),
        (
            vec![
                "check".into(),
                folder.path().join("wrong.ron").display().to_string(),
            ],
            "not a scenario file",
        ),
        (
            vec![
                "play".into(),
                folder
                    .path()
                    .join("empty.scenario.ron")
                    .display()
                    .to_string(),
            ],
            "file is empty",
        ),
        (
            vec!["graph".into(), "missing.scenario.ron".into()],
            "does not exist",
        ),
        (
            vec!["check".into(), specials.path().display().to_string()],
            "not a regular file (a device, a named pipe or a socket)",
        ),
        (
            vec![
                "play".into(),
                specials
                    .path()
                    .join("zero.scenario.ron")
                    .display()
                    .to_string(),
            ],
            "not a regular file",
        ),
        (
            vec![
                "simulate".into(),
                scenario("harbor-discovery"),
                "--runs".into(),
                "0".into(),
            ],
            "--runs must be at least 1",
        ),
        (
            vec![
                "simulate".into(),
                scenario("harbor-discovery"),
                "--policy".into(),
                "smart".into(),
            ],
            "invalid value",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = dealsim(&args, "");
        // `check` reports on standard output, the other commands' failures on standard error.
        let stderr = text(&out.stderr) + &text(&out.stdout);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    }
}

/// Harbor's best path, typed as choice ids: the order choices are shown in is shuffled per
/// seed, the ids are not.
const HARBOR_BEST: &str = "open/1\nbooking/2\nstaff/1\ncost/1\npayoff/1\nauthority/1\nbudget/1\n";
/// Harbor with an early pitch before the discovery, then the rest done right.
const HARBOR_EARLY_PITCH: &str =
    "open/3\nearly-pitch/1\ntried/2\nstaff/1\ncost/1\npayoff/1\nauthority/1\nbudget/1\n";

#[test]
fn play_reads_choice_ids_and_prints_the_debrief() {
    let out = dealsim(
        &["play", &scenario("harbor-discovery"), "--seed", "1"],
        HARBOR_BEST,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Marta Okafor: \"I have twenty minutes."),
        "{stdout}"
    );
    assert!(
        stdout.contains("(noted - Pain: Patient no-shows run at 18%"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Outcome: Advance, the right call"),
        "{stdout}"
    );
    assert!(stdout.contains("Overall: 89/100  PASSED"), "{stdout}");
    assert!(
        stdout.contains("No choice of yours gave up a meaningful part of your score."),
        "{stdout}"
    );
}

#[test]
fn play_asks_again_on_bad_input_and_leaves_on_q_or_end_of_input() {
    let out = dealsim(
        &["play", &scenario("fernway-bakery"), "--seed", "2"],
        "seven\n0\n99\n1\nq\n",
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.matches("Type a number from 1 to 3").count(),
        3,
        "{stdout}"
    );
    assert!(stdout.contains("You left the call."), "{stdout}");
    assert!(
        stdout.contains("You left the call after 1 turn: it is not scored."),
        "{stdout}"
    );

    let out = dealsim(&["play", &scenario("fernway-bakery"), "--seed", "2"], "");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("You left the call."));
}

#[test]
fn simulate_is_deterministic_for_a_seed_and_best_play_makes_the_right_call() {
    let args = [
        "simulate",
        &scenario("northwind-incumbent"),
        "--runs",
        "3000",
        "--seed",
        "9",
    ];
    let first = dealsim(&args, "");
    let second = dealsim(&[&args[..], &["--threads", "1"]].concat(), "");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout),
        text(&second.stdout),
        "same seed, same summary, whatever the threads"
    );
    let stdout = text(&first.stdout);
    for expected in [
        "Qualification",
        "Overall",
        "p10",
        "p90",
        "Advance",
        "where random play first gives up",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    let other_seed = dealsim(
        &[
            "simulate",
            &scenario("northwind-incumbent"),
            "--runs",
            "3000",
            "--seed",
            "10",
        ],
        "",
    );
    assert_ne!(
        text(&other_seed.stdout),
        stdout,
        "another seed plays other calls"
    );

    for name in [
        "harbor-discovery",
        "brightline-whitepaper",
        "northwind-incumbent",
        "orbit-acquisition",
        "fernway-bakery",
        "cobalt-bank-ciso",
    ] {
        let out = dealsim(
            &[
                "simulate",
                &scenario(name),
                "--runs",
                "500",
                "--policy",
                "best",
                "--format",
                "json",
            ],
            "",
        );
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(
            summary["right_call_share"], 1.0,
            "{name}: best play must make the right call"
        );
    }
}

#[test]
fn graph_prints_dot_with_coloured_endings() {
    let out = dealsim(&["graph", &scenario("orbit-acquisition")], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.starts_with("digraph \"orbit-acquisition\" {"), "{dot}");
    assert!(dot.contains("\"park-it\" [label=\"park-it"), "{dot}");
    assert!(dot.contains("doubleoctagon"), "{dot}");
    assert!(
        dot.contains("\"interruption\" -> \"cfo-drop-in\" [label=\"33%\""),
        "{dot}"
    );
    assert!(
        dot.contains("label=\"Qualify out"),
        "choices are labelled with their move: {dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn graph_marks_unreachable_nodes() {
    let folder = tempfile::tempdir().unwrap();
    let path = broken_copy(
        folder.path(),
        "fernway-bakery",
        r#"        "walked-away": ("#,
        r#"        "island": (line: "Nobody gets here.", end: Lost),
        "walked-away": ("#,
    );
    let out = dealsim(&["graph", path.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    let island = dot
        .lines()
        .find(|l| l.trim_start().starts_with("\"island\""))
        .expect("island drawn");
    assert!(
        island.contains("unreachable") && island.contains("dashed"),
        "{island}"
    );
}

#[test]
fn played_calls_are_stored_and_the_trainers_commands_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db = db.to_str().unwrap();
    let harbor = scenario("harbor-discovery");
    for (rep, seed, input) in [
        ("Sam Rivera", "1", HARBOR_BEST),
        ("Sam Rivera", "2", HARBOR_EARLY_PITCH),
        ("Ana Okafor", "3", "open/1\nq\n"),
    ] {
        let out = dealsim(
            &["play", &harbor, "--seed", seed, "--rep", rep, "--db", db],
            input,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains(&format!("Playing as {rep}.")));
        assert!(text(&out.stdout).contains("dealsim replay"));
    }

    let table = dealsim(&["sessions", "--db", db], "");
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.lines().next().unwrap().starts_with("ID"), "{table}");
    assert!(table.contains("Advance (right)"), "{table}");
    assert!(table.contains("abandoned"), "{table}");

    let csv = text(
        &dealsim(
            &[
                "sessions",
                "--db",
                db,
                "--rep",
                "Sam Rivera",
                "--format",
                "csv",
            ],
            "",
        )
        .stdout,
    );
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains(",Sam Rivera,harbor-discovery,")),
        "{csv}"
    );

    let json = dealsim(
        &[
            "sessions",
            "--db",
            db,
            "--format",
            "json",
            "--since",
            "2000-01-01",
        ],
        "",
    );
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    // Times as ISO 8601 in JSON, as in the CSV; the CSV opens with a byte-order mark so a
    // spreadsheet reads accented names right.
    assert!(
        rows[0]["started_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{rows}"
    );
    let csv = dealsim(&["sessions", "--db", db, "--format", "csv"], "").stdout;
    assert!(csv.starts_with("\u{feff}id,".as_bytes()), "{}", text(&csv));
    let none = text(&dealsim(&["sessions", "--db", db, "--since", "2999-01-01"], "").stdout);
    assert!(none.contains("No sessions match"), "{none}");

    let report = text(&dealsim(&["report", "--db", db], "").stdout);
    assert!(report.contains("Sam Rivera  Overall"), "{report}");
    let (dimensions, calls) = report.split_once("FINISHED").expect("a table of calls");
    assert!(
        !dimensions.contains("Ana Okafor"),
        "abandoned calls have no scores: {report}"
    );
    // ...but they count among the calls, with the right-call rate beside them.
    assert!(calls.contains("Ana Okafor"), "{report}");
    assert!(calls.contains("of 2 (100%)"), "{report}");

    let replay = dealsim(&["replay", "1", "--db", db], "");
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    let replay = text(&replay.stdout);
    assert!(replay.contains("Session 1 · Sam Rivera"), "{replay}");
    assert!(replay.contains("Overall: 89/100  PASSED"), "{replay}");
    assert!(!replay.contains("differ"), "{replay}");

    let export = dealsim(&["export", "xapi", "--db", db, "--rep", "Ana Okafor"], "");
    let statements: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let verbs: Vec<&str> = statements
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verb"]["display"]["en-US"].as_str().unwrap())
        .collect();
    assert_eq!(verbs, ["answered", "terminated"]);

    let focus = dealsim(
        &["focus", "Ana Okafor", "discovery", "velocity", "--db", db],
        "",
    );
    assert!(focus.status.success(), "{}", text(&focus.stderr));
    assert!(
        text(&focus.stdout).starts_with("Ana Okafor's focus: Discovery and Velocity (set "),
        "{}",
        text(&focus.stdout)
    );
    let shown = text(&dealsim(&["focus", "Ana Okafor", "--db", db], "").stdout);
    assert!(shown.contains("Discovery and Velocity"), "{shown}");
    let cleared = text(&dealsim(&["focus", "Ana Okafor", "--clear", "--db", db], "").stdout);
    assert!(cleared.contains("has no focus skills set"), "{cleared}");
    let three = dealsim(
        &[
            "focus",
            "Ana Okafor",
            "discovery",
            "rapport",
            "velocity",
            "--db",
            db,
        ],
        "",
    );
    assert_eq!(
        three.status.code(),
        Some(2),
        "one or two dimensions, not three"
    );

    let missing = dealsim(&["replay", "99", "--db", db], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("there is no session 99"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn a_bad_database_or_date_gets_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "not a database at all, but long enough to look like a file\n".repeat(100),
    )
    .unwrap();
    let out = dealsim(&["sessions", "--db", notes.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is not a dealsim database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let out = dealsim(
        &[
            "sessions",
            "--since",
            "last tuesday",
            "--db",
            notes.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("YYYY-MM-DD"),
        "{}",
        text(&out.stderr)
    );

    let out = dealsim(
        &[
            "sync",
            "--db",
            dir.path().join("s.db").to_str().unwrap(),
            "--config",
            dir.path().join("none.ron").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn new_writes_a_call_that_checks_clean_and_plays_and_never_overwrites() {
    let folder = fresh_folder("dealsim-new");
    let dir = folder.to_str().unwrap();
    let out = dealsim(&["new", "Acme Renewal", "--dir", dir], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = folder.join("acme-renewal.scenario.ron");
    assert!(text(&out.stdout).contains("docs/authoring.md"));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("id: \"acme-renewal\""), "{written}");

    let file = path.to_str().unwrap();
    let check = dealsim(&["check", file], "");
    let report = text(&check.stdout);
    assert!(check.status.success(), "{report}");
    assert!(
        report.contains("0 errors, 0 warnings"),
        "the starting call must be a clean example: {report}"
    );
    // Played through by choice id: the best route books the meeting.
    let play = dealsim(
        &["play", file, "--no-record", "--seed", "3"],
        "open/1\ntoday/2\nwho-signs/1\nwhen/1\n",
    );
    let played = text(&play.stdout);
    assert!(play.status.success(), "{played}{}", text(&play.stderr));
    assert!(played.contains("Advance"), "{played}");

    let again = dealsim(&["new", "Acme Renewal", "--dir", dir], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        written,
        "untouched"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn a_folder_check_names_look_alikes_blames_the_newer_copy_and_speaks_json() {
    let folder = fresh_folder("dealsim-folder");
    let original = std::fs::read_to_string(scenario("fernway-bakery")).unwrap();
    let older = folder.join("fernway.scenario.ron");
    let newer = folder.join("fernway-copy.scenario.ron");
    for path in [&older, &newer] {
        std::fs::write(path, &original).unwrap();
    }
    // The copy is the newer file, whatever the order of their names.
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&older)
        .unwrap()
        .set_modified(past)
        .unwrap();
    std::fs::write(folder.join("call.ron"), &original).unwrap();
    std::fs::write(folder.join("other.scenario.ron.txt"), &original).unwrap();
    std::fs::write(folder.join("notes.txt"), "not a scenario").unwrap();

    let out = dealsim(&["check", folder.to_str().unwrap()], "");
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("warning[W0006]"), "{report}");
    for name in ["call.ron", "other.scenario.ron.txt"] {
        assert!(report.contains(name), "{name} named: {report}");
    }
    assert!(!report.contains("notes.txt"), "{report}");
    let blamed = report
        .lines()
        .find(|l| l.contains("-->") && report.contains("E0005"))
        .filter(|_| report.contains("fernway-copy.scenario.ron:"));
    assert!(blamed.is_some(), "the newer copy gets the error: {report}");
    assert!(report.contains("fernway.scenario.ron (older)"), "{report}");
    assert!(
        report.contains("checked 2 files: 1 error, 2 warnings"),
        "{report}"
    );

    let json = dealsim(&["check", folder.to_str().unwrap(), "--format", "json"], "");
    assert_eq!(json.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(document["errors"], 1);
    assert_eq!(document["warnings"], 2);
    let codes: Vec<String> = document["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().clone())
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"E0005".to_string()), "{codes:?}");
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn a_playtest_starts_where_the_author_says_shows_hidden_choices_and_is_never_stored() {
    let db = std::env::temp_dir().join(format!("dealsim-playtest-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let db_arg = db.to_str().unwrap();
    let out = dealsim(
        &[
            "play",
            &scenario("harbor-discovery"),
            "--from",
            "booking",
            "--trust",
            "10",
            "--knows",
            "coo-signs",
            "--minutes",
            "6",
            "--seed",
            "4",
            "--db",
            db_arg,
        ],
        "q\n",
    );
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    assert!(
        shown.contains("Playtest from \"booking\" (not stored)"),
        "{shown}"
    );
    assert!(shown.contains("[6 min left | trust 10]"), "{shown}");
    assert!(
        shown.contains("(hidden) When a slot goes empty")
            && shown.contains("it needed to be 40 or more"),
        "the gated question is listed with its condition: {shown}"
    );
    assert!(shown.contains("(booking/"), "ids shown: {shown}");
    let sessions = dealsim(&["sessions", "--db", db_arg], "");
    assert!(
        !text(&sessions.stdout).contains("harbor-discovery"),
        "a playtest is not a rep's session: {}",
        text(&sessions.stdout)
    );

    let typo = dealsim(
        &["play", &scenario("harbor-discovery"), "--from", "bookin"],
        "",
    );
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo.stderr).contains("did you mean `booking`?"));
    let _ = std::fs::remove_file(&db);
}

#[test]
fn one_rep_whatever_the_case_and_a_focus_typo_makes_no_phantom_rep() {
    let dir = fresh_folder("dealsim-reps");
    let db = dir.join("s.db");
    let db = db.to_str().unwrap();
    let fernway = scenario("fernway-bakery");
    for (rep, seed) in [
        ("Eve Moreau", "1"),
        ("eve  moreau", "2"),
        ("Eve Moreu", "3"),
    ] {
        let out = dealsim(
            &["play", &fernway, "--rep", rep, "--seed", seed, "--db", db],
            "q\n",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let reps = text(&dealsim(&["reps", "--db", db], "").stdout);
    assert!(reps.contains("Eve Moreau  (2 sessions)"), "{reps}");
    assert!(reps.contains("Eve Moreu  (1 session)"), "{reps}");

    let typo = dealsim(&["focus", "Eve Morau", "discovery", "--db", db], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        text(&typo.stderr).contains("did you mean `Eve Moreau`?"),
        "{}",
        text(&typo.stderr)
    );
    let reps_after = text(&dealsim(&["reps", "--db", db], "").stdout);
    assert!(
        !reps_after.contains("Morau"),
        "no phantom rep: {reps_after}"
    );

    let merge = dealsim(
        &["reps", "merge", "Eve Moreu", "Eve Moreau", "--db", db],
        "",
    );
    assert!(merge.status.success(), "{}", text(&merge.stderr));
    let reps = text(&dealsim(&["reps", "--db", db], "").stdout);
    assert!(reps.contains("Eve Moreau  (3 sessions)"), "{reps}");
    assert!(!reps.contains("Moreu"), "{reps}");
    // The merged name keeps landing with the rep.
    let out = dealsim(
        &[
            "play",
            &fernway,
            "--rep",
            "EVE MOREU",
            "--seed",
            "4",
            "--db",
            db,
        ],
        "q\n",
    );
    assert!(out.status.success());
    let table = text(&dealsim(&["sessions", "--rep", "eve moreau", "--db", db], "").stdout);
    assert_eq!(table.matches("Eve Moreau").count(), 4, "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn graph_draws_a_map_without_graphviz_as_svg_and_a_self_contained_page() {
    let svg = dealsim(
        &["graph", &scenario("fernway-bakery"), "--format", "svg"],
        "",
    );
    assert!(svg.status.success(), "{}", text(&svg.stderr));
    let svg = text(&svg.stdout);
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario("fernway-bakery")),
    )
    .unwrap();
    // Every node is on the map, the start is marked, best play is drawn in its colour, and a
    // gated choice shows its condition in words.
    for line in source.lines() {
        let line = line.trim();
        if let Some(id) = line.strip_prefix('"').and_then(|l| l.strip_suffix("\": (")) {
            assert!(svg.contains(id), "node {id} is drawn");
        }
    }
    assert!(svg.contains("START"));
    assert!(
        svg.to_lowercase().contains("0b7a75"),
        "best play is highlighted"
    );
    assert!(
        svg.contains("if trust &gt;= ") || svg.contains("if trust >= "),
        "conditions written out"
    );

    let page = dealsim(
        &["graph", &scenario("harbor-discovery"), "--format", "html"],
        "",
    );
    assert!(page.status.success());
    let page = text(&page.stdout);
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<svg") && page.contains("best play") && page.contains("UNREACHABLE"));
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "self-contained: nothing fetched from elsewhere"
    );
    let dot = text(&dealsim(&["graph", &scenario("harbor-discovery")], "").stdout);
    assert!(
        dot.contains("rankdir=LR") && dot.contains("penwidth=3"),
        "{dot}"
    );
}

#[test]
fn scenario_tests_run_beside_their_call_fail_like_a_compiler_and_report_coverage() {
    // The shipped tests pass.
    let shipped = dealsim(&["test", "scenarios/"], "");
    assert!(shipped.status.success(), "{}", text(&shipped.stdout));
    assert!(text(&shipped.stdout).contains("coverage of"));

    // A failing test names the test, the file and what did not hold.
    let folder = fresh_folder("dealsim-tests");
    std::fs::copy(
        scenario("fernway-bakery"),
        folder.join("fernway-bakery.scenario.ron"),
    )
    .unwrap();
    std::fs::write(
        folder.join("fernway-bakery.tests.ron"),
        r#"[
            (name: "wrong expectation", choices: ["open/1", "gut-feel/1", "waste/2", "ordering/1", "waste-cost/1", "payoff/1", "authority/1", "budget/1"],
             expect: (outcome: Lost, overall: (max: 10))),
            (name: "a typo in a choice id", choices: ["open/1", "gut-feel/9"]),
        ]"#,
    )
    .unwrap();
    let out = dealsim(&["test", folder.to_str().unwrap()], "");
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("test wrong expectation ... FAILED"),
        "{shown}"
    );
    assert!(
        shown.contains("expected the call to end in Lost, but it ended in Advance"),
        "{shown}"
    );
    assert!(shown.contains("expected overall from 0 to 10"), "{shown}");
    assert!(
        shown.contains("(\"gut-feel/9\") is not offered at \"gut-feel\""),
        "{shown}"
    );
    assert!(
        shown.contains("test result: FAILED. 0 passed; 2 failed"),
        "{shown}"
    );

    // A broken tests file gets a located message.
    std::fs::write(
        folder.join("fernway-bakery.tests.ron"),
        "[ (name: \"x\", choises: []) ]",
    )
    .unwrap();
    let out = dealsim(&["test", folder.to_str().unwrap(), "--format", "json"], "");
    assert_eq!(out.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problem = document["files"][0]["problem"].as_str().unwrap();
    assert!(
        problem.contains("choises") && problem.contains(":1:"),
        "{problem}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn a_brief_for_a_one_to_one_adds_up_a_reps_calls() {
    let dir = fresh_folder("dealsim-brief");
    let db = dir.join("s.db");
    let db = db.to_str().unwrap();
    let fernway = scenario("fernway-bakery");
    let (textbook, pitch_first) = (FERNWAY_TEXTBOOK, FERNWAY_PITCH_FIRST);
    for (seed, choices) in [("1", pitch_first), ("2", pitch_first), ("3", textbook)] {
        let out = dealsim(
            &[
                "play",
                &fernway,
                "--rep",
                "Eve Moreau",
                "--seed",
                seed,
                "--db",
                db,
            ],
            choices,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = dealsim(&["brief", "eve moreau", "--db", db], "");
    let brief = text(&out.stdout);
    assert!(out.status.success(), "{brief}{}", text(&out.stderr));
    assert!(brief.contains("Brief for Eve Moreau"), "{brief}");
    assert!(
        brief.contains("3 sessions (3 finished, 0 left early)"),
        "{brief}"
    );
    assert!(brief.contains("ceiling"), "{brief}");
    // Skill measures, like with like, with their explanation, and the scenario grid.
    assert!(
        brief.contains("what random choices get on that call (0)"),
        "{brief}"
    );
    let grid = brief
        .split("By scenario")
        .nth(1)
        .expect("a grid per scenario");
    assert!(
        grid.contains("fernway-bakery") && grid.contains("3 call(s)  right calls"),
        "{brief}"
    );
    let report = text(&dealsim(&["report", "--db", db, "--format", "csv"], "").stdout);
    assert!(report.contains(",skill_measure,skill_trend"), "{report}");
    // The move that cost the most, twice, with the better move and its note.
    assert!(
        brief.contains("fernway-bakery at \"open\": \"We help bakeries cut waste with smart ordering. Let me walk you through it.\" (2 times"),
        "{brief}"
    );
    assert!(brief.contains("better: \"I'll be quick."), "{brief}");
    let json = dealsim(&["brief", "Eve Moreau", "--db", db, "--format", "json"], "");
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["finished"], 3);
    let html = text(&dealsim(&["brief", "Eve Moreau", "--db", db, "--format", "html"], "").stdout);
    assert!(html.starts_with("<!doctype html>") && html.contains("Eve Moreau"));
    // Self-contained: the chart is inline SVG, and nothing is fetched from the network.
    assert!(
        html.contains("<svg") && html.contains("<polyline"),
        "{html}"
    );
    assert!(html.contains("<h2>By scenario</h2>"), "{html}");
    assert!(
        !html.contains("src=") && !html.contains("<script") && !html.contains("<link"),
        "{html}"
    );
    let typo = dealsim(&["brief", "Eve Morau", "--db", db], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo.stderr).contains("did you mean"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn insight_shows_where_the_team_loses_points_and_what_the_top_quartile_does() {
    let dir = fresh_folder("dealsim-insight");
    let db = dir.join("s.db");
    let db = db.to_str().unwrap();
    let fernway = scenario("fernway-bakery");
    let (textbook, pitch_first) = (FERNWAY_TEXTBOOK, FERNWAY_PITCH_FIRST);
    for (rep, seed, choices) in [
        ("Sam", "1", textbook),
        ("Ana", "2", pitch_first),
        ("Lee", "3", pitch_first),
        ("Kim", "4", pitch_first),
    ] {
        let out = dealsim(
            &["play", &fernway, "--rep", rep, "--seed", seed, "--db", db],
            choices,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = dealsim(&["insight", "fernway-bakery", "--db", db], "");
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    assert!(
        shown.contains("4 finished session(s); the top quartile is 1 session(s)"),
        "{shown}"
    );
    let open = shown
        .split("at \"open\"")
        .nth(1)
        .expect("the opening is where points go");
    assert!(
        open.contains("top 100%  rest   0%  \"I'll be quick."),
        "the top quartile opens with the question: {shown}"
    );
    assert!(
        open.contains("rest 100%  costs about"),
        "the rest pitch, at a cost: {shown}"
    );
    let json = dealsim(
        &["insight", "fernway-bakery", "--db", db, "--format", "json"],
        "",
    );
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["sessions"], 4);
    let typo = dealsim(&["insight", "fernway", "--db", db], "");
    assert_eq!(typo.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn graph_marks_the_nodes_the_checker_warns_about() {
    let dir = fresh_folder("dealsim-graph-marks");
    // A choice at "open" without its coaching note: W0001, marked on that node.
    let path = broken_copy(
        &dir,
        "fernway-bakery",
        "note: \"Genuine and warm, but on a ten-minute call it spends time you need for discovery.\",",
        "",
    );
    let svg = dealsim(&["graph", path.to_str().unwrap(), "--format", "svg"], "");
    let svg = text(&svg.stdout);
    assert!(svg.contains("CHECK: W0001"), "the warned node is marked");
    let html = text(&dealsim(&["graph", path.to_str().unwrap(), "--format", "html"], "").stdout);
    assert!(html.contains("W0001") && html.contains("CHECK: a node the checker warns about"));
    // A file with errors is still drawn, as far as it can be, with its errors on it.
    let broken = broken_copy(
        &dir,
        "fernway-bakery",
        "to: \"gut-feel\"",
        "to: \"gut-fell\"",
    );
    let out = dealsim(&["graph", broken.to_str().unwrap(), "--format", "svg"], "");
    assert_eq!(out.status.code(), Some(1));
    let svg = text(&out.stdout);
    assert!(
        svg.contains("NO SUCH NODE") && svg.contains("gut-fell"),
        "{svg}"
    );
    assert!(svg.contains("ERROR: E0003"), "{svg}");
    assert!(text(&out.stderr).contains("drawn as far as it can be"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Serves `files` over plain HTTP on a free loopback port (one request per connection); an
/// unknown path is a 404.
fn serve(files: Vec<(String, String)>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]).to_string();
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let found = files
                .iter()
                .find(|(name, _)| path == format!("/team/{name}"));
            let (status, body) = match found {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", "no such file".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/team")
}

#[test]
fn the_teams_library_is_copied_checked_and_a_broken_file_keeps_its_last_good_copy() {
    let dir = std::env::temp_dir().join(format!("dealsim-library-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (source, copy) = (dir.join("share"), dir.join("copy"));
    std::fs::create_dir_all(&source).unwrap();
    let read = |name: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario(name))).unwrap()
    };
    for name in ["fernway-bakery", "harbor-discovery"] {
        std::fs::write(source.join(format!("{name}.scenario.ron")), read(name)).unwrap();
    }
    std::fs::write(source.join("notes.txt"), "not a scenario").unwrap();
    let config = dir.join("config.ron");
    let settings = |source: &str| {
        std::fs::write(
            &config,
            format!(
                "(library: (source: {source:?}, copy: {:?}))",
                copy.to_str().unwrap()
            ),
        )
        .unwrap();
    };
    settings(source.to_str().unwrap());
    let library = || dealsim(&["library", "--config", config.to_str().unwrap()], "");
    let out = library();
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("2 updated, 0 unchanged, 0 removed"));
    assert_eq!(
        std::fs::read_to_string(copy.join("fernway-bakery.scenario.ron")).unwrap(),
        read("fernway-bakery")
    );
    // A manager breaks a file: the reps keep the last good copy, and the message says why.
    broken_copy(
        &source,
        "fernway-bakery",
        "to: \"gut-feel\"",
        "to: \"gut-fell\"",
    );
    let out = library();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let said = text(&out.stdout);
    assert!(
        said.contains("fernway-bakery.scenario.ron was not taken: error[E"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(copy.join("fernway-bakery.scenario.ron")).unwrap(),
        read("fernway-bakery"),
        "the last good copy stays"
    );
    // A call removed at the source leaves the copy; an unreachable source changes nothing.
    std::fs::remove_file(source.join("harbor-discovery.scenario.ron")).unwrap();
    let out = library();
    assert!(text(&out.stdout).contains("removed harbor-discovery.scenario.ron"));
    std::fs::rename(&source, dir.join("gone")).unwrap();
    let out = library();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stdout).contains("could not be read"));
    assert!(copy.join("fernway-bakery.scenario.ron").exists());

    // Over HTTP: an index of names, and a name that tries to leave the folder is ignored.
    let address = serve(vec![
        (
            "index.txt".into(),
            "# the team's calls\nharbor-discovery.scenario.ron\n../escape.scenario.ron\n".into(),
        ),
        (
            "harbor-discovery.scenario.ron".into(),
            read("harbor-discovery"),
        ),
    ]);
    settings(&address);
    let out = library();
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("updated harbor-discovery.scenario.ron"));
    assert!(!dir.join("escape.scenario.ron").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The map of a shipped call, drawn without Graphviz, is kept as a golden file: a change to the
/// layout, the labels or best play shows in review as a diff of the SVG
/// (`DEALSIM_BLESS=1 cargo test --test cli golden_map` records it again).
#[test]
fn the_golden_map_of_a_shipped_call_is_drawn_the_same() {
    let out = dealsim(
        &["graph", &scenario("fernway-bakery"), "--format", "svg"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden-maps/fernway-bakery.svg");
    let drawn = text(&out.stdout);
    if std::env::var_os("DEALSIM_BLESS").is_some() {
        std::fs::write(&path, &drawn).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&path).expect("tests/golden-maps/fernway-bakery.svg");
    assert!(
        drawn == recorded,
        "the map of fernway-bakery is drawn differently from tests/golden-maps/fernway-bakery.svg; look at both, then DEALSIM_BLESS=1 to record it"
    );
    // What the map must show, whatever the layout.
    for label in ["START", "END: Advance", "gut-feel", "pitch-early"] {
        assert!(drawn.contains(label), "the map lacks {label:?}");
    }
}

#[test]
fn an_authors_playtest_says_why_the_buyer_went_where_they_did() {
    let call = "tests/calls/budget-if-trusted.scenario.ron";
    // By id: rapport first (trust 70), then cold (trust 50).
    let warm = dealsim(&["play", call, "--author"], "open/1\nnames-budget/2\n");
    let shown = text(&warm.stdout);
    assert!(
        shown.contains("(ask -> names-budget: if trust >= 60; trust was 70)"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "(luck -> alone: drawn by chance among the branches open then; trust was 70)"
        ),
        "{shown}"
    );
    let cold = dealsim(&["play", call, "--author"], "open/2\ndeflects/1\n");
    let shown = text(&cold.stdout);
    assert!(
        shown.contains("(ask -> deflects: otherwise; trust was 50)"),
        "{shown}"
    );
    // A rep's call does not show the author's reasons.
    let rep = dealsim(&["play", call, "--no-record"], "open/2\ndeflects/1\n");
    assert!(!text(&rep.stdout).contains("-> deflects"));
}
