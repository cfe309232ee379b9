//! A manager's tests of a call (`NAME.tests.ron` beside `NAME.scenario.ron`): named paths (choices
//! by id or by their words, chance turns fixed) with what must hold at the end (the outcome, the
//! right call, a score range per dimension, facts known), run against the compiled call, and the
//! coverage of nodes and choices that the tests, best play and random play reach.

use crate::engine::format::diagnostic::did_you_mean;
use crate::engine::format::{Outcome, diagnostic::Diagnostic};
use crate::engine::model::{Scenario, Way, range_usize};
use crate::engine::session::{Entry, PlaytestStart, Session};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// One test as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    /// The seed (default 1): the order choices are shown in, and chance turns not fixed.
    #[serde(default = "first_seed")]
    pub seed: u64,
    /// The rep's choices in order, each a choice id (`open/2`, or the author's `id:`) or the
    /// exact words of the choice.
    pub choices: Vec<String>,
    /// Chance turns fixed: chance node id to the node its branch leads to.
    #[serde(default)]
    pub chance: BTreeMap<String, String>,
    #[serde(default)]
    pub expect: Expect,
}

fn first_seed() -> u64 {
    1
}

/// What must hold when the test's choices are played. Every part is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub right_call: Option<bool>,
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default)]
    pub overall: Option<Range>,
    #[serde(default)]
    pub qualification: Option<Range>,
    #[serde(default)]
    pub discovery: Option<Range>,
    #[serde(default)]
    pub rapport: Option<Range>,
    #[serde(default)]
    pub velocity: Option<Range>,
    /// Facts the rep knows at the end.
    #[serde(default)]
    pub knows: Vec<String>,
    /// Facts the rep must not know at the end.
    #[serde(default)]
    pub misses: Vec<String>,
    /// The node the call ends at.
    #[serde(default)]
    pub ends_at: Option<String>,
}

/// A score range, both ends included; either may be left out.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    #[serde(default)]
    pub min: Option<u8>,
    #[serde(default)]
    pub max: Option<u8>,
}

/// The outcome of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    /// What did not hold, each in a sentence; empty when the test passed.
    pub failures: Vec<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Nodes and choices reached, by the tests, by best play and by random play.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub nodes: usize,
    pub choices: usize,
    pub tests_nodes: usize,
    pub tests_choices: usize,
    pub best_nodes: usize,
    pub random_nodes: usize,
    pub random_choices: usize,
    /// Nodes no test reaches, in file order (the next tests to write).
    pub untested_nodes: Vec<String>,
}

/// Reads a tests file; a problem is a diagnostic with its line and column.
pub fn parse(path: &std::path::Path, text: &str) -> Result<Vec<TestCase>, Diagnostic> {
    use crate::engine::format::diagnostic::Code;
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    options.from_str::<Vec<TestCase>>(text).map_err(|error| {
        let source = crate::engine::format::locate::SourceText::new(text);
        let location = source.location_of_line_column(error.span.start.line, error.span.start.col);
        Diagnostic::new(Code::Syntax, path, format!("tests file: {}", error.code))
            .at(Some(location))
            .hint("a tests file is a list of tests: [ (name: \"...\", choices: [\"open/1\", ...], expect: (outcome: Advance)), ]; see docs/authoring.md")
    })
}

