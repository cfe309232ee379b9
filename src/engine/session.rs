//! `Session`: one call being played, the API that the window, the command line and the tests
//! drive. The same scenario revision, seed and choices always replay exactly.
//!
//! The choices of each node are offered in an order drawn from the session's seed (its order
//! stream), so their place on screen gives nothing away; records and replays name a choice by its
//! place in the file, which no shuffling changes. As each choice is taken, the session counts the
//! minutes it added to the fastest right call still open (velocity's measure), from the call's
//! yardstick.
//!
//! A step is cheap: facts and visited nodes are bit sets and the order a buffer, allocated once
//! per session; ids were resolved at load; offering or taking a choice allocates nothing (only
//! the transcript grows).

use crate::engine::format::{Move, Outcome};
use crate::engine::model::{FactData, Scenario, Way, range_usize};
use crate::engine::play::random::{
    order_rng, pick_branch, pick_wording, session_rng, shuffle, wording_rng,
};
use crate::engine::play::rules::{Core, Destination};
use crate::engine::score::Scores;
use crate::engine::search::Yardstick;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::fmt;
use std::sync::Arc;

mod playtest;
pub use playtest::PlaytestStart;

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
        /// The buyer's trust once the line was said (a node may change it).
        trust_after: u8,
        /// Which wording was said: 0 the line, 1 and up its variants.
        variant: u8,
    },
    Chance {
        node: u32,
        branch: u32,
    },
    Choice {
        node: u32,
        choice: u32,
        /// Its place among the offered choices as they were shown, from 0.
        shown: u8,
        /// Minutes it added to the fastest right call still open.
        wasted: u16,
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
    /// The buyer says a line (and the node may change the trust).
    Buyer {
        node_id: &'a str,
        line: &'a str,
        trust_after: u8,
    },
    /// The rep chose; `index` is the choice's position in the node's list, `shown` its place
    /// among the choices as they were offered on screen.
    Rep {
        node_id: &'a str,
        index: usize,
        shown: usize,
        say: &'a str,
        move_kind: Move,
        note: Option<&'a str>,
        /// Minutes it added to the fastest right call still open.
        wasted: u32,
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
    /// Its place among the offered choices as shown, from 0: what `choose_offered` takes.
    pub shown: usize,
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
    /// The chance stream: the buyer's luck.
    rng: ChaCha8Rng,
    /// The order stream: the order choices are offered in.
    order_rng: ChaCha8Rng,
    /// The wording stream: which variant of a line the buyer says (drawn only where a line has
    /// variants, and only in a session that keeps its transcript).
    wording_rng: ChaCha8Rng,
    /// Whether choices are shown shuffled; only the simulator, whose players pick by place in the
    /// file and whose sessions are never stored, turns it off to save the draws.
    shuffled: bool,
    /// Whether the transcript is kept; the simulator, which needs only the scores, does without.
    recording: bool,
    /// The current node's choices (positions in its list) in the order they are offered.
    order: Vec<u16>,
    /// Bit `i`: the current node's choice at position `i` is offered (worked out once on
    /// arrival: the state does not change until a choice is taken). Nodes with more than 64
    /// choices check their conditions each time instead.
    offered_mask: u64,
    /// Velocity's measure of each choice, when the call has one.
    yardstick: Option<Arc<Yardstick>>,
    /// For a call with no chance turns, the fastest right call's minutes: there, the minutes a
    /// path wastes add up to the minutes it used less these (each choice's waste is what it adds
    /// to the fastest right call still open, and without luck those additions telescope), so
    /// the simulator works them out once at the end instead of looking each choice up.
    fastest_without_luck: Option<u32>,
    /// Whether the call has chance turns (a call without never draws from `rng`).
    draws_chance: bool,
    core: Core,
    events: Vec<Event>,
    ending: Option<Ending>,
    choices_made: u32,
    /// A playtest's fixed chance turns: (chance node, branch taken there). Empty in a call.
    forced_chance: Vec<(u32, u32)>,
}

impl Session {
    /// Starts a call: the buyer's opening line is said, and the session waits for the rep (or
    /// has already ended, if the scenario runs straight to an ending).
    pub fn new(scenario: &Scenario, seed: u64) -> Session {
        let mut session = Session {
            scenario: scenario.clone(),
            seed,
            rng: session_rng(seed),
            order_rng: order_rng(seed),
            wording_rng: wording_rng(seed),
            shuffled: true,
            recording: true,
            offered_mask: 0,
            order: Vec::with_capacity(scenario.max_choices as usize),
            yardstick: Yardstick::of_call(scenario),
            fastest_without_luck: None,
            draws_chance: scenario.has_chance(),
            core: Core::new(scenario),
            events: Vec::with_capacity(64),
            ending: None,
            choices_made: 0,
            forced_chance: Vec::new(),
        };
        session.begin();
        session
    }

    /// A session for the simulator: choices are not shuffled (its players pick by place in the
    /// file, so the order would change nothing) and no transcript is kept, which saves the order
    /// stream's draws and the transcript's writes. Its scores are the same as a shown session's.
    pub fn for_simulation(scenario: &Scenario, seed: u64) -> Session {
        let mut session = Session::new(scenario, seed);
        session.shuffled = false;
        if !scenario.has_chance() {
            session.fastest_without_luck = session.yardstick.as_ref().and_then(|y| y.fastest_right);
        }
        session.recording = false;
        session.reset(seed);
        session
    }

    /// Counts each choice's wasted minutes as it is taken, as a shown session does: for players
    /// that look the state up in a search, whose states hold the minutes wasted so far.
    pub(crate) fn count_waste_per_choice(&mut self) {
        self.fastest_without_luck = None;
    }

    /// Starts again with another seed, reusing this session's memory (for simulations).
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        // A call without chance turns never draws: seeding its stream would be wasted.
        if self.draws_chance {
            self.rng = session_rng(seed);
        }
        if self.shuffled {
            self.order_rng = order_rng(seed);
        }
        if self.recording {
            self.wording_rng = wording_rng(seed);
        }
        self.core.reset(&self.scenario);
        self.events.clear();
        self.ending = None;
        self.choices_made = 0;
        self.begin();
    }

    /// Plays a recorded list of choices (positions in each node's list) from the start.
    /// Sessions recorded before choices were shuffled replay the same: the chance stream is
    /// apart from the order stream, and the positions are the file's.
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
                    let mut mask = 0u64;
                    let mut any = false;
                    for (position, c) in s.choices[range_usize(range)].iter().enumerate() {
                        if self.core.offers(s, c) {
                            any = true;
                            if position < 64 {
                                mask |= 1 << position;
                            }
                        }
                    }
                    self.offered_mask = mask;
                    if !any {
                        self.ending = Some(Ending {
                            outcome: Outcome::Continuation,
                            reason: EndReason::NothingToSay,
                        });
                        return;
                    }
                    // The order the choices are offered in, drawn on arrival (a simulation, which
                    // picks by place in the file and shows nothing, needs none).
                    if self.recording || self.shuffled {
                        self.order.clear();
                        self.order.extend(0..range.len() as u16);
                        if self.shuffled {
                            shuffle(&mut self.order, &mut self.order_rng);
                        }
                    }
                    return;
                }
                Way::Next(to) => {
                    let to = *to;
                    self.step_to(to);
                }
                Way::NextIf(branches) => {
                    let Some(to) = self.core.next_of(&self.scenario.0, branches) else {
                        // The checker keeps the last branch unconditional; a call compiled
                        // without it ends here rather than going nowhere.
                        self.ending = Some(Ending {
                            outcome: Outcome::Continuation,
                            reason: EndReason::NothingToSay,
                        });
                        return;
                    };
                    self.step_to(to);
                }
                Way::Chance { branches, .. } => {
                    let s = &self.scenario.0;
                    let weights = &s.branches[range_usize(branches)];
                    // Only the branches whose conditions hold are in the draw; without
                    // conditions this is every branch, so a replay draws as it always did.
                    let total = self.core.chance_total(s, branches);
                    let draw = self.rng.next_u32();
                    let forced = self.forced_chance.iter().find(|(at, _)| *at == node);
                    let picked = match forced {
                        Some(&(_, branch)) => branch as usize,
                        None if total == 0 => {
                            self.ending = Some(Ending {
                                outcome: Outcome::Continuation,
                                reason: EndReason::NothingToSay,
                            });
                            return;
                        }
                        None => pick_branch(
                            draw,
                            weights.iter().map(|b| self.core.chance_weight(s, b)),
                            total,
                        ),
                    };
                    let to = weights[picked].to;
                    if self.recording {
                        self.events.push(Event::Chance {
                            node,
                            branch: picked as u32,
                        });
                    }
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
            recording,
            wording_rng,
            ..
        } = self;
        if !*recording {
            core.enter(scenario, node, &mut |_| {});
            return;
        }
        let variants = scenario.nodes[node as usize].variants.len();
        let variant = if variants == 0 {
            0
        } else {
            pick_wording(variants, wording_rng)
        };
        let line = events.len();
        events.push(Event::Line {
            node,
            trust_after: 0,
            variant,
        });
        core.enter(scenario, node, &mut |fact| {
            events.push(Event::Revealed { fact })
        });
        if let Event::Line { trust_after, .. } = &mut events[line] {
            *trust_after = core.trust.clamp(0, 100) as u8;
        }
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
        if !self.is_offered(index) {
            return Err(PlayError::NotOffered { index });
        }
        let shown = if self.shuffled {
            self.shown_place(index)
        } else {
            0
        };
        let Session {
            scenario,
            core,
            events,
            yardstick,
            recording,
            ..
        } = self;
        if !*recording {
            // Without luck the waste is worked out at the end (see `fastest_without_luck`).
            if self.fastest_without_luck.is_none()
                && let Some(y) = yardstick
            {
                core.waste(y.waste(core, index));
            }
            let destination = core.take(scenario, choice, &mut |_| {});
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
            return Ok(());
        }
        // The choice is logged before the facts it states, then given its after-effects.
        let wasted = match yardstick {
            Some(y) => y.waste(core, index),
            _ => 0,
        };
        core.waste(wasted);
        let choice_event = events.len();
        events.push(Event::Choice {
            node,
            choice,
            shown,
            wasted: wasted.min(u32::from(u16::MAX)) as u16,
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

    /// Whether the current node's choice at `index` is offered now.
    #[inline]
    fn is_offered(&self, index: usize) -> bool {
        if index < 64 && self.scenario.node_choices(self.core.node).len() <= 64 {
            self.offered_mask & (1 << index) != 0
        } else {
            let choice = self.scenario.first_choice(self.core.node) as usize + index;
            self.core
                .offers(&self.scenario, &self.scenario.0.choices[choice])
        }
    }

    /// Where the choice at `index` stands among the offered choices as shown.
    fn shown_place(&self, index: usize) -> u8 {
        self.offered()
            .position(|o| o.index == index)
            .unwrap_or(0)
            .min(255) as u8
    }

    /// Takes the `n`-th offered choice (0-based) in the order shown, as a menu numbered from 1
    /// shows them.
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

    /// The offered choice a typed answer names: its number as shown (from 1), or, for scripts
    /// that must not depend on the order a seed shows, its stable id such as `open/2`.
    pub fn offer_for_answer(&self, answer: &str) -> Option<Offer<'_>> {
        let answer = answer.trim();
        if let Ok(n) = answer.parse::<usize>() {
            return n.checked_sub(1).and_then(|n| self.offered().nth(n));
        }
        let index = self.scenario.choice_position(self.node_id(), answer)?;
        self.offered().find(|o| o.index == index)
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

    /// The choices offered now, with their conditions applied, in the order they are shown;
    /// none once the call is over.
    pub fn offered(&self) -> impl Iterator<Item = Offer<'_>> + '_ {
        let over = self.ending.is_some();
        let choices = self.scenario.node_choices(self.core.node);
        let order: &[u16] = if over { &[] } else { &self.order };
        order
            .iter()
            .map(move |&index| (index as usize, &choices[index as usize]))
            .filter(move |(index, _)| self.is_offered(*index))
            .enumerate()
            .map(|(shown, (index, c))| Offer {
                index,
                shown,
                say: &c.say,
                move_kind: c.move_kind,
                minutes: c.minutes,
            })
    }

    /// The minutes the choices so far added to the fastest right call still open.
    pub fn wasted_minutes(&self) -> u32 {
        match self.fastest_without_luck {
            Some(fastest) if !self.recording => self
                .core
                .minutes_used(&self.scenario)
                .saturating_sub(fastest),
            _ => u32::from(self.core.wasted),
        }
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

    /// The buyer's latest line, in the wording said.
    pub fn buyer_line(&self) -> &str {
        let node = &self.scenario.nodes[self.core.node as usize];
        let variant = self
            .events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::Line {
                    node: n, variant, ..
                } if *n == self.core.node => Some(*variant),
                _ => None,
            })
            .unwrap_or(0);
        node.said(variant)
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

    /// The facts known so far, in the order they came out: the rep's notebook. A campaign's
    /// call starts with the facts carried in from earlier calls, first.
    pub fn known_facts(&self) -> impl Iterator<Item = &FactData> + '_ {
        let carried = self
            .scenario
            .known_at_start
            .iter()
            .map(|&fact| &self.scenario.facts[fact as usize]);
        carried.chain(self.events.iter().filter_map(|e| match e {
            Event::Revealed { fact } => Some(&self.scenario.facts[*fact as usize]),
            _ => None,
        }))
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
            Event::Line {
                node,
                trust_after,
                variant,
            } => {
                let n = &s.nodes[node as usize];
                Entry::Buyer {
                    node_id: &n.id,
                    line: n.said(variant),
                    trust_after,
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
                shown,
                wasted,
                trust_after,
                minutes_left_after,
            } => {
                let c = &s.choices[choice as usize];
                Entry::Rep {
                    node_id: &s.nodes[node as usize].id,
                    index: (choice - s.first_choice(node)) as usize,
                    shown: usize::from(shown),
                    say: &c.say,
                    move_kind: c.move_kind,
                    note: c.note.as_deref(),
                    wasted: u32::from(wasted),
                    trust_after,
                    minutes_left_after,
                }
            }
            Event::Revealed { fact } => Entry::Revealed {
                fact: &s.facts[fact as usize],
            },
        })
    }

    /// The scores, once the call is over. A call the rep left is not scored: it did not end,
    /// and scoring what was said before leaving would praise a call never made.
    pub fn scores(&self) -> Option<Scores> {
        let ending = self.ending?;
        if ending.reason == EndReason::Abandoned {
            return None;
        }
        let mut inputs = self.core.score_inputs(&self.scenario, ending.outcome);
        inputs.wasted_minutes = self.wasted_minutes();
        Some(Scores::from_inputs(
            &inputs,
            &self.scenario.weights,
            self.scenario.pass_mark,
        ))
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    /// A uniformly random offered choice, picked with one 64-bit draw (for simulations).
    pub fn pick_random(&self, draw: u64) -> Option<usize> {
        if self.ending.is_some() {
            return None;
        }
        let choices = self.scenario.node_choices(self.core.node);
        if choices.len() <= 64 {
            // The offered choices are the set bits: pick the `pick`-th.
            let offered = self.offered_mask.count_ones();
            if offered == 0 {
                return None;
            }
            let pick = ((u128::from(draw) * u128::from(offered)) >> 64) as u32;
            let mut mask = self.offered_mask;
            for _ in 0..pick {
                mask &= mask - 1;
            }
            return Some(mask.trailing_zeros() as usize);
        }
        let s = &self.scenario;
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
