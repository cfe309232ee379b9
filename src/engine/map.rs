//! The call as a map to draw and explore (the window's Author screen): each buyer line a node
//! placed in layers left to right from the start, each way on an edge with its words and
//! conditions, best play, unreachable nodes and nodes that cannot reach an ending marked, and
//! what a node's side panel shows (its line, choices with conditions, reveals, trust).

use crate::engine::check::{CallGraph, Edge};
use crate::engine::dot::{branch_condition, condition_text};
use crate::engine::format::diagnostic::Diagnostic;
use crate::engine::format::{Move, Outcome};
use crate::engine::model::{Scenario, ScenarioData, Way, range_usize};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet, VecDeque};

/// What kind of node it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// The rep chooses.
    Choices,
    /// The buyer's luck picks a branch.
    Chance,
    /// The buyer goes straight on.
    Next,
    End(Outcome),
}

/// One choice of a node, as its side panel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapChoice {
    pub say: String,
    pub move_kind: Move,
    pub to: String,
    /// Its conditions written out ("trust >= 40 and knows budget"), empty when always offered.
    pub condition: String,
    pub trust: i32,
    pub minutes: u32,
    pub reveals: Vec<String>,
    pub note: Option<String>,
    /// Whether best play takes it.
    pub best: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    pub id: String,
    pub line: String,
    pub kind: NodeKind,
    /// Column (0 is the start) and place in the column, from the layout.
    pub layer: usize,
    pub row: usize,
    pub start: bool,
    pub reachable: bool,
    /// No way from it reaches an ending.
    pub dead_end: bool,
    pub trust: i32,
    pub reveals: Vec<String>,
    pub choices: Vec<MapChoice>,
    /// A chance node's branches: (to, share in percent, when it is open: "if knows pain", or
    /// empty when always).
    pub branches: Vec<(String, f64, String)>,
    /// Where the buyer goes on to: one node (condition empty), or a `next` list's branches in
    /// order, each with its condition ("if trust >= 60", the last "otherwise").
    pub next: Vec<(String, String)>,
}

/// A way from one node to another, by their places in `CallMap::nodes`.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEdge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub automatic: bool,
    pub best: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallMap {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<MapEdge>,
    pub layers: usize,
}

