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

mod buyer_turns;
mod memo;
mod outcomes;
mod relevance;
mod solver;
mod yardstick;

pub use outcomes::{EndingShare, Endings, FirstMistake, Player};
pub(crate) use solver::Solver;
pub(crate) use yardstick::Yardstick;

/// What the search optimises, and how it treats the buyer's chance turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The best expected overall score: the rep maximises, chance is averaged by weight.
    ExpectedScore,
    /// The highest overall score any path can reach (every branch in the rep's favour).
    HighestScore,
    /// The lowest overall score any path can reach.
    LowestScore,
    /// The highest overall score of a path that ends with the right call (the best score that
    /// can pass; every branch in the rep's favour).
    HighestRightCall,
    /// The expected overall score of a rep choosing at random among the offered choices (chance
    /// averaged): the floor a call's difficulty is measured from.
    RandomPlay,
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

/// What counts as leaving the best path: a choice that gives up at least this many points of the
/// best expected overall score. About what one average qualifying fact or one wasted minute is
/// worth: below it, choices differ in taste, not in quality, and a textbook move that is a point
/// behind the best is not a mistake.
pub const MEANINGFUL_LOSS: f64 = 2.0;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub value: f64,
    /// Bit `i` set: the choice at position `i` is within `MEANINGFUL_LOSS` of the best (first 64
    /// only).
    pub good: u64,
    /// Position of the best choice in the node's list.
    pub best: u32,
}

/// Works out velocity's yardstick for a call and keeps it with the call, so that every session
/// of it measures waste the same way. The fewest minutes to a right call comes back (`None`
/// when no path that respects the conditions gets there).
pub(crate) fn prepare(s: &ScenarioData, cap: usize) -> Result<Option<u32>, TooManyStates> {
    let yardstick = Yardstick::of(s, cap)?;
    let fastest = yardstick.fastest_right;
    yardstick.keep(s);
    Ok(fastest)
}

