//! Velocity's yardstick: for every state a call can be in, the fewest minutes to a right call
//! still open (every chance turn ahead falling the rep's way), and how many minutes each choice
//! adds to it. Worked out once per call by the fastest-right search, kept with the call, and
//! shared by all its sessions, which look up a choice's wasted minutes as they play.
//!
//! The same exploration says what the call's conditions allow: which choices some path offers,
//! and which nodes some path reaches (the checker reports the rest at their gates).

use super::Objective;
use super::memo::Key;
use super::relevance::Relevance;
use super::solver::Solver;
use crate::engine::model::{ScenarioData, Way, range_usize};
use crate::engine::play::rules::{Core, Destination};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Marks a choice after which no right call is possible any more.
pub(crate) const NO_RIGHT_CALL: u16 = u16::MAX;

impl std::fmt::Debug for Yardstick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Yardstick")
            .field("states", &self.states)
            .field("fastest_right", &self.fastest_right)
            .finish()
    }
}

pub(crate) struct Yardstick {
    relevance: Relevance,
    /// Per state (its fastest-right key), per choice position: the minutes that choice wastes,
    /// `NO_RIGHT_CALL` when it rules out a right call, 0 for a choice not offered there.
    waste: FxHashMap<Key, Box<[u16]>>,
    /// The same, for a call whose conditions look at no facts or visits: a flat table indexed by
    /// node, trust and minutes left, so that a session's lookup is an index, not a hash (this is
    /// most calls, and the simulator does a lookup per choice).
    dense: Option<Dense>,
    /// The fewest minutes to a right call from the first line (`None`: no right call at all).
    pub fastest_right: Option<u32>,
    /// Per choice (global index): whether some path offers it.
    pub offered: Vec<bool>,
    /// Per node: whether some path reaches it.
    pub reached: Vec<bool>,
    /// Per buyer's branch (global index): whether some path takes it (`next`) or has it in
    /// the draw (`chance`).
    pub opened: Vec<bool>,
    pub states: usize,
}

impl Yardstick {
    /// Works out the yardstick of a call, with at most `cap` states.
    pub(crate) fn of(s: &ScenarioData, cap: usize) -> Result<Yardstick, super::TooManyStates> {
        let mut solver = Solver::with_cap(s, Objective::FastestRight, cap);
        let fastest = solver.value_from_start()?;
        let mut waste = FxHashMap::default();
        let mut offered = vec![false; s.choices.len()];
        let mut reached = vec![false; s.nodes.len()];
        let mut opened = vec![false; s.branches.len()];
        // The opening's buyer-only turns, before the first decision.
        let mut start = Core::new(s);
        start.enter(s, s.start, &mut |_| {});
        mark_buyer_turns(s, start, &mut reached, &mut opened);
        for layer in &solver.memo.layers {
            for key in layer.keys() {
                let core = key.core();
                let Some(decision) = solver.lookup(&core) else {
                    continue;
                };
                reached[core.node as usize] = true;
                let first = s.first_choice(core.node);
                let choices = s.node_choices(core.node);
                let mut row = vec![0u16; choices.len()];
                for (position, choice) in choices.iter().enumerate() {
                    if !core.offers(s, choice) {
                        continue;
                    }
                    offered[(first as usize) + position] = true;
                    let after = solver.after_choice(&core, position);
                    row[position] = if !after.is_finite() {
                        NO_RIGHT_CALL
                    } else if decision.value.is_finite() {
                        (after - decision.value).round().clamp(0.0, 600.0) as u16
                    } else {
                        0
                    };
                    let mut next = core.clone();
                    if let Destination::Arrive(to) =
                        next.take(s, first + position as u32, &mut |_| {})
                    {
                        next.enter(s, to, &mut |_| {});
                        mark_buyer_turns(s, next, &mut reached, &mut opened);
                    } else {
                        reached[choice.to as usize] = true;
                    }
                }
                waste.insert(key.clone(), row.into_boxed_slice());
            }
        }
        let relevance = Relevance::of(s, Objective::FastestRight);
        let dense = Dense::of(s, &relevance, &waste);
        Ok(Yardstick {
            states: waste.len(),
            relevance,
            dense,
            waste,
            fastest_right: fastest.is_finite().then(|| fastest.round() as u32),
            offered,
            reached,
            opened,
        })
    }

