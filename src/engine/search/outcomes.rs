//! How a policy's calls end: every ending of best play or of random play, with how often
//! (chance weighed), worked out exactly by pushing the probability of each state down the memo's
//! layers. The checker warns when best play does not always make the right call and says why,
//! and measures how hard a call is from how often random play stumbles on the right call.

use super::Objective;
use super::buyer_turns::{self, Stop};
use super::memo::Key;
use super::solver::Solver;
use crate::engine::format::Outcome;
use crate::engine::play::rules::{Core, Destination};
use rustc_hash::FxHashMap;
use std::sync::atomic::Ordering;

/// One way best play's calls end.
#[derive(Debug, Clone, PartialEq)]
pub struct EndingShare {
    /// The node the call ended at (the ending, or where the time or the choices ran out).
    pub node_id: String,
    pub outcome: Outcome,
    /// The ending was the buyer's minutes running out.
    pub out_of_time: bool,
    /// The last chance turn on the way there, and where it went (the luck behind this ending).
    pub after_chance: Option<(String, String)>,
    /// The share of best play's calls that end this way.
    pub share: f64,
}

/// Who chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Player {
    /// The best expected choice at every turn.
    Best,
    /// Every offered choice equally likely.
    Random,
}

/// Every way a player's calls end, most frequent first.
#[derive(Debug, Clone, PartialEq)]
pub struct Endings {
    pub endings: Vec<EndingShare>,
    pub right_call_share: f64,
}

impl Endings {
    /// The commonest way best play fails to make the right call, if it ever does.
    pub fn commonest_wrong(&self, winnable: bool) -> Option<&EndingShare> {
        self.endings
            .iter()
            .filter(|e| !e.outcome.is_right_call(winnable))
            .max_by(|a, b| a.share.total_cmp(&b.share))
    }
}

/// Where the probability goes from a state just entered: decision states, and endings keyed by
/// (node, outcome, out of time, last chance turn).
type EndingKey = (u32, Outcome, bool, Option<(u32, u32)>);

impl Solver<'_> {
    /// How `player`'s calls end. Best play follows this solver's decisions, so it should be the
    /// expected-score solver.
    pub(crate) fn outcomes(&mut self, player: Player) -> Result<Endings, super::TooManyStates> {
        debug_assert!(player == Player::Random || self.objective == Objective::ExpectedScore);
        self.value_from_start()?;
        let s = self.s;
        let layers = self.memo.layers.len();
        let mut mass: Vec<FxHashMap<Key, f64>> = vec![FxHashMap::default(); layers];
        let mut endings: FxHashMap<EndingKey, f64> = FxHashMap::default();
        let mut start = Core::new(s);
        start.enter(s, s.start, &mut |_| {});
        self.spread(start, 1.0, None, &mut mass, &mut endings);
        // Parents lie in higher layers than their children: every choice spends a minute.
        for layer in (0..layers).rev() {
            let states: Vec<(Key, f64)> = mass[layer].drain().collect();
            for (key, weight) in states {
                let core = key.core();
                let offered: Vec<usize> = s
                    .node_choices(core.node)
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| core.offers(s, c))
                    .map(|(position, _)| position)
                    .collect();
                let picks: Vec<(usize, f64)> = match player {
                    Player::Best => self
                        .lookup(&core)
                        .map(|d| d.best as usize)
                        .filter(|best| offered.contains(best))
                        .map(|best| vec![(best, weight)])
                        .unwrap_or_default(),
                    Player::Random => offered
                        .iter()
                        .map(|&p| (p, weight / offered.len() as f64))
                        .collect(),
                };
                if picks.is_empty() {
                    // Nothing could be said: the call ends here.
                    *endings
                        .entry((core.node, Outcome::Continuation, false, None))
                        .or_default() += weight;
                    continue;
                }
                for (position, weight) in picks {
                    let choice = s.first_choice(core.node) + position as u32;
                    let mut next = core.clone();
                    if let Some(yardstick) = &self.yardstick {
                        next.waste(yardstick.waste(&core, position));
                    }
                    match next.take(s, choice, &mut |_| {}) {
                        Destination::TimeUp => {
                            *endings
                                .entry((core.node, Outcome::Continuation, true, None))
                                .or_default() += weight;
                        }
                        Destination::Arrive(to) => {
                            next.enter(s, to, &mut |_| {});
                            self.spread(next, weight, None, &mut mass, &mut endings);
                        }
                    }
                }
            }
        }
        let mut shares: Vec<EndingShare> = endings
            .into_iter()
            .map(
                |((node, outcome, out_of_time, chance), share)| EndingShare {
                    node_id: s.nodes[node as usize].id.clone(),
                    outcome,
                    out_of_time,
                    after_chance: chance.map(|(at, to)| {
                        (
                            s.nodes[at as usize].id.clone(),
                            s.nodes[to as usize].id.clone(),
                        )
                    }),
                    share,
                },
            )
            .collect();
        shares.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then_with(|| a.node_id.cmp(&b.node_id))
        });
        let right_call_share = shares
            .iter()
            .filter(|e| e.outcome.is_right_call(s.winnable))
            .map(|e| e.share)
            .sum();
        Ok(Endings {
            endings: shares,
            right_call_share,
        })
    }

    /// Follows the buyer's own turns from a node just entered, splitting `weight` over chance
    /// branches, into decision states (`mass`) and endings.
    fn spread(
        &self,
        core: Core,
        weight: f64,
        chance: Option<(u32, u32)>,
        mass: &mut [FxHashMap<Key, f64>],
        endings: &mut FxHashMap<EndingKey, f64>,
    ) {
        let Ok(arrivals) = buyer_turns::follow(self.s, core, true, &self.buyer_steps_left) else {
            self.spread_too_far.store(true, Ordering::Relaxed);
            return;
        };
        for arrival in arrivals {
            let share = weight * arrival.probability;
            let chance = arrival.chance.or(chance);
            match arrival.stop {
                Stop::End(outcome) => {
                    *endings
                        .entry((arrival.core.node, outcome, false, chance))
                        .or_default() += share;
                }
                Stop::Decision => {
                    let (layer, key) = self.placed_key(&arrival.core);
                    if let Some(table) = mass.get_mut(layer) {
                        *table.entry(key).or_default() += share;
                    }
                }
            }
        }
    }
}