/// The best expected overall score of a call and how many decision states the search needed:
/// the work behind every best path, for benchmarks and tools.
pub fn solve(scenario: &crate::Scenario) -> Result<(f64, usize), TooManyStates> {
    let mut solver = Solver::new(scenario, Objective::ExpectedScore);
    let value = solver.value_from_start()?;
    Ok((value, solver.states()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::format::Outcome;
    use crate::engine::model::ScenarioData;
    use crate::engine::model::{Way, range_usize};
    use crate::engine::play::rules::{Core, Destination};
    use crate::{SourceFile, check_source};

    pub(crate) fn scenarios() -> Vec<crate::Scenario> {
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
    /// no facts left out of keys, nothing shared with the solver but the scoring of an ending
    /// and velocity's yardstick (which `the_yardstick_agrees_with_plain_recursion` checks).
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
        let mut values = Vec::new();
        for (position, choice) in s.node_choices(core.node).iter().enumerate() {
            if !core.offers(s, choice) {
                continue;
            }
            let index = s.first_choice(core.node) + position as u32;
            let mut next = core.clone();
            if let Some(yardstick) = &solver.yardstick {
                next.waste(yardstick.waste(core, position));
            }
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
            values.push(value);
            best = Some(match best {
                None => value,
                Some(b) if solver.maximising() => b.max(value),
                Some(b) => b.min(value),
            });
        }
        if solver.objective == Objective::RandomPlay && !values.is_empty() {
            best = Some(values.iter().sum::<f64>() / values.len() as f64);
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
            Way::NextIf(branches) => match core.next_of(s, branches) {
                Some(to) => {
                    let mut next = core;
                    next.enter(s, to, &mut |_| {});
                    follow(solver, next, memo)
                }
                None => solver.terminal(&core, Outcome::Continuation),
            },
            Way::Chance { branches, .. } => {
                let total = core.chance_total(s, branches);
                if total == 0 {
                    return solver.terminal(&core, Outcome::Continuation);
                }
                let values: Vec<(f64, u32)> = s.branches[range_usize(branches)]
                    .iter()
                    .filter(|branch| core.chance_weight(s, branch) > 0)
                    .map(|branch| {
                        let mut next = core.clone();
                        next.enter(s, branch.to, &mut |_| {});
                        (follow(solver, next, memo), branch.weight)
                    })
                    .collect();
                let favourable = |a: f64, b: f64| match solver.objective {
                    Objective::HighestScore | Objective::HighestRightCall => a.max(b),
                    _ => a.min(b),
                };
                match solver.objective {
                    Objective::ExpectedScore | Objective::RandomPlay => values
                        .iter()
                        .map(|(v, w)| v * f64::from(*w) / f64::from(total))
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
                Objective::HighestRightCall,
                Objective::RandomPlay,
                Objective::FastestRight,
            ] {
                let mut solver = Solver::new(&scenario, objective);
                let value = solver.value_from_start().unwrap();
                let mut memo = std::collections::HashMap::new();
                let mut start = Core::new(&scenario);
                start.enter(&scenario, scenario.start, &mut |_| {});
                let expected = follow(&solver, start, &mut memo);
                let close =
                    |a: f64, b: f64| a == b || (a - b).abs() < 1e-9 || (a.is_nan() && b.is_nan());
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

    /// The fewest minutes to a right call from a decision state by plain recursion, chance in
    /// the rep's favour.
    fn fastest(
        s: &ScenarioData,
        core: &Core,
        memo: &mut std::collections::HashMap<Core, f64>,
    ) -> f64 {
        if let Some(&v) = memo.get(core) {
            return v;
        }
        let mut best = f64::INFINITY;
        for (position, choice) in s.node_choices(core.node).iter().enumerate() {
            if core.offers(s, choice) {
                best = best.min(after(s, core, position, memo));
            }
        }
        memo.insert(core.clone(), best);
        best
    }

    fn after(
        s: &ScenarioData,
        core: &Core,
        position: usize,
        memo: &mut std::collections::HashMap<Core, f64>,
    ) -> f64 {
        let choice = &s.node_choices(core.node)[position];
        let mut next = core.clone();
        next.wasted = 0;
        let index = s.first_choice(core.node) + position as u32;
        f64::from(choice.minutes)
            + match next.take(s, index, &mut |_| {}) {
                Destination::TimeUp => f64::INFINITY,
                Destination::Arrive(to) => {
                    next.enter(s, to, &mut |_| {});
                    settle_fastest(s, next, memo)
                }
            }
    }

    fn settle_fastest(
        s: &ScenarioData,
        core: Core,
        memo: &mut std::collections::HashMap<Core, f64>,
    ) -> f64 {
        match &s.nodes[core.node as usize].way {
            Way::End(outcome) if outcome.is_right_call(s.winnable) => 0.0,
            Way::End(_) => f64::INFINITY,
            Way::Choices(_) => fastest(s, &core, memo),
            Way::Next(to) => {
                let mut next = core;
                next.enter(s, *to, &mut |_| {});
                settle_fastest(s, next, memo)
            }
            Way::NextIf(branches) => match core.next_of(s, branches) {
                Some(to) => {
                    let mut next = core;
                    next.enter(s, to, &mut |_| {});
                    settle_fastest(s, next, memo)
                }
                None => f64::INFINITY,
            },
            Way::Chance { branches, .. } => s.branches[range_usize(branches)]
                .iter()
                .filter(|b| core.chance_weight(s, b) > 0)
                .map(|b| {
                    let mut next = core.clone();
                    next.enter(s, b.to, &mut |_| {});
                    settle_fastest(s, next, memo)
                })
                .fold(f64::INFINITY, f64::min),
        }
    }

    #[test]
    fn the_yardstick_agrees_with_plain_recursion() {
        use crate::engine::session::Session;
        for scenario in scenarios() {
            let yardstick = Yardstick::of_call(&scenario).expect("checked calls keep one");
            // Random sessions: every choice's wasted minutes against recursion over whole states.
            for seed in 0..40u64 {
                let mut session = Session::new(&scenario, seed);
                let mut memo = std::collections::HashMap::new();
                let mut pick = seed;
                while !session.is_over() {
                    let core = session.core().clone();
                    let offered: Vec<usize> = session.offered().map(|o| o.index).collect();
                    pick = crate::engine::play::random::splitmix64(&mut pick) % 1_000_003;
                    let position = offered[pick as usize % offered.len()];
                    let mut clean = core.clone();
                    clean.wasted = 0;
                    let now = fastest(&scenario, &clean, &mut memo);
                    let then = after(&scenario, &clean, position, &mut memo);
                    let expected = if now.is_finite() && then.is_finite() {
                        (then - now) as u32
                    } else {
                        0
                    };
                    assert_eq!(
                        yardstick.waste(&core, position),
                        expected,
                        "{} seed {seed} at {}",
                        scenario.id,
                        scenario.nodes[core.node as usize].id
                    );
                    session.choose(position).unwrap();
                }
            }
        }
    }

    #[test]
    fn a_rep_who_plays_the_fastest_right_call_their_luck_allows_scores_full_velocity() {
        use crate::engine::session::Session;
        for scenario in scenarios() {
            let yardstick = Yardstick::of_call(&scenario).unwrap();
            for seed in 0..20u64 {
                let mut session = Session::new(&scenario, seed);
                while !session.is_over() {
                    // A choice that wastes nothing, when one keeps a right call open.
                    let core = session.core().clone();
                    let offered: Vec<usize> = session.offered().map(|o| o.index).collect();
                    let mut memo = std::collections::HashMap::new();
                    let position = offered
                        .iter()
                        .copied()
                        .filter(|&p| after(&scenario, &core, p, &mut memo).is_finite())
                        .min_by_key(|&p| yardstick.waste(&core, p))
                        .unwrap_or(offered[0]);
                    session.choose(position).unwrap();
                }
                if let Some(scores) = session.scores()
                    && session.outcome().unwrap().is_right_call(scenario.winnable)
                {
                    assert_eq!(scores.velocity, 100, "{} seed {seed}", scenario.id);
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