    /// The minutes the choice at `position` wastes from `core`: what it adds to the fastest
    /// right call still open. 0 when the state is unknown (a call too large to measure).
    pub(crate) fn waste(&self, core: &Core, position: usize) -> u32 {
        let found = match &self.dense {
            Some(dense) => dense.row(core).and_then(|row| row.get(position)),
            None => {
                let (key, _) = self.relevance.key(core);
                self.waste.get(&key).and_then(|row| row.get(position))
            }
        };
        match found {
            Some(&NO_RIGHT_CALL) | None => 0,
            Some(&minutes) => u32::from(minutes),
        }
    }

    /// The lowest and highest trust any path has at a decision node, when trust matters to the
    /// call's conditions (it is tracked only then).
    pub(crate) fn trust_range(&self, node: u32) -> Option<(u8, u8)> {
        if !self.relevance.trust {
            return None;
        }
        self.waste
            .keys()
            .map(Key::core)
            .filter(|core| core.node == node)
            .map(|core| core.trust.clamp(0, 100) as u8)
            .fold(None, |range, trust| match range {
                None => Some((trust, trust)),
                Some((low, high)) => Some((low.min(trust), high.max(trust))),
            })
    }

    /// Whether some path knows `fact` at a decision node (facts a condition names are tracked).
    pub(crate) fn known_somewhere(&self, node: u32, fact: u32) -> bool {
        self.waste
            .keys()
            .map(Key::core)
            .any(|core| core.node == node && core.knows(fact))
    }

    /// The yardstick kept with a call, worked out now (within the search's default cap) if
    /// the checker left it for later; `None` for a call too large to measure, whose velocity
    /// then counts no waste.
    pub(crate) fn of_call(s: &ScenarioData) -> Option<Arc<Yardstick>> {
        s.derived
            .0
            .get_or_init(|| {
                let worked_out = Yardstick::of(s, super::DEFAULT_STATE_CAP)
                    .ok()
                    .map(Arc::new);
                Arc::new(worked_out)
            })
            .downcast_ref::<Option<Arc<Yardstick>>>()
            .cloned()
            .flatten()
    }

    /// The yardstick kept with the call, if it was already worked out (never works it out).
    pub(crate) fn kept(s: &ScenarioData) -> Option<Arc<Yardstick>> {
        s.derived
            .0
            .get()?
            .downcast_ref::<Option<Arc<Yardstick>>>()
            .cloned()
            .flatten()
    }

    /// Keeps the yardstick with the call (once).
    pub(crate) fn keep(self, s: &ScenarioData) {
        let _ = s.derived.0.set(Arc::new(Some(Arc::new(self))));
    }
}

/// The yardstick as a flat table, for calls whose keys hold few facts and visits (most calls):
/// indexed by node, trust, the few bits and minutes left.
struct Dense {
    trusts: usize,
    minutes: usize,
    /// The state bits any key keeps (facts a condition asks about, visited nodes), at most
    /// `DENSE_BITS` of them.
    bits: Vec<usize>,
    /// Per node, which of `bits` its keys keep.
    kept: Vec<u16>,
    /// Per (node, trust, bits, minutes left): where the state's row starts in `rows`, or
    /// `u32::MAX`.
    starts: Vec<u32>,
    rows: Vec<u16>,
    /// Each node's number of choices.
    widths: Vec<u16>,
}

/// The largest flat table worth keeping (entries of 4 bytes), and the most state bits it takes.
const DENSE_MOST: usize = 4_000_000;
const DENSE_BITS: usize = 10;

