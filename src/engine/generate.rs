//! Synthetic scenarios for benchmarks and scale tests: any number of nodes, with conditions,
//! chance turns and facts, that always pass the checker. A generated call is laid out in stages,
//! as a long real call is: each node offers two or three ways into the next stage, some gated on
//! a fact learned earlier (always with an ungated alternative), some nodes are the buyer's luck,
//! facts belong to stretches of the call, and walk-away endings appear along the way.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub nodes: usize,
    /// Nodes per stage; the call is `nodes / width` stages long.
    pub width: usize,
    pub facts: usize,
    pub winnable: bool,
    pub seed: u64,
}

impl Shape {
    /// A shape whose call fits the format's 600-minute limit at any size.
    pub fn with_nodes(nodes: usize) -> Shape {
        let nodes = nodes.max(8);
        Shape {
            nodes,
            width: (nodes / 200).max(4),
            facts: 24,
            winnable: true,
            seed: 7,
        }
    }
}

/// A small, fixed generator so that the same shape always gives the same text.
struct Mix(u64);

impl Mix {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below.max(1) as u64) as usize
    }
}

/// The scenario as RON text.
pub fn scenario(shape: &Shape) -> String {
    let width = shape.width.max(2);
    let stages = (shape.nodes / width).max(3);
    // Each fact needs a stretch of at least one stage.
    let facts = shape.facts.clamp(2, (stages - 1).max(2));
    let mut mix = Mix(shape.seed);
    let node = |stage: usize, slot: usize| format!("s{stage}n{slot}");
    // Facts are spread evenly over the stages; each belongs to a stretch of the call.
    let fact_of = |stage: usize| (stage * facts / stages).min(facts - 1);
    let mut out = String::with_capacity(shape.nodes * 260);
    let _ = writeln!(
        out,
        "Scenario(\n    id: \"generated-{}\",\n    title: \"Generated call of {} nodes\",",
        shape.nodes,
        stages * width + 2
    );
    let _ = writeln!(
        out,
        "    brief: \"A synthetic call for benchmarks.\",\n    difficulty: Advanced,\n    tags: [\"generated\"],"
    );
    let _ = writeln!(out, "    minutes: {},", (stages + 20).min(600));
    let _ = writeln!(
        out,
        "    buyer: (name: \"Gen Buyer\", role: \"Buyer\", company: \"Generated\", persona: \"Synthetic.\", trust: 50),"
    );
    let _ = writeln!(
        out,
        "    deal: (winnable: {}, value: 1000),\n    facts: {{",
        shape.winnable
    );
    for f in 0..facts {
        let kind = ["Pain", "Budget", "Authority", "Timeline", "Need", "Metrics"][f % 6];
        let _ = writeln!(
            out,
            "        \"f{f}\": (kind: {kind}, text: \"Fact {f}.\"),"
        );
    }
    let _ = writeln!(
        out,
        "    }},\n    start: \"{}\",\n    nodes: {{",
        node(0, 0)
    );
    for stage in 0..stages {
        let last = stage + 1 == stages;
        for slot in 0..width {
            let id = node(stage, slot);
            let fact = fact_of(stage);
            // Every node of a fact's first stage reveals it, so every fact is revealed.
            let first_stage_of_fact = stage == 0 || fact_of(stage - 1) != fact;
            let reveals = if first_stage_of_fact || mix.next(4) == 0 {
                format!(", reveals: [\"f{fact}\"]")
            } else {
                String::new()
            };
            if last {
                let end = match slot % 4 {
                    0 => {
                        if shape.winnable {
                            "Advance"
                        } else {
                            "QualifiedOut"
                        }
                    }
                    1 => "Continuation",
                    2 => "Lost",
                    _ => {
                        if shape.winnable {
                            "QualifiedOut"
                        } else {
                            "Advance"
                        }
                    }
                };
                let _ = writeln!(
                    out,
                    "        \"{id}\": (line: \"The end, {id}.\"{reveals}, end: {end}),"
                );
                continue;
            }
            let next = |mix: &mut Mix| node(stage + 1, mix.next(width));
            if stage > 0 && (stage * width + slot) % 17 == 5 {
                let (a, b) = (node(stage + 1, slot), next(&mut mix));
                let _ = writeln!(
                    out,
                    "        \"{id}\": (line: \"Luck at {id}.\"{reveals}, chance: [(weight: 2, to: \"{a}\"), (weight: 1, to: \"{b}\")]),"
                );
                continue;
            }
            let moves = [
                "Situation",
                "Problem",
                "Implication",
                "NeedPayoff",
                "Qualify",
                "Pitch",
                "Summarize",
                "Rapport",
            ];
            let mut choices = Vec::new();
            for c in 0..2 + mix.next(2) {
                // The first choice goes straight ahead, so that every node is reached.
                let to = if c == 0 {
                    node(stage + 1, slot)
                } else {
                    next(&mut mix)
                };
                let trust = [5, 0, -5][mix.next(3)];
                let move_kind = moves[mix.next(moves.len())];
                // The third choice, when there is one, needs an earlier fact: the first two never do.
                let requires = if c == 2 && fact > 0 {
                    format!(", requires: [Knows(\"f{}\")]", fact - 1)
                } else {
                    String::new()
                };
                choices.push(format!("(say: \"Choice {c} at {id}.\", move: {move_kind}, to: \"{to}\", trust: {trust}{requires}, note: \"Generated.\")"));
            }
            // The opening stage is a row the rep can walk along, so that all of it is reached.
            if stage == 0 && slot + 1 < width {
                choices.push(format!(
                    "(say: \"Tell me more.\", move: Situation, to: \"{}\", note: \"Generated.\")",
                    node(0, slot + 1)
                ));
            }
            if stage % 25 == 12 && slot == 0 {
                choices.push("(say: \"I will walk away.\", move: QualifyOut, to: \"walk-away\", note: \"Generated.\")".into());
            }
            let _ = writeln!(
                out,
                "        \"{id}\": (line: \"Line at {id}.\"{reveals}, choices: [{}]),",
                choices.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "        \"walk-away\": (line: \"Goodbye then.\", end: QualifiedOut),\n    }},\n)"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceFile, check_source};

    #[test]
    fn generated_scenarios_of_every_size_pass_the_checker() {
        // Larger sizes are exercised by the benchmarks (benches/engine.rs).
        for nodes in [20, 120, 300] {
            for winnable in [true, false] {
                let shape = Shape {
                    winnable,
                    ..Shape::with_nodes(nodes)
                };
                let report = check_source(&SourceFile::from_text(
                    "generated.scenario.ron",
                    scenario(&shape),
                ));
                let errors: Vec<String> = report
                    .diagnostics
                    .iter()
                    .map(|d| d.to_string())
                    .take(3)
                    .collect();
                assert!(
                    report.scenario.is_some(),
                    "{nodes} nodes, winnable {winnable}: {errors:?}"
                );
                assert!(
                    report.diagnostics.iter().all(|d| !d.is_error()),
                    "{errors:?}"
                );
            }
        }
    }
}
