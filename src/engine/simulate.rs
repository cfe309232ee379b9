//! Simulation: how hard is this call? Plays many sessions with a policy and summarises the scores
//! and the outcomes; where random play first goes wrong, and what it costs, comes exactly from
//! the search (no run needs judging). Deterministic for a seed: each run's seed depends only on
//! the simulation seed and the run's number, and the per-thread tallies are added up in the same
//! way whatever the thread count.

use crate::engine::format::Outcome;
use crate::engine::model::{Scenario, ScenarioData};
use crate::engine::play::random::splitmix64;
use crate::engine::score::{Dimension, Scores};
use crate::engine::search::{FirstMistake, Objective, Player, Solver, TooManyStates};
use crate::engine::session::Session;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Policy {
    /// Every offered choice equally likely.
    Random,
    /// The best expected choice at every turn.
    Best,
}

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub runs: u64,
    pub policy: Policy,
    pub seed: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// Score statistics for one dimension (or the overall score).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub p10: u8,
    pub p50: u8,
    pub p90: u8,
}

/// A node where random play first gives up a meaningful number of points, how often, and at
/// what cost (exact, from the search).
#[derive(Debug, Clone, Serialize)]
pub struct Trouble {
    pub node_id: String,
    pub line: String,
    /// The share of random play's calls whose first mistake is here.
    pub share: f64,
    /// What those first mistakes cost random play on average, in points of the best expected
    /// overall score.
    pub points_lost: f64,
    /// The mistake here that costs the most, and what it costs each time it is made.
    pub costliest_mistake: String,
    pub costliest_points: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario_id: String,
    pub runs: u64,
    pub policy: Policy,
    pub seed: u64,
    pub overall: Stats,
    pub dimensions: Vec<(Dimension, Stats)>,
    pub outcomes: Vec<(Outcome, f64)>,
    pub right_call_share: f64,
    /// Share of runs that passed, when the scenario has a pass mark.
    pub pass_share: Option<f64>,
    pub mean_choices: f64,
    /// Where random play first gives up a meaningful number of points, costliest first (empty
    /// for best play, and when the search was too large).
    pub trouble: Vec<Trouble>,
    /// How hard the call measures, from best and random play (`None` when too large to search).
    pub measured: Option<Measured>,
    /// How many runs scored each score from 0 to 100: overall, then each dimension in
    /// `Dimension::ALL` order (the Author screen's histograms; left out of the JSON).
    #[serde(skip)]
    pub histograms: Vec<Vec<u64>>,
}

/// How hard a call measures: what best play and random play get, and the difficulty that makes.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub difficulty: crate::engine::format::Difficulty,
    pub best_expected_score: f64,
    pub best_right_call_share: f64,
    /// From the runs when they were random play; worked out exactly otherwise.
    pub random_right_call_share: f64,
}

/// Integer-score histograms and counts, added up across threads.
#[derive(Clone)]
struct Tally {
    histograms: [[u64; 101]; 5],
    outcomes: [u64; 4],
    right: u64,
    passed: u64,
    choices: u64,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            histograms: [[0; 101]; 5],
            outcomes: [0; 4],
            right: 0,
            passed: 0,
            choices: 0,
        }
    }

    fn add(&mut self, other: &Tally) {
        for (mine, theirs) in self.histograms.iter_mut().zip(&other.histograms) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        for (a, b) in self.outcomes.iter_mut().zip(&other.outcomes) {
            *a += b;
        }
        self.right += other.right;
        self.passed += other.passed;
        self.choices += other.choices;
    }

    fn record(&mut self, scores: &Scores, outcome: Outcome, winnable: bool, choices: usize) {
        for (h, value) in self.histograms.iter_mut().zip([
            scores.overall,
            scores.qualification,
            scores.discovery,
            scores.rapport,
            scores.velocity,
        ]) {
            h[usize::from(value.min(100))] += 1;
        }
        let o = Outcome::ALL.iter().position(|&x| x == outcome).unwrap_or(0);
        self.outcomes[o] += 1;
        self.right += u64::from(outcome.is_right_call(winnable));
        self.passed += u64::from(scores.passed == Some(true));
        self.choices += choices as u64;
    }
}

/// The seed of run `index` of a simulation seeded with `seed`.
pub fn run_seed(seed: u64, index: u64) -> u64 {
    let mut state = seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut state)
}

