//! The best path, the fastest right call and the score bounds, by search over the states of a call.
//!
//! A state is everything that decides the future (`session::Core`): the node, trust, minutes left,
//! the facts known, the visited nodes that conditions ask about, and the scoring tally. The search
//! is a depth-first expectimax with a memo keyed by state. It stays small because:
//! - only decision points are memoised; `next` and `chance` nodes are followed through;
//! - every choice spends at least a minute, so states form a finite acyclic graph, bounded by
//!   minutes, and the checker rules out loops of buyer-only turns;
//! - visited nodes are tracked only for the nodes a condition names, and the tally keeps what
//!   scoring can still use (early pitches saturate at two), so equal futures share one entry;
//! - the memo has a cap: past it the search stops and says so rather than eat the machine.

use crate::format::Outcome;
use crate::model::{Cond, ScenarioData, Way, range_usize};
use crate::score::{dimensions, overall};
use crate::session::{Core, Destination};
use rustc_hash::FxHashMap;

/// What the search optimises, and how it treats the buyer's chance turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The best expected overall score: the rep maximises, chance is averaged by weight.
    ExpectedScore,
    /// The highest overall score any path can reach (every branch in the rep's favour).
    HighestScore,
    /// The lowest overall score any path can reach.
    LowestScore,
    /// The fewest minutes to a right call, with every branch in the rep's favour.
    FastestRight,
}

/// The search gave up because the call has more states than the cap allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyStates {
    pub cap: usize,
}

impl std::fmt::Display for TooManyStates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the call has more than {} distinct states; the search stopped",
            self.cap
        )
    }
}

/// The default cap, a few hundred megabytes of memo at most: enough for any hand-written call.
pub const DEFAULT_STATE_CAP: usize = 2_000_000;

/// The cap `check` uses to describe a call's difficulty: checking stays quick on huge files.
pub const CHECK_STATE_CAP: usize = 200_000;

/// Within this many points of the best, a choice counts as good (ties are not mistakes).
pub const GOOD_TOLERANCE: f64 = 0.5;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub value: f64,
    /// Bit `i` set: the choice at position `i` is within tolerance of the best (first 64 only).
    pub good: u64,
    /// Position of the best choice in the node's list.
    pub best: u32,
}

pub(crate) struct Solver<'s> {
    s: &'s ScenarioData,
    objective: Objective,
    memo: FxHashMap<Core, Decision>,
    cap: usize,
    overflowed: bool,
    /// What of a state can change this objective's future; the rest is cleared from memo keys.
    relevance: Relevance,
}

/// The parts of a state an objective can still be changed by, so that states differing only
/// in the rest share one memo entry.
///
/// For the score: a fact that can no longer be revealed nor tested from a node only adds its
/// fixed share of coverage to every future score, so it leaves the key and its share is carried
/// as a base value (`value = memo + base`). Qualification facts stay in the key on a deal that
/// cannot close, because advancing it zeroes their share. For the fastest right call, facts
/// matter only through conditions.
struct Relevance {
    /// Per node, the bits of `Core::bits` to keep (`None`: all of them).
    per_node: Option<Vec<Box<[u64]>>>,
    trust: bool,
    tally: bool,
    /// Each fact's share of the overall score when known (zero when it does not count).
    share: Vec<f64>,
}

