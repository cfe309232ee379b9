//! What of a state an objective can still be changed by, so that states differing only in the
//! rest share one memo entry.

use super::Objective;
use super::memo::Key;
use crate::engine::model::{Cond, ScenarioData, Way, range_usize};
use crate::engine::play::rules::Core;
use crate::engine::score::{fact_points, overall_share};

/// The parts of a state an objective can still be changed by, so that states differing only
/// in the rest share one memo entry.
///
/// For the score: a fact that can no longer be revealed nor tested from a node only adds its
/// fixed share of coverage to every future score, so it leaves the key and its share is carried
/// as a base value (`value = memo + base`). Qualification facts stay in the key on a deal that
/// cannot close, because advancing it zeroes their share. For the fastest right call, facts
/// matter only through conditions.
pub(super) struct Relevance {
    /// Per node, the bits of `Core::bits` to keep (`None`: all of them).
    pub(super) per_node: Option<Vec<Box<[u64]>>>,
    pub(super) trust: bool,
    pub(super) tally: bool,
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
        let head = Key::head(core, self.trust, self.tally);
        (Key { head, bits }, base)
    }
}
