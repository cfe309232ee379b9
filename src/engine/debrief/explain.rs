//! Why a rep got their score on this call, dimension by dimension, in sentences about what they
//! did (the formula itself stays one click away), and what each choice's effect reads as.

use super::{Effect, TurnReport};
use crate::engine::format::{FactKind, Outcome};
use crate::engine::model::ScenarioData;
use crate::engine::score::{self, Dimension, ScoreInputs};

impl Effect {
    /// The effect as a rep reads it on a turn.
    pub fn describe(&self) -> String {
        match self {
            Effect::Trust { change } => format!("trust {change:+}"),
            Effect::Fact {
                kind,
                dimension,
                points,
                ..
            } => {
                let what = if *kind == FactKind::Pain {
                    "a pain".to_string()
                } else {
                    kind.label().to_lowercase()
                };
                format!(
                    "learned {what}: +{points:.0} {}",
                    dimension.label().to_lowercase()
                )
            }
            Effect::EarlyPitch { points } => {
                format!("pitched before any pain was known: -{points:.0} discovery")
            }
            Effect::Depth { move_kind, points } => format!(
                "first {} question once a pain was known: +{points:.0} discovery",
                move_kind.label()
            ),
            Effect::Wasted { minutes, velocity } => {
                let minutes_words = if *minutes == 1 {
                    "a minute".to_string()
                } else {
                    format!("{minutes} minutes")
                };
                if *velocity > 0.0 {
                    format!(
                        "added {minutes_words} to the fastest right call still open: -{velocity:.0} velocity"
                    )
                } else {
                    format!("added {minutes_words} to the fastest right call still open")
                }
            }
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The turns, counted from 1, whose effects match.
fn turns_where(turns: &[TurnReport], matches: impl Fn(&Effect) -> bool) -> Vec<usize> {
    turns
        .iter()
        .enumerate()
        .filter(|(_, t)| t.effects.iter().any(&matches))
        .map(|(i, _)| i + 1)
        .collect()
}

fn turn_list(turns: &[usize]) -> String {
    let words: Vec<String> = turns.iter().map(|t| t.to_string()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => format!("turn {one}"),
        [rest @ .., last] => format!("turns {} and {last}", rest.join(", ")),
    }
}

/// Why this dimension scored what it did, in a few sentences about the rep's own call.
pub(super) fn why(
    dimension: Dimension,
    inputs: &ScoreInputs,
    turns: &[TurnReport],
    s: &ScenarioData,
    known: &[bool],
) -> Vec<String> {
    let mut out = Vec::new();
    match dimension {
        Dimension::Qualification => {
            let right = inputs.outcome.is_right_call(inputs.winnable);
            let call = score::call_points(inputs);
            match (inputs.outcome, right, call) {
                (_, _, None) => out.push(
                    "You advanced a deal that can never close: happy ears score zero, whatever else you learned."
                        .into(),
                ),
                (Outcome::Advance, true, Some(points)) => {
                    let missing: Vec<&str> = FactKind::BASICS
                        .iter()
                        .filter(|kind| {
                            s.facts.iter().any(|f| f.kind == **kind)
                                && !kind_known(s, known, **kind)
                        })
                        .map(|kind| match kind {
                            FactKind::Authority => "who signs",
                            FactKind::Budget => "the budget",
                            _ => "the timing",
                        })
                        .collect();
                    if missing.is_empty() {
                        out.push(format!(
                            "You advanced knowing who signs, the budget and the timing: {points:.0} of 60 for the call."
                        ));
                    } else {
                        out.push(format!(
                            "You advanced without knowing {}: {points:.0} of 60 for the call. An advance without them is a meeting, not a qualified deal.",
                            missing.join(" or ")
                        ));
                    }
                }
                (Outcome::QualifiedOut, true, Some(points)) => out.push(if inputs.reason_known {
                    format!("You walked away from a deal that cannot close, with a reason to: {points:.0} of 60 for the call.")
                } else {
                    format!("You walked away from a deal that cannot close, but before learning any reason to: {points:.0} of 60 for the call.")
                }),
                (Outcome::Continuation, _, Some(points)) => out.push(format!(
                    "The call ended without a decision: {points:.0} of 60 for the call, where the right call earns up to 60."
                )),
                (Outcome::Lost, _, Some(points)) => out.push(format!(
                    "The buyer ended the call: {points:.0} of 60 for the call."
                )),
                (_, _, Some(_)) => out.push(
                    "You walked away from a deal that could have closed: no points for the call."
                        .into(),
                ),
            }
            let (found, total) = qualification_facts(s, known);
            out.push(format!(
                "You uncovered {found} of {total} qualifying facts: {:.0} of 40.",
                score::QUALIFICATION_COVERAGE_POINTS * inputs.qualification_coverage
            ));
        }
        Dimension::Discovery => {
            let pains = s.facts.iter().filter(|f| f.kind == FactKind::Pain).count();
            let found = s
                .facts
                .iter()
                .zip(known)
                .filter(|(f, known)| **known && f.kind == FactKind::Pain)
                .count();
            if pains > 0 {
                out.push(format!(
                    "You found {} of {}: {:.0} of 50.",
                    found.min(pains),
                    plural(pains, "pain", "pains"),
                    score::PAIN_COVERAGE_POINTS * inputs.pain_coverage
                ));
                let depth = match (inputs.implication_after_pain, inputs.need_payoff_after_pain) {
                    (true, true) => "You asked both an Implication and a Need-payoff question once a pain was known: 30 of 30.".to_string(),
                    (true, false) => "You asked an Implication question once a pain was known, but no Need-payoff question: 15 of 30.".to_string(),
                    (false, true) => "You asked a Need-payoff question once a pain was known, but no Implication question: 15 of 30.".to_string(),
                    (false, false) => "You asked no Implication or Need-payoff question once a pain was known: 0 of 30.".to_string(),
                };
                out.push(depth);
            }
            let early = turns_where(turns, |e| matches!(e, Effect::EarlyPitch { .. }));
            if early.is_empty() {
                out.push("You never pitched before you knew a pain: 20 of 20.".into());
            } else {
                out.push(format!(
                    "You pitched before any pain was known at {}: {:.0} of 20.",
                    turn_list(&early),
                    score::DISCIPLINE_POINTS
                        * (1.0 - score::EARLY_PITCH_SHARE * inputs.pitches_before_pain as f64)
                            .max(0.0)
                ));
            }
        }
        Dimension::Rapport => {
            out.push(format!(
                "The buyer's trust went from {} to {}.",
                s.buyer.trust, inputs.final_trust
            ));
            let worst = turns
                .iter()
                .enumerate()
                .filter(|(_, t)| t.trust_change < 0)
                .min_by_key(|(_, t)| t.trust_change);
            if let Some((turn, t)) = worst {
                out.push(format!(
                    "It fell most at turn {} ({:+}), when you said: \"{}\"",
                    turn + 1,
                    t.trust_change,
                    crate::engine::text::shorten(&t.say, 80)
                ));
            }
        }
        Dimension::Velocity => {
            if !inputs.outcome.is_right_call(inputs.winnable) {
                out.push("Velocity only counts when the call ends the right way.".into());
            } else if inputs.wasted_minutes == 0 {
                out.push(format!(
                    "You used {} and no choice added to the fastest right call your luck allowed.",
                    plural(inputs.minutes_used as usize, "minute", "minutes")
                ));
            } else {
                let slow = turns_where(turns, |e| matches!(e, Effect::Wasted { .. }));
                let needed = inputs.minutes_used.saturating_sub(inputs.wasted_minutes);
                out.push(format!(
                    "Your luck allowed a right call in {}; you used {}, as {} went on choices that added to it ({}).",
                    plural(needed as usize, "minute", "minutes"),
                    plural(inputs.minutes_used as usize, "minute", "minutes"),
                    plural(inputs.wasted_minutes as usize, "minute", "minutes"),
                    turn_list(&slow)
                ));
            }
        }
    }
    out
}

/// Whether a fact of this kind is known at the end of the call.
fn kind_known(s: &ScenarioData, known: &[bool], kind: FactKind) -> bool {
    s.facts
        .iter()
        .zip(known)
        .any(|(fact, known)| *known && fact.kind == kind)
}

/// How many qualifying facts are known at the end, of how many.
fn qualification_facts(s: &ScenarioData, known: &[bool]) -> (usize, usize) {
    let qualifying = s
        .facts
        .iter()
        .zip(known)
        .filter(|(f, _)| f.kind.is_qualification());
    let (mut found, mut total) = (0, 0);
    for (_, known) in qualifying {
        total += 1;
        found += usize::from(*known);
    }
    (found, total)
}
