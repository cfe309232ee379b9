//! Playing calls: conditions, the clock, trust, chance, replay and the debrief, on small inline
//! scenarios and on the shipped ones.

use dealsim::engine::debrief::{Debrief, RecognitionKind};
use dealsim::{
    EndReason, Entry, Outcome, PlayError, Scenario, Session, SourceFile, check_path, check_source,
};
use std::path::Path;

fn compile(text: &str) -> Scenario {
    let report = check_source(&SourceFile::from_text("inline.scenario.ron", text));
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    report
        .scenario
        .unwrap_or_else(|| panic!("inline scenario has errors:\n{}", errors.join("\n")))
}

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.scenario.ron"));
    check_path(&path)
        .scenario
        .unwrap_or_else(|| panic!("{name} does not check"))
}

/// The offered choices in file order (they are shown in an order drawn from the seed).
fn offered_says(session: &Session) -> Vec<String> {
    let mut offered: Vec<_> = session.offered().map(|o| (o.index, o.say)).collect();
    offered.sort();
    offered
        .into_iter()
        .map(|(_, say)| say.to_string())
        .collect()
}

/// A call whose choices are gated by each kind of condition.
const GATED: &str = r#"Scenario(
    id: "gated", title: "Gated", brief: "Conditions.", difficulty: Beginner, minutes: 6,
    buyer: (name: "B", role: "R", company: "C", persona: "P", trust: 50),
    deal: (winnable: true, value: 1),
    facts: { "pain": (kind: Pain, text: "Hurts."), "money": (kind: Budget, text: "Has money.") },
    start: "hub",
    nodes: {
        "hub": (
            line: "Hub.",
            choices: [
                (say: "ask pain", move: Problem, to: "pain", requires: [DoesNotKnow("pain")], note: "n"),
                (say: "ask money", move: Qualify, to: "hub", reveals: ["money"], requires: [Knows("pain"), NotVisited("side")], note: "n"),
                (say: "warm up", move: Rapport, to: "hub", trust: 30, requires: [TrustBelow(90)], note: "n"),
                (say: "insult", move: Pitch, to: "hub", trust: -80, note: "n"),
                (say: "visit side", move: Situation, to: "side", requires: [Visited("pain")], note: "n"),
                (say: "close", move: Close, to: "won", requires: [TrustAtLeast(60), MinutesLeft(2)], note: "n"),
            ],
        ),
        "pain": (line: "It hurts.", reveals: ["pain"], next: "hub"),
        "side": (line: "Side.", choices: [(say: "back", move: Summarize, to: "hub", note: "n")]),
        "won": (line: "Won.", end: Advance),
    },
)"#;

#[test]
fn conditions_decide_which_choices_are_offered() {
    let scenario = compile(GATED);
    let mut session = Session::new(&scenario, 1);
    assert_eq!(offered_says(&session), ["ask pain", "warm up", "insult"]);
    assert_eq!(
        session.choose(1),
        Err(PlayError::NotOffered { index: 1 }),
        "Knows(pain) does not hold yet"
    );
    assert_eq!(
        session.choose(9),
        Err(PlayError::NoSuchChoice { index: 9, count: 6 })
    );

    session.choose(0).unwrap(); // ask pain -> pain -> next -> hub
    assert!(session.knows("pain"));
    assert_eq!(
        offered_says(&session),
        ["ask money", "warm up", "insult", "visit side"]
    );
    session.choose(1).unwrap(); // ask money, reveals money by the rep's statement
    assert!(session.knows("money"));
    session.choose(4).unwrap(); // visit side
    session.choose(0).unwrap(); // back to hub; NotVisited(side) now fails
    assert!(!offered_says(&session).contains(&"ask money".to_string()));
}

#[test]
fn trust_stays_within_bounds_and_gates_choices() {
    let scenario = compile(GATED);
    let mut session = Session::new(&scenario, 1);
    session.choose(3).unwrap(); // insult: 50 - 80 clamps at 0
    assert_eq!(session.trust(), 0);
    session.choose(2).unwrap(); // +30
    session.choose(2).unwrap(); // +30
    assert_eq!(session.trust(), 60);
    assert!(
        offered_says(&session).contains(&"close".to_string()),
        "TrustAtLeast(60) holds at 60"
    );
    session.choose(2).unwrap(); // 90: TrustBelow(90) hides warm up
    assert_eq!(session.trust(), 90);
    assert!(!offered_says(&session).contains(&"warm up".to_string()));
}

#[test]
fn a_call_that_runs_out_of_minutes_ends_as_a_continuation() {
    let scenario = compile(GATED);
    let mut session = Session::new(&scenario, 1);
    for _ in 0..5 {
        session.choose(3).unwrap();
    }
    assert_eq!(session.minutes_left(), 1);
    assert!(
        !offered_says(&session).contains(&"close".to_string()),
        "MinutesLeft(2) fails with 1 left"
    );
    session.choose(3).unwrap();
    assert_eq!(
        session.ending().map(|e| (e.outcome, e.reason)),
        Some((Outcome::Continuation, EndReason::OutOfTime))
    );
    assert_eq!(session.choose(3), Err(PlayError::CallOver));
    assert_eq!(session.offered().count(), 0);
    let scores = session.scores().expect("scored");
    assert_eq!(scores.velocity, 0, "a wrong call earns no velocity");
}

