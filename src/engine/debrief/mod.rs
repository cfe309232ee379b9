//! The debrief: what a rep sees after a call, as plain data that the terminal, the window and a
//! stored session all show the same way. It replays the session against the best-path search to
//! say what each choice did to the score, which choices gave up a meaningful number of points,
//! and what the best path with the same luck would have said, with every buyer line on both.
//!
//! A call the rep left is not scored and not praised: its debrief shows the call so far and
//! what good would have looked like.

use crate::engine::format::{Condition, FactKind, Move, Outcome};
use crate::engine::model::{Cond, ScenarioData, Way, range_usize};
use crate::engine::play::rules::Core;
use crate::engine::score::{self, Dimension, Dimensions, ScoreInputs, Scores};
use crate::engine::search::{MEANINGFUL_LOSS, Objective, Solver};
use crate::engine::session::{EndReason, Entry, Session};
use serde::Serialize;

mod explain;
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
    /// `None` for a call the rep left: it is not scored.
    pub scores: Option<Scores>,
    /// The dimensions before rounding, for the formula shown one click away.
    pub exact: Option<Dimensions>,
    pub scoring_version: u32,
    pub pass_mark: Option<u32>,
    pub dimensions: Vec<DimensionReport>,
    pub uncovered: Vec<FactReport>,
    /// Facts the rep knew before the first line, carried in from earlier calls of a campaign:
    /// they count as known, and are listed apart from what this call uncovered.
    pub carried_in: Vec<FactReport>,
    /// Facts the rep missed that the best path, with the same luck, found: these mattered.
    pub missed: Vec<FactReport>,
    /// Facts even the best path leaves: not worth the buyer's minutes on this call.
    pub left: Vec<FactReport>,
    pub turns: Vec<TurnReport>,
    /// What the buyer said after the last choice (the closing line, and any luck on the way).
    pub closing: Vec<LineReport>,
    /// `None` when the call is too large to search exactly.
    pub best_path: Option<BestPath>,
    /// The turn (index into `turns`) where the rep first gave up a meaningful number of points
    /// (`search::MEANINGFUL_LOSS`).
    pub left_best_path_at: Option<usize>,
    pub recognitions: Vec<Recognition>,
    pub minutes_used: u32,
    /// Minutes the rep's choices added to the fastest right call still open.
    pub wasted_minutes: u32,
    /// The fastest right call with every chance turn in the rep's favour.
    pub fastest_right_minutes: u32,
    /// Question moves among all moves: listening, in a choice-based call.
    pub questions: u32,
    pub question_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionReport {
    pub dimension: Dimension,
    /// `None` for a call the rep left.
    pub score: Option<u8>,
    pub weight: u32,
    /// The formula, in two sentences.
    pub explanation: &'static str,
    /// Why this rep got this score on this call, from what they did.
    pub why: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactReport {
    pub id: String,
    pub kind: FactKind,
    pub text: String,
    pub weight: u32,
    /// What it is worth, in its dimension.
    pub points: f64,
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

/// One buyer line, with the trust change it brought (a node may change the trust).
#[derive(Debug, Clone, Serialize)]
pub struct LineReport {
    pub node_id: String,
    pub text: String,
    pub trust_change: i32,
}

/// A choice the rep could not make at a turn, and why.
#[derive(Debug, Clone, Serialize)]
pub struct HiddenChoice {
    pub say: String,
    pub because: String,
}

/// What a choice did to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Effect {
    /// The buyer's trust moved (rapport is the trust at the end).
    Trust { change: i32 },
    /// A fact came out.
    Fact {
        id: String,
        kind: FactKind,
        dimension: Dimension,
        points: f64,
    },
    /// A pitch before any pain was known.
    EarlyPitch { points: f64 },
    /// The first Implication or Need-payoff question once a pain was known.
    Depth { move_kind: Move, points: f64 },
    /// Minutes added to the fastest right call still open, and what they cost velocity.
    Wasted { minutes: u32, velocity: f64 },
}

#[derive(Debug, Clone, Serialize)]
pub struct TurnReport {
    pub node_id: String,
    /// Everything the buyer said since the rep's last choice (chance and `next` turns included).
    pub buyer_lines: Vec<LineReport>,
    pub say: String,
    pub move_kind: Move,
    pub note: Option<String>,
    /// The choice's own trust change (a line's change is on the line).
    pub trust_change: i32,
    pub trust_after: u8,
    pub minutes: u32,
    pub wasted: u32,
    /// Facts that came out of this choice, by text.
    pub revealed: Vec<String>,
    /// What the choice did to the score.
    pub effects: Vec<Effect>,
    /// Choices that were hidden at this turn, and why (low trust, facts not yet known, ...).
    pub hidden: Vec<HiddenChoice>,
    /// What the best path would have said here, when this choice gave up a meaningful number of
    /// points.
    pub best_choice: Option<String>,
    /// Points of the best expected overall score this choice gave up (0 for a best choice).
    pub points_lost: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BestPath {
    pub steps: Vec<PathStep>,
    /// What the buyer said after the best path's last choice.
    pub closing: Vec<String>,
    pub outcome: Outcome,
    pub scores: Scores,
    /// The best expected overall score from the start, chance averaged.
    pub expected_score: f64,
    /// The facts the best path learns with this luck.
    pub facts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    pub node_id: String,
    /// Everything the buyer said before this choice.
    pub buyer_lines: Vec<String>,
    pub say: String,
    pub move_kind: Move,
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

    pub fn abandoned(&self) -> bool {
        self.end_reason == EndReason::Abandoned
    }
}

/// What the search says about one turn.
struct Judged {
    points_lost: Option<f64>,
    best_choice: Option<usize>,
}

fn build(session: &Session) -> Debrief {
    let scenario = session.scenario();
    let s: &ScenarioData = scenario;
    let ending = session.ending().expect("abandon() ends the call");
    let scores = session.scores();
    let choices = session.choice_indices();

    // Replay to see the state before each choice, and ask the search about it.
    let mut solver = Solver::new(s, Objective::ExpectedScore);
    let mut replay = Session::new(scenario, session.seed());
    let mut before: Vec<Core> = Vec::with_capacity(choices.len());
    let mut judged: Vec<Judged> = Vec::with_capacity(choices.len());
    let mut left_best_path_at = None;
    let mut search_ok = true;
    for (turn, &choice) in choices.iter().enumerate() {
        let core = replay.core().clone();
        let mut verdict = Judged {
            points_lost: None,
            best_choice: None,
        };
        if search_ok {
            match (solver.decide(&core), solver.choice_value(&core, choice)) {
                (Ok(decision), Ok(value)) => {
                    let lost = (decision.value - value).max(0.0);
                    let meaningful = lost >= MEANINGFUL_LOSS;
                    verdict.points_lost = Some(lost);
                    verdict.best_choice = meaningful.then_some(decision.best as usize);
                    if meaningful && left_best_path_at.is_none() {
                        left_best_path_at = Some(turn);
                    }
                }
                _ => search_ok = false,
            }
        }
        judged.push(verdict);
        before.push(core);
        let _ = replay.choose(choice);
    }
    let best_path = if search_ok {
        best_path(scenario, session.seed(), &mut solver)
    } else {
        None
    };
    if best_path.is_none() {
        left_best_path_at = None;
    }
    let right_call = ending.outcome.is_right_call(s.winnable);
    let inputs = session.core().score_inputs(s, ending.outcome);
    let minutes_used = session.minutes_used();

    // Turns, with every buyer line, the trust where it moved, and what each choice brought out.
    let mut turns: Vec<TurnReport> = Vec::with_capacity(choices.len());
    let mut lines: Vec<LineReport> = Vec::new();
    let mut learned_at: Vec<Option<Option<usize>>> = vec![None; s.facts.len()];
    let mut trust = i32::from(s.buyer.trust);
    for entry in session.transcript() {
        match entry {
            Entry::Buyer {
                node_id,
                line,
                trust_after,
            } => {
                lines.push(LineReport {
                    node_id: node_id.to_string(),
                    text: line.to_string(),
                    trust_change: i32::from(trust_after) - trust,
                });
                trust = i32::from(trust_after);
            }
            Entry::Chance { .. } => {}
            Entry::Revealed { fact } => {
                let index = s.facts.iter().position(|f| f.id == fact.id).unwrap_or(0);
                let turn = turns.len().checked_sub(1);
                // A fact a line reveals is learned at the turn whose choice led to the line.
                learned_at[index] = Some(turn);
                if let Some(last) = turns.last_mut() {
                    last.revealed.push(fact.text.clone());
                    let (dimension, points) = score::fact_points(
                        fact.kind,
                        fact.weight,
                        s.pain_weight,
                        s.qualification_weight,
                    );
                    last.effects.push(Effect::Fact {
                        id: fact.id.clone(),
                        kind: fact.kind,
                        dimension,
                        points,
                    });
                }
            }
            Entry::Rep {
                node_id,
                index,
                say,
                move_kind,
                note,
                wasted,
                trust_after,
                ..
            } => {
                let turn = turns.len();
                let core = &before[turn];
                let mut effects = Vec::new();
                let trust_change = i32::from(trust_after) - trust;
                trust = i32::from(trust_after);
                if trust_change != 0 {
                    effects.push(Effect::Trust {
                        change: trust_change,
                    });
                }
                let half_depth = score::DEPTH_POINTS / 2.0;
                match move_kind {
                    Move::Pitch if !core.tally.pain_known && core.tally.pitches_before_pain < 2 => {
                        effects.push(Effect::EarlyPitch {
                            points: score::DISCIPLINE_POINTS * score::EARLY_PITCH_SHARE,
                        })
                    }
                    Move::Implication
                        if core.tally.pain_known && !core.tally.implication_after_pain =>
                    {
                        effects.push(Effect::Depth {
                            move_kind,
                            points: half_depth,
                        })
                    }
                    Move::NeedPayoff
                        if core.tally.pain_known && !core.tally.need_payoff_after_pain =>
                    {
                        effects.push(Effect::Depth {
                            move_kind,
                            points: half_depth,
                        })
                    }
                    _ => {}
                }
                if wasted > 0 {
                    // Each wasted minute costs a minute's share of what the luck allowed.
                    let needed = minutes_used.saturating_sub(session.wasted_minutes());
                    let velocity = if right_call && needed > 0 {
                        (100.0 * f64::from(wasted) / f64::from(needed)).min(100.0)
                    } else {
                        0.0
                    };
                    effects.push(Effect::Wasted {
                        minutes: wasted,
                        velocity,
                    });
                }
                let node = s.node_index(node_id).unwrap_or(0);
                let first = s.first_choice(node) as usize;
                let data = &s.choices[first + index];
                turns.push(TurnReport {
                    node_id: node_id.to_string(),
                    buyer_lines: std::mem::take(&mut lines),
                    say: say.to_string(),
                    move_kind,
                    note: note.map(str::to_string),
                    trust_change,
                    trust_after,
                    minutes: data.minutes,
                    wasted,
                    revealed: Vec::new(),
                    effects,
                    hidden: hidden_choices(s, core),
                    best_choice: judged[turn]
                        .best_choice
                        .map(|p| s.choices[first + p].say.clone()),
                    points_lost: judged[turn].points_lost,
                });
            }
        }
    }
    let closing = lines;

    let best_knows: Vec<&str> = best_path
        .as_ref()
        .map(|b| b.facts.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut uncovered = Vec::new();
    let mut carried_in = Vec::new();
    let mut missed = Vec::new();
    let mut left = Vec::new();
    for (index, fact) in s.facts.iter().enumerate() {
        let (_, points) = score::fact_points(
            fact.kind,
            fact.weight,
            s.pain_weight,
            s.qualification_weight,
        );
        let report = FactReport {
            id: fact.id.clone(),
            kind: fact.kind,
            text: fact.text.clone(),
            weight: fact.weight,
            points,
            learned_at_turn: learned_at[index].flatten(),
            sources: fact_sources(s, index as u32),
        };
        if s.known_at_start.contains(&(index as u32)) {
            carried_in.push(report)
        } else if learned_at[index].is_some() {
            uncovered.push(report)
        } else if best_path.is_none() || best_knows.contains(&fact.id.as_str()) {
            missed.push(report)
        } else {
            left.push(report)
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
    let abandoned = ending.reason == EndReason::Abandoned;
    let exact = (!abandoned).then(|| score::dimensions(&inputs));
    let known: Vec<bool> = learned_at
        .iter()
        .enumerate()
        .map(|(i, learned)| learned.is_some() || s.known_at_start.contains(&(i as u32)))
        .collect();
    let dimensions = Dimension::ALL
        .iter()
        .map(|&d| DimensionReport {
            dimension: d,
            score: scores.map(|sc| d.of(&sc)),
            weight: d.weight(&s.weights),
            explanation: d.explanation(),
            why: if abandoned {
                Vec::new()
            } else {
                explain::why(d, &inputs, &turns, s, &known)
            },
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
        exact,
        scoring_version: score::SCORING_VERSION,
        pass_mark: s.pass_mark,
        dimensions,
        uncovered,
        carried_in,
        missed,
        left,
        turns,
        closing,
        left_best_path_at,
        best_path,
        recognitions: Vec::new(),
        minutes_used,
        wasted_minutes: session.wasted_minutes(),
        fastest_right_minutes: s.fastest_right_minutes,
        questions,
        question_share,
    };
    if !abandoned {
        debrief.recognitions = recognitions(&debrief, session, &moves);
    }
    debrief
}

/// The choices at the session's current node that are not offered, with why: what an author
/// playtesting a call sees beside the offered ones.
pub fn hidden_now(session: &Session) -> Vec<HiddenChoice> {
    hidden_choices(session.scenario(), session.core())
}

/// The choices at a turn that the rep could not make, with the condition that hid each.
fn hidden_choices(s: &ScenarioData, core: &Core) -> Vec<HiddenChoice> {
    let mut hidden = Vec::new();
    for choice in s.node_choices(core.node) {
        if core.offers(s, choice) {
            continue;
        }
        let because = s
            .conditions_of(choice)
            .iter()
            .find(|c| !core.holds(s, **c))
            .map(|c| unmet(s, core, *c))
            .unwrap_or_default();
        hidden.push(HiddenChoice {
            say: choice.say.clone(),
            because,
        });
    }
    hidden
}

/// Why a condition did not hold, for the rep.
fn unmet(s: &ScenarioData, core: &Core, condition: Cond) -> String {
    let fact = |f: u32| s.facts[f as usize].text.clone();
    let node = |n: u32| s.nodes[n as usize].line.clone();
    match condition {
        Cond::TrustAtLeast(n) => format!(
            "the buyer's trust was {}; it needed to be {n} or more",
            core.trust
        ),
        Cond::TrustBelow(n) => format!("the buyer's trust was {}, not below {n}", core.trust),
        Cond::Knows(f) => format!("you did not know yet: {}", fact(f)),
        Cond::DoesNotKnow(f) => format!("you already knew: {}", fact(f)),
        Cond::MinutesLeft(n) => format!(
            "{} minutes were left; it needed {n}",
            core.minutes_left.max(0)
        ),
        Cond::Visited(n) => format!("the buyer had not yet said: \"{}\"", node(n)),
        Cond::NotVisited(n) => format!("the buyer had already said: \"{}\"", node(n)),
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
        if let Way::Choices(range) = &node.way {
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
    let mut session = Session::new(scenario, seed);
    while !session.is_over() {
        let decision = solver.decide(session.core()).ok()?;
        session.choose(decision.best as usize).ok()?;
    }
    let mut steps = Vec::new();
    let mut lines = Vec::new();
    for entry in session.transcript() {
        match entry {
            Entry::Buyer { line, .. } => lines.push(line.to_string()),
            Entry::Rep {
                node_id,
                say,
                move_kind,
                note,
                ..
            } => steps.push(PathStep {
                node_id: node_id.to_string(),
                buyer_lines: std::mem::take(&mut lines),
                say: say.to_string(),
                move_kind,
                note: note.map(str::to_string),
            }),
            Entry::Chance { .. } | Entry::Revealed { .. } => {}
        }
    }
    Some(BestPath {
        steps,
        closing: lines,
        outcome: session.outcome()?,
        scores: session.scores()?,
        expected_score,
        facts: session.known_facts().map(|f| f.id.clone()).collect(),
    })
}

/// What each kind of condition reads as, for the format reference and messages.
pub fn condition_words(condition: &Condition) -> String {
    match condition {
        Condition::Knows(f) => format!("the rep knows \"{f}\""),
        Condition::DoesNotKnow(f) => format!("the rep does not know \"{f}\" yet"),
        Condition::TrustAtLeast(n) => format!("trust is {n} or more"),
        Condition::TrustBelow(n) => format!("trust is below {n}"),
        Condition::MinutesLeft(n) => format!("{n} minutes or more are left"),
        Condition::Visited(n) => format!("the call has been at \"{n}\""),
        Condition::NotVisited(n) => format!("the call has not been at \"{n}\""),
    }
}

/// A finished call's score inputs, for tools that explain a score.
pub fn score_inputs(session: &Session) -> Option<ScoreInputs> {
    let ending = session.ending()?;
    Some(
        session
            .core()
            .score_inputs(session.scenario(), ending.outcome),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_effect_reads_as_a_sentence() {
        for effect in [
            Effect::Trust { change: -5 },
            Effect::EarlyPitch { points: 10.0 },
            Effect::Wasted {
                minutes: 2,
                velocity: 16.7,
            },
        ] {
            assert!(!effect.describe().is_empty());
        }
    }
}
