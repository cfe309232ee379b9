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

/// A memo key: a state packed into 32 bytes (node, trust, minutes and tally in one word, then
/// the bits an objective keeps, inline up to 128), so that the memo stays small and hashing and
/// comparing a key are a few word operations.
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

impl Key {
    pub(super) fn head(core: &Core, trust: bool, tally: bool) -> u64 {
        let trust = if trust {
            core.trust.clamp(0, 255) as u64
        } else {
            0
        };
        let tally = if tally { pack_tally(core.tally) } else { 0 };
        // Minutes left lie within ±600 (the format's limits), so 16 bits keep them apart.
        let minutes = u64::from(core.minutes_left as i16 as u16);
        u64::from(core.node) | trust << 32 | minutes << 40 | tally << 56
    }

    /// A state with this key. Bits, trust or tally left out of the key are zero, which is
    /// harmless: they cannot change the objective's future (that is why they were left out).
    pub(super) fn core(&self) -> Core {
        let tally = (self.head >> 56) as u8;
        Core {
            node: self.head as u32,
            trust: i32::from((self.head >> 32) as u8),
            minutes_left: i32::from((self.head >> 40) as u16 as i16),
            bits: self.bits.clone(),
            tally: Tally {
                pain_known: tally & 1 != 0,
                pitches_before_pain: (tally >> 1) & 3,
                implication_after_pain: tally & 8 != 0,
                need_payoff_after_pain: tally & 16 != 0,
            },
        }
    }
}

pub(super) fn pack_tally(tally: Tally) -> u64 {
    u64::from(tally.pain_known)
        | u64::from(tally.pitches_before_pain.min(3)) << 1
        | u64::from(tally.implication_after_pain) << 3
        | u64::from(tally.need_payoff_after_pain) << 4
}
