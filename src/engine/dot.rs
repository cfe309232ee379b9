//! `dealsim graph`: the call as Graphviz DOT. Buyer lines are nodes, choices are edges labelled
//! with their move, endings are coloured by outcome, and unreachable nodes are greyed and dashed.

use crate::engine::check::{CallGraph, Edge};
use crate::engine::format::Outcome;
use crate::engine::model::{ScenarioData, Way, range_usize};
use crate::engine::text::shorten;
use petgraph::visit::EdgeRef;
use std::fmt::Write as _;

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn outcome_colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Advance => "#2e7d32",
        Outcome::Continuation => "#f9a825",
        Outcome::Lost => "#c62828",
        Outcome::QualifiedOut => "#1565c0",
    }
}

pub fn to_dot(s: &ScenarioData) -> String {
    let graph = CallGraph::of(s);
    let reachable = graph.reachable_from(s.start);
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape(&s.id));
    let _ = writeln!(
        out,
        "  label=\"{}\\n{} · {} · deal {}\";",
        escape(&s.title),
        escape(&s.buyer.name),
        escape(&s.buyer.role),
        if s.winnable {
            "winnable: Advance is right"
        } else {
            "not winnable: QualifiedOut is right"
        }
    );
    let _ = writeln!(out, "  labelloc=t; rankdir=TB;");
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for (index, node) in s.nodes.iter().enumerate() {
        let mut attributes = vec![format!(
            "label=\"{}\\n{}\"",
            escape(&node.id),
            escape(&shorten(&node.line, 48))
        )];
        match &node.way {
            Way::End(outcome) => {
                attributes.push("shape=doubleoctagon".into());
                attributes.push(format!(
                    "fillcolor=\"{}\", fontcolor=\"#ffffff\"",
                    outcome_colour(*outcome)
                ));
                attributes.push(format!("tooltip=\"ends: {}\"", outcome.label()));
            }
            Way::Chance { .. } => {
                attributes.push("shape=diamond, style=filled, fillcolor=\"#ede7f6\"".into())
            }
            Way::Next(_) => attributes.push("fillcolor=\"#f5f5f5\"".into()),
            Way::Choices(_) => {}
        }
        if index as u32 == s.start {
            attributes.push("penwidth=2.5".into());
        }
        if !reachable[index] {
            attributes.push("style=\"dashed,filled\", fillcolor=\"#eeeeee\", fontcolor=\"#9e9e9e\", xlabel=\"unreachable\"".into());
        }
        let _ = writeln!(
            out,
            "  \"{}\" [{}];",
            escape(&node.id),
            attributes.join(", ")
        );
    }
    for edge in graph.graph.edge_references() {
        let from = &s.nodes[edge.source().index()];
        let to = &s.nodes[edge.target().index()];
        let label = match *edge.weight() {
            Edge::Choice(position) => {
                let Way::Choices(range) = &from.way else {
                    continue;
                };
                let choice = &s.choices[range_usize(range)][position as usize];
                let gated = if choice.requires.is_empty() {
                    ""
                } else {
                    " [if]"
                };
                format!(
                    "label=\"{}{}\\n{}\", tooltip=\"{}\"",
                    choice.move_kind.label(),
                    gated,
                    escape(&shorten(&choice.say, 32)),
                    escape(&choice.say)
                )
            }
            Edge::Chance(position) => {
                let Way::Chance { branches, total } = &from.way else {
                    continue;
                };
                let weight = s.branches[range_usize(branches)][position as usize].weight;
                format!(
                    "label=\"{:.0}%\", style=dashed",
                    100.0 * f64::from(weight) / f64::from((*total).max(1))
                )
            }
            Edge::Next => "style=dotted".into(),
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [{label}];",
            escape(&from.id),
            escape(&to.id)
        );
    }
    out.push_str("}\n");
    out
}
