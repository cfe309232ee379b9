//! The buyer's own turns (`next` and `chance`), followed from a node just entered to where the
//! rep is next to choose or the call ends. Breadth first, a step at a time, with identical
//! states merged: 30 chance turns in a row are 30 steps of a few states each, not 2^30 paths,
//! and a chain of 100,000 `next` nodes is a loop, not a recursion 100,000 calls deep.

use super::TooManyStates;
use crate::engine::format::Outcome;
use crate::engine::model::{ScenarioData, Way, range_usize};
use crate::engine::play::rules::Core;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// A chance turn taken: the chance node and the node its branch leads to.
type ChanceTaken = Option<(u32, u32)>;

/// Where a path of buyer turns stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Stop {
    /// The rep is to choose.
    Decision,
    /// The call ends, with this outcome (a chance turn with no branch to take, or buyer turns
    /// that go on longer than the call has nodes, end it as a `Continuation`).
    End(Outcome),
}

/// One place the buyer's turns lead to, with its probability among them.
#[derive(Debug, Clone)]
pub(crate) struct Arrival {
    pub core: Core,
    pub probability: f64,
    pub stop: Stop,
    /// The last chance turn taken on the way (`node`, `to`), when asked for.
    pub chance: Option<(u32, u32)>,
}

/// Distinct states the buyer's turns may spread into at one step before the search gives up:
/// beyond this a call is too large to measure (each chance turn that reveals a different fact
/// doubles the states, and those are genuinely different calls).
pub(crate) const MOST_SPREAD: usize = 100_000;

/// States a search may step through in buyer turns, in all: with the cap on decision states,
/// this bounds the time any file under the size limit can take to measure.
pub(crate) const MOST_STEPS: u64 = 50_000_000;

/// Follows the buyer's turns from `core` (a node just entered) to every place they lead.
/// `track_chance` keeps the last chance turn of each arrival (and keeps apart arrivals that
/// differ only in it).
/// `steps_left` is shared by every call of one search; each state stepped through takes one.
pub(crate) fn follow(
    s: &ScenarioData,
    core: Core,
    track_chance: bool,
    steps_left: &AtomicU64,
) -> Result<Vec<Arrival>, TooManyStates> {
    // Paths of different lengths arrive at the same state at different steps: merged too.
    let mut arrivals = Arrivals::default();
    let mut frontier = Spread::default();
    frontier.add(core, None, 1.0);
    // A checked call has no loop of buyer turns (E0016); this bounds one that was not checked.
    for _ in 0..=s.nodes.len() {
        if frontier.states.is_empty() {
            return Ok(arrivals.list);
        }
        let mut next = Spread::default();
        let stepped = frontier.states.len() as u64;
        if steps_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(stepped)
            })
            .is_err()
        {
            return Err(TooManyStates { cap: MOST_SPREAD });
        }
        for ((core, chance), probability) in frontier.states.drain(..) {
            match &s.nodes[core.node as usize].way {
                Way::End(outcome) => arrivals.add(core, chance, Stop::End(*outcome), probability),
                Way::Choices(_) => arrivals.add(core, chance, Stop::Decision, probability),
                Way::Next(to) => {
                    let mut after = core;
                    after.enter(s, *to, &mut |_| {});
                    next.add(after, chance, probability);
                }
                Way::NextIf(branches) => match core.next_of(s, branches) {
                    Some(to) => {
                        let mut after = core;
                        after.enter(s, to, &mut |_| {});
                        next.add(after, chance, probability);
                    }
                    None => {
                        let stop = Stop::End(Outcome::Continuation);
                        arrivals.add(core, chance, stop, probability);
                    }
                },
                Way::Chance {
                    branches,
                    total,
                    conditional,
                } => {
                    // Only the branches whose conditions hold are in the draw (most chance
                    // turns have no conditions: their weights are read as they are).
                    let total = if *conditional {
                        core.chance_total(s, branches)
                    } else {
                        *total
                    };
                    let mut any = false;
                    for branch in &s.branches[range_usize(branches)] {
                        let weight = if *conditional {
                            core.chance_weight(s, branch)
                        } else {
                            branch.weight
                        };
                        if weight == 0 {
                            continue;
                        }
                        any = true;
                        let mut after = core.clone();
                        after.enter(s, branch.to, &mut |_| {});
                        let taken = track_chance.then_some((core.node, branch.to));
                        let share = f64::from(weight) / f64::from(total);
                        next.add(after, taken, probability * share);
                    }
                    if !any {
                        let stop = Stop::End(Outcome::Continuation);
                        arrivals.add(core, chance, stop, probability);
                    }
                }
            }
            if next.states.len() > MOST_SPREAD {
                return Err(TooManyStates { cap: MOST_SPREAD });
            }
        }
        frontier = next;
    }
    // Still going after as many steps as the call has nodes: the buyer goes round in circles.
    for ((core, chance), probability) in frontier.states {
        arrivals.add(core, chance, Stop::End(Outcome::Continuation), probability);
    }
    Ok(arrivals.list)
}