/// Plays one test and checks what it expects.
pub fn run(scenario: &Scenario, test: &TestCase) -> (TestResult, Vec<(u32, Option<usize>)>) {
    let mut failures = Vec::new();
    let mut reached = Vec::new();
    let start = PlaytestStart {
        node: scenario.start_id().to_string(),
        chance: test
            .chance
            .iter()
            .map(|(at, to)| (at.clone(), to.clone()))
            .collect(),
        ..PlaytestStart::default()
    };
    let mut session = match Session::playtest(scenario, test.seed, &start) {
        Ok(session) => session,
        Err(why) => {
            return (
                TestResult {
                    name: test.name.clone(),
                    failures: vec![why],
                },
                reached,
            );
        }
    };
    for (step, answer) in test.choices.iter().enumerate() {
        if session.is_over() {
            failures.push(format!(
                "choice {} (\"{answer}\"): the call had already ended at \"{}\"",
                step + 1,
                session.node_id()
            ));
            break;
        }
        let by_words = session
            .offered()
            .find(|o| o.say.trim() == answer.trim())
            .map(|o| o.index);
        let index = session
            .offer_for_answer(answer)
            .map(|o| o.index)
            .filter(|_| answer.parse::<usize>().is_err())
            .or(by_words);
        let Some(index) = index else {
            let node = session.node_id().to_string();
            let offered: Vec<String> = session
                .offered()
                .map(|o| {
                    scenario
                        .choice_id(&node, o.index)
                        .unwrap_or_else(|| format!("{node}/{}", o.index + 1))
                })
                .collect();
            let hidden = crate::engine::debrief::hidden_now(&session);
            let why_hidden = hidden
                .iter()
                .find(|h| h.say.trim() == answer.trim())
                .map(|h| format!(" (hidden: {})", h.because))
                .unwrap_or_default();
            let near = did_you_mean(answer, offered.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            failures.push(format!(
                "choice {} (\"{answer}\") is not offered at \"{node}\"{why_hidden}; offered there: {}{near}",
                step + 1,
                offered.join(", ")
            ));
            break;
        };
        reached.push((session.core().node, Some(index)));
        if let Err(error) = session.choose(index) {
            failures.push(format!("choice {}: {error}", step + 1));
            break;
        }
    }
    for entry in session.transcript() {
        if let Entry::Buyer { node_id, .. } = entry
            && let Some(node) = scenario.node_index(node_id)
        {
            reached.push((node, None));
        }
    }
    if failures.is_empty() {
        check_expectations(scenario, &session, &test.expect, &mut failures);
    }
    (
        TestResult {
            name: test.name.clone(),
            failures,
        },
        reached,
    )
}

fn check_expectations(
    scenario: &Scenario,
    session: &Session,
    expect: &Expect,
    failures: &mut Vec<String>,
) {
    let Some(ending) = session.ending() else {
        let offered: Vec<String> = session
            .offered()
            .map(|o| format!("\"{}\"", o.say))
            .collect();
        failures.push(format!(
            "the call has not ended after the test's choices: at \"{}\" the rep can say {}",
            session.node_id(),
            offered.join(" or ")
        ));
        return;
    };
    if let Some(outcome) = expect.outcome
        && outcome != ending.outcome
    {
        failures.push(format!(
            "expected the call to end in {}, but it ended in {} at \"{}\"",
            outcome.label(),
            ending.outcome.label(),
            session.node_id()
        ));
    }
    let right = ending.outcome.is_right_call(scenario.winnable);
    if let Some(expected) = expect.right_call
        && expected != right
    {
        failures.push(format!(
            "expected {}the right call, but {} was {}",
            if expected { "" } else { "not " },
            ending.outcome.label(),
            if right { "right" } else { "not right" }
        ));
    }
    if let Some(node) = &expect.ends_at
        && node != session.node_id()
    {
        failures.push(format!(
            "expected to end at \"{node}\", but it ended at \"{}\"",
            session.node_id()
        ));
    }
    let scores = session.scores();
    if let Some(expected) = expect.passed {
        match scores.and_then(|s| s.passed) {
            Some(passed) if passed == expected => {}
            Some(passed) => failures.push(format!(
                "expected the call to {}, but it {}",
                if expected { "pass" } else { "fail" },
                if passed { "passed" } else { "failed" }
            )),
            None => failures.push("expected a pass or fail, but the call has no pass mark".into()),
        }
    }
    if let Some(scores) = scores {
        for (name, range, value) in [
            ("overall", expect.overall, scores.overall),
            ("qualification", expect.qualification, scores.qualification),
            ("discovery", expect.discovery, scores.discovery),
            ("rapport", expect.rapport, scores.rapport),
            ("velocity", expect.velocity, scores.velocity),
        ] {
            let Some(range) = range else { continue };
            let low = range.min.unwrap_or(0);
            let high = range.max.unwrap_or(100);
            if !(low..=high).contains(&value) {
                failures.push(format!(
                    "expected {name} from {low} to {high}, but it scored {value}"
                ));
            }
        }
    }
    for fact in &expect.knows {
        if scenario.fact(fact).is_none() {
            failures.push(format!(
                "expected to know \"{fact}\", which is not a fact of the call"
            ));
        } else if !session.knows(fact) {
            failures.push(format!(
                "expected the rep to know \"{fact}\" by the end, but they do not"
            ));
        }
    }
    for fact in &expect.misses {
        if session.knows(fact) {
            failures.push(format!(
                "expected the rep not to know \"{fact}\", but they do"
            ));
        }
    }
}

/// What the tests, best play and random play reach. `tested` holds (node, choice taken there).
pub fn coverage(scenario: &Scenario, tested: &[(u32, Option<usize>)]) -> Coverage {
    let choice_count = scenario.choice_count();
    let mut tests_nodes: HashSet<u32> = HashSet::new();
    let mut tests_choices: HashSet<(u32, usize)> = HashSet::new();
    for &(node, choice) in tested {
        tests_nodes.insert(node);
        if let Some(choice) = choice {
            tests_choices.insert((node, choice));
        }
    }
    let best_nodes: HashSet<u32> = crate::engine::dot::best_play(scenario)
        .into_iter()
        .flat_map(|(node, position)| {
            let to = match &scenario.nodes[node as usize].way {
                Way::Choices(range) => {
                    Some(scenario.choices[range_usize(range)][position as usize].to)
                }
                _ => None,
            };
            std::iter::once(node).chain(to)
        })
        .collect();
    // Random play: the nodes and choices a few thousand random reps reach.
    let mut random_nodes: HashSet<u32> = HashSet::new();
    let mut random_choices: HashSet<(u32, usize)> = HashSet::new();
    let mut draw = 0x9E37_79B9_7F4A_7C15u64;
    for seed in 0..2_000u64 {
        let mut session = Session::new(scenario, seed);
        while !session.is_over() {
            random_nodes.insert(session.core().node);
            draw = draw
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let Some(position) = session.pick_random(draw) else {
                break;
            };
            random_choices.insert((session.core().node, position));
            if session.choose(position).is_err() {
                break;
            }
        }
        random_nodes.insert(session.core().node);
    }
    Coverage {
        nodes: scenario.node_count(),
        choices: choice_count,
        tests_nodes: tests_nodes.len(),
        tests_choices: tests_choices.len(),
        best_nodes: best_nodes.len(),
        random_nodes: random_nodes.len(),
        random_choices: random_choices.len(),
        untested_nodes: scenario
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| !tests_nodes.contains(&(*i as u32)))
            .map(|(_, n)| n.id.clone())
            .collect(),
    }
}
