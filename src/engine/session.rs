//! `Session`: one call being played, the API that the window, the command line and the tests
//! drive. The same scenario revision, seed and choices always replay exactly.
//!
//! A step is cheap: facts and visited nodes are bit sets allocated once per session, ids were
//! resolved at load, and offering or taking a choice allocates nothing (only the transcript grows).

use crate::engine::format::{Move, Outcome};
use crate::engine::model::{FactData, Scenario, Way, range_usize};
use crate::engine::play::random::{pick_branch, session_rng};
use crate::engine::play::rules::{Core, Destination};
use crate::engine::score::Scores;
use rand_chacha::ChaCha8Rng;
use rand_core::Rng;
use std::fmt;

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
