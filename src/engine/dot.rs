//! `dealsim graph`: the call as a DOT graph, left to right from the start. Buyer lines are nodes,
//! choices are edges labelled with their move and their conditions written out, the choices best
//! play takes are drawn thick, endings are coloured by outcome, and unreachable nodes are greyed.
//! Two flavours: one for Graphviz, and a plainer one that the window-free renderer (layout-rs,
//! used by `graph --format svg|html`) draws faithfully.

use crate::engine::check::{CallGraph, Edge};
use crate::engine::format::Outcome;
use crate::engine::model::{BranchData, Cond, Scenario, ScenarioData, Way, range_usize};
use crate::engine::search::{Objective, Solver};
use crate::engine::session::Session;
use crate::engine::text::shorten;
use petgraph::visit::EdgeRef;
use std::collections::HashSet;
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

/// Which renderer the DOT is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Graphviz's `dot`: every shape and the legend in the graph's label.
    Graphviz,
    /// layout-rs: boxes only, and what a shape would say written in the label.
    Plain,
}

/// The colour of the choices best play takes.
pub const BEST_COLOUR: &str = "#0b7a75";

/// What a condition asks, in words a manager reads on the map.
/// When a buyer's branch (`chance` or a `next` list) is open, as a label: "if trust >= 60 and
/// knows budget", "otherwise" for the unconditional last branch of a `next` list, nothing for an
/// unconditional chance branch.
pub(crate) fn branch_condition(
    s: &ScenarioData,
    branch: &BranchData,
    in_next_list: bool,
) -> String {
    let conditions = s.conditions_of_branch(branch);
    if conditions.is_empty() {
        return if in_next_list {
            "otherwise".into()
        } else {
            String::new()
        };
    }
    let text: Vec<String> = conditions.iter().map(|c| condition_text(s, *c)).collect();
    format!("if {}", text.join(" and "))
}

/// Why the buyer's own turn at `from` could lead to `to`, as the map writes it: "if trust >= 60"
/// or "otherwise" for a `next` list, "50%" (and its condition) for a chance branch; `None` when
/// `from` is not a buyer's turn with branches, or has none to `to`. For an author's playtest.
pub fn buyer_branch(scenario: &Scenario, from: &str, to: &str) -> Option<String> {
    let s: &ScenarioData = scenario;
    let from = &s.nodes[s.node_index(from)? as usize];
    let to = s.node_index(to)?;
    match &from.way {
        Way::NextIf(branches) => s.branches[range_usize(branches)]
            .iter()
            .find(|b| b.to == to)
            .map(|b| branch_condition(s, b, true)),
        Way::Chance {
            branches,
            total,
            conditional,
        } => s.branches[range_usize(branches)]
            .iter()
            .find(|b| b.to == to)
            .map(|b| {
                let condition = branch_condition(s, b, false);
                if *conditional {
                    // The shares depend on which branches were open: not a fixed percentage.
                    match condition.is_empty() {
                        true => "drawn by chance among the branches open then".to_string(),
                        false => {
                            format!("drawn by chance among the branches open then ({condition})")
                        }
                    }
                } else {
                    let share = 100.0 * f64::from(b.weight) / f64::from((*total).max(1));
                    format!("{share:.0}% chance")
                }
            }),
        _ => None,
    }
}

pub(crate) fn condition_text(s: &ScenarioData, condition: Cond) -> String {
    let fact = |f: u32| s.facts[f as usize].id.clone();
    let node = |n: u32| s.nodes[n as usize].id.clone();
    match condition {
        Cond::Knows(f) => format!("knows {}", fact(f)),
        Cond::DoesNotKnow(f) => format!("not yet {}", fact(f)),
        Cond::TrustAtLeast(n) => format!("trust >= {n}"),
        Cond::TrustBelow(n) => format!("trust < {n}"),
        Cond::MinutesLeft(n) => format!(">= {n} min left"),
        Cond::Visited(n) => format!("after {}", node(n)),
        Cond::NotVisited(n) => format!("before {}", node(n)),
    }
}

