//! The debrief: what a rep sees after a call, as plain data that the terminal, the window and a
//! stored session all show the same way. It replays the session against the best-path search to
//! say what each choice cost and where the rep left the best path.

use crate::format::{FactKind, Move, Outcome};
use crate::model::{ScenarioData, range_usize};
use crate::score::{Dimension, Scores};
use crate::search::{Objective, Solver};
use crate::session::{Core, EndReason, Event, Session};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct Debrief {
    pub scenario_id: String,
    pub scenario_title: String,
    pub revision: String,
    pub seed: u64,
    pub outcome: Outcome,
    pub end_reason: EndReason,
    pub winnable: bool,
    /// What the right call was for this deal.
    pub right_outcome: Outcome,
    pub right_call: bool,
    pub scores: Scores,
    pub pass_mark: Option<u32>,
    pub dimensions: Vec<DimensionReport>,
    pub uncovered: Vec<FactReport>,
    pub missed: Vec<FactReport>,
    pub turns: Vec<TurnReport>,
    /// `None` when the call is too large to search exactly.
    pub best_path: Option<BestPath>,
    /// The turn (index into `turns`) where the rep first left the best path.
    pub left_best_path_at: Option<usize>,
    pub recognitions: Vec<Recognition>,
    pub minutes_used: u32,
    pub fastest_right_minutes: u32,
    /// Question moves among all moves: listening, in a choice-based call.
    pub questions: u32,
    pub question_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionReport {
    pub dimension: Dimension,
    pub score: u8,
    pub weight: u32,
    pub explanation: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactReport {
    pub id: String,
    pub kind: FactKind,
    pub text: String,
    pub weight: u32,
    /// The turn (index into `turns`) whose choice brought it out; `None` for the opening or when missed.
    pub learned_at_turn: Option<usize>,
    /// Where it could have been learned: the buyer's line, and the choice that asks for it.
    pub sources: Vec<FactSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactSource {
    pub node_id: String,
    pub line: String,
    /// The rep's words when a choice states or asks for the fact, rather than the line revealing it.
    pub choice: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TurnReport {
    pub node_id: String,
    pub buyer_line: String,
    pub say: String,
    pub move_kind: Move,
    pub note: Option<String>,
    pub trust_change: i32,
    pub trust_after: u8,
    pub minutes: u32,
    /// Facts that came out of this choice, by text.
    pub revealed: Vec<String>,
    /// What the choice did to the score, in words.
    pub effects: Vec<String>,
    /// What the best path would have said here, when it differs.
    pub best_choice: Option<String>,
    /// Points of the best expected score this choice gave up (0 for a best choice).
    pub points_lost: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BestPath {
    pub steps: Vec<PathStep>,
    pub outcome: Outcome,
    pub scores: Scores,
    /// The best expected overall score from the start, chance averaged.
    pub expected_score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    pub node_id: String,
    pub buyer_line: String,
    pub say: Option<String>,
    pub move_kind: Option<Move>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RecognitionKind {
    RightAdvance,
    RightQualifyOut,
    FullSpin,
    PainBeforePitch,
    AllPainsFound,
    FullyQualified,
    FollowedBestPath,
    Listener,
    Passed,
    TrustBuilt,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recognition {
    pub kind: RecognitionKind,
    pub title: String,
    pub detail: String,
}

impl Debrief {
    /// The debrief of a session; one still in progress is debriefed as abandoned.
    pub fn of(session: &Session) -> Debrief {
        let mut session = session.clone();
        session.abandon();
        build(&session)
    }
}

fn build(session: &Session) -> Debrief {
    let scenario = session.scenario();
    let s: &ScenarioData = scenario;
    let ending = session.ending().expect("abandon() ends the call");
    let scores = session.scores().expect("the call has ended");
    let choices = session.choice_indices();

    // Replay to see the state before each choice, and ask the search about it.
    let mut solver = Solver::new(s, Objective::ExpectedScore);
    let mut replay = Session::new(scenario, session.seed());
    let mut before: Vec<Core> = Vec::with_capacity(choices.len());
    let mut points_lost: Vec<Option<f64>> = Vec::with_capacity(choices.len());
    let mut best_choice: Vec<Option<usize>> = Vec::with_capacity(choices.len());
    let mut left_best_path_at = None;
    let mut search_ok = true;
    for (turn, &choice) in choices.iter().enumerate() {
        let core = replay.core().clone();
        if search_ok {
            match (solver.decide(&core), solver.choice_value(&core, choice)) {
                (Ok(decision), Ok(value)) => {
                    let good = choice >= 64 || decision.good & (1 << choice) != 0;
                    points_lost.push(Some((decision.value - value).max(0.0)));
                    best_choice.push((!good).then_some(decision.best as usize));
                    if !good && left_best_path_at.is_none() {
                        left_best_path_at = Some(turn);
                    }
                }
                _ => search_ok = false,
            }
        }
        if !search_ok {
            points_lost.push(None);
            best_choice.push(None);
        }
        before.push(core);
        let _ = replay.choose(choice);
    }
    let best_path = if search_ok {
        best_path(scenario, session.seed(), &mut solver)
    } else {
        None
    };
    if !search_ok {
        left_best_path_at = None;
    }

    // Turns, with what each choice brought out.
    let mut turns: Vec<TurnReport> = Vec::with_capacity(choices.len());
    let mut learned_at: Vec<Option<Option<usize>>> = vec![None; s.facts.len()];
    let mut trust_before = i32::from(s.buyer.trust);
    let mut current_line = 0u32;
    for event in session.events() {
        match *event {
            Event::Line { node } => current_line = node,
            Event::Chance { .. } => {}
            Event::Revealed { fact } => {
                let turn = turns.len().checked_sub(1);
                learned_at[fact as usize] = Some(turn);
                if let Some(last) = turns.last_mut() {
                    last.revealed.push(s.facts[fact as usize].text.clone());
                    last.effects.push(fact_effect(s, fact));
                }
            }
            Event::Choice {
                node,
                choice,
                trust_after,
                ..
            } => {
                let index = turns.len();
                let data = &s.choices[choice as usize];
                let core = &before[index];
                let mut effects = Vec::new();
                let trust_change = i32::from(trust_after) - trust_before;
                if trust_change != 0 {
                    effects.push(format!("trust {trust_change:+}"));
                }
                match data.move_kind {
                    Move::Pitch if !core.tally.pain_known => {
                        effects.push("pitched before any pain was known: -10 discovery".into())
                    }
                    Move::Implication
                        if core.tally.pain_known && !core.tally.implication_after_pain =>
                    {
                        effects.push(
                            "first Implication question once pain was known: +15 discovery".into(),
                        )
                    }
                    Move::NeedPayoff
                        if core.tally.pain_known && !core.tally.need_payoff_after_pain =>
                    {
                        effects.push(
                            "first Need-payoff question once pain was known: +15 discovery".into(),
                        )
                    }
                    _ => {}
                }
                trust_before = i32::from(trust_after);
                let first = s.first_choice(node);
                turns.push(TurnReport {
                    node_id: s.nodes[node as usize].id.clone(),
                    buyer_line: s.nodes[current_line as usize].line.clone(),
                    say: data.say.clone(),
                    move_kind: data.move_kind,
                    note: data.note.clone(),
                    trust_change,
                    trust_after,
                    minutes: data.minutes,
                    revealed: Vec::new(),
                    effects,
                    best_choice: best_choice[index]
                        .map(|p| s.choices[(first as usize) + p].say.clone()),
                    points_lost: points_lost[index],
                });
            }
        }
    }

    let mut uncovered = Vec::new();
    let mut missed = Vec::new();
    for (index, fact) in s.facts.iter().enumerate() {
        let report = FactReport {
            id: fact.id.clone(),
            kind: fact.kind,
            text: fact.text.clone(),
            weight: fact.weight,
            learned_at_turn: learned_at[index].flatten(),
            sources: fact_sources(s, index as u32),
        };
        if learned_at[index].is_some() {
            uncovered.push(report)
        } else {
            missed.push(report)
        }
    }

    let moves: Vec<Move> = turns.iter().map(|t| t.move_kind).collect();
    let questions = moves.iter().filter(|m| m.is_question()).count() as u32;
    let question_share = if moves.is_empty() {
        0.0
    } else {
        f64::from(questions) / moves.len() as f64
    };
    let right_outcome = if s.winnable {
        Outcome::Advance
    } else {
        Outcome::QualifiedOut
    };
    let right_call = ending.outcome.is_right_call(s.winnable);
    let dimensions = Dimension::ALL
        .iter()
        .map(|&d| DimensionReport {
            dimension: d,
            score: d.of(&scores),
            weight: d.weight(&s.weights),
            explanation: d.explanation(),
        })
        .collect();
    let mut debrief = Debrief {
        scenario_id: s.id.clone(),
        scenario_title: s.title.clone(),
        revision: s.revision.clone(),
        seed: session.seed(),
        outcome: ending.outcome,
        end_reason: ending.reason,
        winnable: s.winnable,
        right_outcome,
        right_call,
        scores,
        pass_mark: s.pass_mark,
        dimensions,
        uncovered,
        missed,
        turns,
        left_best_path_at: if best_path.is_some() {
            left_best_path_at
        } else {
            None
        },
        best_path,
        recognitions: Vec::new(),
        minutes_used: session.minutes_used(),
        fastest_right_minutes: s.fastest_right_minutes,
        questions,
        question_share,
    };
    debrief.recognitions = recognitions(&debrief, session, &moves);
    debrief
}

fn fact_effect(s: &ScenarioData, fact: u32) -> String {
    let data = &s.facts[fact as usize];
    if data.kind == FactKind::Pain {
        let points = 50.0 * f64::from(data.weight) / f64::from(s.pain_weight.max(1));
        format!("uncovered pain \"{}\": +{points:.0} discovery", data.id)
    } else {
        let points = 40.0 * f64::from(data.weight) / f64::from(s.qualification_weight.max(1));
        format!(
            "uncovered {} \"{}\": +{points:.0} qualification",
            data.kind.label().to_lowercase(),
            data.id
        )
    }
}

/// Where a fact can be learned: lines that reveal it, then choices that state or ask for it.
fn fact_sources(s: &ScenarioData, fact: u32) -> Vec<FactSource> {
    let mut sources = Vec::new();
    for node in &s.nodes {
        if s.refs(&node.reveals).contains(&fact) {
            sources.push(FactSource {
                node_id: node.id.clone(),
                line: node.line.clone(),
                choice: None,
            });
        }
    }
    for node in &s.nodes {
        if let crate::model::Way::Choices(range) = &node.way {
            for choice in &s.choices[range_usize(range)] {
                if s.refs(&choice.reveals).contains(&fact) {
                    sources.push(FactSource {
                        node_id: node.id.clone(),
                        line: node.line.clone(),
                        choice: Some(choice.say.clone()),
                    });
                }
            }
        }
    }
    sources
}

/// Plays the best policy from the start with the session's seed: the same luck as the rep had
/// wherever the two paths meet the same chance turn.
fn best_path(
    scenario: &crate::model::Scenario,
    seed: u64,
    solver: &mut Solver<'_>,
) -> Option<BestPath> {
    let expected_score = solver.value_from_start().ok()?;
    let s: &ScenarioData = scenario;
    let mut session = Session::new(scenario, seed);
    let mut steps = Vec::new();
    while !session.is_over() {
        let decision = solver.decide(session.core()).ok()?;
        let node = session.core().node;
        let choice = &s.choices[(s.first_choice(node) + decision.best) as usize];
        steps.push(PathStep {
            node_id: s.nodes[node as usize].id.clone(),
            buyer_line: s.nodes[node as usize].line.clone(),
            say: Some(choice.say.clone()),
            move_kind: Some(choice.move_kind),
            note: choice.note.clone(),
        });
        session.choose(decision.best as usize).ok()?;
    }
    let node = session.core().node;
    steps.push(PathStep {
        node_id: s.nodes[node as usize].id.clone(),
        buyer_line: s.nodes[node as usize].line.clone(),
        say: None,
        move_kind: None,
        note: None,
    });
    Some(BestPath {
        steps,
        outcome: session.outcome()?,
        scores: session.scores()?,
        expected_score,
    })
}

fn recognitions(d: &Debrief, session: &Session, moves: &[Move]) -> Vec<Recognition> {
    let s: &ScenarioData = session.scenario();
    let mut found = Vec::new();
    let mut add = |kind, title: &str, detail: String| {
        found.push(Recognition {
            kind,
            title: title.into(),
            detail,
        })
    };
    if d.right_call && d.outcome == Outcome::QualifiedOut {
        add(
            RecognitionKind::RightQualifyOut,
            "Walked away at the right time",
            format!(
                "This deal could not close, and you qualified out after {} minutes instead of filling the pipeline with it.",
                d.minutes_used
            ),
        );
    } else if d.right_call {
        add(
            RecognitionKind::RightAdvance,
            "A concrete next step",
            "You ended a real deal with an agreed next step, not a vague \"send me something\"."
                .into(),
        );
    }
    let spin = [
        Move::Situation,
        Move::Problem,
        Move::Implication,
        Move::NeedPayoff,
    ];
    let mut next = 0;
    for m in moves {
        if next < spin.len() && *m == spin[next] {
            next += 1;
        }
    }
    if next == spin.len() {
        add(RecognitionKind::FullSpin, "Full SPIN sequence", "Situation, Problem, Implication, then Need-payoff: you turned an implied need into an explicit one.".into());
    }
    let pitched = moves.contains(&Move::Pitch);
    if pitched
        && !d
            .turns
            .iter()
            .any(|t| t.effects.iter().any(|e| e.starts_with("pitched before")))
    {
        add(
            RecognitionKind::PainBeforePitch,
            "Pain before pitch",
            "You only pitched once you knew what hurt.".into(),
        );
    }
    if s.pain_weight > 0 && !d.missed.iter().any(|f| f.kind == FactKind::Pain) {
        add(
            RecognitionKind::AllPainsFound,
            "Every pain found",
            "You uncovered every pain the buyer had.".into(),
        );
    }
    if s.qualification_weight > 0 && !d.missed.iter().any(|f| f.kind.is_qualification()) {
        add(
            RecognitionKind::FullyQualified,
            "Fully qualified",
            "You uncovered every qualifying fact: budget, authority, timeline and the rest.".into(),
        );
    }
    if d.best_path.is_some() && d.left_best_path_at.is_none() && d.right_call {
        add(
            RecognitionKind::FollowedBestPath,
            "On the best path",
            "Every choice you made was as good as the best one available.".into(),
        );
    }
    if moves.len() >= 4 && d.question_share >= 0.5 {
        add(
            RecognitionKind::Listener,
            "You listened",
            format!(
                "{:.0}% of your moves were questions; reps on won calls talk less than half the time.",
                100.0 * d.question_share
            ),
        );
    }
    if d.scores.passed == Some(true) {
        add(
            RecognitionKind::Passed,
            "Passed",
            format!(
                "{} against a pass mark of {}.",
                d.scores.overall,
                d.pass_mark.unwrap_or(0)
            ),
        );
    }
    if i32::from(session.trust()) - i32::from(s.buyer.trust) >= 20 {
        add(
            RecognitionKind::TrustBuilt,
            "Trust earned",
            format!(
                "The buyer's trust rose from {} to {}.",
                s.buyer.trust,
                session.trust()
            ),
        );
    }
    found
}

impl Debrief {
    /// The debrief as text, for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let verdict = if self.right_call {
            "the right call"
        } else {
            "not the right call"
        };
        let reason = match self.end_reason {
            EndReason::Ending => String::new(),
            EndReason::OutOfTime => " (the buyer's time ran out)".into(),
            EndReason::NothingToSay => " (no choice was open)".into(),
            EndReason::BuyerLoop => " (the buyer went round in circles)".into(),
            EndReason::Abandoned => " (abandoned)".into(),
        };
        let _ = writeln!(out, "== Debrief: {} ==", self.scenario_title);
        let _ = writeln!(
            out,
            "Outcome: {}{reason}, {verdict} (this deal called for {}).",
            self.outcome.label(),
            self.right_outcome.label()
        );
        let pass = match (self.scores.passed, self.pass_mark) {
            (Some(true), Some(mark)) => format!("  PASSED (pass mark {mark})"),
            (Some(false), Some(mark)) => format!("  not passed (pass mark {mark})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "Overall: {}/100{pass}", self.scores.overall);
        for d in &self.dimensions {
            let bar = "#".repeat(usize::from(d.score) / 5);
            let _ = writeln!(
                out,
                "  {:<14}{:>3}  {:<20}  (weight {})",
                d.dimension.label(),
                d.score,
                bar,
                d.weight
            );
            let _ = writeln!(out, "      {}", d.explanation);
        }
        let _ = writeln!(
            out,
            "Minutes: {} used; the fastest right call takes {}.",
            self.minutes_used, self.fastest_right_minutes
        );
        let _ = writeln!(
            out,
            "Questions: {} of {} moves ({:.0}%).",
            self.questions,
            self.turns.len(),
            100.0 * self.question_share
        );
        let _ = writeln!(out, "\nFacts uncovered ({}):", self.uncovered.len());
        for f in &self.uncovered {
            let when = f
                .learned_at_turn
                .map_or("in the opening".to_string(), |t| format!("turn {}", t + 1));
            let _ = writeln!(out, "  + [{}] {} ({when})", f.kind.label(), f.text);
        }
        let _ = writeln!(out, "Facts missed ({}):", self.missed.len());
        for f in &self.missed {
            let _ = writeln!(out, "  - [{}] {}", f.kind.label(), f.text);
            if let Some(source) = f.sources.first() {
                match &source.choice {
                    Some(say) => {
                        let _ = writeln!(
                            out,
                            "      you could have asked at \"{}\": \"{say}\"",
                            source.node_id
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "      the buyer says it at \"{}\": \"{}\"",
                            source.node_id, source.line
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "\nYour call:");
        for (i, t) in self.turns.iter().enumerate() {
            let marker = if Some(i) == self.left_best_path_at {
                "  <-- left the best path here"
            } else {
                ""
            };
            let _ = writeln!(out, "  {:>2}. Buyer: \"{}\"", i + 1, t.buyer_line);
            let _ = writeln!(
                out,
                "      You [{}]: \"{}\"{marker}",
                t.move_kind.label(),
                t.say
            );
            if let Some(note) = &t.note {
                let _ = writeln!(out, "      Coach: {note}");
            }
            if !t.effects.is_empty() {
                let _ = writeln!(out, "      Effect: {}", t.effects.join("; "));
            }
            if let Some(lost) = t.points_lost.filter(|l| *l >= 0.5) {
                let _ = writeln!(
                    out,
                    "      Cost: about {lost:.0} points of your best possible score."
                );
            }
            if let Some(best) = &t.best_choice {
                let _ = writeln!(out, "      Better: \"{best}\"");
            }
        }
        match &self.best_path {
            Some(best) => {
                let _ = writeln!(
                    out,
                    "\nWhat good looks like (best path, {} with the same luck, scoring {}; {:.0} expected on average):",
                    best.outcome.label(),
                    best.scores.overall,
                    best.expected_score
                );
                for (i, step) in best.steps.iter().enumerate() {
                    let _ = writeln!(out, "  {:>2}. Buyer: \"{}\"", i + 1, step.buyer_line);
                    if let (Some(say), Some(m)) = (&step.say, step.move_kind) {
                        let _ = writeln!(out, "      Best [{}]: \"{say}\"", m.label());
                    }
                }
                match self.left_best_path_at {
                    Some(turn) => {
                        let _ = writeln!(out, "You left the best path at turn {}.", turn + 1);
                    }
                    None => {
                        let _ = writeln!(out, "You never left the best path.");
                    }
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "\n(The best path could not be computed: the call is too large to search.)"
                );
            }
        }
        if !self.recognitions.is_empty() {
            let _ = writeln!(out, "\nWell done:");
            for r in &self.recognitions {
                let _ = writeln!(out, "  * {}: {}", r.title, r.detail);
            }
        }
        let _ = writeln!(
            out,
            "\nReplay: seed {}, scenario revision {}.",
            self.seed, self.revision
        );
        out
    }
}