/// Where random play first gives up a meaningful number of points (`MEANINGFUL_LOSS`): at a node,
/// by a choice, how often (the share of random play's calls) and at what total cost.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstMistake {
    pub node: u32,
    /// The choice's place in the node's list.
    pub position: usize,
    /// The share of random play's calls whose first mistake this is.
    pub share: f64,
    /// Points of the best expected score it gives up, weighed by its share (so that the shares
    /// of one node add up to what its mistakes cost random play on average).
    pub points: f64,
}

impl Solver<'_> {
    /// Random play's first mistakes, exactly: the probability of reaching each state without a
    /// mistake is pushed down the layers, and at each state the offered choices that give up a
    /// meaningful number of points take their share of it. The memo must hold the expected score.
    pub(crate) fn first_mistakes(&mut self) -> Result<Vec<FirstMistake>, super::TooManyStates> {
        debug_assert_eq!(self.objective, Objective::ExpectedScore);
        self.value_from_start()?;
        let s = self.s;
        let layers = self.memo.layers.len();
        let mut mass: Vec<FxHashMap<Key, f64>> = vec![FxHashMap::default(); layers];
        let mut ignored: FxHashMap<EndingKey, f64> = FxHashMap::default();
        let mut found: FxHashMap<(u32, usize), (f64, f64)> = FxHashMap::default();
        let mut start = Core::new(s);
        start.enter(s, s.start, &mut |_| {});
        self.spread(start, 1.0, None, &mut mass, &mut ignored);
        for layer in (0..layers).rev() {
            let states: Vec<(Key, f64)> = mass[layer].drain().collect();
            for (key, weight) in states {
                let core = key.core();
                let Some(decision) = self.lookup(&core) else {
                    continue;
                };
                let offered: Vec<usize> = s
                    .node_choices(core.node)
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| core.offers(s, c))
                    .map(|(position, _)| position)
                    .collect();
                let each = weight / offered.len().max(1) as f64;
                for position in offered {
                    let good = position >= 64 || decision.good & (1 << position) != 0;
                    if !good {
                        let lost =
                            (decision.value - self.value_of_choice(&core, position)).max(0.0);
                        let entry = found.entry((core.node, position)).or_default();
                        entry.0 += each;
                        entry.1 += each * lost;
                        continue;
                    }
                    let choice = s.first_choice(core.node) + position as u32;
                    let mut next = core.clone();
                    if let Some(yardstick) = &self.yardstick {
                        next.waste(yardstick.waste(&core, position));
                    }
                    if let Destination::Arrive(to) = next.take(s, choice, &mut |_| {}) {
                        next.enter(s, to, &mut |_| {});
                        self.spread(next, each, None, &mut mass, &mut ignored);
                    }
                }
            }
        }
        let mut mistakes: Vec<FirstMistake> = found
            .into_iter()
            .map(|((node, position), (share, points))| FirstMistake {
                node,
                position,
                share,
                points,
            })
            .collect();
        mistakes.sort_by(|a, b| {
            b.points
                .total_cmp(&a.points)
                .then_with(|| (a.node, a.position).cmp(&(b.node, b.position)))
        });
        Ok(mistakes)
    }
}
