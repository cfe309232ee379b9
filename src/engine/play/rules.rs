//! The rules of a step: the state that decides what happens next (`Core`), and what entering a
//! node and taking a choice do to it. Sessions, the best-path search and the simulator all step
//! with these, so that the best path is a path a rep can actually play.

use crate::engine::bits::Bits;
use crate::engine::format::{FactKind, Move, Outcome};
use crate::engine::model::{BranchData, ChoiceData, Cond, NO_SLOT, ScenarioData, Way, range_usize};
use crate::engine::score::ScoreInputs;
use std::ops::Range;

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
    /// Minutes the choices so far added to the fastest right call still open (velocity's
    /// measure; see `score::velocity`). Kept up by sessions and the search alike.
    pub wasted: u16,
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
        let mut core = Core {
            node: s.start,
            trust: i32::from(s.buyer.trust),
            minutes_left: s.minutes as i32,
            bits: Bits::zeros(words),
            tally: Tally::default(),
            wasted: 0,
        };
        core.reveal(s, &s.known_at_start, &mut |_| {});
        core
    }

    /// Back to the state before the first line: the buyer's starting trust, the call's minutes,
    /// and only the facts known before the call (a campaign's carried facts).
    pub fn reset(&mut self, s: &ScenarioData) {
        self.node = s.start;
        self.trust = i32::from(s.buyer.trust);
        self.minutes_left = s.minutes as i32;
        self.bits.fill(0);
        self.tally = Tally::default();
        self.wasted = 0;
        self.reveal(s, &s.known_at_start, &mut |_| {});
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
        // Most choices have no conditions: answer those without walking a list.
        let conditions = s.conditions_of(choice);
        conditions.is_empty() || conditions.iter().all(|&c| self.holds(s, c))
    }

    /// Whether a branch of the buyer's (`chance` or a `next` list) is open: its conditions all
    /// hold.
    #[inline]
    pub fn opens(&self, s: &ScenarioData, branch: &BranchData) -> bool {
        let conditions = s.conditions_of_branch(branch);
        conditions.is_empty() || conditions.iter().all(|&c| self.holds(s, c))
    }

    /// Where a `next` list goes from here: the first open branch.
    pub fn next_of(&self, s: &ScenarioData, branches: &Range<u32>) -> Option<u32> {
        s.branches[range_usize(branches)]
            .iter()
            .find(|b| self.opens(s, b))
            .map(|b| b.to)
    }

    /// The weight a chance branch has from here (0 when closed) and the open branches' total.
    pub fn chance_weight(&self, s: &ScenarioData, branch: &BranchData) -> u32 {
        if self.opens(s, branch) {
            branch.weight
        } else {
            0
        }
    }

    /// The total weight of a chance node's open branches from here.
    pub fn chance_total(&self, s: &ScenarioData, branches: &Range<u32>) -> u32 {
        s.branches[range_usize(branches)]
            .iter()
            .map(|b| self.chance_weight(s, b))
            .sum()
    }

    fn change_trust(&mut self, delta: i32) {
        self.trust = (self.trust + delta).clamp(0, 100);
    }

    pub(crate) fn reveal(&mut self, s: &ScenarioData, facts: &[u32], on_new: &mut impl FnMut(u32)) {
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

    /// The minutes the choices so far used of the buyer's time.
    pub fn minutes_used(&self, s: &ScenarioData) -> u32 {
        (s.minutes as i32 - self.minutes_left.max(0)).max(0) as u32
    }

    /// Counts minutes a choice wasted (saturating: a call is at most 600 minutes).
    pub fn waste(&mut self, minutes: u32) {
        self.wasted = (u32::from(self.wasted) + minutes).min(u32::from(u16::MAX)) as u16;
    }

    /// What scoring sees when the call ends here with `outcome`.
    pub fn score_inputs(&self, s: &ScenarioData, outcome: Outcome) -> ScoreInputs {
        let (mut qualification, mut pain) = (0u32, 0u32);
        let mut basics = [false; 3];
        let mut reason_known = false;
        for (index, fact) in s.facts.iter().enumerate() {
            if self.knows(index as u32) {
                if fact.kind == FactKind::Pain {
                    pain += fact.weight;
                } else {
                    qualification += fact.weight;
                }
                if let Some(basic) = FactKind::BASICS.iter().position(|k| *k == fact.kind) {
                    basics[basic] = true;
                }
                reason_known |= fact.kind.can_disqualify();
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
            basics_present: s.basics_present,
            basics_known: basics.iter().filter(|known| **known).count() as u8,
            reason_known,
            pain_coverage: share(pain, s.pain_weight),
            has_pain: s.pain_weight > 0,
            implication_after_pain: self.tally.implication_after_pain,
            need_payoff_after_pain: self.tally.need_payoff_after_pain,
            pitches_before_pain: u32::from(self.tally.pitches_before_pain),
            final_trust: self.trust.clamp(0, 100) as u8,
            minutes_used: self.minutes_used(s),
            wasted_minutes: u32::from(self.wasted),
        }
    }
}
