//! The search's memo: one table per layer of minutes left, and keys that pack a state into 32
//! bytes.

use super::Decision;
use crate::engine::bits::Bits;
use crate::engine::play::rules::{Core, Tally};
use rustc_hash::FxHashMap;

/// The memo, one table per layer of minutes left. Every choice spends at least a minute, so a
/// decision's children lie in lower layers: the search fills the tables a layer at a time (see
/// `Solver::fill_from`), and each lookup then goes to a table of a few thousand entries that
/// stays in the cache, where one large table would miss on almost every lookup.
pub(super) struct Memo {
    pub(super) layers: Vec<FxHashMap<Key, Decision>>,
    pub(super) len: usize,
}

/// Stands in the memo for a state that has been reached but not yet weighed.
pub(super) const UNWEIGHED: Decision = Decision {
    value: f64::NAN,
    good: 0,
    best: u32::MAX,
};

impl Memo {
    pub(super) fn new(minutes: u32) -> Memo {
        Memo {
            layers: (0..=minutes).map(|_| FxHashMap::default()).collect(),
            len: 0,
        }
    }

    pub(super) fn layer(minutes_left: i32) -> usize {
        minutes_left.max(0) as usize
    }

    pub(super) fn get(&self, minutes_left: i32, key: &Key) -> Option<&Decision> {
        self.layers
            .get(Self::layer(minutes_left))?
            .get(key)
            .filter(|d| d.best != UNWEIGHED.best)
    }

    pub(super) fn contains(&self, minutes_left: i32, key: &Key) -> bool {
        self.layers
            .get(Self::layer(minutes_left))
            .is_some_and(|layer| layer.contains_key(key))
    }

    pub(super) fn clear(&mut self) {
        self.layers.iter_mut().for_each(FxHashMap::clear);
        self.len = 0;
    }
}

/// A memo key: a state packed into 32 bytes (node, trust, minutes, tally and wasted minutes in
/// one word, then the bits an objective keeps, inline up to 128), so that the memo stays small
/// and hashing and comparing a key are a few word operations.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Key {
    pub(super) head: u64,
    pub(super) bits: Bits,
}

impl std::hash::Hash for Key {
    /// The words alone: all keys of one search have the same number of words.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.head);
        self.bits.iter().for_each(|&word| state.write_u64(word));
    }
}

/// The head word's fields: where each starts and how many bits it has.
const NODE_BITS: u32 = 22;
const TRUST_AT: u32 = NODE_BITS;
const MINUTES_AT: u32 = TRUST_AT + 7;
const MINUTES_BITS: u32 = 11;
const TALLY_AT: u32 = MINUTES_AT + MINUTES_BITS;
const WASTED_AT: u32 = TALLY_AT + 5;
const WASTED_BITS: u32 = 10;

/// The most nodes a call can have for its states to fit a key.
pub(super) const MAX_NODES: usize = 1 << NODE_BITS;

fn field(head: u64, at: u32, bits: u32) -> u64 {
    (head >> at) & ((1 << bits) - 1)
}

impl Key {
    /// The head word of a state; the parts an objective leaves out are zero.
    pub(super) fn head(core: &Core, trust: bool, tally: bool, wasted: bool) -> u64 {
        let trust = if trust {
            core.trust.clamp(0, 100) as u64
        } else {
            0
        };
        let tally = if tally { pack_tally(core.tally) } else { 0 };
        // Minutes left lie within ±600 (the format's limits): 11 bits, two's complement.
        let minutes = (core.minutes_left as i64 as u64) & ((1 << MINUTES_BITS) - 1);
        let wasted = if wasted {
            u64::from(core.wasted).min((1 << WASTED_BITS) - 1)
        } else {
            0
        };
        u64::from(core.node)
            | trust << TRUST_AT
            | minutes << MINUTES_AT
            | tally << TALLY_AT
            | wasted << WASTED_AT
    }

    /// A state with this key. Bits, trust, tally or wasted minutes left out of the key are
    /// zero, which is harmless: they cannot change the objective's future (that is why they
    /// were left out).
    pub(super) fn core(&self) -> Core {
        let head = self.head;
        let tally = field(head, TALLY_AT, 5) as u8;
        let minutes = field(head, MINUTES_AT, MINUTES_BITS) as i64;
        let minutes = if minutes >= 1 << (MINUTES_BITS - 1) {
            minutes - (1 << MINUTES_BITS)
        } else {
            minutes
        };
        Core {
            node: field(head, 0, NODE_BITS) as u32,
            trust: field(head, TRUST_AT, 7) as i32,
            minutes_left: minutes as i32,
            bits: self.bits.clone(),
            tally: Tally {
                pain_known: tally & 1 != 0,
                pitches_before_pain: (tally >> 1) & 3,
                implication_after_pain: tally & 8 != 0,
                need_payoff_after_pain: tally & 16 != 0,
            },
            wasted: field(head, WASTED_AT, WASTED_BITS) as u16,
        }
    }
}

pub(super) fn pack_tally(tally: Tally) -> u64 {
    u64::from(tally.pain_known)
        | u64::from(tally.pitches_before_pain.min(3)) << 1
        | u64::from(tally.implication_after_pain) << 3
        | u64::from(tally.need_payoff_after_pain) << 4
}