impl CallMap {
    /// The map of a checked call; `best` is what `dot::best_play` found (empty for a call too
    /// large to search).
    pub fn of(scenario: &Scenario, best: &HashSet<(u32, u32)>) -> CallMap {
        let s: &ScenarioData = scenario;
        let graph = CallGraph::of(s);
        let reachable = graph.reachable_from(s.start);
        let endings: Vec<u32> = s
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n.way, Way::End(_)))
            .map(|(i, _)| i as u32)
            .collect();
        let reaches_end = graph.reaching(endings);
        let fact_ids = |range: &std::ops::Range<u32>| -> Vec<String> {
            s.fact_refs[range_usize(range)]
                .iter()
                .map(|f| s.facts[*f as usize].id.clone())
                .collect()
        };
        let mut edges = Vec::new();
        for edge in graph.graph.edge_references() {
            let (from, to) = (edge.source().index(), edge.target().index());
            let (label, best_edge) = match *edge.weight() {
                Edge::Choice(position) => {
                    let Way::Choices(range) = &s.nodes[from].way else {
                        continue;
                    };
                    let choice = &s.choices[range_usize(range)][position as usize];
                    (
                        choice.move_kind.label().to_string(),
                        best.contains(&(from as u32, position)),
                    )
                }
                Edge::Chance(position) => {
                    let Way::Chance {
                        branches, total, ..
                    } = &s.nodes[from].way
                    else {
                        continue;
                    };
                    let branch = &s.branches[range_usize(branches)][position as usize];
                    let share = 100.0 * f64::from(branch.weight) / f64::from((*total).max(1));
                    let condition = branch_condition(s, branch, false);
                    let label = if condition.is_empty() {
                        format!("{share:.0}%")
                    } else {
                        format!("{share:.0}% {condition}")
                    };
                    (label, false)
                }
                Edge::Next => ("goes on".to_string(), false),
                Edge::NextIf(position) => {
                    let Way::NextIf(branches) = &s.nodes[from].way else {
                        continue;
                    };
                    let branch = &s.branches[range_usize(branches)][position as usize];
                    (branch_condition(s, branch, true), false)
                }
            };
            edges.push(MapEdge {
                from,
                to,
                label,
                automatic: edge.weight().is_automatic(),
                best: best_edge,
            });
        }
        let nodes: Vec<MapNode> = s
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| {
                let kind = match &node.way {
                    Way::Choices(_) => NodeKind::Choices,
                    Way::Chance { .. } => NodeKind::Chance,
                    Way::Next(_) | Way::NextIf(_) => NodeKind::Next,
                    Way::End(outcome) => NodeKind::End(*outcome),
                };
                let choices = match &node.way {
                    Way::Choices(range) => s.choices[range_usize(range)]
                        .iter()
                        .enumerate()
                        .map(|(position, choice)| MapChoice {
                            say: choice.say.clone(),
                            move_kind: choice.move_kind,
                            to: s.nodes[choice.to as usize].id.clone(),
                            condition: s
                                .conditions_of(choice)
                                .iter()
                                .map(|c| condition_text(s, *c))
                                .collect::<Vec<_>>()
                                .join(" and "),
                            trust: choice.trust,
                            minutes: choice.minutes,
                            reveals: fact_ids(&choice.reveals),
                            note: choice.note.clone(),
                            best: best.contains(&(index as u32, position as u32)),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let branches = match &node.way {
                    Way::Chance {
                        branches, total, ..
                    } => s.branches[range_usize(branches)]
                        .iter()
                        .map(|b| {
                            (
                                s.nodes[b.to as usize].id.clone(),
                                100.0 * f64::from(b.weight) / f64::from((*total).max(1)),
                                branch_condition(s, b, false),
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                MapNode {
                    id: node.id.clone(),
                    line: node.line.clone(),
                    kind,
                    layer: 0,
                    row: 0,
                    start: index as u32 == s.start,
                    reachable: reachable[index],
                    dead_end: reachable[index] && !reaches_end[index],
                    trust: node.trust,
                    reveals: fact_ids(&node.reveals),
                    choices,
                    branches,
                    next: match &node.way {
                        Way::Next(to) => vec![(s.nodes[*to as usize].id.clone(), String::new())],
                        Way::NextIf(branches) => s.branches[range_usize(branches)]
                            .iter()
                            .map(|b| {
                                (
                                    s.nodes[b.to as usize].id.clone(),
                                    branch_condition(s, b, true),
                                )
                            })
                            .collect(),
                        _ => Vec::new(),
                    },
                }
            })
            .collect();
        let mut map = CallMap {
            nodes,
            edges,
            layers: 0,
        };
        map.lay_out(s.start as usize);
        map
    }

    /// The place of the node with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// Layers by the fewest steps from the start (unreachable nodes in a column of their own
    /// after the last), then each layer ordered by the mean row of the nodes leading into it,
    /// a few sweeps, so that edges cross less.
    fn lay_out(&mut self, start: usize) {
        let count = self.nodes.len();
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); count];
        for edge in &self.edges {
            outgoing[edge.from].push(edge.to);
            incoming[edge.to].push(edge.from);
        }
        let mut layer = vec![usize::MAX; count];
        let mut queue = VecDeque::new();
        if start < count {
            layer[start] = 0;
            queue.push_back(start);
        }
        let mut discovered = Vec::with_capacity(count);
        while let Some(node) = queue.pop_front() {
            discovered.push(node);
            for &next in &outgoing[node] {
                if layer[next] == usize::MAX {
                    layer[next] = layer[node] + 1;
                    queue.push_back(next);
                }
            }
        }
        let deepest = discovered.iter().map(|n| layer[*n]).max().unwrap_or(0);
        for (node, place) in layer.iter_mut().enumerate() {
            if *place == usize::MAX {
                *place = deepest + 1;
                discovered.push(node);
            }
        }
        self.layers = layer.iter().max().map_or(0, |l| l + 1);
        let mut columns: Vec<Vec<usize>> = vec![Vec::new(); self.layers];
        for node in discovered {
            columns[layer[node]].push(node);
        }
        let mut row: HashMap<usize, f64> = HashMap::new();
        let place = |columns: &Vec<Vec<usize>>, row: &mut HashMap<usize, f64>| {
            for column in columns {
                for (i, node) in column.iter().enumerate() {
                    row.insert(*node, i as f64);
                }
            }
        };
        place(&columns, &mut row);
        for _ in 0..4 {
            for (l, column) in columns.iter_mut().enumerate().skip(1) {
                let mut keyed: Vec<(f64, usize)> = column
                    .iter()
                    .enumerate()
                    .map(|(i, node)| {
                        let before: Vec<f64> = incoming[*node]
                            .iter()
                            .filter(|from| layer[**from] + 1 == l)
                            .filter_map(|from| row.get(from).copied())
                            .collect();
                        let key = if before.is_empty() {
                            i as f64
                        } else {
                            before.iter().sum::<f64>() / before.len() as f64
                        };
                        (key, *node)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                *column = keyed.into_iter().map(|(_, node)| node).collect();
                for (i, node) in column.iter().enumerate() {
                    row.insert(*node, i as f64);
                }
            }
        }
        for (l, column) in columns.iter().enumerate() {
            for (r, node) in column.iter().enumerate() {
                self.nodes[*node].layer = l;
                self.nodes[*node].row = r;
            }
        }
    }
}

/// Each node's lines in the file, from its key to the end of its entry: (id, first, last).
pub fn node_lines(source: &str) -> Vec<(String, usize, usize)> {
    use crate::engine::format::locate::{self, SourceText, Step, Value};
    let Some(root) = locate::parse(source) else {
        return Vec::new();
    };
    let Some(nodes) = root.find(&[Step::Field("nodes")]) else {
        return Vec::new();
    };
    let Value::Map(entries, _) = &nodes.value else {
        return Vec::new();
    };
    let text = SourceText::new(source);
    entries
        .iter()
        .filter_map(|(key, value)| match &key.value {
            Value::Str(id) => Some((
                id.clone(),
                text.line_of(key.span.start),
                text.line_of(value.span.end.saturating_sub(1)),
            )),
            _ => None,
        })
        .collect()
}

/// The node whose entry holds `line`, if any.
pub fn node_at_line(lines: &[(String, usize, usize)], line: usize) -> Option<&str> {
    lines
        .iter()
        .find(|(_, from, to)| (*from..=*to).contains(&line))
        .map(|(id, _, _)| id.as_str())
}

/// The codes of the problems within each node's entry in the file, by node id.
pub fn marks_by_node(source: &str, diagnostics: &[Diagnostic]) -> HashMap<String, Vec<String>> {
    let lines = node_lines(source);
    let mut marks: HashMap<String, Vec<String>> = HashMap::new();
    for d in diagnostics {
        let Some(line) = d.location.as_deref().map(|l| l.line) else {
            continue;
        };
        if let Some(id) = node_at_line(&lines, line) {
            let codes = marks.entry(id.to_string()).or_default();
            let code = d.code.as_str().to_string();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(name: &str) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.scenario.ron"));
        crate::check_path(&path)
            .scenario
            .expect("shipped calls check")
    }

    #[test]
    fn the_map_places_every_node_once_left_to_right_from_the_start() {
        for name in ["harbor-discovery", "fernway-bakery", "northwind-incumbent"] {
            let scenario = shipped(name);
            let map = CallMap::of(&scenario, &crate::engine::dot::best_play(&scenario));
            assert_eq!(map.nodes.len(), scenario.node_count());
            let start = map.nodes.iter().find(|n| n.start).unwrap();
            assert_eq!(start.layer, 0);
            let mut places = HashSet::new();
            for node in &map.nodes {
                assert!(
                    places.insert((node.layer, node.row)),
                    "{name}: two nodes at one place"
                );
            }
            // Every reachable node but the start has an edge from the layer before it.
            for (i, node) in map.nodes.iter().enumerate() {
                if node.reachable && !node.start {
                    assert!(
                        map.edges
                            .iter()
                            .any(|e| e.to == i && map.nodes[e.from].layer + 1 == node.layer),
                        "{name}: {} has no way in from the layer before",
                        node.id
                    );
                }
            }
            assert!(map.edges.iter().any(|e| e.best), "{name}: best play drawn");
            assert!(
                map.nodes
                    .iter()
                    .any(|n| n.choices.iter().any(|c| !c.condition.is_empty())),
                "{name}: conditions written out"
            );
        }
    }
}