/// The choices best play takes, as (node, position in its list), over many draws of the
/// buyer's luck; empty when the call is too large to search.
pub fn best_play(scenario: &Scenario) -> HashSet<(u32, u32)> {
    let s: &ScenarioData = scenario;
    let mut taken = HashSet::new();
    let mut solver = Solver::new(s, Objective::ExpectedScore);
    if solver.value_from_start().is_err() {
        return taken;
    }
    // A call without chance turns has one best path; otherwise enough draws to meet every
    // branch worth drawing.
    let draws = if scenario.has_chance() { 256 } else { 1 };
    for seed in 0..draws {
        let mut session = Session::for_simulation(scenario, seed);
        session.count_waste_per_choice();
        while !session.is_over() {
            let Some(decision) = solver.lookup(session.core()) else {
                break;
            };
            taken.insert((session.core().node, decision.best));
            if session.choose(decision.best as usize).is_err() {
                break;
            }
        }
    }
    taken
}

/// The call as DOT for Graphviz (`dealsim graph FILE | dot -Tsvg`).
pub fn to_dot(scenario: &Scenario) -> String {
    to_dot_for(scenario, Flavour::Graphviz, &best_play(scenario))
}

/// The call as DOT for a renderer, with the choices of best play drawn thick.
pub fn to_dot_for(scenario: &Scenario, flavour: Flavour, best: &HashSet<(u32, u32)>) -> String {
    to_dot_marked(scenario, flavour, best, &std::collections::HashMap::new())
}

