//! How a session is scored: the four dimensions and the overall score, each formula here and
//! nowhere else, with the two sentences a rep reads on the debrief.
//!
//! Formulas work in exact numbers (the best-path search compares them); `Scores` rounds them to
//! whole points for people, and the overall score is the weighted mean of the rounded dimensions
//! so that a rep can check the arithmetic on the debrief.

use crate::engine::format::{FactKind, Outcome};
use crate::engine::model::Weights;
use serde::{Deserialize, Serialize};

/// Points of qualification for making the call (times `call_value`).
pub const CALL_POINTS: f64 = 60.0;
/// Points of qualification for the weighted share of qualification facts uncovered.
pub const QUALIFICATION_COVERAGE_POINTS: f64 = 40.0;
/// Points of discovery for the weighted share of pains uncovered.
pub const PAIN_COVERAGE_POINTS: f64 = 50.0;
/// Points of discovery for depth: half for an Implication, half for a Need-payoff question asked
/// once a pain is known.
pub const DEPTH_POINTS: f64 = 30.0;
/// Points of discovery for pitch discipline; each pitch before any pain is known costs half.
pub const DISCIPLINE_POINTS: f64 = 20.0;
/// The share of `DISCIPLINE_POINTS` each early pitch costs.
pub const EARLY_PITCH_SHARE: f64 = 0.5;

/// What uncovering a fact is worth: its dimension, and the points in that dimension.
pub fn fact_points(
    kind: FactKind,
    weight: u32,
    pain_weight: u32,
    qualification_weight: u32,
) -> (Dimension, f64) {
    if kind == FactKind::Pain {
        (
            Dimension::Discovery,
            PAIN_COVERAGE_POINTS * f64::from(weight) / f64::from(pain_weight.max(1)),
        )
    } else {
        (
            Dimension::Qualification,
            QUALIFICATION_COVERAGE_POINTS * f64::from(weight)
                / f64::from(qualification_weight.max(1)),
        )
    }
}

/// How much a dimension's point counts toward the overall score under these weights.
pub fn overall_share(dimension: Dimension, weights: &Weights) -> f64 {
    let total = weights.qualification + weights.discovery + weights.rapport + weights.velocity;
    f64::from(dimension.weight(weights)) / f64::from(total.max(1))
}

/// What a finished call is scored on, gathered by the session (or the search) as it plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInputs {
    pub outcome: Outcome,
    pub winnable: bool,
    /// Weighted share (0..=1) of the qualification facts uncovered; 1 when there are none.
    pub qualification_coverage: f64,
    /// Weighted share (0..=1) of the pain facts uncovered; 1 when there are none.
    pub pain_coverage: f64,
    /// Whether the scenario has any pain to find (without one, depth cannot be earned or lost).
    pub has_pain: bool,
    pub implication_after_pain: bool,
    pub need_payoff_after_pain: bool,
    pub pitches_before_pain: u32,
    pub final_trust: u8,
    pub minutes_used: u32,
    pub fastest_right_minutes: u32,
}

/// The four dimensions, exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dimensions {
    pub qualification: f64,
    pub discovery: f64,
    pub rapport: f64,
    pub velocity: f64,
}

/// The scores a rep sees: whole points 0..=100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub qualification: u8,
    pub discovery: u8,
    pub rapport: u8,
    pub velocity: u8,
    pub overall: u8,
    /// `None` when the scenario has no pass mark.
    pub passed: Option<bool>,
}

/// The scored dimensions, for listing them in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimension {
    Qualification,
    Discovery,
    Rapport,
    Velocity,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::Qualification,
        Dimension::Discovery,
        Dimension::Rapport,
        Dimension::Velocity,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Qualification => "Qualification",
            Dimension::Discovery => "Discovery",
            Dimension::Rapport => "Rapport",
            Dimension::Velocity => "Velocity",
        }
    }

    /// What the rep reads under the score: how it is computed, in two sentences.
    pub fn explanation(self) -> &'static str {
        match self {
            Dimension::Qualification => {
                "60 points for the right call (advance a deal that can close, walk away from one that cannot) and 40 for the share of budget, authority, timeline and other qualifying facts you uncovered. Advancing a deal that can never close is the costliest mistake and scores zero."
            }
            Dimension::Discovery => {
                "50 points for the share of the buyer's pains you uncovered and 30 for asking an Implication and a Need-payoff question once a pain was on the table. The last 20 are for not pitching before you knew any pain: each early pitch costs 10."
            }
            Dimension::Rapport => {
                "The buyer's trust when the call ended, from 0 to 100. Trust grows when you listen and earn it, and falls when you push."
            }
            Dimension::Velocity => {
                "The minutes of the fastest right call in this scenario against the minutes you used, as a percentage. It only counts when the call ended the right way: a quick wrong call wastes everyone's time."
            }
        }
    }

    pub fn of(self, scores: &Scores) -> u8 {
        match self {
            Dimension::Qualification => scores.qualification,
            Dimension::Discovery => scores.discovery,
            Dimension::Rapport => scores.rapport,
            Dimension::Velocity => scores.velocity,
        }
    }

    pub fn weight(self, weights: &Weights) -> u32 {
        match self {
            Dimension::Qualification => weights.qualification,
            Dimension::Discovery => weights.discovery,
            Dimension::Rapport => weights.rapport,
            Dimension::Velocity => weights.velocity,
        }
    }
}

