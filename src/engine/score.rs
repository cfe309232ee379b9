//! How a session is scored: the four dimensions, the overall score and the pass, every rule and
//! constant here and nowhere else, with the two sentences a rep reads on the debrief and the
//! reasons beside each rule. This is scoring version 2 (`SCORING_VERSION`); sessions stored under
//! version 1 keep the scores they were given, and a replay says which version gave them.
//!
//! What the rules measure, and why (`shared/spec/scoring.md`, "What makes a score trustworthy"):
//! - **Qualifying, not just calling.** An advance earns its full credit only when the rep knows
//!   who signs, the money and the timing (BANT's and MEDDPICC's basics): an advance without them
//!   is a meeting, not a qualified opportunity. A walk-away earns its credit once the rep knows a
//!   reason to walk. Advancing a deal that cannot close ("happy ears") zeroes qualification.
//! - **Discovery before the pitch** (SPIN): pains found, their implications and payoff asked,
//!   no pitch before any pain is known.
//! - **Luck is not skill.** Velocity charges each choice the minutes it added to the fastest
//!   right call still open to the rep; the buyer's chance turns are charged to no one, so a rep is
//!   measured against what was possible with the luck they drew.
//! - **A wrong call cannot pass.** Passing needs the right call and the pass mark: a lost deal,
//!   a vague "send me something" when a next step was on the table, and happy ears all fail,
//!   however good the questions were.
//! - **Every point is traceable** to a choice: facts, depth, early pitches, trust and wasted
//!   minutes are all effects of choices, and the debrief lists them turn by turn.
//!
//! The formulas work in exact numbers (the best-path search compares them); the overall score is
//! the exact weighted mean rounded once, so the search's bounds and a rep's score agree to the
//! point. The dimensions are shown rounded, so their weighted mean can differ from the overall
//! by a point; the debrief shows the exact figures one click away.

use crate::engine::format::{FactKind, Outcome};
use crate::engine::model::Weights;
use serde::{Deserialize, Serialize};

/// The rules' version, stored with every session.
pub const SCORING_VERSION: u32 = 2;

/// Qualification points for making the call, at most.
pub const CALL_POINTS: f64 = 60.0;
/// Of `CALL_POINTS`, what a right call earns with none of its grounds known: an advance with
/// nobody who signs, no money and no date, or a walk-away without a reason.
pub const UNGROUNDED_CALL_POINTS: f64 = 20.0;
/// Qualification points when no decision was made (a `Continuation`, or the buyer ending a deal
/// that could never close): better than the wrong decision, far from the right one.
pub const DRIFT_POINTS: f64 = 15.0;
/// Qualification points for the weighted share of qualification facts uncovered.
pub const QUALIFICATION_COVERAGE_POINTS: f64 = 40.0;
/// Discovery points for the weighted share of pains uncovered.
pub const PAIN_COVERAGE_POINTS: f64 = 50.0;
/// Discovery points for depth: half for an Implication, half for a Need-payoff question asked
/// once a pain is known (Rackham: only needs made explicit predicted success in large sales).
pub const DEPTH_POINTS: f64 = 30.0;
/// Discovery points for pitch discipline.
pub const DISCIPLINE_POINTS: f64 = 20.0;
/// The share of `DISCIPLINE_POINTS` each pitch before any pain is known costs (two cost it all).
pub const EARLY_PITCH_SHARE: f64 = 0.5;

