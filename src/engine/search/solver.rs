//! The expectimax itself: filling the memo a layer of minutes at a time, weighing decisions,
//! and following the buyer's own turns.

use super::buyer_turns::{self, Stop};
use super::memo::{Key, MAX_NODES, Memo, UNWEIGHED};
use super::relevance::Relevance;
use super::yardstick::Yardstick;
use super::{DEFAULT_STATE_CAP, Decision, MEANINGFUL_LOSS, Objective, TooManyStates};
use crate::engine::format::Outcome;
use crate::engine::model::{ScenarioData, Way};
use crate::engine::play::rules::{Core, Destination};
use crate::engine::score::{dimensions, overall};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub(crate) struct Solver<'s> {
    pub(super) s: &'s ScenarioData,
    pub(super) objective: Objective,
    pub(super) memo: Memo,
    pub(super) cap: usize,
    pub(super) overflowed: bool,
    /// Set (from any thread) when the buyer's turns from some state spread over more states
    /// than `buyer_turns::MOST_SPREAD`: the call is then too large to measure.
    pub(super) spread_too_far: AtomicBool,
    /// What is left of `buyer_turns::MOST_STEPS` for this search.
    pub(super) buyer_steps_left: AtomicU64,
    /// What of a state can change this objective's future; the rest is cleared from memo keys.
    pub(super) relevance: Relevance,
    /// Velocity's yardstick, for the score objectives: what each choice wastes.
    pub(super) yardstick: Option<std::sync::Arc<Yardstick>>,
}

impl<'s> Solver<'s> {
    pub fn new(s: &'s ScenarioData, objective: Objective) -> Self {
        Self::with_cap(s, objective, DEFAULT_STATE_CAP)
    }

    pub fn with_cap(s: &'s ScenarioData, objective: Objective, cap: usize) -> Self {
        let yardstick = match objective {
            Objective::FastestRight => None,
            _ => Yardstick::of_call(s),
        };
        Solver {
            s,
            objective,
            memo: Memo::new(s.minutes),
            cap,
            // A call with more nodes than a key can name is too large to search.
            overflowed: s.nodes.len() > MAX_NODES,
            spread_too_far: AtomicBool::new(false),
            buyer_steps_left: AtomicU64::new(buyer_turns::MOST_STEPS),
            relevance: Relevance::of(s, objective),
            yardstick,
        }
    }

    pub fn states(&self) -> usize {
        self.memo.len
    }

    /// The value of the whole call from its first line.
    pub fn value_from_start(&mut self) -> Result<f64, TooManyStates> {
        let mut core = Core::new(self.s);
        core.enter(self.s, self.s.start, &mut |_| {});
        self.fill_from(&core);
        let value = self.settle(core);
        self.check(value)
    }

    /// The decision at a state where the rep is to choose.
    pub fn decide(&mut self, core: &Core) -> Result<Decision, TooManyStates> {
        self.fill_from(core);
        self.check(())?;
        self.decision(core).ok_or(TooManyStates { cap: self.cap })
    }

    /// A decision already in the memo, without searching (safe to call from many threads).
    pub fn lookup(&self, core: &Core) -> Option<Decision> {
        self.decision(core)
    }

    /// The value of taking the choice at `position` from `core`, from a filled memo, without
    /// searching (safe to call from many threads).
    pub fn value_of_choice(&self, core: &Core, position: usize) -> f64 {
        self.after_choice(core, position)
    }

    /// The value of taking the choice at `position` from `core`.
    pub fn choice_value(&mut self, core: &Core, position: usize) -> Result<f64, TooManyStates> {
        self.fill_from(core);
        let value = self.after_choice(core, position);
        self.check(value)
    }

    pub(super) fn check<T>(&self, value: T) -> Result<T, TooManyStates> {
        if self.overflowed || self.spread_too_far.load(Ordering::Relaxed) {
            Err(TooManyStates { cap: self.cap })
        } else {
            Ok(value)
        }
    }

    pub(super) fn maximising(&self) -> bool {
        matches!(
            self.objective,
            Objective::ExpectedScore | Objective::HighestScore | Objective::HighestRightCall
        )
    }

    /// Whether `a` beats `b` by more than rounding: equal values, however they were summed,
    /// leave the first choice the best, so the best path never hangs on the order of additions.
    pub(super) fn better(&self, a: f64, b: f64) -> bool {
        const ROUNDING: f64 = 1e-9;
        if self.maximising() {
            a > b + ROUNDING
        } else {
            a < b - ROUNDING
        }
    }

