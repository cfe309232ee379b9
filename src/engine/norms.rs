//! What a call allows on each skill: the mean score of random play and of best play per
//! dimension, and the skill measure that places a session's score between them, so a rep's
//! scores on an easy call and on a hard one can be compared and trended alike.

use crate::engine::model::Scenario;
use crate::engine::score::{Dimension, Scores};
use crate::engine::search::TooManyStates;
use crate::engine::simulate::{Policy, Settings, simulate};
use serde::{Deserialize, Serialize};

/// Calls played by each policy to measure a call's norms: enough that the means move by well
/// under a point between seeds on the shipped calls.
pub const NORM_RUNS: u64 = 4000;
/// The norms' own seed, so the same revision always measures the same.
pub const NORM_SEED: u64 = 0x6e6f_726d_7331;
/// Bump when what the norms mean changes, so stored norms are measured again.
pub const NORMS_VERSION: u32 = 1;
/// Below this many points between random and best play, a call does not test the skill: its
/// score there says nothing about the rep, and it gets no measure.
pub const MIN_ROOM: f64 = 5.0;
/// The measure is bounded so that one lucky or unlucky call cannot swing a mean or a trend.
pub const MEASURE_RANGE: (f64, f64) = (-50.0, 150.0);

/// The two sentences shown wherever a skill measure is.
pub const EXPLANATION: &str = "A skill measure places each score between what random choices get on that call (0) and what best play gets (100), so an easy call and a hard one count alike. A rising measure is a rep getting better, not a rep moving to easier calls.";

/// One dimension's (or the overall score's) mean under random and under best play.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Norm {
    pub random: f64,
    pub best: f64,
}

impl Norm {
    /// Where `score` lies between random play (0) and best play (100); `None` when the call
    /// leaves no room on this dimension.
    pub fn measure(self, score: u8) -> Option<f64> {
        self.measure_value(f64::from(score))
    }

    /// The same for a score that need not be whole (a mean of scores on this call).
    pub fn measure_value(self, score: f64) -> Option<f64> {
        let room = self.best - self.random;
        (room >= MIN_ROOM)
            .then(|| (100.0 * (score - self.random) / room).clamp(MEASURE_RANGE.0, MEASURE_RANGE.1))
    }
}

/// A call's norms: per dimension and overall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Norms {
    pub overall: Norm,
    pub qualification: Norm,
    pub discovery: Norm,
    pub rapport: Norm,
    pub velocity: Norm,
}

/// A session's skill measures; `None` where the call does not test the skill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    pub overall: Option<f64>,
    pub qualification: Option<f64>,
    pub discovery: Option<f64>,
    pub rapport: Option<f64>,
    pub velocity: Option<f64>,
}

impl Measures {
    /// The measure of a dimension, or of the overall score for `None`.
    pub fn of(&self, dimension: Option<Dimension>) -> Option<f64> {
        match dimension {
            None => self.overall,
            Some(Dimension::Qualification) => self.qualification,
            Some(Dimension::Discovery) => self.discovery,
            Some(Dimension::Rapport) => self.rapport,
            Some(Dimension::Velocity) => self.velocity,
        }
    }
}

impl Norms {
    /// Measures the call by playing it randomly and with the best policy.
    pub fn of(scenario: &Scenario) -> Result<Norms, TooManyStates> {
        let settings = |policy| Settings {
            runs: NORM_RUNS,
            policy,
            seed: NORM_SEED,
            threads: 0,
        };
        let random = simulate(scenario, &settings(Policy::Random))?;
        let best = simulate(scenario, &settings(Policy::Best))?;
        let norm = |dimension: Option<Dimension>| {
            let mean = |summary: &crate::engine::simulate::Summary| match dimension {
                None => summary.overall.mean,
                Some(d) => summary
                    .dimensions
                    .iter()
                    .find(|(x, _)| *x == d)
                    .map_or(0.0, |(_, stats)| stats.mean),
            };
            Norm {
                random: mean(&random),
                best: mean(&best),
            }
        };
        Ok(Norms {
            overall: norm(None),
            qualification: norm(Some(Dimension::Qualification)),
            discovery: norm(Some(Dimension::Discovery)),
            rapport: norm(Some(Dimension::Rapport)),
            velocity: norm(Some(Dimension::Velocity)),
        })
    }

    /// The norm of a dimension, or of the overall score for `None`.
    pub fn of_dimension(&self, dimension: Option<Dimension>) -> Norm {
        match dimension {
            None => self.overall,
            Some(Dimension::Qualification) => self.qualification,
            Some(Dimension::Discovery) => self.discovery,
            Some(Dimension::Rapport) => self.rapport,
            Some(Dimension::Velocity) => self.velocity,
        }
    }

    /// The skill measures of a session's scores on this call.
    pub fn measures(&self, scores: &Scores) -> Measures {
        Measures {
            overall: self.overall.measure(scores.overall),
            qualification: self.qualification.measure(scores.qualification),
            discovery: self.discovery.measure(scores.discovery),
            rapport: self.rapport.measure(scores.rapport),
            velocity: self.velocity.measure(scores.velocity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_placed_between_random_and_best_play() {
        let norm = Norm {
            random: 40.0,
            best: 90.0,
        };
        assert_eq!(norm.measure(40), Some(0.0));
        assert_eq!(norm.measure(90), Some(100.0));
        assert_eq!(norm.measure(65), Some(50.0));
        // Bounded, so one call cannot swing a trend.
        assert_eq!(norm.measure(0), Some(MEASURE_RANGE.0));
        let narrow = Norm {
            random: 95.0,
            best: 99.0,
        };
        assert_eq!(narrow.measure(97), None, "a call that does not test it");
    }

    #[test]
    fn shipped_calls_measure_the_same_every_time_and_best_play_beats_random() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/fernway-bakery.scenario.ron"
        );
        let scenario = crate::check_path(std::path::Path::new(path))
            .scenario
            .unwrap();
        let norms = Norms::of(&scenario).unwrap();
        assert_eq!(norms, Norms::of(&scenario).unwrap());
        assert!(norms.overall.best > norms.overall.random + MIN_ROOM);
        assert!(norms.discovery.best > norms.discovery.random);
    }
}