impl Relevance {
    fn of(s: &ScenarioData, objective: Objective) -> Relevance {
        let fact_words = s.facts_words();
        let words = fact_words + (s.visit_slots as usize).div_ceil(64);
        let mut visits = vec![0u64; words];
        for slot in 0..s.visit_slots as usize {
            let bit = fact_words * 64 + slot;
            visits[bit / 64] |= 1 << (bit % 64);
        }
        let set = |bits: &mut [u64], fact: u32| bits[(fact / 64) as usize] |= 1 << (fact % 64);
        if objective == Objective::FastestRight {
            let mut keep = visits.clone();
            let mut trust = false;
            for condition in &s.conditions {
                match *condition {
                    Cond::Knows(f) | Cond::DoesNotKnow(f) => set(&mut keep, f),
                    Cond::TrustAtLeast(_) | Cond::TrustBelow(_) => trust = true,
                    _ => {}
                }
            }
            let keep: Box<[u64]> = keep.into_boxed_slice();
            return Relevance {
                per_node: Some(vec![keep; s.nodes.len()]),
                trust,
                tally: false,
                share: vec![0.0; s.facts.len()],
            };
        }
        // What each node's own ways on can reveal or test (its entry reveals have happened).
        let mut own: Vec<Vec<u64>> = vec![vec![0u64; words]; s.nodes.len()];
        for (index, node) in s.nodes.iter().enumerate() {
            if let Way::Choices(range) = &node.way {
                for choice in &s.choices[range_usize(range)] {
                    s.refs(&choice.reveals)
                        .iter()
                        .for_each(|&f| set(&mut own[index], f));
                    for condition in s.conditions_of(choice) {
                        if let Cond::Knows(f) | Cond::DoesNotKnow(f) = *condition {
                            set(&mut own[index], f);
                        }
                    }
                }
            }
        }
        // Add what every successor can reveal on entry or later, until nothing changes.
        let successors: Vec<Vec<u32>> = s
            .nodes
            .iter()
            .map(|node| match &node.way {
                Way::Choices(range) => s.choices[range_usize(range)].iter().map(|c| c.to).collect(),
                Way::Chance { branches, .. } => s.branches[range_usize(branches)]
                    .iter()
                    .map(|b| b.to)
                    .collect(),
                Way::Next(to) => vec![*to],
                Way::End(_) => Vec::new(),
            })
            .collect();
        let mut future = own;
        let mut changed = true;
        while changed {
            changed = false;
            for index in (0..s.nodes.len()).rev() {
                for &next in &successors[index] {
                    let next = next as usize;
                    let mut incoming: Vec<u64> = future[next].clone();
                    s.refs(&s.nodes[next].reveals)
                        .iter()
                        .for_each(|&f| set(&mut incoming, f));
                    for (word, add) in future[index].iter_mut().zip(incoming) {
                        if *word | add != *word {
                            *word |= add;
                            changed = true;
                        }
                    }
                }
            }
        }
        let total = f64::from(
            s.weights.qualification + s.weights.discovery + s.weights.rapport + s.weights.velocity,
        )
        .max(1.0);
        let share: Vec<f64> = s
            .facts
            .iter()
            .map(|f| {
                let weight = f64::from(f.weight);
                if f.kind == crate::format::FactKind::Pain {
                    f64::from(s.weights.discovery) / total * 50.0 * weight
                        / f64::from(s.pain_weight.max(1))
                } else {
                    f64::from(s.weights.qualification) / total * 40.0 * weight
                        / f64::from(s.qualification_weight.max(1))
                }
            })
            .collect();
        let per_node = future
            .into_iter()
            .map(|mut keep| {
                for (word, visit) in keep.iter_mut().zip(&visits) {
                    *word |= visit;
                }
                if !s.winnable {
                    for (index, fact) in s.facts.iter().enumerate() {
                        if fact.kind.is_qualification() {
                            set(&mut keep, index as u32);
                        }
                    }
                }
                keep.into_boxed_slice()
            })
            .collect();
        Relevance {
            per_node: Some(per_node),
            trust: true,
            tally: true,
            share,
        }
    }

