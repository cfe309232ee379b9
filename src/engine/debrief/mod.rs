//! The debrief: what a rep sees after a call, as plain data that the terminal, the window and a
//! stored session all show the same way. It replays the session against the best-path search to
//! say what each choice cost and where the rep left the best path.

use crate::engine::format::{FactKind, Move, Outcome};
use crate::engine::model::{ScenarioData, range_usize};
use crate::engine::play::rules::Core;
use crate::engine::score::{self, Dimension, Scores};
use crate::engine::search::{Objective, Solver};
use crate::engine::session::{EndReason, Event, Session};
use serde::Serialize;

mod recognitions;
mod text;

use recognitions::recognitions;

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
                let half_depth = score::DEPTH_POINTS / 2.0;
                match data.move_kind {
                    Move::Pitch if !core.tally.pain_known => effects.push(format!(
                        "pitched before any pain was known: -{:.0} discovery",
                        score::DISCIPLINE_POINTS * score::EARLY_PITCH_SHARE
                    )),
                    Move::Implication
                        if core.tally.pain_known && !core.tally.implication_after_pain =>
                    {
                        effects.push(format!(
                            "first Implication question once pain was known: +{half_depth:.0} discovery"
                        ))
                    }
                    Move::NeedPayoff
                        if core.tally.pain_known && !core.tally.need_payoff_after_pain =>
                    {
                        effects.push(format!(
                            "first Need-payoff question once pain was known: +{half_depth:.0} discovery"
                        ))
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
    let (_, points) = score::fact_points(
        data.kind,
        data.weight,
        s.pain_weight,
        s.qualification_weight,
    );
    if data.kind == FactKind::Pain {
        format!("uncovered pain \"{}\": +{points:.0} discovery", data.id)
    } else {
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
        if let crate::engine::model::Way::Choices(range) = &node.way {
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
    scenario: &crate::engine::model::Scenario,
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
