//! What of a state an objective can still be changed by, so that states differing only in the
//! rest share one memo entry.

use super::Objective;
use super::memo::Key;
use crate::engine::format::FactKind;
use crate::engine::model::{Cond, ScenarioData, Way, range_usize};
use crate::engine::play::rules::Core;
use crate::engine::score::{fact_points, overall_share};

/// The parts of a state an objective can still be changed by, so that states differing only
/// in the rest share one memo entry.
///
/// For the score: a fact that can no longer be revealed nor tested from a node only adds its
/// fixed share of coverage to every future score, so it leaves the key and its share is carried
/// as a base value (`value = memo + base`). Qualification facts stay in the key on a deal that
/// cannot close, because advancing it zeroes their share, and the basics (who signs, money,
/// timing) stay on one that can, because how many of them are known decides what an advance is
/// worth. For the fastest right call, facts matter only through conditions, and the minutes
/// already wasted not at all.
pub(super) struct Relevance {
    /// Per node, the bits of `Core::bits` to keep (`None`: all of them).
    pub(super) per_node: Option<Vec<Box<[u64]>>>,
    pub(super) trust: bool,
    pub(super) tally: bool,
    pub(super) wasted: bool,
    /// Each fact's share of the overall score when known (zero when it does not count).
    pub(super) share: Vec<f64>,
}

impl Relevance {
    pub(super) fn of(s: &ScenarioData, objective: Objective) -> Relevance {
        let fact_words = s.facts_words();
        let words = fact_words + (s.visit_slots as usize).div_ceil(64);
        let mut visits = vec![0u64; words];
        for slot in 0..s.visit_slots as usize {
            let bit = fact_words * 64 + slot;
            visits[bit / 64] |= 1 << (bit % 64);
        }
        let set = |bits: &mut [u64], fact: u32| bits[(fact / 64) as usize] |= 1 << (fact % 64);
        let fastest = objective == Objective::FastestRight;
        // What each node's own ways on can test (and, for the score, reveal); its entry reveals
        // have happened by the time it decides.
        let mut own: Vec<Vec<u64>> = vec![vec![0u64; words]; s.nodes.len()];
        for (index, node) in s.nodes.iter().enumerate() {
            // The buyer's branches test their conditions when the buyer moves on from here.
            if let Way::Chance { branches, .. } | Way::NextIf(branches) = &node.way {
                for branch in &s.branches[range_usize(branches)] {
                    for condition in s.conditions_of_branch(branch) {
                        if let Cond::Knows(f) | Cond::DoesNotKnow(f) = *condition {
                            set(&mut own[index], f);
                        }
                    }
                }
            }
            if let Way::Choices(range) = &node.way {
                for choice in &s.choices[range_usize(range)] {
                    if !fastest {
                        s.refs(&choice.reveals)
                            .iter()
                            .for_each(|&f| set(&mut own[index], f));
                    }
                    for condition in s.conditions_of(choice) {
                        if let Cond::Knows(f) | Cond::DoesNotKnow(f) = *condition {
                            set(&mut own[index], f);
                        }
                    }
                }
            }
        }
        // Add what every successor can test (or reveal on entry or later), until nothing changes.
        let successors: Vec<Vec<u32>> = s
            .nodes
            .iter()
            .map(|node| match &node.way {
                Way::Choices(range) => s.choices[range_usize(range)].iter().map(|c| c.to).collect(),
                Way::Chance { branches, .. } | Way::NextIf(branches) => s.branches
                    [range_usize(branches)]
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
                    if !fastest {
                        s.refs(&s.nodes[next].reveals)
                            .iter()
                            .for_each(|&f| set(&mut incoming, f));
                    }
                    for (word, add) in future[index].iter_mut().zip(incoming) {
                        if *word | add != *word {
                            *word |= add;
                            changed = true;
                        }
                    }
                }
            }
        }
        if fastest {
            // Facts matter only to the conditions still ahead, trust only if a condition asks.
            let trust = s
                .conditions
                .iter()
                .any(|c| matches!(c, Cond::TrustAtLeast(_) | Cond::TrustBelow(_)));
            let per_node = future
                .into_iter()
                .map(|mut keep| {
                    for (word, visit) in keep.iter_mut().zip(&visits) {
                        *word |= visit;
                    }
                    keep.into_boxed_slice()
                })
                .collect();
            return Relevance {
                per_node: Some(per_node),
                trust,
                tally: false,
                wasted: false,
                share: vec![0.0; s.facts.len()],
            };
        }
        // A fact's share of the overall score, from the scoring rules themselves.
        let share: Vec<f64> = s
            .facts
            .iter()
            .map(|f| {
                let (dimension, points) =
                    fact_points(f.kind, f.weight, s.pain_weight, s.qualification_weight);
                points * overall_share(dimension, &s.weights)
            })
            .collect();
        let per_node = future
            .into_iter()
            .map(|mut keep| {
                for (word, visit) in keep.iter_mut().zip(&visits) {
                    *word |= visit;
                }
                for (index, fact) in s.facts.iter().enumerate() {
                    let decides_the_call = if s.winnable {
                        FactKind::BASICS.contains(&fact.kind)
                    } else {
                        fact.kind.is_qualification()
                    };
                    if decides_the_call {
                        set(&mut keep, index as u32);
                    }
                }
                keep.into_boxed_slice()
            })
            .collect();
        Relevance {
            per_node: Some(per_node),
            trust: true,
            tally: true,
            wasted: true,
            share,
        }
    }

    /// The memo key of a state, and the base value its dropped facts add.
    pub(super) fn key(&self, core: &Core) -> (Key, f64) {
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
        let head = Key::head(core, self.trust, self.tally, self.wasted);
        (Key { head, bits }, base)
    }
}
