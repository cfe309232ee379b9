//! Playing a call: the rules of a step, and `Session`, the API that the window, the command line
//! and the tests drive. The same scenario revision, seed and choices always replay exactly.
//!
//! A step is cheap: facts and visited nodes are bit sets allocated once per session, ids were
//! resolved at load, and offering or taking a choice allocates nothing (only the transcript grows).

use crate::format::{FactKind, Move, Outcome};
use crate::model::{ChoiceData, Cond, FactData, NO_SLOT, Scenario, ScenarioData, Way, range_usize};
use crate::score::{ScoreInputs, Scores};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use std::fmt;

/// The state that decides what happens next, shared by sessions and the best-path search.
/// Everything that scoring or a condition can look at is here, and nothing else, so that two
/// equal states have the same future.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Core {
    pub node: u32,
    pub trust: i32,
    pub minutes_left: i32,
    /// Known facts in the first words, then visited condition-nodes.
    pub bits: Bits,
    pub tally: Tally,
}

/// A state's bit set. Up to 128 bits (facts plus condition-nodes, which covers every call a
/// person writes) live inline, so copying a state, which the best-path search does for every
/// choice it weighs, never allocates; larger sets fall back to the heap.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Bits {
    Inline { words: [u64; 2], len: u8 },
    Heap(Box<[u64]>),
}

impl Bits {
    pub fn zeros(words: usize) -> Bits {
        if words <= 2 {
            Bits::Inline {
                words: [0; 2],
                len: words as u8,
            }
        } else {
            Bits::Heap(vec![0; words].into_boxed_slice())
        }
    }
}

impl std::ops::Deref for Bits {
    type Target = [u64];
    #[inline]
    fn deref(&self) -> &[u64] {
        match self {
            Bits::Inline { words, len } => &words[..*len as usize],
            Bits::Heap(words) => words,
        }
    }
}

impl std::ops::DerefMut for Bits {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u64] {
        match self {
            Bits::Inline { words, len } => &mut words[..*len as usize],
            Bits::Heap(words) => words,
        }
    }
}

/// What scoring needs to remember about the moves so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Tally {
    pub pain_known: bool,
    /// Saturates at 2: a third early pitch costs nothing more.
    pub pitches_before_pain: u8,
    pub implication_after_pain: bool,
    pub need_payoff_after_pain: bool,
}

/// Where a choice leads.
pub(crate) enum Destination {
    Arrive(u32),
    /// The minutes ran out before the next line.
    TimeUp,
}

impl Core {
    pub fn new(s: &ScenarioData) -> Core {
        let words = s.facts_words() + (s.visit_slots as usize).div_ceil(64);
        Core {
            node: s.start,
            trust: i32::from(s.buyer.trust),
            minutes_left: s.minutes as i32,
            bits: Bits::zeros(words),
            tally: Tally::default(),
        }
    }

    pub fn reset(&mut self, s: &ScenarioData) {
        self.node = s.start;
        self.trust = i32::from(s.buyer.trust);
        self.minutes_left = s.minutes as i32;
        self.bits.fill(0);
        self.tally = Tally::default();
    }

    #[inline]
    pub fn knows(&self, fact: u32) -> bool {
        self.bits[(fact / 64) as usize] & (1 << (fact % 64)) != 0
    }

    #[inline]
    fn visited(&self, s: &ScenarioData, node: u32) -> bool {
        let slot = s.visit_slot[node as usize];
        if slot == NO_SLOT {
            return false;
        }
        let bit = s.facts_words() * 64 + slot as usize;
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }

    #[inline]
    pub fn holds(&self, s: &ScenarioData, condition: Cond) -> bool {
        match condition {
            Cond::Knows(fact) => self.knows(fact),
            Cond::DoesNotKnow(fact) => !self.knows(fact),
            Cond::TrustAtLeast(n) => self.trust >= n,
            Cond::TrustBelow(n) => self.trust < n,
            Cond::MinutesLeft(n) => self.minutes_left >= n,
            Cond::Visited(node) => self.visited(s, node),
            Cond::NotVisited(node) => !self.visited(s, node),
        }
    }

    #[inline]
    pub fn offers(&self, s: &ScenarioData, choice: &ChoiceData) -> bool {
        s.conditions_of(choice).iter().all(|&c| self.holds(s, c))
    }

    fn change_trust(&mut self, delta: i32) {
        self.trust = (self.trust + delta).clamp(0, 100);
    }