impl Dense {
    fn of(
        s: &ScenarioData,
        relevance: &Relevance,
        waste: &FxHashMap<Key, Box<[u16]>>,
    ) -> Option<Dense> {
        if relevance.tally || relevance.wasted {
            return None;
        }
        let masks = relevance.per_node.as_ref()?;
        let words = masks.first().map_or(0, |m| m.len());
        let mut union = vec![0u64; words];
        for mask in masks {
            for (u, m) in union.iter_mut().zip(mask.iter()) {
                *u |= m;
            }
        }
        let bits: Vec<usize> = (0..words * 64)
            .filter(|&b| union[b / 64] & (1 << (b % 64)) != 0)
            .collect();
        if bits.len() > DENSE_BITS {
            return None;
        }
        let kept = masks
            .iter()
            .map(|mask| {
                bits.iter()
                    .enumerate()
                    .filter(|(_, b)| mask[*b / 64] & (1 << (*b % 64)) != 0)
                    .fold(0u16, |acc, (i, _)| acc | 1 << i)
            })
            .collect();
        let trusts = if relevance.trust { 101 } else { 1 };
        let minutes = s.minutes as usize + 1;
        let size = s
            .nodes
            .len()
            .checked_mul(trusts)?
            .checked_mul(1 << bits.len())?
            .checked_mul(minutes)?;
        if size > DENSE_MOST {
            return None;
        }
        let mut dense = Dense {
            trusts,
            minutes,
            bits,
            kept,
            starts: vec![u32::MAX; size],
            rows: Vec::new(),
            widths: (0..s.nodes.len())
                .map(|n| s.node_choices(n as u32).len() as u16)
                .collect(),
        };
        for (key, row) in waste {
            let index = dense.index(&key.core())?;
            dense.starts[index] = dense.rows.len() as u32;
            dense.rows.extend_from_slice(row);
        }
        Some(dense)
    }

    fn index(&self, core: &Core) -> Option<usize> {
        let trust = if self.trusts == 1 {
            0
        } else {
            core.trust.clamp(0, 100) as usize
        };
        let minutes = usize::try_from(core.minutes_left).ok()?;
        if minutes >= self.minutes {
            return None;
        }
        let kept = *self.kept.get(core.node as usize)?;
        let mut state = 0usize;
        for (i, &bit) in self.bits.iter().enumerate() {
            if kept & (1 << i) != 0 && core.bits[bit / 64] & (1 << (bit % 64)) != 0 {
                state |= 1 << i;
            }
        }
        let node = core.node as usize;
        Some((((node * self.trusts + trust) << self.bits.len()) + state) * self.minutes + minutes)
    }

    fn row(&self, core: &Core) -> Option<&[u16]> {
        let start = *self.starts.get(self.index(core)?)?;
        if start == u32::MAX {
            return None;
        }
        let width = usize::from(self.widths[core.node as usize]);
        self.rows.get(start as usize..start as usize + width)
    }
}

/// Marks every node the buyer's own turns reach from a node just entered (every chance branch
/// open there), and the branches taken.
fn mark_buyer_turns(s: &ScenarioData, core: Core, reached: &mut [bool], opened: &mut [bool]) {
    let mut pending = vec![core];
    let mut steps = 0;
    while let Some(core) = pending.pop() {
        steps += 1;
        if steps > 4 * s.nodes.len() + 16 {
            return;
        }
        // A buyer's turn already followed leads the same way again, unless its branches have
        // conditions: then another state may open another branch.
        if reached[core.node as usize]
            && !matches!(s.nodes[core.node as usize].way, Way::Choices(_))
            && !s.branches_have_conditions(core.node)
        {
            continue;
        }
        reached[core.node as usize] = true;
        match &s.nodes[core.node as usize].way {
            Way::End(_) | Way::Choices(_) => {}
            Way::Next(to) => {
                let mut next = core;
                next.enter(s, *to, &mut |_| {});
                pending.push(next);
            }
            Way::NextIf(branches) => {
                let open = range_usize(branches).find(|&b| core.opens(s, &s.branches[b]));
                if let Some(b) = open {
                    opened[b] = true;
                    let mut next = core;
                    next.enter(s, s.branches[b].to, &mut |_| {});
                    pending.push(next);
                }
            }
            Way::Chance { branches, .. } => {
                for (b, branch) in range_usize(branches).zip(&s.branches[range_usize(branches)]) {
                    if core.chance_weight(s, branch) > 0 {
                        opened[b] = true;
                        let mut next = core.clone();
                        next.enter(s, branch.to, &mut |_| {});
                        pending.push(next);
                    }
                }
            }
        }
    }
}
