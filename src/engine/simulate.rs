//! Simulation: how hard is this call? Plays many sessions with a policy and summarises the scores,
//! the outcomes and the nodes where play most often goes wrong. Deterministic for a seed: each
//! run's seed depends only on the simulation seed and the run's number, and the per-thread
//! tallies are added up in the same way whatever the thread count.

use crate::engine::format::Outcome;
use crate::engine::model::{Scenario, ScenarioData};
use crate::engine::play::random::splitmix64;
use crate::engine::score::{Dimension, Scores};
use crate::engine::search::{Objective, Solver, TooManyStates};
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

/// A node where play left the best path, and how often.
#[derive(Debug, Clone, Serialize)]
pub struct Trouble {
    pub node_id: String,
    pub line: String,
    /// Runs whose first mistake was here.
    pub runs: u64,
    pub share: f64,
    /// The wrong choice most often made here.
    pub commonest_mistake: String,
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
    /// Where runs first left the best path, worst first (empty when the search was too large).
    pub trouble: Vec<Trouble>,
}

/// Integer-score histograms and counts, added up across threads.
#[derive(Clone)]
struct Tally {
    histograms: [[u64; 101]; 5],
    outcomes: [u64; 4],
    right: u64,
    passed: u64,
    choices: u64,
    /// [node][choice position] -> runs whose first mistake was this choice.
    mistakes: Vec<Vec<u64>>,
}

impl Tally {
    fn new(s: &ScenarioData) -> Tally {
        Tally {
            histograms: [[0; 101]; 5],
            outcomes: [0; 4],
            right: 0,
            passed: 0,
            choices: 0,
            mistakes: s
                .nodes
                .iter()
                .enumerate()
                .map(|(i, _)| vec![0; s.node_choices(i as u32).len()])
                .collect(),
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
        for (mine, theirs) in self.mistakes.iter_mut().zip(&other.mistakes) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
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
    let mut total = Tally::new(s);
    for tally in &tallies {
        total.add(tally);
    }
    Ok(summarise(s, settings, &total, judged))
}

fn play_range(
    scenario: &Scenario,
    settings: &Settings,
    range: std::ops::Range<u64>,
    judge: Option<&Solver<'_>>,
) -> Tally {
    let s: &ScenarioData = scenario;
    let mut tally = Tally::new(s);
    let mut session = Session::new(scenario, 0);
    for index in range {
        let seed = run_seed(settings.seed, index);
        session.reset(seed);
        let mut policy_state = seed ^ 0x5DEE_CE66_D1CE_5EED;
        let mut erred = false;
        while !session.is_over() {
            let decision = judge.and_then(|j| j.lookup(session.core()));
            let position = match settings.policy {
                Policy::Best => match decision {
                    Some(d) => d.best as usize,
                    None => break,
                },
                Policy::Random => match session.pick_random(splitmix64(&mut policy_state)) {
                    Some(p) => p,
                    None => break,
                },
            };
            if !erred
                && let Some(d) = decision
                && position < 64
                && d.good & (1 << position) == 0
            {
                erred = true;
                tally.mistakes[session.core().node as usize][position] += 1;
            }
            if session.choose(position).is_err() {
                break;
            }
        }
        session.abandon();
        let scores = session.scores().expect("the call has ended");
        let outcome = session.outcome().expect("the call has ended");
        tally.record(&scores, outcome, s.winnable, session.choices_made());
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

fn summarise(s: &ScenarioData, settings: &Settings, t: &Tally, judged: bool) -> Summary {
    let runs = settings.runs.max(1);
    let share = |n: u64| n as f64 / runs as f64;
    let mut trouble: Vec<Trouble> = Vec::new();
    if judged {
        for (node, counts) in t.mistakes.iter().enumerate() {
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let (worst, _) = counts
                .iter()
                .enumerate()
                .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
                .unwrap_or((0, &0));
            trouble.push(Trouble {
                node_id: s.nodes[node].id.clone(),
                line: s.nodes[node].line.clone(),
                runs: total,
                share: share(total),
                commonest_mistake: s.node_choices(node as u32)[worst].say.clone(),
            });
        }
        trouble.sort_by(|a, b| b.runs.cmp(&a.runs).then_with(|| a.node_id.cmp(&b.node_id)));
        trouble.truncate(5);
    }
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
            let _ = writeln!(out, "  where play first leaves the best path:");
            for t in &self.trouble {
                let _ = writeln!(
                    out,
                    "    {:>5.1}%  \"{}\": most often \"{}\"",
                    100.0 * t.share,
                    t.node_id,
                    t.commonest_mistake
                );
            }
        }
        out
    }
}
