//! The best path, the fastest right call and the score bounds, by search over the states of a call.
//!
//! A state is everything that decides the future (`session::Core`): the node, trust, minutes left,
//! the facts known, the visited nodes that conditions ask about, and the scoring tally. The search
//! is an expectimax with a memo keyed by state, filled a layer of minutes left at a time: down
//! the layers to find every state reachable, then up them to weigh each from its children (see
//! `Solver::fill_from`). It stays small because:
//! - only decision points are memoised; `next` and `chance` nodes are followed through;
//! - every choice spends at least a minute, so states form a finite acyclic graph, bounded by
//!   minutes, and the checker rules out loops of buyer-only turns;
//! - visited nodes are tracked only for the nodes a condition names, and the tally keeps what
//!   scoring can still use (early pitches saturate at two), so equal futures share one entry;
//! - facts that can no longer be revealed or tested leave the key, their share carried as a base;
//! - a key is 32 bytes (node, trust, minutes and tally packed in one word, the bits inline), and
//!   the memo is one table per layer, so each lookup goes to a table that fits in the cache;
//! - the memo has a cap: past it the search stops and says so rather than eat the machine.

use crate::format::Outcome;
use crate::model::{Cond, ScenarioData, Way, range_usize};
use crate::score::{dimensions, overall};
use crate::session::{Bits, Core, Destination, Tally};
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

/// The default cap, about 300 MB of memo at most (a state takes about 100 bytes with the
/// tables' slack): enough for any hand-written call and for generated calls of 1,000 nodes.
pub const DEFAULT_STATE_CAP: usize = 3_000_000;

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
    memo: Memo,
    cap: usize,
    overflowed: bool,
    /// What of a state can change this objective's future; the rest is cleared from memo keys.
    relevance: Relevance,
}

/// The memo, one table per layer of minutes left. Every choice spends at least a minute, so a
/// decision's children lie in lower layers: the search fills the tables a layer at a time (see
/// `Solver::fill_from`), and each lookup then goes to a table of a few thousand entries that
/// stays in the cache, where one large table would miss on almost every lookup.
struct Memo {
    layers: Vec<FxHashMap<Key, Decision>>,
    len: usize,
}

/// Stands in the memo for a state that has been reached but not yet weighed.
const UNWEIGHED: Decision = Decision {
    value: f64::NAN,
    good: 0,
    best: u32::MAX,
};

impl Memo {
    fn new(minutes: u32) -> Memo {
        Memo {
            layers: (0..=minutes).map(|_| FxHashMap::default()).collect(),
            len: 0,
        }
    }

    fn layer(minutes_left: i32) -> usize {
        minutes_left.max(0) as usize
    }

    fn get(&self, minutes_left: i32, key: &Key) -> Option<&Decision> {
        self.layers
            .get(Self::layer(minutes_left))?
            .get(key)
            .filter(|d| d.best != UNWEIGHED.best)
    }

    fn contains(&self, minutes_left: i32, key: &Key) -> bool {
        self.layers
            .get(Self::layer(minutes_left))
            .is_some_and(|layer| layer.contains_key(key))
    }

    fn clear(&mut self) {
        self.layers.iter_mut().for_each(FxHashMap::clear);
        self.len = 0;
    }
}

/// A memo key: a state packed into 32 bytes (node, trust, minutes and tally in one word, then
/// the bits an objective keeps, inline up to 128), so that the memo stays small and hashing and
/// comparing a key are a few word operations.
#[derive(Clone, PartialEq, Eq)]
struct Key {
    head: u64,
    bits: Bits,
}

impl std::hash::Hash for Key {
    /// The words alone: all keys of one search have the same number of words.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.head);
        self.bits.iter().for_each(|&word| state.write_u64(word));
    }
}

impl Key {
    fn head(core: &Core, trust: bool, tally: bool) -> u64 {
        let trust = if trust {
            core.trust.clamp(0, 255) as u64
        } else {
            0
        };
        let tally = if tally { pack_tally(core.tally) } else { 0 };
        // Minutes left lie within ±600 (the format's limits), so 16 bits keep them apart.
        let minutes = u64::from(core.minutes_left as i16 as u16);
        u64::from(core.node) | trust << 32 | minutes << 40 | tally << 56
    }