/// The arrivals so far, each distinct one once, in the order first reached.
#[derive(Default)]
struct Arrivals {
    list: Vec<Arrival>,
    index: FxHashMap<(Core, ChanceTaken, Stop), usize>,
}

impl Arrivals {
    fn add(&mut self, core: Core, chance: ChanceTaken, stop: Stop, probability: f64) {
        let key = (core, chance, stop);
        match self.index.get(&key) {
            Some(&at) => self.list[at].probability += probability,
            None => {
                self.index.insert(key.clone(), self.list.len());
                self.list.push(Arrival {
                    core: key.0,
                    probability,
                    stop,
                    chance,
                });
            }
        }
    }
}

/// The states of one step, in the order first reached (so that sums come out the same every
/// run), each with its probability.
#[derive(Default)]
struct Spread {
    states: Vec<((Core, ChanceTaken), f64)>,
    index: FxHashMap<(Core, ChanceTaken), usize>,
}

impl Spread {
    fn add(&mut self, core: Core, chance: ChanceTaken, probability: f64) {
        let key = (core, chance);
        match self.index.get(&key) {
            Some(&at) => self.states[at].1 += probability,
            None => {
                self.index.insert(key.clone(), self.states.len());
                self.states.push((key, probability));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceFile, check_source};

    fn chain(chances: usize, nexts: usize) -> crate::Scenario {
        let mut nodes = vec![
            r#""open": (line: "Hi.", choices: [(say: "Go on.", move: Situation, to: "c0", note: "n")]),"#
                .to_string(),
        ];
        for i in 0..chances {
            nodes.push(format!(
                r#""c{i}": (line: "C.", chance: [(weight: 1, to: "c{}"), (weight: 3, to: "d{i}")]),"#,
                i + 1
            ));
            nodes.push(format!(r#""d{i}": (line: "D.", next: "c{}"),"#, i + 1));
        }
        nodes.push(format!(r#""c{chances}": (line: "N.", next: "n0"),"#));
        for i in 0..nexts {
            nodes.push(format!(r#""n{i}": (line: "N.", next: "n{}"),"#, i + 1));
        }
        nodes.push(format!(r#""n{nexts}": (line: "Bye.", end: Advance),"#));
        let text = format!(
            r#"Scenario(id: "chain", title: "t", brief: "b", difficulty: Beginner, tags: [], minutes: 60,
    buyer: (name: "B", role: "R", company: "C", persona: "p", trust: 40),
    deal: (winnable: true, value: 1), facts: {{}}, start: "open",
    nodes: {{ {} }})"#,
            nodes.join("\n")
        );
        check_source(&SourceFile::from_text("chain.scenario.ron", text))
            .scenario
            .expect("the chain checks")
    }

    #[test]
    fn a_long_chain_of_chance_turns_merges_into_one_arrival() {
        let scenario = chain(40, 0);
        let mut core = Core::new(&scenario);
        let c0 = scenario.node_index("c0").unwrap();
        core.enter(&scenario, c0, &mut |_| {});
        let arrivals = follow(&scenario, core, false, &AtomicU64::new(MOST_STEPS)).unwrap();
        assert_eq!(arrivals.len(), 1, "2^40 paths, one state");
        assert!((arrivals[0].probability - 1.0).abs() < 1e-12);
        assert_eq!(arrivals[0].stop, Stop::End(Outcome::Advance));
    }

    #[test]
    fn a_chain_of_next_turns_deeper_than_any_stack_is_a_loop() {
        // Run on a small stack, as a worker thread has: recursion would overflow it.
        let scenario = chain(0, 200_000);
        let outcome = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut core = Core::new(&scenario);
                let c0 = scenario.node_index("c0").unwrap();
                core.enter(&scenario, c0, &mut |_| {});
                follow(&scenario, core, false, &AtomicU64::new(MOST_STEPS)).unwrap()[0].stop
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(outcome, Stop::End(Outcome::Advance));
    }
}