/// How much making the call counts toward qualification, by outcome (the rest is coverage).
/// `None` is "happy ears": advancing a deal that cannot close, which zeroes the dimension.
pub fn call_value(outcome: Outcome, winnable: bool) -> Option<f64> {
    match (outcome, winnable) {
        (Outcome::Advance, true) | (Outcome::QualifiedOut, false) => Some(1.0),
        (Outcome::Advance, false) => None,
        // No decision was made; the deal drifts.
        (Outcome::Continuation, _) => Some(0.25),
        // The deal was never real, but the buyer decided, not the rep.
        (Outcome::Lost, false) => Some(0.25),
        // A real deal lost, or walked away from: revenue gone.
        (Outcome::Lost, true) | (Outcome::QualifiedOut, true) => Some(0.0),
    }
}

pub fn qualification(inputs: &ScoreInputs) -> f64 {
    match call_value(inputs.outcome, inputs.winnable) {
        None => 0.0,
        Some(call) => {
            CALL_POINTS * call + QUALIFICATION_COVERAGE_POINTS * inputs.qualification_coverage
        }
    }
}

pub fn discovery(inputs: &ScoreInputs) -> f64 {
    let depth = if inputs.has_pain {
        0.5 * f64::from(u8::from(inputs.implication_after_pain))
            + 0.5 * f64::from(u8::from(inputs.need_payoff_after_pain))
    } else {
        1.0
    };
    let discipline = (1.0 - EARLY_PITCH_SHARE * f64::from(inputs.pitches_before_pain)).max(0.0);
    PAIN_COVERAGE_POINTS * inputs.pain_coverage
        + DEPTH_POINTS * depth
        + DISCIPLINE_POINTS * discipline
}

pub fn rapport(inputs: &ScoreInputs) -> f64 {
    f64::from(inputs.final_trust.min(100))
}

pub fn velocity(inputs: &ScoreInputs) -> f64 {
    if !inputs.outcome.is_right_call(inputs.winnable) {
        return 0.0;
    }
    let used = inputs.minutes_used.max(1);
    (100.0 * f64::from(inputs.fastest_right_minutes) / f64::from(used)).min(100.0)
}

pub fn dimensions(inputs: &ScoreInputs) -> Dimensions {
    Dimensions {
        qualification: qualification(inputs),
        discovery: discovery(inputs),
        rapport: rapport(inputs),
        velocity: velocity(inputs),
    }
}

/// The weighted mean of the four dimensions.
pub fn overall(d: &Dimensions, w: &Weights) -> f64 {
    let total = w.qualification + w.discovery + w.rapport + w.velocity;
    if total == 0 {
        return 0.0;
    }
    (d.qualification * f64::from(w.qualification)
        + d.discovery * f64::from(w.discovery)
        + d.rapport * f64::from(w.rapport)
        + d.velocity * f64::from(w.velocity))
        / f64::from(total)
}

fn whole(points: f64) -> u8 {
    points.round().clamp(0.0, 100.0) as u8
}