    fn reveal(&mut self, s: &ScenarioData, facts: &[u32], on_new: &mut impl FnMut(u32)) {
        for &fact in facts {
            let (word, bit) = ((fact / 64) as usize, 1u64 << (fact % 64));
            if self.bits[word] & bit == 0 {
                self.bits[word] |= bit;
                if s.facts[fact as usize].kind == FactKind::Pain {
                    self.tally.pain_known = true;
                }
                on_new(fact);
            }
        }
    }

    /// Arrives at a node: it counts as visited, its trust change and reveals apply.
    pub fn enter(&mut self, s: &ScenarioData, node: u32, on_new: &mut impl FnMut(u32)) {
        self.node = node;
        let slot = s.visit_slot[node as usize];
        if slot != NO_SLOT {
            let bit = s.facts_words() * 64 + slot as usize;
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
        let data = &s.nodes[node as usize];
        self.change_trust(data.trust);
        self.reveal(s, s.refs(&data.reveals), on_new);
    }

    /// Takes a choice (by its index among all choices): trust, minutes, the scoring tally and
    /// the facts it states, in that order. Pain is judged before this choice's own reveals.
    pub fn take(
        &mut self,
        s: &ScenarioData,
        choice: u32,
        on_new: &mut impl FnMut(u32),
    ) -> Destination {
        let data = &s.choices[choice as usize];
        self.change_trust(data.trust);
        self.minutes_left -= data.minutes as i32;
        match data.move_kind {
            Move::Pitch if !self.tally.pain_known => {
                self.tally.pitches_before_pain = (self.tally.pitches_before_pain + 1).min(2);
            }
            Move::Implication if self.tally.pain_known => self.tally.implication_after_pain = true,
            Move::NeedPayoff if self.tally.pain_known => self.tally.need_payoff_after_pain = true,
            _ => {}
        }
        self.reveal(s, s.refs(&data.reveals), on_new);
        let ends_there = matches!(s.nodes[data.to as usize].way, Way::End(_));
        if self.minutes_left <= 0 && !ends_there {
            Destination::TimeUp
        } else {
            Destination::Arrive(data.to)
        }
    }

    /// What scoring sees when the call ends here with `outcome`.
    pub fn score_inputs(&self, s: &ScenarioData, outcome: Outcome) -> ScoreInputs {
        let (mut qualification, mut pain) = (0u32, 0u32);
        for (index, fact) in s.facts.iter().enumerate() {
            if self.knows(index as u32) {
                if fact.kind == FactKind::Pain {
                    pain += fact.weight;
                } else {
                    qualification += fact.weight;
                }
            }
        }
        let share = |got: u32, total: u32| {
            if total == 0 {
                1.0
            } else {
                f64::from(got) / f64::from(total)
            }
        };
        ScoreInputs {
            outcome,
            winnable: s.winnable,
            qualification_coverage: share(qualification, s.qualification_weight),
            pain_coverage: share(pain, s.pain_weight),
            has_pain: s.pain_weight > 0,
            implication_after_pain: self.tally.implication_after_pain,
            need_payoff_after_pain: self.tally.need_payoff_after_pain,
            pitches_before_pain: u32::from(self.tally.pitches_before_pain),
            final_trust: self.trust.clamp(0, 100) as u8,
            minutes_used: (s.minutes as i32 - self.minutes_left.max(0)).max(0) as u32,
            fastest_right_minutes: s.fastest_right_minutes,
        }
    }
}

/// Picks a branch by weight from one 32-bit draw. Written out here, rather than taken from a
/// distribution in `rand`, so that an upgrade of `rand` can never change which branch a seed picks.
pub(crate) fn pick_branch(draw: u32, weights: impl Iterator<Item = u32>, total: u32) -> usize {
    let target = ((u64::from(draw) * u64::from(total)) >> 32) as u32;
    let mut cumulative = 0;
    let mut last_nonzero = 0;
    for (index, weight) in weights.enumerate() {
        if weight > 0 {
            last_nonzero = index;
        }
        cumulative += weight;
        if target < cumulative {
            return index;
        }
    }
    last_nonzero
}

/// SplitMix64: a fixed, documented way to spread one seed over many bits.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The session's generator: ChaCha8 keyed by the seed spread with SplitMix64. ChaCha8 is a fixed
/// algorithm and the key expansion is ours, so the stream never changes with a crate upgrade.
pub(crate) fn session_rng(seed: u64) -> ChaCha8Rng {
    let mut state = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// A seed for a new call, from the clock: short enough to type or read out to a trainer.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos % 1_000_000_007
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EndReason {
    /// The call reached an ending the scenario wrote.
    Ending,
    /// The buyer's minutes ran out; the call ends as a `Continuation`.
    OutOfTime,
    /// No choice's conditions held, so the rep had nothing to say.
    NothingToSay,
    /// The buyer went round a loop with no choice in it (a checked scenario has none).
    BuyerLoop,
    /// The rep left the call before it ended.
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ending {
    pub outcome: Outcome,
    pub reason: EndReason,
}

/// One thing that happened in a call, by index (text is looked up when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Line {
        node: u32,
    },
    Chance {
        node: u32,
        branch: u32,
    },
    Choice {
        node: u32,
        choice: u32,
        trust_after: u8,
        minutes_left_after: i32,
    },
    Revealed {
        fact: u32,
    },
}

/// One entry of the transcript, ready to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry<'a> {
    /// The buyer says a line.
    Buyer { node_id: &'a str, line: &'a str },
    /// The rep chose; `index` is the choice's position in the node's list.
    Rep {
        node_id: &'a str,
        index: usize,
        say: &'a str,
        move_kind: Move,
        note: Option<&'a str>,
        trust_after: u8,
        minutes_left_after: i32,
    },
    /// A chance node sent the call one way.
    Chance { node_id: &'a str, to: &'a str },
    /// The buyer disclosed a fact (or confirmed one the rep stated).
    Revealed { fact: &'a FactData },
}

/// A choice the rep can make now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer<'a> {
    /// The choice's position in the node's list: what `choose` takes and what a replay stores.
    pub index: usize,
    pub say: &'a str,
    pub move_kind: Move,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayError {
    /// The call has already ended.
    CallOver,
    /// The choice exists but its conditions do not hold now.
    NotOffered { index: usize },
    /// The node has no choice at that position.
    NoSuchChoice { index: usize, count: usize },
}

impl fmt::Display for PlayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlayError::CallOver => f.write_str("the call has already ended"),
            PlayError::NotOffered { index } => {
                write!(f, "choice {} is not offered right now", index + 1)
            }
            PlayError::NoSuchChoice { index, count } => {
                write!(
                    f,
                    "there is no choice {} here (there are {count})",
                    index + 1
                )
            }
        }
    }
}