#[test]
fn an_ending_reached_with_the_last_minute_is_honoured() {
    let text = GATED
        .replace("minutes: 6", "minutes: 3")
        .replace("TrustAtLeast(60), MinutesLeft(2)", "MinutesLeft(1)");
    let scenario = compile(&text);
    let mut session = Session::new(&scenario, 1);
    session.choose(3).unwrap();
    session.choose(3).unwrap();
    session.choose(5).unwrap(); // the last minute, into an ending
    assert_eq!(
        session.ending().map(|e| (e.outcome, e.reason)),
        Some((Outcome::Advance, EndReason::Ending))
    );
}

const CHANCY: &str = r#"Scenario(
    id: "chancy", title: "Chancy", brief: "Chance.", difficulty: Beginner, minutes: 5,
    buyer: (name: "B", role: "R", company: "C", persona: "P", trust: 50),
    deal: (winnable: true, value: 1),
    facts: {},
    start: "open",
    nodes: {
        "open": (line: "Hi.", choices: [(say: "go", move: Close, to: "coin", note: "n")]),
        "coin": (line: "Phone!", chance: [(weight: 3, to: "heads"), (weight: 1, to: "tails"), (weight: 0, to: "never")]),
        "heads": (line: "Heads.", end: Advance),
        "tails": (line: "Tails.", end: Lost),
        "never": (line: "Never.", end: Lost),
    },
)"#;

#[test]
fn chance_follows_the_weights_and_the_seed() {
    let scenario = compile(CHANCY);
    let mut counts = std::collections::HashMap::new();
    for seed in 0..4000 {
        let mut session = Session::new(&scenario, seed);
        session.choose(0).unwrap();
        let first = session.outcome();
        let mut again = Session::new(&scenario, seed);
        again.choose(0).unwrap();
        assert_eq!(
            first,
            again.outcome(),
            "seed {seed} must replay the same branch"
        );
        *counts.entry(session.node_id().to_string()).or_insert(0) += 1;
    }
    assert_eq!(counts.get("never"), None, "weight 0 is never drawn");
    let heads = counts["heads"] as f64 / 4000.0;
    assert!(
        (0.70..0.80).contains(&heads),
        "weight 3 of 4 should give about 75%, got {heads}"
    );
}

#[test]
fn the_transcript_reads_in_order_with_reveals_and_chance() {
    let scenario = compile(CHANCY);
    let mut session = Session::new(&scenario, 3);
    session.choose(0).unwrap();
    let kinds: Vec<&str> = session
        .transcript()
        .map(|e| match e {
            Entry::Buyer { .. } => "buyer",
            Entry::Rep { .. } => "rep",
            Entry::Chance { .. } => "chance",
            Entry::Revealed { .. } => "fact",
        })
        .collect();
    assert_eq!(kinds, ["buyer", "rep", "buyer", "chance", "buyer"]);
}

#[test]
fn a_recorded_session_replays_exactly() {
    let scenario = shipped("northwind-incumbent");
    for seed in [1, 2, 3, 99] {
        let mut session = Session::new(&scenario, seed);
        let mut n = 0;
        while !session.is_over() {
            let count = session.offered().count();
            session.choose_offered((seed as usize + n) % count).unwrap();
            n += 1;
        }
        let replay = Session::replay(&scenario, seed, &session.choice_indices()).expect("replays");
        assert_eq!(
            replay.transcript().collect::<Vec<_>>(),
            session.transcript().collect::<Vec<_>>()
        );
        assert_eq!(replay.scores(), session.scores());
    }
}

#[test]
fn the_best_path_advances_and_a_rep_who_follows_it_is_told_so() {
    let scenario = shipped("harbor-discovery");
    let session = Session::new(&scenario, 5);
    let best = Debrief::of(&session).best_path.expect("searchable");
    assert_eq!(best.outcome, Outcome::Advance);
    let mut follower = Session::new(&scenario, 5);
    for step in &best.steps {
        let index = follower
            .offered()
            .find(|o| o.say == step.say)
            .expect("best choice is offered")
            .index;
        follower.choose(index).unwrap();
    }
    let debrief = Debrief::of(&follower);
    assert!(debrief.right_call);
    assert_eq!(debrief.left_best_path_at, None);
    assert!(
        debrief
            .recognitions
            .iter()
            .any(|r| r.kind == RecognitionKind::FollowedBestPath)
    );
    let scores = debrief.scores.expect("scored");
    assert!(scores.overall >= 85, "{scores:?}");
}

