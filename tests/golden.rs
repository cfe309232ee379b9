//! Golden playthroughs: each `tests/golden/*.golden` file names a scenario, a seed and the
//! choices a rep made, by their stable ids (`node/place` in the file, or the author's id), which
//! the order the choices are shown in never changes; the rest of the file is the transcript and
//! scores they must produce. `DEALSIM_BLESS=1 cargo test --test golden`
//! rewrites the expected part after a deliberate change; review the diff before committing it.

use dealsim::{Entry, Session, check_path};
use std::fmt::Write as _;
use std::path::Path;

fn play(header: &str) -> String {
    let field = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(&format!("# {name}:")))
            .unwrap_or_else(|| panic!("golden header has no `# {name}:`"))
            .trim()
            .to_string()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = check_path(
        &root
            .join("scenarios")
            .join(format!("{}.scenario.ron", field("scenario"))),
    )
    .scenario
    .expect("the golden scenario checks");
    let seed: u64 = field("seed").parse().expect("seed is a number");
    let mut session = Session::new(&scenario, seed);
    for typed in field("choices").split_whitespace() {
        let index = scenario
            .choice_position(session.node_id(), typed)
            .unwrap_or_else(|| panic!("no choice {typed} at {}", session.node_id()));
        session
            .choose(index)
            .unwrap_or_else(|e| panic!("choice {typed}: {e}"));
    }
    session.abandon();
    let mut out = String::new();
    for entry in session.transcript() {
        let _ = match entry {
            Entry::Buyer {
                node_id,
                line,
                trust_after,
            } => writeln!(out, "buyer  [{node_id}] {line}  (trust {trust_after})"),
            Entry::Rep {
                say,
                move_kind,
                trust_after,
                minutes_left_after,
                ..
            } => {
                writeln!(
                    out,
                    "rep    [{}] {say}  (trust {trust_after}, {minutes_left_after} min left)",
                    move_kind.label()
                )
            }
            Entry::Chance { node_id, to } => writeln!(out, "chance [{node_id}] -> {to}"),
            Entry::Revealed { fact } => writeln!(out, "fact   {}", fact.id),
        };
    }
    let ending = session.ending().expect("ended");
    let Some(s) = session.scores() else {
        let _ = writeln!(
            out,
            "end    {:?} ({:?}), not scored",
            ending.outcome, ending.reason
        );
        return out;
    };
    let _ = writeln!(out, "end    {:?} ({:?})", ending.outcome, ending.reason);
    let _ = writeln!(
        out,
        "scores qualification {} discovery {} rapport {} velocity {} overall {} passed {:?}",
        s.qualification, s.discovery, s.rapport, s.velocity, s.overall, s.passed
    );
    out
}

#[test]
fn golden_playthroughs_give_the_recorded_transcripts_and_scores() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("tests/golden")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "expected the golden files, found {files:?}"
    );
    let bless = std::env::var_os("DEALSIM_BLESS").is_some();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let expected = &text[header.len()..];
        let actual = play(&header);
        if bless {
            std::fs::write(&path, format!("{header}{actual}")).unwrap();
        } else {
            assert_eq!(
                actual,
                expected,
                "{} no longer plays as recorded",
                path.display()
            );
        }
    }
}
