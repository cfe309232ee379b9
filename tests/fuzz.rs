//! Fuzzing of the whole path a scenario file takes: loading, checking, compiling and playing,
//! on near-valid text (the shipped calls and the corpus, mutated the ways files get broken:
//! cut, duplicated, spliced with what managers paste and with numbers past every limit).
//!
//! `cargo test` runs every input in `tests/fuzz-corpus/` (each once broke something) and a few
//! hundred new mutations. A long campaign:
//!
//!     DEALSIM_FUZZ_SECONDS=1800 \
//!         cargo test --release --no-default-features --test fuzz -- --nocapture
//!
//! prints how many inputs it tried and how long the slowest took, and saves any input that
//! panics in `target/fuzz-findings/` for the corpus.

use dealsim::engine::debrief::Debrief;
use dealsim::{Session, check_source};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Loads, checks and, when the file is playable, plays it a few ways and writes its debriefs.
/// Any panic on the way is the finding. Says how far the input got.
fn exercise(name: &str, bytes: &[u8]) -> Reached {
    let path = Path::new(name);
    let source = match dealsim::engine::format::load::source_from_bytes(path, bytes.to_vec()) {
        Ok(source) => source,
        Err(diagnostic) => {
            let _ = diagnostic.render(true);
            return Reached::Refused;
        }
    };
    let report = check_source(&source);
    for diagnostic in &report.diagnostics {
        let _ = diagnostic.render(false);
    }
    let Some(scenario) = report.scenario else {
        return Reached::Diagnosed;
    };
    for seed in 0..3u64 {
        let mut session = Session::new(&scenario, seed);
        let mut turn = 0usize;
        while !session.is_over() && turn < 200 {
            let offered = session.offered().count();
            if offered == 0 {
                break;
            }
            session
                .choose_offered((seed as usize * 7 + turn * 3) % offered)
                .expect("an offered choice can be taken");
            turn += 1;
        }
        if !session.is_over() {
            session.abandon();
        }
        let _ = Debrief::of(&session).render_text();
        let replayed = Session::replay(&scenario, seed, &session.choice_indices())
            .expect("a played call replays");
        assert_eq!(
            replayed.scores(),
            session.scores(),
            "a replay scores the same"
        );
    }
    let _ = dealsim::engine::simulate::simulate(
        &scenario,
        &dealsim::engine::simulate::Settings {
            runs: 50,
            policy: dealsim::engine::simulate::Policy::Random,
            seed: 1,
            threads: 1,
        },
    );
    Reached::Played
}

/// How far an input got: refused as a file, checked with errors, or checked clean and played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reached {
    Refused,
    Diagnosed,
    Played,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus")
}

#[test]
fn every_input_that_ever_failed_now_passes() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus holds the past findings");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = std::panic::catch_unwind(|| exercise(&name, &bytes));
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

/// The texts mutations start from: the shipped calls and the corpus.
fn seeds() -> Vec<String> {
    let mut texts = Vec::new();
    for folder in [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        corpus_dir(),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            if let Ok(text) = std::fs::read_to_string(&file) {
                texts.push(text);
            }
        }
    }
    texts
}