/// `to_dot_for`, with the checker's problems marked on their nodes (node id to codes).
pub fn to_dot_marked(
    scenario: &Scenario,
    flavour: Flavour,
    best: &HashSet<(u32, u32)>,
    marks: &std::collections::HashMap<String, Vec<String>>,
) -> String {
    let s: &ScenarioData = scenario;
    let graph = CallGraph::of(s);
    let reachable = graph.reachable_from(s.start);
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape(&s.id));
    if flavour == Flavour::Graphviz {
        let _ = writeln!(
            out,
            "  label=\"{}\\n{} · {} · deal {}\\nthick teal: best play · dashed: chance · dotted: the buyer goes on · octagons: endings (green Advance, amber Continuation, red Lost, blue QualifiedOut) · grey: unreachable\";",
            escape(&s.title),
            escape(&s.buyer.name),
            escape(&s.buyer.role),
            if s.winnable {
                "winnable: Advance is right"
            } else {
                "not winnable: QualifiedOut is right"
            }
        );
        let _ = writeln!(out, "  labelloc=t;");
    }
    let _ = writeln!(out, "  rankdir=LR;");
    if flavour == Flavour::Graphviz {
        let _ = writeln!(
            out,
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];"
        );
        let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    }
    for (index, node) in s.nodes.iter().enumerate() {
        let kind = match &node.way {
            Way::End(outcome) => format!("END: {}\\n", outcome.label()),
            Way::Chance { .. } => "CHANCE\\n".to_string(),
            _ => String::new(),
        };
        let start = if index as u32 == s.start {
            "START\\n"
        } else {
            ""
        };
        let unreachable = if reachable[index] {
            ""
        } else {
            "UNREACHABLE\\n"
        };
        let marked = marks
            .get(&node.id)
            .map(|codes| format!("CHECK: {}\\n", codes.join(", ")))
            .unwrap_or_default();
        let mut attributes = vec![match flavour {
            Flavour::Graphviz => format!(
                "label=\"{}\\n{}\"",
                escape(&node.id),
                escape(&shorten(&node.line, 48))
            ),
            Flavour::Plain => format!(
                "label=\"{marked}{start}{unreachable}{kind}{}\\n{}\"",
                escape(&node.id),
                escape(&shorten(&node.line, 40))
            ),
        }];
        attributes.push("shape=box".into());
        match &node.way {
            Way::End(outcome) => {
                if flavour == Flavour::Graphviz {
                    attributes.push("shape=doubleoctagon".into());
                    attributes.push("fontcolor=\"#ffffff\"".into());
                    attributes.push(format!("tooltip=\"ends: {}\"", outcome.label()));
                }
                attributes.push(format!(
                    "style=filled, fillcolor=\"{}\"",
                    match flavour {
                        Flavour::Graphviz => outcome_colour(*outcome),
                        Flavour::Plain => outcome_tint(*outcome),
                    }
                ));
            }
            Way::Chance { .. } => {
                if flavour == Flavour::Graphviz {
                    attributes.push("shape=diamond".into());
                }
                attributes.push("style=filled, fillcolor=\"#ede7f6\"".into());
            }
            Way::Next(_) | Way::NextIf(_) => {
                attributes.push("style=filled, fillcolor=\"#f5f5f5\"".into())
            }
            Way::Choices(_) => {}
        }
        if index as u32 == s.start {
            attributes.push("penwidth=3, color=\"#0b7a75\"".into());
        }
        if marks.contains_key(&node.id) {
            attributes.push("color=\"#d55e00\", penwidth=3".into());
        }
        if !reachable[index] {
            attributes
                .push("style=\"dashed,filled\", fillcolor=\"#eeeeee\", color=\"#9e9e9e\"".into());
            if flavour == Flavour::Graphviz {
                attributes.push("fontcolor=\"#9e9e9e\", xlabel=\"unreachable\"".into());
            }
        }
        let _ = writeln!(
            out,
            "  \"{}\" [{}];",
            escape(&node.id),
            attributes.join(", ")
        );
    }
    for edge in graph.graph.edge_references() {
        let from_index = edge.source().index() as u32;
        let from = &s.nodes[edge.source().index()];
        let to = &s.nodes[edge.target().index()];
        let label = match *edge.weight() {
            Edge::Choice(position) => {
                let Way::Choices(range) = &from.way else {
                    continue;
                };
                let choice = &s.choices[range_usize(range)][position as usize];
                let conditions: Vec<String> = s
                    .conditions_of(choice)
                    .iter()
                    .map(|c| condition_text(s, *c))
                    .collect();
                let gated = if conditions.is_empty() {
                    String::new()
                } else {
                    format!("\\nif {}", escape(&conditions.join(" and ")))
                };
                let taken = best.contains(&(from_index, position));
                let look = if taken {
                    format!(", color=\"{BEST_COLOUR}\", penwidth=3")
                } else {
                    String::new()
                };
                let tooltip = if flavour == Flavour::Graphviz {
                    format!(", tooltip=\"{}\"", escape(&choice.say))
                } else {
                    String::new()
                };
                format!(
                    "label=\"{}{}\\n{}\"{look}{tooltip}",
                    choice.move_kind.label(),
                    gated,
                    escape(&shorten(&choice.say, 28)),
                )
            }
            Edge::Chance(position) => {
                let Way::Chance {
                    branches, total, ..
                } = &from.way
                else {
                    continue;
                };
                let branch = &s.branches[range_usize(branches)][position as usize];
                let condition = branch_condition(s, branch, false);
                let condition = if condition.is_empty() {
                    String::new()
                } else {
                    format!("\\n{}", escape(&condition))
                };
                format!(
                    "label=\"{:.0}%{condition}\", style=dashed",
                    100.0 * f64::from(branch.weight) / f64::from((*total).max(1))
                )
            }
            Edge::NextIf(position) => {
                let Way::NextIf(branches) = &from.way else {
                    continue;
                };
                let branch = &s.branches[range_usize(branches)][position as usize];
                format!(
                    "label=\"{}\", style=dashed",
                    escape(&branch_condition(s, branch, true))
                )
            }
            Edge::Next => match flavour {
                Flavour::Graphviz => "style=dotted".into(),
                Flavour::Plain => "label=\"goes on\", style=dashed".into(),
            },
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

/// A light tint of an outcome's colour, for a box whose text stays dark (layout-rs draws text
/// black).
fn outcome_tint(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Advance => "#c8e6c9",
        Outcome::Continuation => "#fff3c4",
        Outcome::Lost => "#ffcdd2",
        Outcome::QualifiedOut => "#bbdefb",
    }
}
