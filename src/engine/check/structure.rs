//! The call's shape: every node reached from the start and able to reach an ending, no loop the
//! buyer could go round forever, every fact revealed somewhere reachable, and a right call.

use super::Checker;
use super::call_graph::{CallGraph, Edge};
use super::right_call;
use crate::engine::format::Outcome;
use crate::engine::format::diagnostic::Code;
use crate::engine::format::locate::Step;

impl<'a> Checker<'a> {
    /// The edges that resolve to known nodes, for the graph checks.
    fn resolved_edges(&self) -> Vec<(u32, u32, Edge)> {
        let mut edges = Vec::new();
        for (i, (_, node)) in self.file.nodes.iter().enumerate() {
            let from = i as u32;
            let mut add = |to: &str, edge| {
                if let Some(&to) = self.node_index.get(to) {
                    edges.push((from, to, edge));
                }
            };
            for (p, choice) in node.choices.iter().flatten().enumerate() {
                add(&choice.to, Edge::Choice(p as u32));
            }
            for (p, branch) in node.chance.iter().flatten().enumerate() {
                if branch.weight > 0 {
                    add(&branch.to, Edge::Chance(p as u32));
                }
            }
            for to in node.next.iter().flat_map(|next| next.targets()) {
                add(to, Edge::Next);
            }
        }
        edges
    }

    pub(super) fn check_graph(&mut self) {
        let file = self.file;
        let Some(&start) = self.node_index.get(file.start.as_str()) else {
            return;
        };
        let graph = CallGraph::new(file.nodes.len(), self.resolved_edges());
        let reachable = graph.reachable_from(start);
        let endings: Vec<u32> = file
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, (_, n))| n.end.is_some())
            .map(|(i, _)| i as u32)
            .collect();
        let reaches_end = graph.reaching(endings.iter().copied());
        // A loop the buyer goes round forever is one message; the nodes that cannot end only
        // because they lead into it, and a right call it swallowed, wait until it is fixed.
        let buyer_loops = graph.automatic_loops();
        let reaches_loop = graph.reaching(buyer_loops.iter().flatten().copied());
        for (i, (id, _)) in file.nodes.iter().enumerate() {
            if self.node_occurrence[i] > 0 {
                continue;
            }
            if !reachable[i] {
                let location = self.node_key(i);
                self.push(
                    self.problem(Code::UnreachableNode, format!("node \"{id}\" is never reached"))
                        .at(location)
                        .label("no path from `start` leads here")
                        .hint("point a choice's `to`, a `next` or a `chance` branch here, or remove the node"),
                );
            } else if !reaches_end[i] && !reaches_loop[i] {
                let location = self.node_key(i);
                self.push(
                    self.problem(
                        Code::NoEndingReachable,
                        format!("no ending can be reached from node \"{id}\""),
                    )
                    .at(location)
                    .label("a call that gets here can never end")
                    .hint("lead at least one way from here to a node with `end: ..`"),
                );
            }
        }
        for buyer_loop in &buyer_loops {
            let first = buyer_loop[0] as usize;
            let names: Vec<String> = buyer_loop
                .iter()
                .map(|&n| format!("\"{}\"", file.nodes.0[n as usize].0))
                .collect();
            let location = self.node_key(first);
            self.push(
                self.problem(Code::BuyerLoop, format!("the buyer can go round {} forever", names.join(" -> ")))
                    .at(location)
                    .label("a loop of `next`/`chance` turns with no choice in it")
                    .hint("only the rep's choices spend minutes: put a `choices` node in the loop, or end it"),
            );
        }
        // Facts that no reachable line or choice reveals.
        let mut revealed = vec![false; file.facts.len()];
        for (i, (_, node)) in file.nodes.iter().enumerate() {
            if !reachable[i] {
                continue;
            }
            let choice_reveals = node.choices.iter().flatten().flat_map(|c| c.reveals.iter());
            for fact in node.reveals.iter().chain(choice_reveals) {
                if let Some(&f) = self.fact_index.get(fact.as_str()) {
                    revealed[f as usize] = true;
                }
            }
        }
        for (i, (id, _)) in file.facts.iter().enumerate() {
            if self.fact_occurrence[i] == 0 && !revealed[self.fact_index[id] as usize] {
                let location = self.here(&[Step::Field("facts"), Step::Key(id, 0)]);
                self.push(
                    self.problem(Code::FactNeverRevealed, format!("fact \"{id}\" is never revealed"))
                        .at(location)
                        .label("no reachable line or choice reveals it")
                        .hint("add it to a reachable node's or choice's `reveals`, or remove it (reps could never score it)"),
                );
            }
        }
        // A right call must be reachable.
        let right = if file.deal.winnable {
            Outcome::Advance
        } else {
            Outcome::QualifiedOut
        };
        let has_right_ending = file
            .nodes
            .iter()
            .enumerate()
            .any(|(i, (_, n))| reachable[i] && n.end == Some(right));
        if !has_right_ending && buyer_loops.is_empty() {
            let (what, right_name) = right_call(file.deal.winnable);
            let location = self.here(&[Step::Field("deal"), Step::Field("winnable")]);
            self.push(
                self.problem(
                    Code::NoRightCall,
                    format!("no reachable ending is the right call: this deal {what}"),
                )
                .at(location)
                .label(format!("so some path must end in `{right_name}`"))
                .hint(format!(
                    "add a reachable node with `end: {right_name}`, or correct `winnable`"
                )),
            );
        }
    }
}
