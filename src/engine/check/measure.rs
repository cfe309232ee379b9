//! How hard a checked call is and whether it can be played as written, worked out by the search
//! before any rep plays it: the score bounds, what best play gets (and whether it always makes
//! the right call), what random play gets, the difficulty those measure, and whether anyone
//! could reach the pass mark.

use crate::engine::format::Difficulty as Declared;
use crate::engine::model::ScenarioData;
use crate::engine::score::whole;
use crate::engine::search::{self, Endings, Objective, Player, Solver};
use serde::Serialize;

/// What the search says about a checked scenario: how hard it is before reps play it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difficulty {
    /// The lowest and highest overall score any path can get.
    pub lowest_score: f64,
    pub highest_score: f64,
    /// The highest score of a path that makes the right call (`None`: no path does).
    pub highest_right_call_score: Option<f64>,
    /// The best expected overall score (chance averaged), which the best path aims for.
    pub best_expected_score: f64,
    /// What a rep choosing at random scores on average.
    pub random_expected_score: f64,
    /// How often best play and random play make the right call.
    pub best_right_call_share: f64,
    pub random_right_call_share: f64,
    /// How best play's calls end, most frequent first.
    #[serde(skip)]
    pub best_play: Endings,
    pub fastest_right_minutes: u32,
    /// The difficulty these measure.
    pub measured: Declared,
    /// Decision states the search visited for the best expected score.
    pub states: usize,
}

/// Random play makes the right call at least this often on a Beginner call: the right call is
/// easy to stumble on.
pub const BEGINNER_RANDOM_RIGHT: f64 = 0.25;
/// ... and less often than this on an Advanced call: most ways through it end wrong.
pub const ADVANCED_RANDOM_RIGHT: f64 = 0.15;

/// The difficulty random play measures: how easily a rep who does not know what they are doing
/// stumbles on the right call.
pub fn measured_difficulty(random_right_call_share: f64) -> Declared {
    if random_right_call_share >= BEGINNER_RANDOM_RIGHT {
        Declared::Beginner
    } else if random_right_call_share >= ADVANCED_RANDOM_RIGHT {
        Declared::Intermediate
    } else {
        Declared::Advanced
    }
}

/// The difficulty in words, with what it was measured from.
pub fn explain(d: &Difficulty) -> String {
    format!(
        "{:?}: random play makes the right call {:.0}% of the time and scores {:.0} on average; best play makes it {:.0}% of the time and scores {:.0}",
        d.measured,
        100.0 * d.random_right_call_share,
        d.random_expected_score,
        100.0 * d.best_right_call_share,
        d.best_expected_score
    )
}

/// How hard the call is, by exact search. Each search stops at the check's state cap, so that
/// checking a very large call stays quick; past it the call is reported as too large to measure,
/// and is still playable.
pub(super) fn measure(data: &ScenarioData) -> Option<Difficulty> {
    let solve = |objective| Solver::with_cap(data, objective, search::CHECK_STATE_CAP);
    let mut expected = solve(Objective::ExpectedScore);
    let best_expected_score = expected.value_from_start().ok()?;
    let best_play = expected.outcomes(Player::Best).ok()?;
    let random_play = expected.outcomes(Player::Random).ok()?;
    let highest_score = solve(Objective::HighestScore).value_from_start().ok()?;
    let lowest_score = solve(Objective::LowestScore).value_from_start().ok()?;
    let highest_right = solve(Objective::HighestRightCall).value_from_start().ok()?;
    let random_expected_score = solve(Objective::RandomPlay).value_from_start().ok()?;
    Some(Difficulty {
        lowest_score,
        highest_score,
        highest_right_call_score: highest_right.is_finite().then_some(highest_right),
        best_expected_score,
        random_expected_score,
        best_right_call_share: best_play.right_call_share,
        random_right_call_share: random_play.right_call_share,
        measured: measured_difficulty(random_play.right_call_share),
        best_play,
        fastest_right_minutes: data.fastest_right_minutes,
        states: expected.states(),
    })
}

/// The best score a passing call can reach, as a rep would see it.
pub fn best_passing_score(d: &Difficulty) -> Option<u8> {
    d.highest_right_call_score.map(whole)
}
