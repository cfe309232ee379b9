//! What the call's conditions really allow, over the trust, facts, visits and minutes a path can
//! have (the fastest-right search explores every such state): a gate no path meets keeps its
//! choice from ever being offered, which is reported at the gate; nodes behind such gates are
//! never reached; a fact revealed only behind them can never be learned. And the measured
//! call: a pass mark nobody can reach, best play that misses the right call, a declared
//! difficulty the call does not have.

use super::Checker;
use super::measure::{Difficulty, best_passing_score, explain};
use crate::engine::format::diagnostic::Code;
use crate::engine::format::locate::Step;
use crate::engine::format::{Condition, Outcome};
use crate::engine::model::{ScenarioData, Way, range_usize};
use crate::engine::search::Yardstick;

impl<'a> Checker<'a> {
    /// Reports gates no path meets, the nodes and facts they hide. Runs on a clean file's
    /// compiled call, whose yardstick explored every state a path can be in.
    /// `with_carried`: the same exploration from a start where every fact a campaign may carry
    /// in is known; what either reaches counts as reached.
    pub(super) fn check_gates(&mut self, data: &ScenarioData, with_carried: Option<&Yardstick>) {
        let Some(yardstick) = Yardstick::kept(data) else {
            return; // too large to explore; the graph checks stand
        };
        let either = |own: &[bool], carried: Option<&[bool]>| -> Vec<bool> {
            match carried {
                Some(carried) => own.iter().zip(carried).map(|(a, b)| *a || *b).collect(),
                None => own.to_vec(),
            }
        };
        let reached = either(
            &yardstick.reached,
            with_carried.map(|y| y.reached.as_slice()),
        );
        let offered = either(
            &yardstick.offered,
            with_carried.map(|y| y.offered.as_slice()),
        );
        let opened = either(&yardstick.opened, with_carried.map(|y| y.opened.as_slice()));
        let file = self.file;
        for (n, (id, node)) in file.nodes.iter().enumerate() {
            if self.node_occurrence[n] > 0 || !reached[n] {
                continue;
            }
            let Way::Choices(range) = &data.nodes[n].way else {
                continue;
            };
            for (c, choice) in node.choices.iter().flatten().enumerate() {
                let global = range.start as usize + c;
                if offered[global] || choice.requires.is_empty() {
                    continue;
                }
                let [nodes, key] = self.node_path(n);
                let gate = [nodes, key, Step::Field("choices"), Step::Index(c)];
                let location = self.here_field_name(&gate, "requires");
                let why = self.why_never_met(data, &yardstick, n as u32, &choice.requires);
                let target = &choice.to;
                let hidden = data
                    .node_index(target)
                    .is_some_and(|t| !reached[t as usize]);
                let label = if hidden {
                    format!("so node \"{target}\" is never reached")
                } else {
                    "this choice is never offered".to_string()
                };
                self.push(
                    self.problem(
                        Code::NeverOffered,
                        format!("no path can meet this choice's conditions at node \"{id}\"{why}"),
                    )
                    .at(location)
                    .label(label)
                    .hint("loosen the condition, or let an earlier choice earn what it asks for (see docs/format.md, \"Conditions\")"),
                );
            }
        }
        // The buyer's branches whose conditions no path meets.
        for (n, (id, node)) in file.nodes.iter().enumerate() {
            if self.node_occurrence[n] > 0 || !reached[n] {
                continue;
            }
            let (field, branches, requires): (&str, _, Vec<&[Condition]>) =
                match (&data.nodes[n].way, &node.chance, &node.next) {
                    (Way::Chance { branches, .. }, Some(list), _) => (
                        "chance",
                        branches,
                        list.iter().map(|b| b.requires.as_slice()).collect(),
                    ),
                    (Way::NextIf(branches), _, Some(next)) => (
                        "next",
                        branches,
                        next.branches().into_iter().map(|(_, r)| r).collect(),
                    ),
                    _ => continue,
                };
            for (b, global) in range_usize(branches).enumerate() {
                let branch = &data.branches[global];
                if opened[global] || requires[b].is_empty() || branch.weight == 0 {
                    continue;
                }
                let [nodes, key] = self.node_path(n);
                let gate = [nodes, key, Step::Field(field), Step::Index(b)];
                let location = self.here_field_name(&gate, "requires");
                let why = self.why_never_met(data, &yardstick, n as u32, requires[b]);
                let target = &data.nodes[branch.to as usize].id;
                self.push(
                    self.problem(
                        Code::NeverOffered,
                        format!("no path can meet this branch's conditions at node \"{id}\"{why}"),
                    )
                    .at(location)
                    .label(format!("the buyer never goes to \"{target}\" this way"))
                    .hint("loosen the condition, or let an earlier choice earn what it asks for (see docs/format.md, \"Conditions\")"),
                );
            }
        }
        // Facts that only gated-off lines and choices reveal can never be learned.
        let mut learnable = vec![false; data.facts.len()];
        for (n, node) in data.nodes.iter().enumerate() {
            if !reached[n] {
                continue;
            }
            for &fact in data.refs(&node.reveals) {
                learnable[fact as usize] = true;
            }
            if let Way::Choices(range) = &node.way {
                for (global, choice) in range_usize(range).zip(&data.choices[range_usize(range)]) {
                    if offered[global] {
                        for &fact in data.refs(&choice.reveals) {
                            learnable[fact as usize] = true;
                        }
                    }
                }
            }
        }
        for (index, fact) in data.facts.iter().enumerate() {
            if !learnable[index] {
                let location = self.here(&[Step::Field("facts"), Step::Key(&fact.id, 0)]);
                self.push(
                    self.problem(
                        Code::FactNeverRevealed,
                        format!("fact \"{}\" can never be learned", fact.id),
                    )
                    .at(location)
                    .label("every line and choice that reveals it is behind a condition no path meets")
                    .hint("loosen the condition in front of it, or reveal it somewhere a path reaches"),
                );
            }
        }
    }

