//! The random streams of a session, keyed by its seed so that the same seed and choices always
//! replay exactly: the chance stream (the buyer's luck) and the order stream (the order the
//! choices are offered in), two streams of one ChaCha8 key spread from the seed by SplitMix64.
//! The weighted pick of a branch is written out here; the shuffle is `rand`'s, and every stream
//! is pinned by a test, so no crate upgrade can change a replay unnoticed.

use rand::seq::SliceRandom;
use rand::{SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

/// Picks a branch by weight from one 32-bit draw. Written out here, rather than taken from a
/// distribution in `rand`, so that an upgrade of `rand` can never change which branch a seed picks.
pub(crate) fn pick_branch(draw: u32, weights: impl Iterator<Item = u32>, total: u32) -> usize {
    let target = ((u64::from(draw) * u64::from(total)) >> 32) as u32;
    let mut cumulative = 0;
    let mut last_nonzero = 0;
    for (index, weight) in weights.enumerate() {
        if weight > 0 {
            last_nonzero = index;
        }
        cumulative += weight;
        if target < cumulative {
            return index;
        }
    }
    last_nonzero
}

/// SplitMix64: a fixed, documented way to spread one seed over many bits.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The chance stream: ChaCha8 keyed by the seed spread with SplitMix64. ChaCha8 is a fixed
/// algorithm and the key expansion is ours, so the stream never changes with a crate upgrade.
pub(crate) fn session_rng(seed: u64) -> ChaCha8Rng {
    let mut state = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// The order stream: the same key as the chance stream, on ChaCha's stream 1, so that drawing
/// the order of the choices never moves the chance draws (replays of sessions recorded before
/// choices were shuffled draw the same luck).
pub(crate) fn order_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = session_rng(seed);
    rng.set_stream(1);
    rng
}

/// The wording stream: which of a line's variants the buyer says, on ChaCha's stream 2 of the
/// same key, so wordings never move the luck or the order of the choices.
pub(crate) fn wording_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = session_rng(seed);
    rng.set_stream(2);
    rng
}

/// Which of a line and its `variants` wordings is said: 0 is the line itself.
pub(crate) fn pick_wording(variants: usize, rng: &mut ChaCha8Rng) -> u8 {
    use rand::RngExt;
    rng.random_range(0..=variants.min(u8::MAX as usize - 1)) as u8
}

/// Puts `order` (the positions of a node's choices) in the order they are offered in.
pub(crate) fn shuffle(order: &mut [u16], rng: &mut ChaCha8Rng) {
    order.shuffle(rng);
}

/// A seed for a new call, from the operating system (or, failing that, the clock): short enough
/// to type or read out to a trainer.
pub fn fresh_seed() -> u64 {
    let drawn = rand::rngs::SysRng.try_next_u64().ok();
    let clock = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    };
    drawn.unwrap_or_else(clock) % 1_000_000_007
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn a_branch_is_picked_in_proportion_to_its_weight_and_never_at_weight_zero() {
        let weights = [3u32, 0, 1];
        let mut counts = [0u32; 3];
        for i in 0..4000u32 {
            let draw = i.wrapping_mul(1_073_741); // spread over the u32 range
            counts[pick_branch(draw.wrapping_mul(1031), weights.iter().copied(), 4)] += 1;
        }
        assert_eq!(counts[1], 0, "a zero-weight branch is never taken");
        assert!(
            counts[0] > 2 * counts[2],
            "weight 3 beats weight 1: {counts:?}"
        );
        assert_eq!(pick_branch(0, weights.iter().copied(), 4), 0);
        assert_eq!(pick_branch(u32::MAX, weights.iter().copied(), 4), 2);
    }

    #[test]
    fn the_session_stream_is_pinned_so_upgrades_cannot_change_replays() {
        // If this fails, recorded sessions would replay differently: do not update the numbers,
        // restore the generator.
        let mut rng = session_rng(42);
        let draws = [rng.next_u32(), rng.next_u32(), rng.next_u32()];
        let mut again = session_rng(42);
        assert_eq!(
            draws,
            [again.next_u32(), again.next_u32(), again.next_u32()]
        );
        assert_eq!(draws, PINNED_DRAWS_FOR_SEED_42);
    }

    const PINNED_DRAWS_FOR_SEED_42: [u32; 3] = [2_278_103_804, 823_500_537, 3_021_377_537];

    #[test]
    fn the_order_stream_is_pinned_and_apart_from_the_chance_stream() {
        // If this fails, recorded sessions would show their choices in another order and a
        // replay by shown position would differ: do not update the numbers, restore the stream.
        let mut order = order_rng(42);
        let mut shuffled = [0u16, 1, 2, 3, 4, 5];
        shuffle(&mut shuffled, &mut order);
        assert_eq!(shuffled, PINNED_ORDER_FOR_SEED_42);
        let draws = [order.next_u32(), order.next_u32()];
        assert_eq!(draws, PINNED_ORDER_DRAWS_FOR_SEED_42);
        // Drawing orders never moves the chance stream.
        let mut chance = session_rng(42);
        assert_eq!(chance.next_u32(), PINNED_DRAWS_FOR_SEED_42[0]);
    }

    const PINNED_ORDER_FOR_SEED_42: [u16; 6] = [1, 2, 3, 5, 4, 0];

    #[test]
    fn the_wording_stream_is_pinned_and_apart_from_the_others() {
        // If this fails, recorded sessions would replay with other wordings: do not update the
        // numbers, restore the stream.
        let mut wording = wording_rng(42);
        let picks: Vec<u8> = (0..8).map(|_| pick_wording(3, &mut wording)).collect();
        assert_eq!(picks, PINNED_WORDINGS_FOR_SEED_42);
        assert_eq!(session_rng(42).next_u32(), PINNED_DRAWS_FOR_SEED_42[0]);
        let mut order = order_rng(42);
        let mut shuffled = [0u16, 1, 2, 3, 4, 5];
        shuffle(&mut shuffled, &mut order);
        assert_eq!(shuffled, PINNED_ORDER_FOR_SEED_42);
    }

    const PINNED_WORDINGS_FOR_SEED_42: [u8; 8] = [1, 3, 1, 1, 2, 0, 0, 3];
    const PINNED_ORDER_DRAWS_FOR_SEED_42: [u32; 2] = [3_396_886_315, 307_590_720];

    #[test]
    fn every_order_of_three_choices_comes_up_about_as_often() {
        let mut counts = std::collections::HashMap::new();
        for seed in 0..6000 {
            let mut order = [0u16, 1, 2];
            shuffle(&mut order, &mut order_rng(seed));
            *counts.entry(order).or_insert(0u32) += 1;
        }
        assert_eq!(counts.len(), 6);
        assert!(
            counts.values().all(|&n| (800..1200).contains(&n)),
            "{counts:?}"
        );
    }
}
