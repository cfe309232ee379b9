//! The call as a petgraph graph: buyer lines as nodes, the ways on as edges. Reachability, nodes
//! that cannot reach an ending, and loops the buyer could go round forever are answered here.
//!
//! Graph indices equal node indices (nodes are added in file order) and stay inside the crate;
//! what leaves, through the checker and the DOT output, is the node ids from the file.

use crate::engine::model::{ScenarioData, Way, range_usize};
use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeFiltered, Reversed};

/// How one node leads to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// The rep's choice, by its position in the node's list.
    Choice(u32),
    /// A weighted branch of a chance node, by its position.
    Chance(u32),
    /// The buyer goes straight on.
    Next,
    /// A branch of a `next` list (taken when its conditions are the first to hold), by its
    /// position.
    NextIf(u32),
}

impl Edge {
    /// `next` and `chance` happen without the rep, and without the clock moving.
    pub fn is_automatic(self) -> bool {
        !matches!(self, Edge::Choice(_))
    }
}

pub(crate) struct CallGraph {
    pub graph: DiGraph<u32, Edge>,
}

impl CallGraph {
    pub fn new(node_count: usize, edges: impl IntoIterator<Item = (u32, u32, Edge)>) -> Self {
        let mut graph = DiGraph::with_capacity(node_count, node_count * 2);
        for node in 0..node_count {
            graph.add_node(node as u32);
        }
        for (from, to, edge) in edges {
            graph.add_edge(
                NodeIndex::new(from as usize),
                NodeIndex::new(to as usize),
                edge,
            );
        }
        CallGraph { graph }
    }

    /// The graph of a checked scenario.
    pub fn of(scenario: &ScenarioData) -> Self {
        let mut edges = Vec::new();
        for (index, node) in scenario.nodes.iter().enumerate() {
            let from = index as u32;
            match &node.way {
                Way::Choices(range) => {
                    for (position, choice) in
                        scenario.choices[range_usize(range)].iter().enumerate()
                    {
                        edges.push((from, choice.to, Edge::Choice(position as u32)));
                    }
                }
                Way::Chance { branches, .. } => {
                    for (position, branch) in
                        scenario.branches[range_usize(branches)].iter().enumerate()
                    {
                        edges.push((from, branch.to, Edge::Chance(position as u32)));
                    }
                }
                Way::Next(to) => edges.push((from, *to, Edge::Next)),
                Way::NextIf(branches) => {
                    for (position, branch) in
                        scenario.branches[range_usize(branches)].iter().enumerate()
                    {
                        edges.push((from, branch.to, Edge::NextIf(position as u32)));
                    }
                }
                Way::End(_) => {}
            }
        }
        CallGraph::new(scenario.nodes.len(), edges)
    }

    /// Which nodes some path from `start` reaches.
    pub fn reachable_from(&self, start: u32) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut dfs = Dfs::new(&self.graph, NodeIndex::new(start as usize));
        while let Some(node) = dfs.next(&self.graph) {
            seen[node.index()] = true;
        }
        seen
    }

    /// Which nodes have a path to one of `targets`.
    pub fn reaching(&self, targets: impl IntoIterator<Item = u32>) -> Vec<bool> {
        let reversed = Reversed(&self.graph);
        let mut seen = vec![false; self.graph.node_count()];
        let mut dfs = Dfs::empty(reversed);
        for target in targets {
            dfs.move_to(NodeIndex::new(target as usize));
            while let Some(node) = dfs.next(reversed) {
                seen[node.index()] = true;
            }
        }
        seen
    }

    /// Loops made only of `next` and `chance` edges: the buyer could talk round them forever,
    /// since only the rep's choices spend minutes. Each loop is listed once, nodes in file order.
    pub fn automatic_loops(&self) -> Vec<Vec<u32>> {
        let automatic = EdgeFiltered::from_fn(&self.graph, |edge| edge.weight().is_automatic());
        // Kosaraju's algorithm walks with an explicit stack; Tarjan's in petgraph recurses, and a
        // chain of 200,000 `next` nodes overflowed the stack.
        let mut loops: Vec<Vec<u32>> = kosaraju_scc(&automatic)
            .into_iter()
            .filter(|component| {
                component.len() > 1
                    || self
                        .graph
                        .edges_directed(component[0], Direction::Outgoing)
                        .any(|e| {
                            e.weight().is_automatic()
                                && petgraph::visit::EdgeRef::target(&e) == component[0]
                        })
            })
            .map(|component| {
                let mut nodes: Vec<u32> = component.iter().map(|n| n.index() as u32).collect();
                nodes.sort_unstable();
                nodes
            })
            .collect();
        loops.sort();
        loops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachability_runs_both_ways_and_automatic_loops_are_found() {
        // 0 -choice-> 1 -next-> 2 -chance-> 1 ; 3 isolated ; 2 -choice-> 4
        let graph = CallGraph::new(
            5,
            [
                (0, 1, Edge::Choice(0)),
                (1, 2, Edge::Next),
                (2, 1, Edge::Chance(0)),
                (2, 4, Edge::Choice(0)),
            ],
        );
        assert_eq!(graph.reachable_from(0), vec![true, true, true, false, true]);
        assert_eq!(graph.reaching([4]), vec![true, true, true, false, true]);
        assert_eq!(graph.automatic_loops(), vec![vec![1, 2]]);
    }

    #[test]
    fn a_loop_through_a_choice_is_not_a_buyer_loop() {
        let graph = CallGraph::new(2, [(0, 1, Edge::Next), (1, 0, Edge::Choice(0))]);
        assert!(graph.automatic_loops().is_empty());
    }
}