    /// Why a list of conditions is never met at a node: the first condition that no state there
    /// meets, with what the states do have, such as " (it needs trust 80; trust here is at most
    /// 65)".
    fn why_never_met(
        &self,
        data: &ScenarioData,
        yardstick: &Yardstick,
        node: u32,
        requires: &[Condition],
    ) -> String {
        let range = yardstick.trust_range(node);
        for condition in requires {
            match (condition, range) {
                (Condition::TrustAtLeast(n), Some((_, high))) if i64::from(high) < *n => {
                    return format!(" (it needs trust {n}; trust here is at most {high})");
                }
                (Condition::TrustBelow(n), Some((low, _))) if i64::from(low) >= *n => {
                    return format!(" (it needs trust below {n}; trust here is at least {low})");
                }
                (Condition::Knows(fact), _) => {
                    if let Some(index) = data.facts.iter().position(|f| &f.id == fact)
                        && !yardstick.known_somewhere(node, index as u32)
                    {
                        return format!(" (no path learns \"{fact}\" before it)");
                    }
                }
                _ => {}
            }
        }
        String::new()
    }

    /// The measured call: a pass mark nobody can reach (an error), best play that misses the
    /// right call, and a declared difficulty the call does not have (warnings).
    pub(super) fn check_measured(&mut self, data: &ScenarioData, d: &Difficulty) {
        let file = self.file;
        if let (Some(mark), Some(best)) = (file.pass_mark, best_passing_score(d))
            && mark > i64::from(best)
        {
            let location = self.here(&[Step::Field("pass_mark")]);
            self.push(
                self.problem(
                    Code::PassMarkUnreachable,
                    format!("pass_mark is {mark}, but the best a right call can score is {best}"),
                )
                .at(location)
                .label("nobody could pass")
                .hint(format!(
                    "lower it to {best} or less, or give the best path more to earn"
                )),
            );
        }
        if d.best_right_call_share < 1.0 - 1e-9 {
            let share = 100.0 * d.best_right_call_share;
            let (why, location) = match d.best_play.commonest_wrong(data.winnable) {
                Some(wrong) if wrong.out_of_time => (
                    format!(
                        "; the buyer's {} minutes run out at node \"{}\" ({:.0}% of best play's calls)",
                        file.minutes,
                        wrong.node_id,
                        100.0 * wrong.share
                    ),
                    self.here(&[Step::Field("minutes")]),
                ),
                Some(wrong) => {
                    let luck = wrong
                        .after_chance
                        .as_ref()
                        .map(|(at, to)| {
                            format!(" when the chance turn at \"{at}\" goes to \"{to}\"")
                        })
                        .unwrap_or_default();
                    let location = wrong
                        .after_chance
                        .as_ref()
                        .and_then(|(at, _)| {
                            let n = data.node_index(at)? as usize;
                            self.here_field_name(&self.node_path(n), "chance")
                        })
                        .or_else(|| {
                            let n = data.node_index(&wrong.node_id)? as usize;
                            self.node_key(n)
                        });
                    (
                        format!(
                            "; it ends at \"{}\" ({}){luck}, {:.0}% of the time",
                            wrong.node_id,
                            wrong.outcome.label(),
                            100.0 * wrong.share
                        ),
                        location,
                    )
                }
                None => (String::new(), None),
            };
            let right = if data.winnable {
                Outcome::Advance
            } else {
                Outcome::QualifiedOut
            };
            self.push(
                self.problem(
                    Code::BestPlayMissesRightCall,
                    format!("best play makes the right call ({}) only {share:.0}% of the time{why}", right.label()),
                )
                .at(location)
                .label("even a perfect rep cannot always make the right call here")
                .hint("give every branch of luck a way to the right call, or the buyer enough minutes for it"),
            );
        }
        if d.measured != file.difficulty {
            let location = self.here(&[Step::Field("difficulty")]);
            self.push(
                self.problem(
                    Code::DifficultyDisagrees,
                    format!(
                        "declared {:?}, but the call measures as {}",
                        file.difficulty,
                        explain(d)
                    ),
                )
                .at(location)
                .label("reps pick calls by this")
                .hint(format!(
                    "write `difficulty: {:?}`, or change the call until it plays as declared (Beginner: random play finds the right call 25% of the time or more; Advanced: under 15%)",
                    d.measured
                )),
            );
        }
    }
}