#[test]
fn a_pitch_first_debrief_marks_where_the_rep_left_the_best_path() {
    let scenario = shipped("harbor-discovery");
    let mut session = Session::new(&scenario, 5);
    let pitch = session
        .offered()
        .find(|o| o.say.starts_with("Yes! Our reminders"))
        .unwrap()
        .index;
    session.choose(pitch).unwrap();
    let debrief = Debrief::of(&session);
    assert_eq!(debrief.left_best_path_at, Some(0));
    assert_eq!(debrief.end_reason, EndReason::Abandoned);
    let turn = &debrief.turns[0];
    assert!(
        turn.effects
            .iter()
            .any(|e| e.describe().contains("pitched before any pain")),
        "{:?}",
        turn.effects
    );
    assert!(turn.points_lost.unwrap() >= dealsim::engine::search::MEANINGFUL_LOSS);
    assert!(
        turn.best_choice
            .as_deref()
            .unwrap()
            .starts_with("We can, but first")
    );
    // Every missed fact says where it could have been learned; the call was left, so it is not
    // scored and not praised.
    assert!(!debrief.missed.is_empty());
    assert!(debrief.missed.iter().all(|f| !f.sources.is_empty()));
    assert_eq!(debrief.scores, None);
    assert!(debrief.recognitions.is_empty());
}

#[test]
fn happy_ears_on_an_unwinnable_deal_scores_zero_qualification() {
    let scenario = shipped("brightline-whitepaper");
    let mut session = Session::new(&scenario, 1);
    for say in ["Great! Our platform", "No problem, I'll book a demo"] {
        let index = session
            .offered()
            .find(|o| o.say.starts_with(say))
            .unwrap()
            .index;
        session.choose(index).unwrap();
    }
    assert_eq!(session.outcome(), Some(Outcome::Advance));
    let debrief = Debrief::of(&session);
    assert!(!debrief.right_call);
    let scores = debrief.scores.expect("scored");
    assert_eq!(scores.qualification, 0);
    assert_eq!(scores.velocity, 0);
}

#[test]
fn walking_away_from_a_deal_that_cannot_close_is_recognised() {
    let scenario = shipped("brightline-whitepaper");
    let mut session = Session::new(&scenario, 1);
    for say in [
        "Glad it helped",
        "Is there a project",
        "Who would you mention",
        "Is there budget",
        "Then this isn't a fit",
    ] {
        let index = session
            .offered()
            .find(|o| o.say.starts_with(say))
            .unwrap_or_else(|| panic!("{say}"))
            .index;
        session.choose(index).unwrap();
    }
    let debrief = Debrief::of(&session);
    assert_eq!(debrief.outcome, Outcome::QualifiedOut);
    assert!(debrief.right_call);
    assert!(
        debrief
            .recognitions
            .iter()
            .any(|r| r.kind == RecognitionKind::RightQualifyOut)
    );
    let scores = debrief.scores.expect("scored");
    assert!(scores.qualification >= 80, "{scores:?}");
}

#[test]
fn a_line_with_variants_is_said_in_a_wording_drawn_from_the_seed_and_replays_exactly() {
    // Fernway's opening has two variants; the same call without them is the yardstick.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fernway-bakery.scenario.ron"),
    )
    .unwrap();
    let (before, after) = text
        .split_once("variants: [")
        .expect("fernway has variants");
    let (_, rest) = after.split_once("],").unwrap();
    let scenario = compile(&text);
    let plain = compile(&format!("{before}{rest}"));
    let mut seen = std::collections::HashSet::new();
    for seed in 0..40 {
        let session = Session::new(&scenario, seed);
        seen.insert(session.buyer_line().to_string());
        // The wording never moves the luck, the order of the choices or the score.
        let mut a = Session::new(&scenario, seed);
        let mut b = Session::new(&plain, seed);
        while !a.is_over() {
            let first = a.offered().next().unwrap().index;
            assert_eq!(
                b.offered().map(|o| o.index).collect::<Vec<_>>(),
                a.offered().map(|o| o.index).collect::<Vec<_>>()
            );
            a.choose(first).unwrap();
            b.choose(first).unwrap();
        }
        assert_eq!(a.scores(), b.scores());
        let replay = Session::replay(&scenario, seed, &a.choice_indices()).unwrap();
        assert_eq!(
            replay.transcript().collect::<Vec<_>>(),
            a.transcript().collect::<Vec<_>>()
        );
    }
    assert_eq!(seen.len(), 3, "every wording comes up: {seen:?}");

    // An empty variant is an error at its place in the file.
    let first = "\"Ten minutes, then the lunch rush hits. What's this about?\"";
    let line = text.lines().position(|l| l.contains(first)).unwrap() + 1;
    let broken = text.replacen(first, "\"  \"", 1);
    let report = check_source(&SourceFile::from_text("inline.scenario.ron", broken));
    let error = report
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an empty variant is refused");
    assert!(
        error.message.contains("variant of the buyer's line"),
        "{error}"
    );
    assert_eq!(error.location.as_ref().unwrap().line, line);
}
