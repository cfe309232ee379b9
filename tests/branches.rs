//! The buyer reacts: `requires` on `next` and `chance` branches, checked, played, searched
//! and drawn, on a small inline call where trust decides whether the buyer names her budget.

use dealsim::engine::debrief::Debrief;
use dealsim::engine::dot::to_dot;
use dealsim::engine::format::diagnostic::{Code, Diagnostic};
use dealsim::{Outcome, Scenario, Session, SourceFile, check_source};

/// Rapport first (+20 trust, 50 to 70) and she names the budget; ask cold and she deflects.
/// After the budget, her CFO may join, but only once she has said what hurts. (A file, so that
/// `tests/cli.rs` plays it too.)
const CALL: &str = include_str!("calls/budget-if-trusted.scenario.ron");

fn check(text: &str) -> Vec<Diagnostic> {
    check_source(&SourceFile::from_text("fixture.scenario.ron", text)).diagnostics
}

fn compile(text: &str) -> Scenario {
    let report = check_source(&SourceFile::from_text("fixture.scenario.ron", text));
    let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    report
        .scenario
        .unwrap_or_else(|| panic!("does not compile:\n{}", shown.join("\n")))
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture has no {from:?}");
    text.replacen(from, to, 1)
}

/// Plays the choices whose text is given, in order.
fn play(scenario: &Scenario, seed: u64, says: &[&str]) -> Session {
    let mut session = Session::new(scenario, seed);
    for say in says {
        let index = session
            .offered()
            .find(|o| o.say == *say)
            .unwrap_or_else(|| panic!("{say:?} is not offered at {}", session.node_id()))
            .index;
        session.choose(index).unwrap();
    }
    session
}

/// (line, column) of the first `needle`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    let before = &text[..offset];
    (
        before.matches('\n').count() + 1,
        before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
    )
}