    pub(super) fn terminal(&self, core: &Core, outcome: Outcome) -> f64 {
        match self.objective {
            Objective::FastestRight => {
                if outcome.is_right_call(self.s.winnable) {
                    0.0
                } else {
                    f64::INFINITY
                }
            }
            Objective::HighestRightCall if !outcome.is_right_call(self.s.winnable) => {
                f64::NEG_INFINITY
            }
            _ => overall(
                &dimensions(&core.score_inputs(self.s, outcome)),
                &self.s.weights,
            ),
        }
    }

    /// Follows buyer-only turns from a node just entered, to a decision or an ending.
    /// The value of a node just entered: its ending, its decision, or, through the buyer's own
    /// turns, the chance-weighted (or, for the bounds, the best or worst) value of where they
    /// lead. NaN when the memo lacks a decision (it overflowed) or the turns spread too far (the
    /// solver is then marked overflowed).
    pub(super) fn settle(&self, core: Core) -> f64 {
        match &self.s.nodes[core.node as usize].way {
            Way::End(outcome) => return self.terminal(&core, *outcome),
            Way::Choices(_) => return self.decision(&core).map_or(f64::NAN, |d| d.value),
            Way::Next(_) | Way::NextIf(_) | Way::Chance { .. } => {}
        }
        let arrivals = match buyer_turns::follow(self.s, core, false, &self.buyer_steps_left) {
            Ok(arrivals) => arrivals,
            Err(_) => {
                self.spread_too_far.store(true, Ordering::Relaxed);
                return f64::NAN;
            }
        };
        let mut mean = 0.0;
        let mut extreme: Option<f64> = None;
        for arrival in &arrivals {
            let value = match arrival.stop {
                Stop::End(outcome) => self.terminal(&arrival.core, outcome),
                Stop::Decision => self.decision(&arrival.core).map_or(f64::NAN, |d| d.value),
            };
            mean += value * arrival.probability;
            extreme = Some(match (extreme, self.objective) {
                (None, _) => value,
                (Some(e), Objective::LowestScore) => e.min(value),
                (Some(e), _) if self.better(value, e) => value,
                (Some(e), _) => e,
            });
        }
        match self.objective {
            Objective::ExpectedScore | Objective::RandomPlay => mean,
            _ => extreme.unwrap_or(f64::NAN),
        }
    }

    /// The weighed decision at a state, from the memo.
    pub(super) fn decision(&self, core: &Core) -> Option<Decision> {
        let (key, base) = self.relevance.key(core);
        self.memo
            .get(core.minutes_left, &key)
            .map(|known| Decision {
                value: known.value + base,
                ..*known
            })
    }

