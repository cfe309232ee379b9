//! Compiling a file without errors into the playable `Scenario`: ids resolved to indices once.

use super::Checker;
use crate::engine::format::{Condition, FactKind, Outcome};
use crate::engine::model::{
    BranchData, BuyerInfo, ChoiceData, Cond, FactData, NO_SLOT, NodeData, ScenarioData, Way,
    Weights,
};
use std::sync::Arc;

impl<'a> Checker<'a> {
    pub(super) fn resolve_condition(&self, condition: &Condition) -> Cond {
        let fact = |id: &str| self.fact_index[id];
        let node = |id: &str| self.node_index[id];
        match condition {
            Condition::Knows(f) => Cond::Knows(fact(f)),
            Condition::DoesNotKnow(f) => Cond::DoesNotKnow(fact(f)),
            Condition::TrustAtLeast(n) => Cond::TrustAtLeast(*n as i32),
            Condition::TrustBelow(n) => Cond::TrustBelow(*n as i32),
            Condition::MinutesLeft(n) => Cond::MinutesLeft(*n as i32),
            Condition::Visited(n) => Cond::Visited(node(n)),
            Condition::NotVisited(n) => Cond::NotVisited(node(n)),
        }
    }

    /// Builds the playable form. Only called on a file without errors, so every id resolves.
    pub(super) fn compile(&self) -> ScenarioData {
        let file = self.file;
        let fact = |id: &str| self.fact_index[id];
        let node = |id: &str| self.node_index[id];
        let facts: Vec<FactData> = file
            .facts
            .iter()
            .map(|(id, f)| FactData {
                id: id.to_string(),
                kind: f.kind,
                text: f.text.clone(),
                weight: f.weight as u32,
            })
            .collect();
        let mut visit_slot = vec![NO_SLOT; file.nodes.len()];
        let mut visit_slots = 0;
        let mut fact_refs = Vec::new();
        let mut conditions = Vec::new();
        let mut choices = Vec::new();
        let mut branches = Vec::new();
        let mut nodes = Vec::with_capacity(file.nodes.len());
        let refs = |ids: &[String], fact_refs: &mut Vec<u32>| {
            let start = fact_refs.len() as u32;
            fact_refs.extend(ids.iter().map(|id| fact(id)));
            start..fact_refs.len() as u32
        };
        for (id, n) in file.nodes.iter() {
            let reveals = refs(&n.reveals, &mut fact_refs);
            // Conditions are kept in one list; each choice or branch holds its range of it. A
            // node named by `Visited`/`NotVisited` gets a slot in the state's visit bits.
            let mut add_conditions = |requires: &[Condition], conditions: &mut Vec<Cond>| {
                let start = conditions.len() as u32;
                for r in requires {
                    let cond = self.resolve_condition(r);
                    if let Cond::Visited(target) | Cond::NotVisited(target) = cond
                        && visit_slot[target as usize] == NO_SLOT
                    {
                        visit_slot[target as usize] = visit_slots;
                        visit_slots += 1;
                    }
                    conditions.push(cond);
                }
                start..conditions.len() as u32
            };
            let way = if let Some(list) = &n.choices {
                let first = choices.len() as u32;
                for c in list {
                    let requires = add_conditions(&c.requires, &mut conditions);
                    let reveals = refs(&c.reveals, &mut fact_refs);
                    choices.push(ChoiceData {
                        id: c.id.clone(),
                        say: c.say.clone(),
                        move_kind: c.move_kind,
                        to: node(&c.to),
                        trust: c.trust as i32,
                        minutes: c.minutes as u32,
                        requires,
                        reveals,
                        note: c.note.clone().filter(|n| !n.trim().is_empty()),
                    });
                }
                Way::Choices(first..choices.len() as u32)
            } else if let Some(list) = &n.chance {
                let first = branches.len() as u32;
                for b in list {
                    let requires = add_conditions(&b.requires, &mut conditions);
                    branches.push(BranchData {
                        weight: b.weight as u32,
                        to: node(&b.to),
                        requires,
                    });
                }
                let total = list.iter().map(|b| b.weight as u32).sum();
                Way::Chance {
                    branches: first..branches.len() as u32,
                    total,
                    conditional: list.iter().any(|b| !b.requires.is_empty()),
                }
            } else if let Some(next) = &n.next {
                match next.branches().as_slice() {
                    [(to, [])] => Way::Next(node(to)),
                    list => {
                        let first = branches.len() as u32;
                        for (to, requires) in list {
                            let requires = add_conditions(requires, &mut conditions);
                            branches.push(BranchData {
                                weight: 1,
                                to: node(to),
                                requires,
                            });
                        }
                        Way::NextIf(first..branches.len() as u32)
                    }
                }
            } else {
                Way::End(n.end.unwrap_or(Outcome::Continuation))
            };
            nodes.push(NodeData {
                id: id.to_string(),
                line: n.line.clone(),
                variants: n.variants.clone(),
                way,
                reveals,
                trust: n.trust as i32,
            });
        }
        let weight_of = |pain: bool| -> u32 {
            facts
                .iter()
                .filter(|f| (f.kind == FactKind::Pain) == pain)
                .map(|f| f.weight)
                .sum()
        };
        let (pain_weight, qualification_weight) = (weight_of(true), weight_of(false));
        let basics_present = FactKind::BASICS
            .iter()
            .filter(|kind| facts.iter().any(|f| f.kind == **kind))
            .count() as u8;
        let max_choices = file
            .nodes
            .iter()
            .map(|(_, n)| n.choices.as_ref().map_or(0, Vec::len))
            .max()
            .unwrap_or(0) as u32;
        ScenarioData {
            id: file.id.clone(),
            title: file.title.clone(),
            brief: file.brief.clone(),
            difficulty: file.difficulty,
            tags: file.tags.clone(),
            minutes: file.minutes as u32,
            pass_mark: file.pass_mark.map(|m| m as u32),
            buyer: BuyerInfo {
                name: file.buyer.name.clone(),
                role: file.buyer.role.clone(),
                company: file.buyer.company.clone(),
                persona: file.buyer.persona.clone(),
                portrait: file.buyer.portrait.clone(),
                trust: file.buyer.trust as u8,
            },
            winnable: file.deal.winnable,
            deal_value: file.deal.value,
            weights: file
                .rubric
                .as_ref()
                .map_or_else(Weights::default, |r| Weights {
                    qualification: r.qualification as u32,
                    discovery: r.discovery as u32,
                    rapport: r.rapport as u32,
                    velocity: r.velocity as u32,
                }),
            path: self.source.path.clone(),
            revision: self.source.revision.clone(),
            source_text: Arc::from(self.source.text.as_str()),
            facts,
            nodes,
            choices,
            branches,
            conditions,
            fact_refs,
            start: self.node_index[file.start.as_str()],
            fastest_right_minutes: file.minutes as u32,
            visit_slot,
            visit_slots,
            qualification_weight,
            pain_weight,
            basics_present,
            max_choices,
            derived: Default::default(),
            campaign: None,
            known_at_start: Vec::new(),
        }
    }
}
