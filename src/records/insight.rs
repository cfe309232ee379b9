//! What top performers do on a call: at each node, the choices of the team's top quartile of
//! sessions (by overall score) beside the rest's, and the points each choice gave up against the
//! best continuation, summed over the team ("regret"), so a trainer sees where the team loses
//! the most and what the best reps do there. Every session is replayed and debriefed.

use crate::engine::debrief::Debrief;
use crate::records::clock::Millis;
use crate::records::store::{Filter, SortKey, Status, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// How often a choice was taken at a node, by the top quartile and by the rest.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceShare {
    pub say: String,
    pub top: u32,
    pub rest: u32,
    /// Points given up against the best continuation, on average, when taken.
    pub regret_each: f64,
}

/// One node where the team chose.
#[derive(Debug, Clone, Serialize)]
pub struct NodeInsight {
    pub node_id: String,
    /// Points the team gave up here, summed over every session.
    pub regret: f64,
    pub visits_top: u32,
    pub visits_rest: u32,
    pub choices: Vec<ChoiceShare>,
    /// What the best path says here, when a session left it here.
    pub better: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Insight {
    pub scenario_id: String,
    pub sessions: u32,
    pub top_sessions: u32,
    /// The overall score at or above which a session is in the top quartile.
    pub top_from: u8,
    pub nodes: Vec<NodeInsight>,
    pub not_replayed: u32,
}

/// The insight of a scenario over [since, until).
pub fn insight(
    store: &Store,
    scenario_id: &str,
    since: Option<Millis>,
    until: Option<Millis>,
) -> Result<Insight, StoreError> {
    let filter = Filter {
        scenario: Some(scenario_id.to_string()),
        since,
        until,
        status: Some(Status::Finished),
        ..Filter::default()
    };
    let rows = store.sessions(&filter, SortKey::Overall, true, None)?;
    let mut overall: Vec<u8> = rows
        .iter()
        .filter_map(|r| r.scores.map(|s| s.overall))
        .collect();
    overall.sort_unstable_by(|a, b| b.cmp(a));
    // The top quartile: at least one session, ties included.
    let top_from = overall
        .get(overall.len().div_ceil(4).saturating_sub(1))
        .copied()
        .unwrap_or(101);
    let mut nodes: BTreeMap<String, NodeInsight> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut insight = Insight {
        scenario_id: scenario_id.to_string(),
        sessions: rows.len() as u32,
        top_sessions: 0,
        top_from: top_from.min(100),
        nodes: Vec::new(),
        not_replayed: 0,
    };
    for row in &rows {
        let top = row.scores.is_some_and(|s| s.overall >= top_from);
        insight.top_sessions += u32::from(top);
        let stored = store.session(row.id)?;
        let Ok(session) = stored.replay() else {
            insight.not_replayed += 1;
            continue;
        };
        let debrief = Debrief::of(&session);
        for turn in &debrief.turns {
            let node = nodes.entry(turn.node_id.clone()).or_insert_with(|| {
                order.push(turn.node_id.clone());
                NodeInsight {
                    node_id: turn.node_id.clone(),
                    regret: 0.0,
                    visits_top: 0,
                    visits_rest: 0,
                    choices: Vec::new(),
                    better: None,
                }
            });
            let lost = turn.points_lost.unwrap_or(0.0);
            node.regret += lost;
            if top {
                node.visits_top += 1;
            } else {
                node.visits_rest += 1;
            }
            if node.better.is_none() && lost > 0.0 {
                node.better = turn.best_choice.clone();
            }
            let share = match node.choices.iter_mut().find(|c| c.say == turn.say) {
                Some(share) => share,
                None => {
                    node.choices.push(ChoiceShare {
                        say: turn.say.clone(),
                        top: 0,
                        rest: 0,
                        regret_each: 0.0,
                    });
                    node.choices.last_mut().expect("just pushed")
                }
            };
            let taken = f64::from(share.top + share.rest);
            share.regret_each = (share.regret_each * taken + lost) / (taken + 1.0);
            if top {
                share.top += 1;
            } else {
                share.rest += 1;
            }
        }
    }
    let mut list: Vec<NodeInsight> = order
        .into_iter()
        .filter_map(|id| nodes.remove(&id))
        .collect();
    for node in &mut list {
        node.choices.sort_by(|a, b| {
            (b.top + b.rest)
                .cmp(&(a.top + a.rest))
                .then(a.say.cmp(&b.say))
        });
    }
    list.sort_by(|a, b| b.regret.total_cmp(&a.regret));
    insight.nodes = list;
    Ok(insight)
}

impl Insight {
    /// The insight as text: the nodes where the team gives up the most, first.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "{}: {} finished session(s); the top quartile is {} session(s) scoring {} or more.\n",
            self.scenario_id, self.sessions, self.top_sessions, self.top_from
        );
        if self.sessions == 0 {
            out.push_str("No finished sessions yet.\n");
            return out;
        }
        out.push_str("Where the team gives up the most points against the best continuation (regret, summed over every session), and what the top quartile does there:\n");
        for node in self.nodes.iter().filter(|n| n.regret >= 0.5).take(8) {
            out.push_str(&format!(
                "\nat \"{}\": {:.0} points given up in all ({} visits by the top quartile, {} by the rest)\n",
                node.node_id, node.regret, node.visits_top, node.visits_rest
            ));
            for choice in &node.choices {
                let share = |n: u32, of: u32| {
                    if of == 0 {
                        "-".to_string()
                    } else {
                        format!("{:.0}%", 100.0 * f64::from(n) / f64::from(of))
                    }
                };
                out.push_str(&format!(
                    "  top {:>4}  rest {:>4}  {}\"{}\"\n",
                    share(choice.top, node.visits_top),
                    share(choice.rest, node.visits_rest),
                    if choice.regret_each >= 0.5 {
                        format!("costs about {:.0} points: ", choice.regret_each)
                    } else {
                        String::new()
                    },
                    choice.say
                ));
            }
            if let Some(better) = &node.better {
                out.push_str(&format!("  the best path: \"{better}\"\n"));
            }
        }
        if self.nodes.iter().all(|n| n.regret < 0.5) {
            out.push_str("\nThe team gives up no meaningful points on this call.\n");
        }
        if self.not_replayed > 0 {
            out.push_str(&format!(
                "\n{} session(s) were on a revision that no longer checks and are left out.\n",
                self.not_replayed
            ));
        }
        out
    }
}
