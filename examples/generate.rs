//! Writes a generated scenario of N nodes to standard output, for benchmarks by hand:
//! `cargo run --release --example generate -- 100000 > /tmp/big.scenario.ron`.

fn main() {
    let nodes = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let winnable = std::env::args().nth(2).is_none_or(|w| w != "unwinnable");
    let shape = dealsim::engine::generate::Shape {
        winnable,
        ..dealsim::engine::generate::Shape::with_nodes(nodes)
    };
    print!("{}", dealsim::engine::generate::scenario(&shape));
}