impl Scores {
    pub fn from_inputs(inputs: &ScoreInputs, weights: &Weights, pass_mark: Option<u32>) -> Scores {
        let d = dimensions(inputs);
        let rounded = Dimensions {
            qualification: f64::from(whole(d.qualification)),
            discovery: f64::from(whole(d.discovery)),
            rapport: f64::from(whole(d.rapport)),
            velocity: f64::from(whole(d.velocity)),
        };
        let overall = whole(overall(&rounded, weights));
        Scores {
            qualification: whole(d.qualification),
            discovery: whole(d.discovery),
            rapport: whole(d.rapport),
            velocity: whole(d.velocity),
            overall,
            passed: pass_mark.map(|mark| u32::from(overall) >= mark),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ScoreInputs {
        ScoreInputs {
            outcome: Outcome::Advance,
            winnable: true,
            qualification_coverage: 0.5,
            pain_coverage: 0.5,
            has_pain: true,
            implication_after_pain: true,
            need_payoff_after_pain: false,
            pitches_before_pain: 0,
            final_trust: 64,
            minutes_used: 12,
            fastest_right_minutes: 9,
        }
    }

    #[test]
    fn qualification_is_sixty_for_the_right_call_plus_forty_for_coverage() {
        assert_eq!(qualification(&inputs()), 80.0);
        let walked_away_right = ScoreInputs {
            outcome: Outcome::QualifiedOut,
            winnable: false,
            qualification_coverage: 0.25,
            ..inputs()
        };
        assert_eq!(qualification(&walked_away_right), 70.0);
    }

    #[test]
    fn happy_ears_is_the_costliest_mistake_and_scores_zero_qualification() {
        let happy_ears = ScoreInputs {
            winnable: false,
            qualification_coverage: 1.0,
            ..inputs()
        };
        assert_eq!(qualification(&happy_ears), 0.0);
        let walked_from_real_deal = ScoreInputs {
            outcome: Outcome::QualifiedOut,
            qualification_coverage: 1.0,
            ..inputs()
        };
        assert_eq!(qualification(&walked_from_real_deal), 40.0);
        assert!(qualification(&happy_ears) < qualification(&walked_from_real_deal));
        let drifted = ScoreInputs {
            outcome: Outcome::Continuation,
            qualification_coverage: 0.0,
            ..inputs()
        };
        assert_eq!(qualification(&drifted), 15.0);
    }

    #[test]
    fn discovery_rewards_coverage_depth_and_pitch_discipline() {
        // 50 * 0.5 + 30 * 0.5 + 20 * 1
        assert_eq!(discovery(&inputs()), 60.0);
        let one_early_pitch = ScoreInputs {
            pitches_before_pain: 1,
            ..inputs()
        };
        assert_eq!(discovery(&one_early_pitch), 50.0);
        let three_early_pitches = ScoreInputs {
            pitches_before_pain: 3,
            ..inputs()
        };
        assert_eq!(discovery(&three_early_pitches), 40.0);
        let full = ScoreInputs {
            pain_coverage: 1.0,
            need_payoff_after_pain: true,
            ..inputs()
        };
        assert_eq!(discovery(&full), 100.0);
    }

    #[test]
    fn discovery_depth_is_not_lost_when_there_is_no_pain_to_find() {
        let no_pain = ScoreInputs {
            has_pain: false,
            pain_coverage: 1.0,
            implication_after_pain: false,
            ..inputs()
        };
        assert_eq!(discovery(&no_pain), 100.0);
    }

    #[test]
    fn rapport_is_the_final_trust() {
        assert_eq!(rapport(&inputs()), 64.0);
    }

    #[test]
    fn velocity_compares_with_the_fastest_right_call_and_needs_a_right_call() {
        assert_eq!(velocity(&inputs()), 75.0);
        let faster_than_reference = ScoreInputs {
            minutes_used: 6,
            ..inputs()
        };
        assert_eq!(velocity(&faster_than_reference), 100.0);
        let wrong = ScoreInputs {
            outcome: Outcome::Continuation,
            ..inputs()
        };
        assert_eq!(velocity(&wrong), 0.0);
    }

    #[test]
    fn overall_is_the_weighted_mean_of_rounded_dimensions_and_decides_the_pass() {
        let scores = Scores::from_inputs(&inputs(), &Weights::default(), Some(70));
        // 80*35 + 60*35 + 64*15 + 75*15 = 6985 / 100
        assert_eq!(
            scores,
            Scores {
                qualification: 80,
                discovery: 60,
                rapport: 64,
                velocity: 75,
                overall: 70,
                passed: Some(true)
            }
        );
        let custom = Weights {
            qualification: 1,
            discovery: 0,
            rapport: 0,
            velocity: 0,
        };
        assert_eq!(Scores::from_inputs(&inputs(), &custom, None).overall, 80);
        assert_eq!(Scores::from_inputs(&inputs(), &custom, None).passed, None);
    }
}
