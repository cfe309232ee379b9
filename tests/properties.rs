//! Properties of random play on every shipped scenario: it always ends, a checked call never
//! leaves the rep with nothing to say, every score stays in 0..=100, and the same seed and
//! choices replay identically.

use dealsim::{EndReason, Scenario, Session, check_paths};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn shipped() -> &'static [Scenario] {
    static SCENARIOS: OnceLock<Vec<Scenario>> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let reports = check_paths(&[folder]);
        assert!(reports.len() >= 6, "expected the shipped scenarios");
        reports
            .into_iter()
            .map(|r| {
                r.scenario
                    .unwrap_or_else(|| panic!("{} does not check", r.path.display()))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_play_ends_scores_in_range_and_replays(seed in any::<u64>(), picks in proptest::collection::vec(any::<u16>(), 64)) {
        for scenario in shipped() {
            let mut session = Session::new(scenario, seed);
            let mut turns = 0;
            while !session.is_over() {
                // Every choice costs at least a minute, so a call cannot outlast its clock.
                prop_assert!(turns <= scenario.minutes, "{} did not end within {} choices", scenario.id, scenario.minutes);
                let offered = session.offered().count();
                let pick = usize::from(picks[turns as usize % picks.len()]) % offered;
                session.choose_offered(pick).unwrap();
                turns += 1;
            }
            // The session ends by itself when no choice can be offered; the checker must have
            // ruled that out for every call it passes.
            prop_assert_ne!(
                session.ending().map(|e| e.reason),
                Some(EndReason::NothingToSay),
                "{} left the rep with nothing to say at {}", scenario.id, session.node_id()
            );
            let scores = session.scores().unwrap();
            for value in [scores.qualification, scores.discovery, scores.rapport, scores.velocity, scores.overall] {
                prop_assert!(value <= 100);
            }
            prop_assert!(session.trust() <= 100);
            let replay = Session::replay(scenario, seed, &session.choice_indices()).unwrap();
            prop_assert_eq!(replay.transcript().collect::<Vec<_>>(), session.transcript().collect::<Vec<_>>());
            prop_assert_eq!(replay.scores(), session.scores());
        }
    }
}