#[test]
fn the_call_checks_clean() {
    let problems = check(CALL);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_first_branch_whose_conditions_hold_is_taken() {
    let scenario = compile(CALL);
    let warm = play(&scenario, 1, &["How has your week been?"]);
    assert_eq!(warm.node_id(), "names-budget");
    assert!(warm.knows("budget"));
    let cold = play(&scenario, 1, &["What is your budget?"]);
    assert_eq!(
        cold.node_id(),
        "deflects",
        "trust 50 is below 60: the last branch"
    );
    assert!(!cold.knows("budget"));
}

#[test]
fn a_chance_branch_is_drawn_only_while_its_conditions_hold() {
    let scenario = compile(CALL);
    let mut ends = std::collections::BTreeMap::new();
    for seed in 0..200 {
        let blind = play(
            &scenario,
            seed,
            &["What is your budget?", "Shall we meet Tuesday?"],
        );
        assert_eq!(
            blind.node_id(),
            "alone",
            "seed {seed}: the pain is not known"
        );
        let full = play(
            &scenario,
            seed,
            &[
                "How has your week been?",
                "What goes wrong today?",
                "Shall we meet Tuesday?",
            ],
        );
        *ends.entry(full.node_id().to_string()).or_insert(0) += 1;
    }
    // Both branches are open once the pain is known, at about even odds.
    let cfo = ends.get("cfo-joins").copied().unwrap_or(0);
    assert!((60..=140).contains(&cfo), "{ends:?}");
}

#[test]
fn best_play_earns_the_trust_that_opens_the_budget() {
    let scenario = compile(CALL);
    let debrief = Debrief::of(&Session::new(&scenario, 3));
    let best = debrief.best_path.expect("searchable");
    let says: Vec<&str> = best.steps.iter().map(|s| s.say.as_str()).collect();
    assert_eq!(
        says,
        [
            "How has your week been?",
            "What goes wrong today?",
            "Shall we meet Tuesday?"
        ]
    );
    assert_eq!(best.outcome, Outcome::Advance);
    // Played cold, the rep is told where better play would have gone.
    let cold = play(
        &scenario,
        3,
        &["What is your budget?", "Shall we meet Tuesday?"],
    );
    assert_eq!(Debrief::of(&cold).left_best_path_at, Some(0));
}

#[test]
fn the_map_writes_each_branchs_condition_out() {
    let dot = to_dot(&compile(CALL));
    assert!(dot.contains("if trust >= 60"), "{dot}");
    assert!(dot.contains("otherwise"), "{dot}");
    assert!(dot.contains("if knows pain"), "{dot}");
}

#[test]
fn a_next_list_must_end_with_a_branch_without_conditions() {
    let text = edit(
        CALL,
        r#"(to: "deflects"),"#,
        r#"(to: "deflects", requires: [TrustBelow(60)]),"#,
    );
    let problems = check(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, Code::NoFallbackBranch);
    assert_eq!(problems[0].code.as_str(), "E0021");
    let location = problems[0].location.as_ref().unwrap();
    assert_eq!((location.line, location.column), position(&text, "next: ["));
    assert!(problems[0].to_string().contains("without `requires`"));
}

#[test]
fn a_chance_needs_a_branch_without_conditions() {
    let text = edit(
        CALL,
        r#"(weight: 1, to: "alone"),"#,
        r#"(weight: 1, to: "alone", requires: [DoesNotKnow("pain")]),"#,
    );
    let problems = check(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, Code::NoFallbackBranch);
    let location = problems[0].location.as_ref().unwrap();
    assert_eq!(
        (location.line, location.column),
        position(&text, "chance: [")
    );
}

#[test]
fn a_misspelt_field_or_unknown_fact_in_a_branch_is_found_at_its_place() {
    let text = edit(
        CALL,
        "requires: [TrustAtLeast(60)]",
        "requries: [TrustAtLeast(60)]",
    );
    let problems = check(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, Code::UnknownField);
    let location = problems[0].location.as_ref().unwrap();
    assert_eq!(
        (location.line, location.column),
        position(&text, "requries")
    );

    let text = edit(CALL, r#"Knows("pain")"#, r#"Knows("pian")"#);
    let problems = check(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, Code::UnknownFact);
    let location = problems[0].location.as_ref().unwrap();
    assert_eq!(
        (location.line, location.column),
        position(&text, "\"pian\"")
    );
}

#[test]
fn a_single_next_still_reads_as_before() {
    let text = edit(
        CALL,
        r#"next: [
                (to: "names-budget", requires: [TrustAtLeast(60)]),
                (to: "deflects"),
            ],"#,
        r#"next: "names-budget","#,
    );
    // "deflects" is now unreachable: a warning, and the call still plays.
    let scenario = compile(&text);
    let cold = play(&scenario, 1, &["What is your budget?"]);
    assert_eq!(cold.node_id(), "names-budget");
}

#[test]
fn a_branch_no_path_can_open_is_a_warning_at_its_conditions() {
    // Trust is at most 70 there (50, and 20 from rapport): 90 is never met.
    let text = edit(
        CALL,
        "requires: [TrustAtLeast(60)]",
        "requires: [TrustAtLeast(90)]",
    );
    let problems = check(&text);
    // The CFO's branch at "luck" is reported too: the pain is only heard past the budget.
    let gate: Vec<&Diagnostic> = problems
        .iter()
        .filter(|d| d.code == Code::NeverOffered && d.message.contains("\"ask\""))
        .collect();
    assert_eq!(gate.len(), 1, "{problems:#?}");
    assert!(!gate[0].is_error());
    assert!(
        gate[0]
            .message
            .contains("branch's conditions at node \"ask\""),
        "{}",
        gate[0].message
    );
    let location = gate[0].location.as_ref().unwrap();
    assert_eq!(
        (location.line, location.column),
        position(&text, "requires: [TrustAtLeast(90)]")
    );
    assert!(
        gate[0]
            .to_string()
            .contains("never goes to \"names-budget\"")
    );
    // With 60, trust earned by rapport opens it: no warning.
    assert!(check(CALL).iter().all(|d| d.code != Code::NeverOffered));
}