/// What a finished call is scored on, gathered by the session (or the search) as it plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInputs {
    pub outcome: Outcome,
    pub winnable: bool,
    /// Weighted share (0..=1) of the qualification facts uncovered; 1 when there are none.
    pub qualification_coverage: f64,
    /// How many of the basics (who signs, money, timing) the call has facts of, and how many of
    /// them the rep knows.
    pub basics_present: u8,
    pub basics_known: u8,
    /// Whether the rep knows a fact that can be a reason to walk away (`FactKind::can_disqualify`).
    pub reason_known: bool,
    /// Weighted share (0..=1) of the pain facts uncovered; 1 when there are none.
    pub pain_coverage: f64,
    /// Whether the scenario has any pain to find (without one, depth cannot be earned or lost).
    pub has_pain: bool,
    pub implication_after_pain: bool,
    pub need_payoff_after_pain: bool,
    pub pitches_before_pain: u32,
    pub final_trust: u8,
    pub minutes_used: u32,
    /// Minutes the rep's choices added to the fastest right call still open (see `velocity`).
    pub wasted_minutes: u32,
}

/// The four dimensions, exact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

    /// The four dimensions, then the overall score (`None`): the rows of a report or a chart.
    pub const ALL_AND_OVERALL: [Option<Dimension>; 5] = [
        Some(Dimension::Qualification),
        Some(Dimension::Discovery),
        Some(Dimension::Rapport),
        Some(Dimension::Velocity),
        None,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Qualification => "Qualification",
            Dimension::Discovery => "Discovery",
            Dimension::Rapport => "Rapport",
            Dimension::Velocity => "Velocity",
        }
    }

    /// The formula, in two sentences (the debrief keeps it one click away).
    pub fn explanation(self) -> &'static str {
        match self {
            Dimension::Qualification => {
                "The right call earns up to 60 points: an advance earns them all when you know who signs, the budget and the timing (20 with none of them), and walking away from a deal that cannot close earns them all once you know a reason to. The other 40 are for the share of qualifying facts you uncovered, and advancing a deal that can never close scores zero."
            }
            Dimension::Discovery => {
                "50 points for the share of the buyer's pains you uncovered and 30 for asking an Implication and a Need-payoff question once a pain was on the table. The last 20 are for not pitching before you knew any pain: each early pitch costs 10."
            }
            Dimension::Rapport => {
                "The buyer's trust when the call ended, from 0 to 100. Trust grows when you listen and earn it, and falls when you push."
            }
            Dimension::Velocity => {
                "100 for making the right call in the fewest minutes your luck allowed, less an equal share for every minute a choice added to it, so that taking twice as long as needed scores 0; the buyer's interruptions and other luck cost nothing. It only counts when the call ended the right way: a quick wrong call wastes everyone's time."
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

    pub fn exact(self, dimensions: &Dimensions) -> f64 {
        match self {
            Dimension::Qualification => dimensions.qualification,
            Dimension::Discovery => dimensions.discovery,
            Dimension::Rapport => dimensions.rapport,
            Dimension::Velocity => dimensions.velocity,
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

/// How much a point of a dimension counts toward the overall score under these weights.
pub fn overall_share(dimension: Dimension, weights: &Weights) -> f64 {
    let total = weights.qualification + weights.discovery + weights.rapport + weights.velocity;
    f64::from(dimension.weight(weights)) / f64::from(total.max(1))
}

/// How well grounded the call is, 0..=1: for an advance, the share of the basics (who signs,
/// the money, the timing) the rep knows, among those the call has; for a walk-away, whether the
/// rep knows one reason to walk (one is enough to stop, all three are needed to proceed).
pub fn grounding(inputs: &ScoreInputs) -> f64 {
    match inputs.outcome {
        Outcome::QualifiedOut => f64::from(u8::from(inputs.reason_known)),
        _ if inputs.basics_present == 0 => 1.0,
        _ => {
            f64::from(inputs.basics_known.min(inputs.basics_present))
                / f64::from(inputs.basics_present)
        }
    }
}

/// Qualification points for the call itself. `None` is "happy ears": advancing a deal that
/// cannot close, which zeroes the dimension.
pub fn call_points(inputs: &ScoreInputs) -> Option<f64> {
    let grounded =
        || UNGROUNDED_CALL_POINTS + (CALL_POINTS - UNGROUNDED_CALL_POINTS) * grounding(inputs);
    match (inputs.outcome, inputs.winnable) {
        (Outcome::Advance, true) | (Outcome::QualifiedOut, false) => Some(grounded()),
        (Outcome::Advance, false) => None,
        // No decision was made; the deal drifts.
        (Outcome::Continuation, _) => Some(DRIFT_POINTS),
        // The deal was never real, but the buyer decided, not the rep.
        (Outcome::Lost, false) => Some(DRIFT_POINTS),
        // A real deal lost, or walked away from: revenue gone.
        (Outcome::Lost, true) | (Outcome::QualifiedOut, true) => Some(0.0),
    }
}

pub fn qualification(inputs: &ScoreInputs) -> f64 {
    match call_points(inputs) {
        None => 0.0,
        Some(call) => call + QUALIFICATION_COVERAGE_POINTS * inputs.qualification_coverage,
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

/// Velocity, for a right call: 100 less an equal share for every wasted minute, where the share
/// is one minute of the fastest right call the rep's luck allowed (so taking twice as long as
/// needed scores 0).
///
/// A choice wastes the minutes it adds to the fastest right call still open from where the rep
/// stood, with every chance turn ahead falling the rep's way; when a chance turn then falls
/// against the rep, that is luck and is charged to no one. So the minutes used are the fastest
/// right call with the luck the rep drew ("needed") plus what the choices wasted, and a rep who
/// plays the fastest right call their luck allows scores 100. The share is a minute of what was
/// needed, not of what was used, so that every wasted minute costs the same whatever else was
/// wasted: a ratio of needed to used would forgive the long calls most.
pub fn velocity(inputs: &ScoreInputs) -> f64 {
    if !inputs.outcome.is_right_call(inputs.winnable) {
        return 0.0;
    }
    let wasted = inputs.wasted_minutes.min(inputs.minutes_used);
    let needed = inputs.minutes_used - wasted;
    if wasted == 0 {
        return 100.0;
    }
    if needed == 0 {
        return 0.0;
    }
    (100.0 * (1.0 - f64::from(wasted) / f64::from(needed))).max(0.0)
}

pub fn dimensions(inputs: &ScoreInputs) -> Dimensions {
    Dimensions {
        qualification: qualification(inputs),
        discovery: discovery(inputs),
        rapport: rapport(inputs),
        velocity: velocity(inputs),
    }
}

/// The weighted mean of the four dimensions, exact.
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

/// A score as a rep sees it: rounded once, half up, within 0..=100.
pub fn whole(points: f64) -> u8 {
    // Adding a half and truncating is rounding half up for the non-negative values scores
    // are, without a call into libm (the simulator rounds five scores a run).
    (points.clamp(0.0, 100.0) + 0.5) as u8
}

/// Whether a call passes: the right call, and an overall score at or above the pass mark.
pub fn passes(overall: u8, right_call: bool, pass_mark: u32) -> bool {
    right_call && u32::from(overall) >= pass_mark
}

impl Scores {
    pub fn from_inputs(inputs: &ScoreInputs, weights: &Weights, pass_mark: Option<u32>) -> Scores {
        let d = dimensions(inputs);
        let overall = whole(overall(&d, weights));
        let right_call = inputs.outcome.is_right_call(inputs.winnable);
        Scores {
            qualification: whole(d.qualification),
            discovery: whole(d.discovery),
            rapport: whole(d.rapport),
            velocity: whole(d.velocity),
            overall,
            passed: pass_mark.map(|mark| passes(overall, right_call, mark)),
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
            basics_present: 3,
            basics_known: 3,
            reason_known: true,
            pain_coverage: 0.5,
            has_pain: true,
            implication_after_pain: true,
            need_payoff_after_pain: false,
            pitches_before_pain: 0,
            final_trust: 64,
            minutes_used: 12,
            wasted_minutes: 3,
        }
    }

    #[test]
    fn a_qualified_advance_earns_the_whole_call_and_an_unqualified_one_a_third() {
        assert_eq!(qualification(&inputs()), 80.0);
        let two_of_three = ScoreInputs {
            basics_known: 2,
            ..inputs()
        };
        assert!((qualification(&two_of_three) - (20.0 + 40.0 * 2.0 / 3.0 + 20.0)).abs() < 1e-9);
        let none = ScoreInputs {
            basics_known: 0,
            qualification_coverage: 0.0,
            ..inputs()
        };
        assert_eq!(qualification(&none), 20.0);
        assert!(qualification(&none) < qualification(&inputs()));
        let no_basics_to_know = ScoreInputs {
            basics_present: 0,
            basics_known: 0,
            ..inputs()
        };
        assert_eq!(qualification(&no_basics_to_know), 80.0);
    }

    #[test]
    fn a_walk_away_needs_one_reason_and_happy_ears_score_zero() {
        let walked_away_right = ScoreInputs {
            outcome: Outcome::QualifiedOut,
            winnable: false,
            qualification_coverage: 0.25,
            basics_known: 1,
            ..inputs()
        };
        assert_eq!(qualification(&walked_away_right), 70.0);
        let without_a_reason = ScoreInputs {
            reason_known: false,
            ..walked_away_right
        };
        assert_eq!(qualification(&without_a_reason), 30.0);
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
    fn velocity_charges_each_wasted_minute_a_minute_of_what_was_needed() {
        // 12 minutes used, 3 wasted: 9 needed, so each wasted minute costs 100/9.
        assert!((velocity(&inputs()) - 100.0 * (1.0 - 3.0 / 9.0)).abs() < 1e-9);
        let twice_as_long = ScoreInputs {
            wasted_minutes: 6,
            ..inputs()
        };
        assert_eq!(velocity(&twice_as_long), 0.0);
        let nothing_wasted = ScoreInputs {
            wasted_minutes: 0,
            ..inputs()
        };
        assert_eq!(velocity(&nothing_wasted), 100.0);
        let wrong = ScoreInputs {
            outcome: Outcome::Continuation,
            wasted_minutes: 0,
            ..inputs()
        };
        assert_eq!(velocity(&wrong), 0.0);
    }

    #[test]
    fn overall_is_the_exact_weighted_mean_rounded_once_and_a_wrong_call_never_passes() {
        let nothing_wasted = ScoreInputs {
            wasted_minutes: 0,
            ..inputs()
        };
        let scores = Scores::from_inputs(&nothing_wasted, &Weights::default(), Some(70));
        // 80*35 + 60*35 + 64*15 + 100*15 = 7360 / 100 = 73.6
        assert_eq!(
            scores,
            Scores {
                qualification: 80,
                discovery: 60,
                rapport: 64,
                velocity: 100,
                overall: 74,
                passed: Some(true)
            }
        );
        // Rounded once: 80*35 + 60*35 + 64*15 + 66.67*15 = 6860 / 100 = 68.6, not the 68.5 of
        // the rounded dimensions.
        let scores = Scores::from_inputs(&inputs(), &Weights::default(), Some(69));
        assert_eq!((scores.velocity, scores.overall), (67, 69));
        assert_eq!(scores.passed, Some(true));
        let custom = Weights {
            qualification: 1,
            discovery: 0,
            rapport: 0,
            velocity: 0,
        };
        assert_eq!(Scores::from_inputs(&inputs(), &custom, None).overall, 80);
        assert_eq!(Scores::from_inputs(&inputs(), &custom, None).passed, None);
        let drifted = ScoreInputs {
            outcome: Outcome::Continuation,
            qualification_coverage: 1.0,
            pain_coverage: 1.0,
            need_payoff_after_pain: true,
            final_trust: 100,
            ..inputs()
        };
        let scores = Scores::from_inputs(&drifted, &custom, Some(50));
        assert!(scores.overall >= 50);
        assert_eq!(
            scores.passed,
            Some(false),
            "a wrong call fails whatever its score"
        );
    }
}
