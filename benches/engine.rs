//! Engine benchmarks (divan): playing, checking generated scenarios, the best path, simulation.
//! `cargo bench --no-default-features --bench engine`; the figures go in BENCHMARKS.md.

use dealsim::engine::generate::{Shape, scenario};
use dealsim::engine::simulate::{Policy, Settings, simulate};
use dealsim::{Scenario, Session, SourceFile, check_path, check_source};
use divan::Bencher;
use divan::counter::ItemsCount;
use std::path::Path;

fn main() {
    divan::main();
}

const SHIPPED: &[&str] = &[
    "brightline-whitepaper",
    "cobalt-bank-ciso",
    "fernway-bakery",
    "harbor-coo-demo",
    "harbor-discovery",
    "harbor-negotiation",
    "northwind-incumbent",
    "orbit-acquisition",
];

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.scenario.ron"));
    check_path(&path).scenario.expect("shipped scenarios check")
}

/// Random play as the simulator plays it, one core: choices per second, with calls restarted
/// in place (no transcript, no shuffle: the simulator's players pick by place in the file).
#[divan::bench(args = SHIPPED)]
fn random_choices(bencher: Bencher, name: &str) {
    let scenario = shipped(name);
    let mut session = Session::for_simulation(&scenario, 0);
    const CHOICES: usize = 100_000;
    bencher.counter(ItemsCount::new(CHOICES)).bench_local(|| {
        let (mut made, mut seed, mut draw) = (0, 0u64, 0x9E37_79B9_7F4A_7C15u64);
        while made < CHOICES {
            draw = draw.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            match session.pick_random(draw) {
                Some(position) => session.choose(position).expect("offered"),
                None => {
                    seed += 1;
                    session.reset(seed);
                    continue;
                }
            }
            made += 1;
        }
        made
    });
}

/// Random play in a session as a rep plays it (choices shuffled from the seed, the transcript
/// kept, each choice's waste looked up for the debrief), one core.
#[divan::bench(args = SHIPPED)]
fn shown_choices(bencher: Bencher, name: &str) {
    let scenario = shipped(name);
    let mut session = Session::new(&scenario, 0);
    const CHOICES: usize = 100_000;
    bencher.counter(ItemsCount::new(CHOICES)).bench_local(|| {
        let (mut made, mut seed, mut pick) = (0, 0u64, 0usize);
        while made < CHOICES {
            if session.is_over() {
                seed += 1;
                session.reset(seed);
            }
            let offered = session.offered().count();
            pick = pick.wrapping_mul(31).wrapping_add(7);
            session.choose_offered(pick % offered).expect("offered");
            made += 1;
        }
        made
    });
}

/// Loading and checking a generated scenario, difficulty summary included.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 5, sample_size = 1)]
fn load_and_check(bencher: Bencher, nodes: usize) {
    let text = scenario(&Shape::with_nodes(nodes));
    bencher
        .with_inputs(|| SourceFile::from_text("generated.scenario.ron", text.clone()))
        .bench_local_values(|source| check_source(&source).scenario.is_some());
}

/// The best expected path of each shipped scenario, from scratch.
#[divan::bench(args = SHIPPED, sample_count = 20)]
fn best_path(bencher: Bencher, name: &str) {
    let scenario = shipped(name);
    bencher.bench_local(|| dealsim::engine::search::solve(&scenario).map(|(value, _)| value));
}

/// The best expected path of a generated call with conditions and chance turns, from scratch;
/// the solve also returns the state count, which the benchmark asserts stays under the search's
/// cap. (Since scoring version 2 a state also carries the basics known and the minutes wasted,
/// so a 1,000-node generated call is over the 3,000,000-state cap and is reported as too large
/// to measure; 500 nodes is about the largest generated call that fits.)
#[divan::bench(args = [300, 500], sample_count = 5, sample_size = 1)]
fn best_path_generated(bencher: Bencher, nodes: usize) {
    let text = scenario(&Shape::with_nodes(nodes));
    let scenario = check_source(&SourceFile::from_text("generated.scenario.ron", text))
        .scenario
        .expect("generated scenarios check");
    bencher.bench_local(|| {
        dealsim::engine::search::solve(&scenario)
            .expect("the generated call fits the search's cap")
            .0
    });
}

/// 100,000 random calls on both cores (the CLI's `simulate`).
#[divan::bench(args = ["harbor-discovery", "northwind-incumbent"], sample_count = 5, sample_size = 1)]
fn simulate_100k(bencher: Bencher, name: &str) {
    let scenario = shipped(name);
    let settings = Settings {
        runs: 100_000,
        policy: Policy::Random,
        seed: 1,
        threads: 0,
    };
    bencher
        .counter(ItemsCount::new(100_000usize))
        .bench_local(|| simulate(&scenario, &settings).map(|s| s.overall.mean));
}

/// A call's norms for skill measures (random and best play, 4,000 runs each): what the first
/// trend or report over a new revision pays once, before the norms are kept in the database.
#[divan::bench(args = SHIPPED, sample_count = 5, sample_size = 1)]
fn norms(bencher: Bencher, name: &str) {
    let scenario = shipped(name);
    bencher.bench_local(|| dealsim::engine::norms::Norms::of(&scenario).unwrap());
}

/// Starting a campaign's call from what its run carried in: the call copied with its new start,
/// and its yardstick (the fastest right call from every state) worked out again, which is what
/// the rep waits for between a debrief's "Next call" and the buyer's first line.
#[divan::bench(args = ["harbor-coo-demo", "harbor-negotiation"], sample_count = 20)]
fn campaign_call_start(bencher: Bencher, name: &str) {
    use dealsim::engine::campaign::starting_call;
    use dealsim::engine::model::CampaignCall;
    let scenario = shipped(name);
    let knows: Vec<String> = scenario
        .facts()
        .iter()
        .take(4)
        .map(|f| f.id.clone())
        .collect();
    bencher.bench_local(|| {
        starting_call(
            &scenario,
            CampaignCall {
                campaign: "harbor-deal".into(),
                campaign_title: "Harbor".into(),
                run: "run".into(),
                run_seed: 1,
                call: 1,
                calls: 3,
                trust: 60,
                knows: knows.clone(),
                between: None,
            },
        )
        .unwrap()
    });
}