    /// The memo key of a state, and the base value its dropped facts add.
    fn key(&self, core: &Core) -> (Core, f64) {
        let mut key = core.clone();
        let mut base = 0.0;
        if let Some(per_node) = &self.per_node {
            let mask = &per_node[core.node as usize];
            for (word_index, (word, keep)) in key.bits.iter_mut().zip(mask.iter()).enumerate() {
                let mut dropped = *word & !keep;
                while dropped != 0 {
                    let bit = dropped.trailing_zeros() as usize;
                    if let Some(share) = self.share.get(word_index * 64 + bit) {
                        base += share;
                    }
                    dropped &= dropped - 1;
                }
                *word &= keep;
            }
        }
        if !self.trust {
            key.trust = 0;
        }
        if !self.tally {
            key.tally = Default::default();
        }
        (key, base)
    }
}

impl<'s> Solver<'s> {
    pub fn new(s: &'s ScenarioData, objective: Objective) -> Self {
        Self::with_cap(s, objective, DEFAULT_STATE_CAP)
    }

    pub fn with_cap(s: &'s ScenarioData, objective: Objective, cap: usize) -> Self {
        Solver {
            s,
            objective,
            memo: FxHashMap::default(),
            cap,
            overflowed: false,
            relevance: Relevance::of(s, objective),
        }
    }

    pub fn states(&self) -> usize {
        self.memo.len()
    }

    /// The value of the whole call from its first line.
    pub fn value_from_start(&mut self) -> Result<f64, TooManyStates> {
        let mut core = Core::new(self.s);
        core.enter(self.s, self.s.start, &mut |_| {});
        let value = self.settle(core, 0);
        self.check(value)
    }

    /// The decision at a state where the rep is to choose.
    pub fn decide(&mut self, core: &Core) -> Result<Decision, TooManyStates> {
        let decision = self.decision(core);
        self.check(decision).inspect_err(|_| self.memo.clear())
    }

    /// A decision already in the memo, without searching (safe to call from many threads).
    pub fn lookup(&self, core: &Core) -> Option<Decision> {
        let (key, base) = self.relevance.key(core);
        self.memo.get(&key).map(|d| Decision {
            value: d.value + base,
            ..*d
        })
    }

    /// The value of taking the choice at `position` from `core`.
    pub fn choice_value(&mut self, core: &Core, position: usize) -> Result<f64, TooManyStates> {
        let value = self.after_choice(core, position);
        self.check(value)
    }

    fn check<T>(&self, value: T) -> Result<T, TooManyStates> {
        if self.overflowed {
            Err(TooManyStates { cap: self.cap })
        } else {
            Ok(value)
        }
    }

    fn maximising(&self) -> bool {
        matches!(
            self.objective,
            Objective::ExpectedScore | Objective::HighestScore
        )
    }

    fn better(&self, a: f64, b: f64) -> bool {
        if self.maximising() { a > b } else { a < b }
    }

    fn terminal(&self, core: &Core, outcome: Outcome) -> f64 {
        match self.objective {
            Objective::FastestRight => {
                if outcome.is_right_call(self.s.winnable) {
                    0.0
                } else {
                    f64::INFINITY
                }
            }
            _ => overall(
                &dimensions(&core.score_inputs(self.s, outcome)),
                &self.s.weights,
            ),
        }
    }

    /// Follows buyer-only turns from a node just entered, to a decision or an ending.
    fn settle(&mut self, core: Core, auto_steps: usize) -> f64 {
        if self.overflowed {
            return 0.0;
        }
        if auto_steps > self.s.nodes.len() {
            return self.terminal(&core, Outcome::Continuation);
        }
        match &self.s.nodes[core.node as usize].way {
            Way::End(outcome) => self.terminal(&core, *outcome),
            Way::Choices(_) => self.decision(&core).value,
            Way::Next(to) => {
                let mut next = core;
                next.enter(self.s, *to, &mut |_| {});
                self.settle(next, auto_steps + 1)
            }
            Way::Chance { branches, total } => {
                let total = f64::from(*total);
                let mut aggregate: Option<f64> = None;
                let mut mean = 0.0;
                for branch in &self.s.branches[range_usize(branches)] {
                    if branch.weight == 0 {
                        continue;
                    }
                    let mut next = core.clone();
                    next.enter(self.s, branch.to, &mut |_| {});
                    let value = self.settle(next, auto_steps + 1);
                    mean += value * f64::from(branch.weight) / total;
                    aggregate = Some(match (aggregate, self.objective) {
                        (None, _) => value,
                        (Some(a), Objective::HighestScore | Objective::FastestRight) => {
                            if self.better(value, a) { value } else { a }
                        }
                        (Some(a), Objective::LowestScore) => a.min(value),
                        (Some(a), Objective::ExpectedScore) => a,
                    });
                }
                match self.objective {
                    Objective::ExpectedScore => mean,
                    _ => aggregate.unwrap_or_else(|| self.terminal(&core, Outcome::Continuation)),
                }
            }
        }
    }