    /// A state with this key. Bits, trust or tally left out of the key are zero, which is
    /// harmless: they cannot change the objective's future (that is why they were left out).
    fn core(&self) -> Core {
        let tally = (self.head >> 56) as u8;
        Core {
            node: self.head as u32,
            trust: i32::from((self.head >> 32) as u8),
            minutes_left: i32::from((self.head >> 40) as u16 as i16),
            bits: self.bits.clone(),
            tally: Tally {
                pain_known: tally & 1 != 0,
                pitches_before_pain: (tally >> 1) & 3,
                implication_after_pain: tally & 8 != 0,
                need_payoff_after_pain: tally & 16 != 0,
            },
        }
    }
}

fn pack_tally(tally: Tally) -> u64 {
    u64::from(tally.pain_known)
        | u64::from(tally.pitches_before_pain.min(3)) << 1
        | u64::from(tally.implication_after_pain) << 3
        | u64::from(tally.need_payoff_after_pain) << 4
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
    fn key(&self, core: &Core) -> (Key, f64) {
        let mut bits = core.bits.clone();
        let mut base = 0.0;
        if let Some(per_node) = &self.per_node {
            let mask = &per_node[core.node as usize];
            for (word_index, (word, keep)) in bits.iter_mut().zip(mask.iter()).enumerate() {
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
        let head = Key::head(core, self.trust, self.tally);
        (Key { head, bits }, base)
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
            memo: Memo::new(s.minutes),
            cap,
            overflowed: false,
            relevance: Relevance::of(s, objective),
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
        let value = self.settle(core, 0);
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

    /// The value of taking the choice at `position` from `core`.
    pub fn choice_value(&mut self, core: &Core, position: usize) -> Result<f64, TooManyStates> {
        self.fill_from(core);
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

    /// Whether `a` beats `b` by more than rounding: equal values, however they were summed,
    /// leave the first choice the best, so the best path never hangs on the order of additions.
    fn better(&self, a: f64, b: f64) -> bool {
        const ROUNDING: f64 = 1e-9;
        if self.maximising() {
            a > b + ROUNDING
        } else {
            a < b - ROUNDING
        }
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
    fn settle(&self, core: Core, auto_steps: usize) -> f64 {
        if auto_steps > self.s.nodes.len() {
            return self.terminal(&core, Outcome::Continuation);
        }
        match &self.s.nodes[core.node as usize].way {
            Way::End(outcome) => self.terminal(&core, *outcome),
            Way::Choices(_) => match self.decision(&core) {
                Some(decision) => decision.value,
                // Only after the memo overflowed and was emptied; the caller reports that.
                None => f64::NAN,
            },
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

    /// The weighed decision at a state, from the memo.
    fn decision(&self, core: &Core) -> Option<Decision> {
        let (key, base) = self.relevance.key(core);
        self.memo
            .get(core.minutes_left, &key)
            .map(|known| Decision {
                value: known.value + base,
                ..*known
            })
    }

    /// The decision at a state, from the values of its choices (which the memo must hold).
    fn weigh(&self, core: &Core) -> Decision {
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
        for (position, choice) in choices.iter().enumerate() {
            if !core.offers(self.s, choice) {
                continue;
            }
            let value = self.after_choice(core, position);
            if let Some(slot) = values.get_mut(position) {
                *slot = value;
            }
            if best.is_none_or(|(_, b)| self.better(value, b)) {
                best = Some((position, value));
            }
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
        }
    }

    fn after_choice(&self, core: &Core, position: usize) -> f64 {
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

    /// Fills the memo with every decision state reachable from `from`, a layer of minutes at a
    /// time: first down the layers, noting each state reached (unweighed), then up them,
    /// weighing each state from its children, which the layers below already hold. The states
    /// of a layer are independent of each other, so both passes share a layer's states among
    /// the cores; and each lookup goes to a table small enough for the cache.
    fn fill_from(&mut self, from: &Core) {
        let (key, _) = self.relevance.key(from);
        if self.overflowed || self.memo.contains(from.minutes_left, &key) {
            return;
        }
        let mut found = Vec::new();
        self.reach(from.clone(), 0, &mut |core| {
            found.push(self.placed_key(&core))
        });
        self.note(found);
        let top = Memo::layer(from.minutes_left).min(self.memo.layers.len() - 1);
        for layer in (0..=top).rev() {
            let states: Vec<Key> = self.memo.layers[layer]
                .iter()
                .filter(|(_, d)| d.best == UNWEIGHED.best)
                .map(|(key, _)| key.clone())
                .collect();
            let shares = states.chunks(share_size(states.len())).collect();
            let found = crate::parallel::each_share(shares, |chunk: &[Key]| {
                let mut found = Vec::new();
                for key in chunk {
                    self.expand(&key.core(), &mut |core| found.push(self.placed_key(&core)));
                }
                found
            });
            for keys in found {
                self.note(keys);
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
            crate::parallel::each_share(pending.chunks_mut(share).collect(), |chunk| {
                for (key, decision) in chunk {
                    **decision = self.weigh(&key.core());
                }
            });
            drop(pending);
            self.memo.layers[layer] = table;
        }
    }

    /// A state's memo layer and key.
    fn placed_key(&self, core: &Core) -> (usize, Key) {
        (Memo::layer(core.minutes_left), self.relevance.key(core).0)
    }

    /// Notes decision states as reached (unweighed), unless the memo has them.
    fn note(&mut self, keys: Vec<(usize, Key)>) {
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
    fn expand(&self, core: &Core, found: &mut impl FnMut(Core)) {
        let first = self.s.first_choice(core.node);
        for (position, choice) in self.s.node_choices(core.node).iter().enumerate() {
            if !core.offers(self.s, choice) {
                continue;
            }
            let mut next = core.clone();
            if let Destination::Arrive(to) = next.take(self.s, first + position as u32, &mut |_| {})
            {
                next.enter(self.s, to, &mut |_| {});
                self.reach(next, 0, found);
            }
        }
    }

    /// Follows buyer-only turns from a node just entered, to the decision states they lead to.
    fn reach(&self, core: Core, auto_steps: usize, found: &mut impl FnMut(Core)) {
        if auto_steps > self.s.nodes.len() {
            return;
        }
        match &self.s.nodes[core.node as usize].way {
            Way::End(_) => {}
            Way::Choices(_) => found(core),
            Way::Next(to) => {
                let mut next = core;
                next.enter(self.s, *to, &mut |_| {});
                self.reach(next, auto_steps + 1, found);
            }
            Way::Chance { branches, .. } => {
                for branch in &self.s.branches[range_usize(branches)] {
                    if branch.weight == 0 {
                        continue;
                    }
                    let mut next = core.clone();
                    next.enter(self.s, branch.to, &mut |_| {});
                    self.reach(next, auto_steps + 1, found);
                }
            }
        }
    }
}

/// Below this many states a layer is handled on the calling thread: starting threads would
/// cost more than the work.
const PARALLEL_FROM: usize = 1024;

/// How many shares a layer of `items` states is cut into: one per core, or one for a small layer.
fn share_size(items: usize) -> usize {
    let shares = if items < PARALLEL_FROM {
        1
    } else {
        crate::parallel::cores().min(8)
    };
    items.div_ceil(shares).max(1)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceFile, check_source};

    fn scenarios() -> Vec<crate::Scenario> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut found: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.to_string_lossy().ends_with(".scenario.ron"))
            .collect();
        found.sort();
        let mut sources: Vec<SourceFile> = found
            .iter()
            .map(|path| crate::load::read_source(path).unwrap())
            .collect();
        for nodes in [40, 100] {
            for winnable in [true, false] {
                let shape = crate::generate::Shape {
                    winnable,
                    ..crate::generate::Shape::with_nodes(nodes)
                };
                sources.push(SourceFile::from_text(
                    "generated.scenario.ron",
                    crate::generate::scenario(&shape),
                ));
            }
        }
        sources
            .iter()
            .map(|source| check_source(source).scenario.expect("checks"))
            .collect()
    }

    /// The value of a decision state by plain recursion over whole states: no memo layers,
    /// no facts left out of keys, nothing shared with the solver but the scoring of an ending.
    fn reference(
        solver: &Solver,
        core: &Core,
        memo: &mut std::collections::HashMap<Core, f64>,
    ) -> f64 {
        if let Some(&value) = memo.get(core) {
            return value;
        }
        let s = solver.s;
        let mut best: Option<f64> = None;
        for (position, choice) in s.node_choices(core.node).iter().enumerate() {
            if !core.offers(s, choice) {
                continue;
            }
            let index = s.first_choice(core.node) + position as u32;
            let mut next = core.clone();
            let cost = match solver.objective {
                Objective::FastestRight => f64::from(choice.minutes),
                _ => 0.0,
            };
            let value = cost
                + match next.take(s, index, &mut |_| {}) {
                    Destination::TimeUp => solver.terminal(&next, Outcome::Continuation),
                    Destination::Arrive(to) => {
                        next.enter(s, to, &mut |_| {});
                        follow(solver, next, memo)
                    }
                };
            best = Some(match best {
                None => value,
                Some(b) if solver.maximising() => b.max(value),
                Some(b) => b.min(value),
            });
        }
        let value = best.unwrap_or_else(|| solver.terminal(core, Outcome::Continuation));
        memo.insert(core.clone(), value);
        value
    }

    fn follow(solver: &Solver, core: Core, memo: &mut std::collections::HashMap<Core, f64>) -> f64 {
        let s = solver.s;
        match &s.nodes[core.node as usize].way {
            Way::End(outcome) => solver.terminal(&core, *outcome),
            Way::Choices(_) => reference(solver, &core, memo),
            Way::Next(to) => {
                let mut next = core;
                next.enter(s, *to, &mut |_| {});
                follow(solver, next, memo)
            }
            Way::Chance { branches, total } => {
                let values: Vec<(f64, u32)> = s.branches[range_usize(branches)]
                    .iter()
                    .filter(|branch| branch.weight > 0)
                    .map(|branch| {
                        let mut next = core.clone();
                        next.enter(s, branch.to, &mut |_| {});
                        (follow(solver, next, memo), branch.weight)
                    })
                    .collect();
                let favourable = |a: f64, b: f64| match solver.objective {
                    Objective::HighestScore => a.max(b),
                    _ => a.min(b),
                };
                match solver.objective {
                    Objective::ExpectedScore => values
                        .iter()
                        .map(|(v, w)| v * f64::from(*w) / f64::from(*total))
                        .sum(),
                    _ => values.iter().map(|(v, _)| *v).reduce(favourable).unwrap(),
                }
            }
        }
    }

    #[test]
    fn the_layered_search_agrees_with_plain_recursion_on_every_state() {
        for scenario in scenarios() {
            for objective in [
                Objective::ExpectedScore,
                Objective::HighestScore,
                Objective::LowestScore,
                Objective::FastestRight,
            ] {
                let mut solver = Solver::new(&scenario, objective);
                let value = solver.value_from_start().unwrap();
                let mut memo = std::collections::HashMap::new();
                let mut start = Core::new(&scenario);
                start.enter(&scenario, scenario.start, &mut |_| {});
                let expected = follow(&solver, start, &mut memo);
                let close = |a: f64, b: f64| a == b || (a - b).abs() < 1e-9;
                assert!(
                    close(value, expected),
                    "{} {objective:?}: {value} against {expected}",
                    scenario.id
                );
                assert!(solver.states() > 0 && solver.states() <= memo.len());
                for table in &solver.memo.layers {
                    for (key, decision) in table {
                        let expected = reference(&solver, &key.core(), &mut memo);
                        assert!(
                            close(decision.value, expected),
                            "{} {objective:?} at {}: {} against {expected}",
                            scenario.id,
                            key.core().node,
                            decision.value
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_call_beyond_the_cap_is_refused_and_the_memo_left_empty() {
        let scenario = scenarios().pop().unwrap();
        let mut solver = Solver::with_cap(&scenario, Objective::ExpectedScore, 50);
        assert_eq!(solver.value_from_start(), Err(TooManyStates { cap: 50 }));
        assert_eq!(solver.states(), 0);
    }
}
