//! Playtesting from any point: a session that starts at a node an author names, with the trust,
//! facts and minutes they set and chance turns they fix, so the last node of a call can be tried
//! without replaying the whole call. A playtest is never a rep's session: it is not stored.

use super::Session;
use crate::engine::format::diagnostic::did_you_mean;
use crate::engine::model::{Scenario, Way, range_usize};

/// Where a playtest starts and what is true there.
#[derive(Debug, Clone, Default)]
pub struct PlaytestStart {
    /// The node the buyer speaks first.
    pub node: String,
    /// The buyer's trust on arriving (default: the buyer's starting trust).
    pub trust: Option<u8>,
    /// Facts the rep already knows on arriving.
    pub knows: Vec<String>,
    /// Minutes left on arriving (default: the call's minutes).
    pub minutes_left: Option<u32>,
    /// Chance turns fixed by the author: (chance node, the node its branch leads to).
    pub chance: Vec<(String, String)>,
}

impl Session {
    /// A playtest from `start`: the state is set, then the buyer says the node's line (its trust
    /// change and reveals apply) and goes on as in a call. An unknown node, fact or branch is an
    /// error that names it and the nearest right name.
    pub fn playtest(
        scenario: &Scenario,
        seed: u64,
        start: &PlaytestStart,
    ) -> Result<Session, String> {
        let node_named = |name: &str, what: &str| {
            scenario.node_index(name).ok_or_else(|| {
                let hint = did_you_mean(name, scenario.node_ids())
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                format!("{what} \"{name}\" is not a node of {}{hint}", scenario.id)
            })
        };
        let node = node_named(&start.node, "--from")?;
        let mut facts = Vec::new();
        for name in &start.knows {
            let fact = scenario
                .facts
                .iter()
                .position(|f| f.id == *name)
                .ok_or_else(|| {
                    let hint = did_you_mean(name, scenario.facts.iter().map(|f| f.id.as_str()))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    format!("--knows: \"{name}\" is not a fact of {}{hint}", scenario.id)
                })?;
            facts.push(fact as u32);
        }
        let mut forced = Vec::new();
        for (at, to) in &start.chance {
            let at_index = node_named(at, "--chance")?;
            let Way::Chance { branches, .. } = &scenario.nodes[at_index as usize].way else {
                return Err(format!("--chance: node \"{at}\" is not a chance node"));
            };
            let to_index = node_named(to, "--chance")?;
            let branch = scenario.branches[range_usize(branches)]
                .iter()
                .position(|b| b.to == to_index)
                .ok_or_else(|| format!("--chance: no branch of \"{at}\" leads to \"{to}\""))?;
            forced.push((at_index, branch as u32));
        }
        if let Some(minutes) = start.minutes_left
            && minutes == 0
        {
            return Err("--minutes must be at least 1".into());
        }

        let mut session = Session::new(scenario, seed);
        session.events.clear();
        session.ending = None;
        session.forced_chance = forced;
        let core = &mut session.core;
        core.reset(scenario);
        if let Some(trust) = start.trust {
            core.trust = i32::from(trust.min(100));
        }
        if let Some(minutes) = start.minutes_left {
            core.minutes_left = minutes.min(scenario.minutes) as i32;
        }
        core.reveal(scenario, &facts, &mut |_| {});
        session.arrive(node);
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load::SourceFile;

    fn fernway() -> Scenario {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/fernway-bakery.scenario.ron"
        );
        let source = SourceFile::from_text(path, std::fs::read_to_string(path).unwrap());
        crate::engine::check::compile_source(&source)
            .scenario
            .expect("fernway compiles")
    }

    #[test]
    fn starts_at_the_node_with_the_state_set() {
        let scenario = fernway();
        let last_choice_node = scenario
            .nodes
            .iter()
            .find(|n| matches!(n.way, Way::Choices(_)) && n.id != scenario.start_id())
            .unwrap()
            .id
            .clone();
        let fact = scenario.facts[0].id.clone();
        let start = PlaytestStart {
            node: last_choice_node.clone(),
            trust: Some(77),
            knows: vec![fact.clone()],
            minutes_left: Some(3),
            chance: Vec::new(),
        };
        let session = Session::playtest(&scenario, 1, &start).unwrap();
        assert_eq!(session.node_id(), last_choice_node);
        assert!(session.knows(&fact));
        assert_eq!(session.minutes_left(), 3);
        let own = scenario.nodes[scenario.node_index(&last_choice_node).unwrap() as usize].trust;
        assert_eq!(i32::from(session.trust()), (77 + own).clamp(0, 100));
        assert!(!session.is_over());
    }

    #[test]
    fn bad_names_are_errors_that_name_them() {
        let scenario = fernway();
        let start = |node: &str| PlaytestStart {
            node: node.into(),
            ..PlaytestStart::default()
        };
        let near = format!("{}x", scenario.start_id());
        let error = Session::playtest(&scenario, 1, &start(&near)).unwrap_err();
        assert!(error.contains("did you mean"), "{error}");
        let mut bad_fact = start(scenario.start_id());
        bad_fact.knows = vec!["no-such-fact".into()];
        assert!(
            Session::playtest(&scenario, 1, &bad_fact)
                .unwrap_err()
                .contains("no-such-fact")
        );
        let mut not_chance = start(scenario.start_id());
        not_chance.chance = vec![(scenario.start_id().into(), scenario.start_id().into())];
        assert!(
            Session::playtest(&scenario, 1, &not_chance)
                .unwrap_err()
                .contains("not a chance node")
        );
    }

    #[test]
    fn a_fixed_chance_turn_takes_the_branch_named_on_every_seed() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/northwind-incumbent.scenario.ron"
        );
        let source = SourceFile::from_text(path, std::fs::read_to_string(path).unwrap());
        let scenario = crate::engine::check::compile_source(&source)
            .scenario
            .unwrap();
        let (at, branches) = scenario
            .nodes
            .iter()
            .find_map(|n| match &n.way {
                Way::Chance { branches, .. } => Some((n.id.clone(), branches.clone())),
                _ => None,
            })
            .expect("northwind has a chance turn");
        for branch in &scenario.branches[range_usize(&branches)] {
            let to = scenario.nodes[branch.to as usize].id.clone();
            for seed in 0..20 {
                let start = PlaytestStart {
                    node: at.clone(),
                    chance: vec![(at.clone(), to.clone())],
                    ..PlaytestStart::default()
                };
                let session = Session::playtest(&scenario, seed, &start).unwrap();
                let lines: Vec<String> = session
                    .transcript()
                    .filter_map(|e| match e {
                        crate::engine::session::Entry::Buyer { line, .. } => Some(line.to_string()),
                        _ => None,
                    })
                    .collect();
                let expected = &scenario.nodes[branch.to as usize].line;
                assert!(lines.contains(expected), "seed {seed}: {lines:?}");
            }
        }
    }
}