    fn decision(&mut self, core: &Core) -> Decision {
        let (key, base) = self.relevance.key(core);
        if let Some(known) = self.memo.get(&key) {
            return Decision {
                value: known.value + base,
                ..*known
            };
        }
        if self.overflowed {
            return Decision {
                value: 0.0,
                good: 0,
                best: 0,
            };
        }
        let choices = self.s.node_choices(core.node);
        let mut values: [f64; 64] = [f64::NAN; 64];
        let mut best: Option<(usize, f64)> = None;
        for (position, choice) in choices.iter().enumerate() {
            if !core.offers(self.s, choice) {
                continue;
            }
            let value = self.after_choice(core, position);
            if position < 64 {
                values[position] = value;
            }
            if best.is_none_or(|(_, b)| self.better(value, b)) {
                best = Some((position, value));
            }
        }
        let decision = match best {
            None => Decision {
                value: self.terminal(core, Outcome::Continuation),
                good: 0,
                best: 0,
            },
            Some((best_position, best_value)) => {
                let tolerance = if self.objective == Objective::FastestRight {
                    0.0
                } else {
                    GOOD_TOLERANCE
                };
                let mut good = 0u64;
                for (position, value) in values.iter().enumerate().take(choices.len().min(64)) {
                    if !value.is_nan() && (value - best_value).abs() <= tolerance {
                        good |= 1 << position;
                    }
                }
                Decision {
                    value: best_value,
                    good,
                    best: best_position as u32,
                }
            }
        };
        if self.memo.len() >= self.cap {
            self.overflowed = true;
        } else {
            self.memo.insert(
                key,
                Decision {
                    value: decision.value - base,
                    ..decision
                },
            );
        }
        decision
    }

    fn after_choice(&mut self, core: &Core, position: usize) -> f64 {
        let choice = self.s.first_choice(core.node) + position as u32;
        let mut next = core.clone();
        let destination = next.take(self.s, choice, &mut |_| {});
        let cost = match self.objective {
            Objective::FastestRight => f64::from(self.s.choices[choice as usize].minutes),
            _ => 0.0,
        };
        let value = match destination {
            Destination::TimeUp => self.terminal(&next, Outcome::Continuation),
            Destination::Arrive(to) => {
                next.enter(self.s, to, &mut |_| {});
                self.settle(next, 0)
            }
        };
        cost + value
    }
}

/// The fewest minutes to a right call (every branch in the rep's favour), or `None` when no
/// path that respects the conditions gets there.
pub(crate) fn fastest_right_minutes(s: &ScenarioData) -> Result<Option<u32>, TooManyStates> {
    let minutes =
        Solver::with_cap(s, Objective::FastestRight, CHECK_STATE_CAP).value_from_start()?;
    Ok(minutes.is_finite().then_some(minutes.round() as u32))
}

/// The best expected overall score of a call and how many decision states the search needed:
/// the work behind every best path, for benchmarks and tools.
pub fn solve(scenario: &crate::Scenario) -> Result<(f64, usize), TooManyStates> {
    let mut solver = Solver::new(scenario, Objective::ExpectedScore);
    let value = solver.value_from_start()?;
    Ok((value, solver.states()))
}