/// Plays `settings.runs` sessions and summarises them.
pub fn simulate(scenario: &Scenario, settings: &Settings) -> Result<Summary, TooManyStates> {
    let s: &ScenarioData = scenario;
    // The best policy, and the judge of mistakes, is the expected-score search; solve it once and
    // share the finished memo with every thread (read-only).
    let mut solver = Solver::new(s, Objective::ExpectedScore);
    let judged = solver.value_from_start().is_ok();
    if settings.policy == Policy::Best && !judged {
        return Err(TooManyStates {
            cap: crate::engine::search::DEFAULT_STATE_CAP,
        });
    }
    let first_mistakes = match (settings.policy, judged) {
        (Policy::Random, true) => solver.first_mistakes().unwrap_or_default(),
        _ => Vec::new(),
    };
    let best_play = if judged {
        solver.outcomes(Player::Best).ok()
    } else {
        None
    };
    // Random play's right-call share comes from the runs when they are random play.
    let random_exact = if judged && settings.policy == Policy::Best {
        solver
            .outcomes(Player::Random)
            .ok()
            .map(|o| o.right_call_share)
    } else {
        None
    };
    let best_expected = solver.value_from_start().ok();
    let threads = match settings.threads {
        0 => crate::engine::parallel::cores(),
        n => n,
    }
    .max(1) as u64;
    let runs = settings.runs;
    let chunk = runs.div_ceil(threads).max(1);
    let solver = &solver;
    let ranges = (0..threads)
        .map(|t| (t * chunk).min(runs)..((t + 1) * chunk).min(runs))
        .collect();
    let tallies = crate::engine::parallel::each_share(ranges, |range| {
        play_range(scenario, settings, range, judged.then_some(solver))
    });
    let mut total = Tally::new();
    for tally in &tallies {
        total.add(tally);
    }
    let mut summary = summarise(s, settings, &total, &first_mistakes);
    if let (Some(best), Some(best_expected_score)) = (best_play, best_expected) {
        let random_right_call_share = random_exact.unwrap_or(summary.right_call_share);
        summary.measured = Some(Measured {
            difficulty: crate::engine::check::measured_difficulty(random_right_call_share),
            best_expected_score,
            best_right_call_share: best.right_call_share,
            random_right_call_share,
        });
    }
    Ok(summary)
}

fn play_range(
    scenario: &Scenario,
    settings: &Settings,
    range: std::ops::Range<u64>,
    judge: Option<&Solver<'_>>,
) -> Tally {
    let s: &ScenarioData = scenario;
    let mut tally = Tally::new();
    let mut session = Session::for_simulation(scenario, 0);
    if settings.policy == Policy::Best {
        session.count_waste_per_choice();
    }
    for index in range {
        let seed = run_seed(settings.seed, index);
        session.reset(seed);
        let mut policy_state = seed ^ 0x5DEE_CE66_D1CE_5EED;
        while !session.is_over() {
            let position = match settings.policy {
                Policy::Best => match judge.and_then(|j| j.lookup(session.core())) {
                    Some(d) => d.best as usize,
                    None => break,
                },
                Policy::Random => match session.pick_random(splitmix64(&mut policy_state)) {
                    Some(p) => p,
                    None => break,
                },
            };
            if session.choose(position).is_err() {
                break;
            }
        }
        // Every run ends by itself (a checked call always has a way on); one that did not would
        // be left out rather than scored as if it had finished.
        if let (Some(scores), Some(outcome)) = (session.scores(), session.outcome()) {
            tally.record(&scores, outcome, s.winnable, session.choices_made());
        }
    }
    tally
}