    /// The decision at a state, from the values of its choices (which the memo must hold).
    pub(super) fn weigh(&self, core: &Core) -> Decision {
        let choices = self.s.node_choices(core.node);
        // The values of the choices, on the stack for any node a person writes.
        let mut few = [f64::NAN; 16];
        let mut many = Vec::new();
        let values: &mut [f64] = if choices.len() <= few.len() {
            &mut few
        } else {
            many.resize(choices.len().min(64), f64::NAN);
            &mut many
        };
        let mut best: Option<(usize, f64)> = None;
        let (mut sum, mut offered) = (0.0, 0u32);
        for (position, choice) in choices.iter().enumerate() {
            if !core.offers(self.s, choice) {
                continue;
            }
            let value = self.after_choice(core, position);
            sum += value;
            offered += 1;
            if let Some(slot) = values.get_mut(position) {
                *slot = value;
            }
            if best.is_none_or(|(_, b)| self.better(value, b)) {
                best = Some((position, value));
            }
        }
        // A rep choosing at random gets the mean of what the offered choices lead to.
        if self.objective == Objective::RandomPlay
            && let Some((position, _)) = best
        {
            best = Some((position, sum / f64::from(offered)));
        }
        match best {
            None => Decision {
                value: self.terminal(core, Outcome::Continuation),
                good: 0,
                best: 0,
            },
            Some((best_position, best_value)) => {
                let tolerance = if self.objective == Objective::FastestRight {
                    0.0
                } else {
                    MEANINGFUL_LOSS
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
        }
    }

    pub(super) fn after_choice(&self, core: &Core, position: usize) -> f64 {
        let choice = self.s.first_choice(core.node) + position as u32;
        let mut next = core.clone();
        if let Some(yardstick) = &self.yardstick {
            next.waste(yardstick.waste(core, position));
        }
        let destination = next.take(self.s, choice, &mut |_| {});
        let cost = match self.objective {
            Objective::FastestRight => f64::from(self.s.choices[choice as usize].minutes),
            _ => 0.0,
        };
        let value = match destination {
            Destination::TimeUp => self.terminal(&next, Outcome::Continuation),
            Destination::Arrive(to) => {
                next.enter(self.s, to, &mut |_| {});
                self.settle(next)
            }
        };
        cost + value
    }

    /// Fills the memo with every decision state reachable from `from`, a layer of minutes at a
    /// time: first down the layers, noting each state reached (unweighed), then up them,
    /// weighing each state from its children, which the layers below already hold. The states
    /// of a layer are independent of each other, so both passes share a layer's states among
    /// the cores; and each lookup goes to a table small enough for the cache.
    pub(super) fn fill_from(&mut self, from: &Core) {
        let (key, _) = self.relevance.key(from);
        if self.overflowed || self.memo.contains(from.minutes_left, &key) {
            return;
        }
        let mut found = Vec::new();
        self.reach(from.clone(), &mut |core| found.push(self.placed_key(&core)));
        self.note(found);
        let top = Memo::layer(from.minutes_left).min(self.memo.layers.len() - 1);
        for layer in (0..=top).rev() {
            let states: Vec<Key> = self.memo.layers[layer]
                .iter()
                .filter(|(_, d)| d.best == UNWEIGHED.best)
                .map(|(key, _)| key.clone())
                .collect();
            let shares = states.chunks(share_size(states.len())).collect();
            let found = crate::engine::parallel::each_share(shares, |chunk: &[Key]| {
                let mut found = Vec::new();
                for key in chunk {
                    self.expand(&key.core(), &mut |core| found.push(self.placed_key(&core)));
                }
                found
            });
            for keys in found {
                self.note(keys);
            }
            if self.spread_too_far.load(Ordering::Relaxed) {
                self.overflowed = true;
            }
            if self.overflowed {
                self.memo.clear();
                return;
            }
        }
        for layer in 0..=top {
            let mut table = std::mem::take(&mut self.memo.layers[layer]);
            let mut pending: Vec<(&Key, &mut Decision)> = table
                .iter_mut()
                .filter(|(_, d)| d.best == UNWEIGHED.best)
                .collect();
            let share = share_size(pending.len());
            crate::engine::parallel::each_share(pending.chunks_mut(share).collect(), |chunk| {
                for (key, decision) in chunk {
                    **decision = self.weigh(&key.core());
                }
            });
            drop(pending);
            self.memo.layers[layer] = table;
        }
    }

    /// A state's memo layer and key.
    pub(super) fn placed_key(&self, core: &Core) -> (usize, Key) {
        (Memo::layer(core.minutes_left), self.relevance.key(core).0)
    }

    /// Notes decision states as reached (unweighed), unless the memo has them.
    pub(super) fn note(&mut self, keys: Vec<(usize, Key)>) {
        for (layer, key) in keys {
            if layer >= self.memo.layers.len() {
                self.memo.layers.resize_with(layer + 1, FxHashMap::default);
            }
            if let std::collections::hash_map::Entry::Vacant(entry) =
                self.memo.layers[layer].entry(key)
            {
                if self.memo.len >= self.cap {
                    self.overflowed = true;
                    return;
                }
                entry.insert(UNWEIGHED);
                self.memo.len += 1;
            }
        }
    }

    /// The decision states one choice away from a decision state.
    pub(super) fn expand(&self, core: &Core, found: &mut impl FnMut(Core)) {
        let first = self.s.first_choice(core.node);
        for (position, choice) in self.s.node_choices(core.node).iter().enumerate() {
            if !core.offers(self.s, choice) {
                continue;
            }
            let mut next = core.clone();
            if let Some(yardstick) = &self.yardstick {
                next.waste(yardstick.waste(core, position));
            }
            if let Destination::Arrive(to) = next.take(self.s, first + position as u32, &mut |_| {})
            {
                next.enter(self.s, to, &mut |_| {});
                self.reach(next, found);
            }
        }
    }

    /// Follows buyer-only turns from a node just entered, to the decision states they lead to.
    pub(super) fn reach(&self, core: Core, found: &mut impl FnMut(Core)) {
        match &self.s.nodes[core.node as usize].way {
            Way::End(_) => {}
            Way::Choices(_) => found(core),
            Way::Next(_) | Way::NextIf(_) | Way::Chance { .. } => {
                match buyer_turns::follow(self.s, core, false, &self.buyer_steps_left) {
                    Ok(arrivals) => arrivals
                        .into_iter()
                        .filter(|a| a.stop == Stop::Decision)
                        .for_each(|a| found(a.core)),
                    Err(_) => self.spread_too_far.store(true, Ordering::Relaxed),
                }
            }
        }
    }
}

/// Below this many states a layer is handled on the calling thread: starting threads would
/// cost more than the work.
pub(super) const PARALLEL_FROM: usize = 1024;

/// How many shares a layer of `items` states is cut into: one per core, or one for a small layer.
pub(super) fn share_size(items: usize) -> usize {
    let shares = if items < PARALLEL_FROM {
        1
    } else {
        crate::engine::parallel::cores().min(8)
    };
    items.div_ceil(shares).max(1)
}