impl std::error::Error for PlayError {}

/// One call being played.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Scenario,
    seed: u64,
    rng: ChaCha8Rng,
    core: Core,
    events: Vec<Event>,
    ending: Option<Ending>,
    choices_made: u32,
}

impl Session {
    /// Starts a call: the buyer's opening line is said, and the session waits for the rep (or
    /// has already ended, if the scenario runs straight to an ending).
    pub fn new(scenario: &Scenario, seed: u64) -> Session {
        let mut session = Session {
            scenario: scenario.clone(),
            seed,
            rng: session_rng(seed),
            core: Core::new(scenario),
            events: Vec::with_capacity(64),
            ending: None,
            choices_made: 0,
        };
        session.begin();
        session
    }

    /// Starts again with another seed, reusing this session's memory (for simulations).
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.rng = session_rng(seed);
        self.core.reset(&self.scenario);
        self.events.clear();
        self.ending = None;
        self.choices_made = 0;
        self.begin();
    }

    /// Plays a recorded list of choices (positions in each node's list) from the start.
    pub fn replay(
        scenario: &Scenario,
        seed: u64,
        choices: &[usize],
    ) -> Result<Session, (usize, PlayError)> {
        let mut session = Session::new(scenario, seed);
        for (turn, &choice) in choices.iter().enumerate() {
            session.choose(choice).map_err(|e| (turn, e))?;
        }
        Ok(session)
    }

    fn begin(&mut self) {
        let start = self.scenario.start;
        self.arrive(start);
    }

    fn arrive(&mut self, node: u32) {
        self.step_to(node);
        self.settle();
    }

    /// Follows the buyer's own turns (`next`, `chance`) until the rep is to choose or the call ends.
    fn settle(&mut self) {
        let limit = self.scenario.nodes.len();
        for _ in 0..=limit {
            let node = self.core.node;
            match &self.scenario.0.nodes[node as usize].way {
                Way::End(outcome) => {
                    self.ending = Some(Ending {
                        outcome: *outcome,
                        reason: EndReason::Ending,
                    });
                    return;
                }
                Way::Choices(range) => {
                    let s = &self.scenario;
                    if !s.choices[range_usize(range)]
                        .iter()
                        .any(|c| self.core.offers(s, c))
                    {
                        self.ending = Some(Ending {
                            outcome: Outcome::Continuation,
                            reason: EndReason::NothingToSay,
                        });
                    }
                    return;
                }
                Way::Next(to) => {
                    let to = *to;
                    self.step_to(to);
                }
                Way::Chance { branches, total } => {
                    let weights = &self.scenario.0.branches[range_usize(branches)];
                    let draw = self.rng.next_u32();
                    let picked = pick_branch(draw, weights.iter().map(|b| b.weight), *total);
                    let to = weights[picked].to;
                    self.events.push(Event::Chance {
                        node,
                        branch: picked as u32,
                    });
                    self.step_to(to);
                }
            }
        }
        self.ending = Some(Ending {
            outcome: Outcome::Continuation,
            reason: EndReason::BuyerLoop,
        });
    }

    /// The buyer says the node's line; what the line discloses is noted after it.
    fn step_to(&mut self, node: u32) {
        let Session {
            scenario,
            core,
            events,
            ..
        } = self;
        events.push(Event::Line { node });
        core.enter(scenario, node, &mut |fact| {
            events.push(Event::Revealed { fact })
        });
    }

    /// Takes the choice at `index` in the current node's list (see `Offer::index`).
    pub fn choose(&mut self, index: usize) -> Result<(), PlayError> {
        if self.ending.is_some() {
            return Err(PlayError::CallOver);
        }
        let node = self.core.node;
        let first = self.scenario.first_choice(node);
        let count = self.scenario.node_choices(node).len();
        if index >= count {
            return Err(PlayError::NoSuchChoice { index, count });
        }
        let choice = first + index as u32;
        if !self
            .core
            .offers(&self.scenario, &self.scenario.0.choices[choice as usize])
        {
            return Err(PlayError::NotOffered { index });
        }
        let Session {
            scenario,
            core,
            events,
            ..
        } = self;
        // The choice is logged before the facts it states, then given its after-effects.
        let choice_event = events.len();
        events.push(Event::Choice {
            node,
            choice,
            trust_after: 0,
            minutes_left_after: 0,
        });
        let destination = core.take(scenario, choice, &mut |fact| {
            events.push(Event::Revealed { fact })
        });
        if let Event::Choice {
            trust_after,
            minutes_left_after,
            ..
        } = &mut events[choice_event]
        {
            *trust_after = core.trust as u8;
            *minutes_left_after = core.minutes_left;
        }
        self.choices_made += 1;
        match destination {
            Destination::TimeUp => {
                self.ending = Some(Ending {
                    outcome: Outcome::Continuation,
                    reason: EndReason::OutOfTime,
                });
            }
            Destination::Arrive(to) => self.arrive(to),
        }
        Ok(())
    }

    /// Takes the `n`-th offered choice (0-based), as a menu numbered from 1 shows them.
    pub fn choose_offered(&mut self, n: usize) -> Result<(), PlayError> {
        let index = self.offered().nth(n).map(|o| o.index);
        match index {
            Some(index) => self.choose(index),
            None if self.ending.is_some() => Err(PlayError::CallOver),
            None => Err(PlayError::NoSuchChoice {
                index: n,
                count: self.offered().count(),
            }),
        }
    }

    /// The rep leaves the call before it ends.
    pub fn abandon(&mut self) {
        if self.ending.is_none() {
            self.ending = Some(Ending {
                outcome: Outcome::Continuation,
                reason: EndReason::Abandoned,
            });
        }
    }

    /// The choices offered now, with their conditions applied; none once the call is over.
    pub fn offered(&self) -> impl Iterator<Item = Offer<'_>> + '_ {
        let over = self.ending.is_some();
        let s = &self.scenario;
        s.node_choices(self.core.node)
            .iter()
            .enumerate()
            .filter(move |(_, c)| !over && self.core.offers(s, c))
            .map(|(index, c)| Offer {
                index,
                say: &c.say,
                move_kind: c.move_kind,
                minutes: c.minutes,
            })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn is_over(&self) -> bool {
        self.ending.is_some()
    }

    pub fn ending(&self) -> Option<Ending> {
        self.ending
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.ending.map(|e| e.outcome)
    }

    /// The id of the node the call is at.
    pub fn node_id(&self) -> &str {
        &self.scenario.nodes[self.core.node as usize].id
    }

    /// The buyer's latest line.
    pub fn buyer_line(&self) -> &str {
        &self.scenario.nodes[self.core.node as usize].line
    }

    pub fn trust(&self) -> u8 {
        self.core.trust as u8
    }

    /// Minutes left on the buyer's clock (never below zero).
    pub fn minutes_left(&self) -> u32 {
        self.core.minutes_left.max(0) as u32
    }

    pub fn minutes_used(&self) -> u32 {
        self.scenario.minutes - self.minutes_left()
    }

    pub fn choices_made(&self) -> usize {
        self.choices_made as usize
    }

    pub fn knows(&self, fact_id: &str) -> bool {
        self.scenario
            .facts
            .iter()
            .position(|f| f.id == fact_id)
            .is_some_and(|i| self.core.knows(i as u32))
    }

    /// The facts uncovered so far, in the order they came out: the rep's notebook.
    pub fn known_facts(&self) -> impl Iterator<Item = &FactData> + '_ {
        self.events.iter().filter_map(|e| match e {
            Event::Revealed { fact } => Some(&self.scenario.facts[*fact as usize]),
            _ => None,
        })
    }

    /// The positions of the choices made, in order: with the seed, all a replay needs.
    pub fn choice_indices(&self) -> Vec<usize> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Choice { node, choice, .. } => {
                    Some((choice - self.scenario.first_choice(*node)) as usize)
                }
                _ => None,
            })
            .collect()
    }

    /// The call so far.
    pub fn transcript(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        let s = &self.scenario;
        self.events.iter().map(move |event| match *event {
            Event::Line { node } => {
                let n = &s.nodes[node as usize];
                Entry::Buyer {
                    node_id: &n.id,
                    line: &n.line,
                }
            }
            Event::Chance { node, branch } => {
                let n = &s.nodes[node as usize];
                let to = match &n.way {
                    Way::Chance { branches, .. } => {
                        s.branches[branches.start as usize + branch as usize].to
                    }
                    _ => node,
                };
                Entry::Chance {
                    node_id: &n.id,
                    to: &s.nodes[to as usize].id,
                }
            }
            Event::Choice {
                node,
                choice,
                trust_after,
                minutes_left_after,
            } => {
                let c = &s.choices[choice as usize];
                Entry::Rep {
                    node_id: &s.nodes[node as usize].id,
                    index: (choice - s.first_choice(node)) as usize,
                    say: &c.say,
                    move_kind: c.move_kind,
                    note: c.note.as_deref(),
                    trust_after,
                    minutes_left_after,
                }
            }
            Event::Revealed { fact } => Entry::Revealed {
                fact: &s.facts[fact as usize],
            },
        })
    }

    /// The scores, once the call is over.
    pub fn scores(&self) -> Option<Scores> {
        let ending = self.ending?;
        Some(Scores::from_inputs(
            &self.core.score_inputs(&self.scenario, ending.outcome),
            &self.scenario.weights,
            self.scenario.pass_mark,
        ))
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    /// A uniformly random offered choice, picked with one 64-bit draw (for simulations).
    pub(crate) fn pick_random(&self, draw: u64) -> Option<usize> {
        if self.ending.is_some() {
            return None;
        }
        let s = &self.scenario;
        let choices = s.node_choices(self.core.node);
        let offered = choices.iter().filter(|c| self.core.offers(s, c)).count() as u64;
        if offered == 0 {
            return None;
        }
        let pick = ((u128::from(draw) * u128::from(offered)) >> 64) as usize;
        choices
            .iter()
            .enumerate()
            .filter(|(_, c)| self.core.offers(s, c))
            .nth(pick)
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_is_picked_in_proportion_to_its_weight_and_never_at_weight_zero() {
        let weights = [3u32, 0, 1];
        let mut counts = [0u32; 3];
        for i in 0..4000u32 {
            let draw = i.wrapping_mul(1_073_741); // spread over the u32 range
            counts[pick_branch(draw.wrapping_mul(1031), weights.iter().copied(), 4)] += 1;
        }
        assert_eq!(counts[1], 0, "a zero-weight branch is never taken");
        assert!(
            counts[0] > 2 * counts[2],
            "weight 3 beats weight 1: {counts:?}"
        );
        assert_eq!(pick_branch(0, weights.iter().copied(), 4), 0);
        assert_eq!(pick_branch(u32::MAX, weights.iter().copied(), 4), 2);
    }

    #[test]
    fn the_session_stream_is_pinned_so_upgrades_cannot_change_replays() {
        // If this fails, recorded sessions would replay differently: do not update the numbers,
        // restore the generator.
        let mut rng = session_rng(42);
        let draws = [rng.next_u32(), rng.next_u32(), rng.next_u32()];
        let mut again = session_rng(42);
        assert_eq!(
            draws,
            [again.next_u32(), again.next_u32(), again.next_u32()]
        );
        assert_eq!(draws, PINNED_DRAWS_FOR_SEED_42);
    }

    const PINNED_DRAWS_FOR_SEED_42: [u32; 3] = [2_278_103_804, 823_500_537, 3_021_377_537];
}
