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

use crate::engine::model::ScenarioData;

mod memo;
mod relevance;
mod solver;

pub(crate) use solver::Solver;

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
    use crate::engine::format::Outcome;
    use crate::engine::model::{Way, range_usize};
    use crate::engine::play::rules::{Core, Destination};
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
            .map(|path| crate::engine::format::load::read_source(path).unwrap())
            .collect();
        for nodes in [40, 100] {
            for winnable in [true, false] {
                let shape = crate::engine::generate::Shape {
                    winnable,
                    ..crate::engine::generate::Shape::with_nodes(nodes)
                };
                sources.push(SourceFile::from_text(
                    "generated.scenario.ron",
                    crate::engine::generate::scenario(&shape),
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
