//! How hard a checked call is, worked out by the best-path search before any rep plays it.

use crate::engine::model::ScenarioData;
use crate::engine::search::{self, Objective, Solver};

/// What the search says about a checked scenario: how hard it is before reps play it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difficulty {
    /// The lowest and highest overall score any path can get.
    pub lowest_score: f64,
    pub highest_score: f64,
    /// The best expected overall score (chance averaged), which the best path aims for.
    pub best_expected_score: f64,
    pub fastest_right_minutes: u32,
    /// Decision states the search visited for the best expected score.
    pub states: usize,
}

/// How hard the call is, by exact search. Each search stops at the check's state cap (a tenth of
/// the best-path cap), so that checking a very large call stays quick; past it the call is
/// reported as too large to measure, and is still playable.
pub(super) fn measure(data: &ScenarioData) -> Option<Difficulty> {
    let solve = |objective| Solver::with_cap(data, objective, search::CHECK_STATE_CAP);
    let mut expected = solve(Objective::ExpectedScore);
    let best_expected_score = expected.value_from_start().ok()?;
    let highest_score = solve(Objective::HighestScore).value_from_start().ok()?;
    let lowest_score = solve(Objective::LowestScore).value_from_start().ok()?;
    Some(Difficulty {
        lowest_score,
        highest_score,
        best_expected_score,
        fastest_right_minutes: data.fastest_right_minutes,
        states: expected.states(),
    })
}