fn stats(histogram: &[u64; 101], runs: u64) -> Stats {
    let runs = runs.max(1);
    let sum: u64 = histogram
        .iter()
        .enumerate()
        .map(|(v, n)| v as u64 * n)
        .sum();
    let percentile = |p: f64| {
        // The smallest score with at least p of the runs at or below it.
        let needed = ((p * runs as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (value, count) in histogram.iter().enumerate() {
            seen += count;
            if seen >= needed {
                return value as u8;
            }
        }
        100
    };
    Stats {
        mean: sum as f64 / runs as f64,
        p10: percentile(0.10),
        p50: percentile(0.50),
        p90: percentile(0.90),
    }
}

fn summarise(
    s: &ScenarioData,
    settings: &Settings,
    t: &Tally,
    mistakes: &[FirstMistake],
) -> Summary {
    let runs = settings.runs.max(1);
    let share = |n: u64| n as f64 / runs as f64;
    // Per node: the share of random play's first mistakes there, their cost, and the costliest.
    let mut by_node: Vec<(u32, f64, f64, &FirstMistake)> = Vec::new();
    for mistake in mistakes {
        match by_node.iter_mut().find(|(node, ..)| *node == mistake.node) {
            Some(entry) => {
                entry.1 += mistake.share;
                entry.2 += mistake.points;
                if mistake.points > entry.3.points {
                    entry.3 = mistake;
                }
            }
            None => by_node.push((mistake.node, mistake.share, mistake.points, mistake)),
        }
    }
    by_node.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let trouble = by_node
        .into_iter()
        .take(5)
        .map(|(node, node_share, points, worst)| Trouble {
            node_id: s.nodes[node as usize].id.clone(),
            line: s.nodes[node as usize].line.clone(),
            share: node_share,
            points_lost: points,
            costliest_mistake: s.node_choices(node)[worst.position].say.clone(),
            costliest_points: worst.points / worst.share.max(f64::MIN_POSITIVE),
        })
        .collect();
    Summary {
        scenario_id: s.id.clone(),
        runs: settings.runs,
        policy: settings.policy,
        seed: settings.seed,
        overall: stats(&t.histograms[0], settings.runs),
        dimensions: Dimension::ALL
            .iter()
            .enumerate()
            .map(|(i, &d)| (d, stats(&t.histograms[i + 1], settings.runs)))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .enumerate()
            .map(|(i, &o)| (o, share(t.outcomes[i])))
            .collect(),
        right_call_share: share(t.right),
        pass_share: s.pass_mark.map(|_| share(t.passed)),
        mean_choices: t.choices as f64 / runs as f64,
        trouble,
        measured: None,
        histograms: t.histograms.iter().map(|h| h.to_vec()).collect(),
    }
}

impl Summary {
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let policy = match self.policy {
            Policy::Random => "random",
            Policy::Best => "best",
        };
        let _ = writeln!(
            out,
            "{}: {} runs, {policy} play, seed {}",
            self.scenario_id, self.runs, self.seed
        );
        let _ = writeln!(
            out,
            "  {:<14}{:>7}{:>6}{:>6}{:>6}",
            "score", "mean", "p10", "p50", "p90"
        );
        let row = |out: &mut String, name: &str, st: &Stats| {
            let _ = writeln!(
                out,
                "  {:<14}{:>7.1}{:>6}{:>6}{:>6}",
                name, st.mean, st.p10, st.p50, st.p90
            );
        };
        for (d, st) in &self.dimensions {
            row(&mut out, d.label(), st);
        }
        row(&mut out, "Overall", &self.overall);
        let _ = writeln!(out, "  outcomes:");
        for (o, share) in &self.outcomes {
            let _ = writeln!(out, "    {:<14}{:>6.1}%", o.label(), 100.0 * share);
        }
        let _ = writeln!(out, "  right call: {:.1}%", 100.0 * self.right_call_share);
        if let Some(pass) = self.pass_share {
            let _ = writeln!(out, "  passed: {:.1}%", 100.0 * pass);
        }
        let _ = writeln!(out, "  choices per call: {:.1}", self.mean_choices);
        if !self.trouble.is_empty() {
            let _ = writeln!(
                out,
                "  where random play first gives up {} or more points, costliest first (exact, from the search):",
                crate::engine::search::MEANINGFUL_LOSS
            );
            for t in &self.trouble {
                let _ = writeln!(
                    out,
                    "    at \"{}\": {:.1}% of calls; most costly \"{}\" (about {:.0} points each time)",
                    t.node_id,
                    100.0 * t.share,
                    t.costliest_mistake,
                    t.costliest_points
                );
            }
        }
        out
    }

    /// A plain verdict on how hard the call is, and what the percentiles mean, for managers.
    pub fn verdict(&self) -> String {
        let mut out = String::from(
            "  The percentiles: p10 is the score a tenth of the runs stay at or below, p50 the middle run's, p90 the score only a tenth of the runs beat.\n",
        );
        if let Some(m) = &self.measured {
            out.push_str(&format!(
                "Verdict: {} call. A rep choosing at random makes the right call {:.0}% of the time; best play makes it {:.0}% of the time and scores {:.0} on average.\n",
                match m.difficulty {
                    crate::engine::format::Difficulty::Beginner => "a Beginner",
                    crate::engine::format::Difficulty::Intermediate => "an Intermediate",
                    crate::engine::format::Difficulty::Advanced => "an Advanced",
                },
                100.0 * m.random_right_call_share,
                100.0 * m.best_right_call_share,
                m.best_expected_score
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::splitmix64;
    use crate::engine::session::Session;

    #[test]
    fn a_simulated_call_scores_what_the_same_call_played_in_full_scores() {
        // The simulator skips the transcript, the shuffle and (on calls without chance) the
        // per-choice waste lookups; none of that may change a score.
        for scenario in crate::engine::search::tests::scenarios() {
            let mut simulated = Session::for_simulation(&scenario, 0);
            for seed in 0..300u64 {
                simulated.reset(seed);
                let mut draws = seed ^ 0xABCD;
                let mut picks = Vec::new();
                while let Some(position) = simulated.pick_random(splitmix64(&mut draws)) {
                    picks.push(position);
                    simulated.choose(position).unwrap();
                }
                let full = Session::replay(&scenario, seed, &picks).unwrap();
                assert_eq!(
                    simulated.outcome(),
                    full.outcome(),
                    "{} seed {seed}",
                    scenario.id
                );
                assert_eq!(
                    simulated.scores(),
                    full.scores(),
                    "{} seed {seed}",
                    scenario.id
                );
                let right = full
                    .outcome()
                    .is_some_and(|o| o.is_right_call(scenario.winnable));
                if right {
                    assert_eq!(
                        simulated.wasted_minutes(),
                        full.wasted_minutes(),
                        "{} seed {seed}",
                        scenario.id
                    );
                }
            }
        }
    }
}
