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

/// The parts of a state an objective can see. Scores see everything; the fastest right call
/// sees only what conditions test, so states that differ in anything else share one entry.
struct Relevance {
    /// Bits of `Core::bits` to keep (`None`: all of them).
    bits: Option<Box<[u64]>>,
    trust: bool,
    tally: bool,
}

impl Relevance {
    fn of(s: &ScenarioData, objective: Objective) -> Relevance {
        if objective != Objective::FastestRight {
            return Relevance {
                bits: None,
                trust: true,
                tally: true,
            };
        }
        let fact_words = s.facts_words();
        let mut bits = vec![0u64; fact_words + (s.visit_slots as usize).div_ceil(64)];
        for slot in 0..s.visit_slots as usize {
            let bit = fact_words * 64 + slot;
            bits[bit / 64] |= 1 << (bit % 64);
        }
        let mut trust = false;
        for condition in &s.conditions {
            match *condition {
                Cond::Knows(f) | Cond::DoesNotKnow(f) => bits[(f / 64) as usize] |= 1 << (f % 64),
                Cond::TrustAtLeast(_) | Cond::TrustBelow(_) => trust = true,
                _ => {}
            }
        }
        Relevance {
            bits: Some(bits.into_boxed_slice()),
            trust,
            tally: false,
        }
    }

    fn key(&self, core: &Core) -> Core {
        let mut key = core.clone();
        if let Some(mask) = &self.bits {
            for (word, keep) in key.bits.iter_mut().zip(mask.iter()) {
                *word &= keep;
            }
        }
        if !self.trust {
            key.trust = 0;
        }
        if !self.tally {
            key.tally = Default::default();
        }
        key
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
        if self.relevance.bits.is_none() {
            return self.memo.get(core).copied();
        }
        self.memo.get(&self.relevance.key(core)).copied()
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
        let key = self.relevance.key(core);
        if let Some(known) = self.memo.get(&key) {
            return *known;
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
            self.memo.insert(key, decision);
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