/// What gets pasted into scenario files: Word's quotes and spaces, stray punctuation, numbers
/// written as people write them, numbers past every limit, and pieces of valid syntax.
const SPLICES: &[&str] = &[
    "\"",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "#",
    "//",
    "/*",
    "\\",
    "€",
    "\u{201C}",
    "\u{201D}",
    "\u{2019}",
    "\u{00A0}",
    "\u{FEFF}",
    "\u{0301}",
    "\u{1F600}",
    "\t",
    "\r\n",
    "160,000",
    "40.5",
    "75%",
    "-1",
    "0",
    "4294967295",
    "18446744073709551616",
    "1e999",
    "Some(",
    "None",
    "true",
    "r#\"x\"#",
    "'c'",
    "next: \"open\",",
    "end: Advance,",
    "end: Lost,",
    "reveals: [\"x\"],",
    "chance: [(weight: 4294967295, to: \"open\"), (weight: 4294967295, to: \"open\")],",
    "requires: [TrustAtLeast(101)],",
    "requires: [Knows(\"nope\")],",
    "requires: [Visited(\"open\"), NotVisited(\"open\")],",
    "minutes: 0,",
    "minutes: 600,",
    "trust: 100,",
    "trust: -100,",
    "weight: 0,",
    "portrait: \"../x.png#\",",
    "\"loop\": (line: \"L\", next: \"loop\"),",
    "id: \"open/1\",",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete {
        at: usize,
        len: usize,
    },
    Duplicate {
        at: usize,
        len: usize,
        to: usize,
    },
    Splice {
        at: usize,
        piece: usize,
    },
    Number {
        at: usize,
        value: i64,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    /// The first `to: "…"` at or after `at` is pointed at another node of the file: the call's
    /// shape changes and the file usually stays valid, so the search and play get exercised.
    Retarget {
        at: usize,
        pick: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..400, any::<usize>())
            .prop_map(|(at, len, to)| Mutation::Duplicate { at, len, to }),
        (any::<usize>(), 0..SPLICES.len()).prop_map(|(at, piece)| Mutation::Splice { at, piece }),
        (
            any::<usize>(),
            prop_oneof![
                Just(i64::MIN),
                Just(-1i64),
                0i64..200,
                Just(1_000_001),
                Just(i64::MAX)
            ]
        )
            .prop_map(|(at, value)| Mutation::Number { at, value }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, pick)| Mutation::Retarget { at, pick }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, pick)| Mutation::Retarget { at, pick }),
        (
            any::<usize>(),
            prop_oneof![
                Just(i64::MIN),
                Just(-1i64),
                0i64..200,
                Just(1_000_001),
                Just(i64::MAX)
            ]
        )
            .prop_map(|(at, value)| Mutation::Number { at, value }),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Delete { at, len: n } => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Duplicate { at, len: n, to } => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                let piece = bytes[at.min(end)..end].to_vec();
                let to = to % (bytes.len() + 1);
                bytes.splice(to..to, piece);
            }
            Mutation::Splice { at, piece } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, SPLICES[piece].bytes());
            }
            Mutation::Number { at, value } => {
                // The first number at or after `at` is replaced.
                let at = at % len;
                if let Some(start) = (at..bytes.len()).find(|&i| bytes[i].is_ascii_digit()) {
                    let end = (start..bytes.len())
                        .find(|&i| !bytes[i].is_ascii_digit())
                        .unwrap_or(bytes.len());
                    bytes.splice(start..end, value.to_string().bytes());
                }
            }
            Mutation::Retarget { at, pick } => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let keys: Vec<&str> = text
                    .lines()
                    .filter_map(|l| {
                        let l = l.trim_start();
                        let rest = l.strip_prefix('"')?;
                        let end = rest.find('"')?;
                        rest[end + 1..]
                            .trim_start()
                            .starts_with(": (")
                            .then(|| &rest[..end])
                    })
                    .collect();
                let at = at % (text.len() + 1);
                if let (false, Some(found)) = (
                    keys.is_empty(),
                    text.get(at..).and_then(|t| t.find("to: \"")),
                ) {
                    let start = at + found + 5;
                    if let Some(len) = text[start..].find('"') {
                        let mut changed = text.clone();
                        changed.replace_range(start..start + len, keys[pick % keys.len()]);
                        bytes = changed.into_bytes();
                    }
                }
            }
            Mutation::SwapLines { a, b } => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
                let n = lines.len();
                lines.swap(a % n, b % n);
                bytes = lines.join(&b'\n');
            }
        }
    }
    bytes
}

#[test]
fn mutated_scenarios_never_panic() {
    let cases: u32 = std::env::var("DEALSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // A campaign may be bounded by time instead: DEALSIM_FUZZ_SECONDS=1800 with a large count.
    let deadline = std::env::var("DEALSIM_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs);
    let seeds = seeds();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // `cargo test` draws the same inputs every run, so a red CI can be reproduced; a campaign
    // draws new ones each time.
    let mut runner = if deadline.is_some() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(
            config,
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        )
    };
    let started = Instant::now();
    let slowest = std::cell::Cell::new((Duration::ZERO, Vec::new()));
    let tried = std::cell::Cell::new(0u64);
    let played = std::cell::Cell::new(0u64);
    let findings = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
    let try_one = |seed: usize, mutations: &[Mutation]| -> Result<(), TestCaseError> {
        let bytes = apply(&seeds[seed], mutations);
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(|| exercise("fuzz.scenario.ron", &bytes));
        let took = start.elapsed();
        tried.set(tried.get() + 1);
        if matches!(outcome, Ok(Reached::Played)) {
            played.set(played.get() + 1);
        }
        let (worst, worst_input) = slowest.take();
        slowest.set(if took > worst {
            (took, bytes.clone())
        } else {
            (worst, worst_input)
        });
        if outcome.is_err() {
            let _ = std::fs::create_dir_all(&findings);
            let name = format!("finding-{:016x}.ron", fxhash(&bytes));
            let _ = std::fs::write(findings.join(&name), &bytes);
            return Err(TestCaseError::fail(format!(
                "panicked; the input is saved as target/fuzz-findings/{name}"
            )));
        }
        Ok(())
    };
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 1..4));
    let result = match deadline {
        // A campaign bounded by time draws inputs until the time is up (no shrinking: a finding
        // is saved whole, and the committed corpus keeps it).
        Some(deadline) => {
            let mut outcome = Ok(());
            while started.elapsed() < deadline && outcome.is_ok() {
                let (seed, mutations) = strategy
                    .new_tree(&mut runner)
                    .expect("the strategy always draws")
                    .current();
                outcome = try_one(seed, &mutations).map_err(|e| e.to_string());
            }
            outcome
        }
        None => runner
            .run(&strategy, |(seed, mutations)| try_one(seed, &mutations))
            .map_err(|e| e.to_string()),
    };
    let (worst, worst_input) = slowest.take();
    if deadline.is_some() {
        // A campaign keeps its slowest input, to see what costs the most time.
        let _ = std::fs::create_dir_all(&findings);
        let _ = std::fs::write(findings.join("slowest.ron"), &worst_input);
    }
    println!(
        "fuzz: {} inputs ({} checked clean and played) in {:.1} s; slowest {:.3} s ({} bytes)",
        tried.get(),
        played.get(),
        started.elapsed().as_secs_f64(),
        worst.as_secs_f64(),
        worst_input.len()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
