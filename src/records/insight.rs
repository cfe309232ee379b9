//! What top performers do on a call: at each node, the choices of the team's top quartile of
//! sessions (by overall score) beside the rest's, and the points each choice gave up against the
//! best continuation, summed over the team ("regret"), so a trainer sees where the team loses
//! the most and what the best reps do there. Every session's debrief says it once
//! (`records::digest`); the scenario's tallies add it up.

use crate::records::clock::{DAY_MS, Millis};
use crate::records::digest::{self, Unsaved};
use crate::records::store::{Filter, RegretTally, SortKey, Status, Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;

/// How often a choice was taken at a node, by the top quartile and by the rest.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceShare {
    pub say: String,
    pub top: u32,
    pub rest: u32,
    /// Points given up against the best continuation, on average, when taken.
    pub regret_each: f64,
    /// Points given up in all, while adding up.
    #[serde(skip)]
    lost: f64,
    /// What the best path says instead, while adding up.
    #[serde(skip)]
    better: Option<String>,
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

/// The insight of a scenario over [since, until). Sessions not yet digested are digested first
/// (`records::digest`); then it reads tallies: over all time the scenario's, over a period its
/// tallies per day for the whole days inside, and the digests of the calls in the part days at
/// either end.
pub fn insight(
    store: &Store,
    scenario_id: &str,
    since: Option<Millis>,
    until: Option<Millis>,
) -> Result<Insight, StoreError> {
    let period = |since: Option<Millis>, until: Option<Millis>| Filter {
        scenario: Some(scenario_id.to_string()),
        since,
        until,
        status: Some(Status::Finished),
        ..Filter::default()
    };
    let unsaved = digest::catch_up(store, &period(since, until), &mut |_, _| {})?;
    let mut read = Read::default();
    if !unsaved.is_empty() {
        // A copy that cannot keep digests: every call of the period, digested in memory.
        read.digests(store, &period(since, until), unsaved)?;
    } else if since.is_none() && until.is_none() {
        read.scores.extend(store.digest_scores(scenario_id)?);
        read.rows.extend(store.regret_tallies(scenario_id)?);
    } else {
        // Whole UTC days: the first day starting at or after `since`, up to the day `until`
        // falls in.
        let first = since.map(|s| s.div_euclid(DAY_MS) + i64::from(s.rem_euclid(DAY_MS) != 0));
        let end = until.map(|u| u.div_euclid(DAY_MS));
        if first.zip(end).is_some_and(|(f, e)| f >= e) {
            read.digests(store, &period(since, until), Unsaved::new())?;
        } else {
            read.scores
                .extend(store.scores_by_days(scenario_id, first, end)?);
            read.days = Some((first, end));
            if let (Some(since), Some(first)) = (since, first)
                && since < first * DAY_MS
            {
                let head = period(Some(since), Some(first * DAY_MS));
                read.digests(store, &head, Unsaved::new())?;
            }
            if let (Some(until), Some(end)) = (until, end)
                && end * DAY_MS < until
            {
                let tail = period(Some(end * DAY_MS), Some(until));
                read.digests(store, &tail, Unsaved::new())?;
            }
        }
    }
    let mut tally = Tally::default();
    for (overall, sessions, not_replayed) in read.scores {
        tally.scores.push((overall, sessions));
        tally.not_replayed += not_replayed;
    }
    let top_from = tally.top_from();
    if let Some((first, end)) = read.days {
        store.each_regret_by_days(
            scenario_id,
            first,
            end,
            |node, say, overall, taken, lost, better| {
                tally.add(node, say, overall >= top_from, taken, lost, better);
            },
        )?;
    }
    for row in read.rows {
        let top = row.overall >= top_from;
        tally.add(
            &row.node_id,
            &row.say,
            top,
            row.taken,
            row.lost,
            row.better.as_deref(),
        );
    }
    Ok(tally.into_insight(scenario_id))
}

/// What an insight reads before adding it up: sessions per overall score (with how many could
/// not be replayed), and each choice's tally by overall score.
#[derive(Default)]
struct Read {
    scores: Vec<(u8, u32, u32)>,
    rows: Vec<RegretTally>,
    /// The whole days [first, end) whose day tallies are read, when the period has any.
    days: Option<(Option<i64>, Option<i64>)>,
}

impl Read {
    /// The calls the filter selects, from their digests (and `unsaved`, digested in memory).
    fn digests(
        &mut self,
        store: &Store,
        filter: &Filter,
        unsaved: Unsaved,
    ) -> Result<(), StoreError> {
        let mut digests = store.digests(filter)?;
        digests.extend(unsaved);
        let mut overall_of = HashMap::new();
        for row in store.sessions(filter, SortKey::Started, false, None)? {
            let overall = row.scores.map_or(0, |s| s.overall);
            overall_of.insert(row.id, overall);
            let replayed = digests.get(&row.id).is_some_and(|d| d.replayed);
            self.scores.push((overall, 1, u32::from(!replayed)));
        }
        for (session, turn, node_id, say) in store.turn_choices(filter)? {
            let Some(digest) = digests.get(&session).filter(|d| d.replayed) else {
                continue;
            };
            let lost = digest.lost.get(turn as usize).copied().flatten();
            let better = digest
                .better
                .iter()
                .find(|(at, _)| *at == turn)
                .map(|(_, text)| text.clone());
            self.rows.push(RegretTally {
                node_id,
                say,
                overall: overall_of.get(&session).copied().unwrap_or(0),
                taken: 1,
                lost: lost.unwrap_or(0.0),
                better,
            });
        }
        Ok(())
    }
}

/// The insight being added up: sessions per overall score, then each choice at each node.
#[derive(Default)]
struct Tally {
    /// (overall score, sessions) over every finished session.
    scores: Vec<(u8, u32)>,
    not_replayed: u32,
    nodes: HashMap<String, NodeInsight>,
}

impl Tally {
    /// The overall score at or above which a session is in the top quartile: at least one
    /// session, ties included.
    fn top_from(&self) -> u8 {
        let mut scores = self.scores.clone();
        scores.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
        let total: u32 = scores.iter().map(|s| s.1).sum();
        let quartile = total.div_ceil(4).max(1);
        let mut seen = 0;
        for (overall, sessions) in scores {
            seen += sessions;
            if seen >= quartile {
                return overall;
            }
        }
        101
    }

    fn add(
        &mut self,
        node_id: &str,
        say: &str,
        top: bool,
        taken: u32,
        lost: f64,
        better: Option<&str>,
    ) {
        // Looked up before inserting: a period's day tallies are a hundred thousand rows.
        if !self.nodes.contains_key(node_id) {
            self.nodes.insert(
                node_id.to_string(),
                NodeInsight {
                    node_id: node_id.to_string(),
                    regret: 0.0,
                    visits_top: 0,
                    visits_rest: 0,
                    choices: Vec::new(),
                    better: None,
                },
            );
        }
        let node = self.nodes.get_mut(node_id).expect("inserted above");
        node.regret += lost;
        let share = match node.choices.iter_mut().position(|c| c.say == say) {
            Some(at) => &mut node.choices[at],
            None => {
                node.choices.push(ChoiceShare {
                    say: say.to_string(),
                    top: 0,
                    rest: 0,
                    regret_each: 0.0,
                    lost: 0.0,
                    better: None,
                });
                node.choices.last_mut().expect("just pushed")
            }
        };
        if top {
            node.visits_top += taken;
            share.top += taken;
        } else {
            node.visits_rest += taken;
            share.rest += taken;
        }
        share.lost += lost;
        // Of the best path's words at a choice, the first in text order, as the tallies keep.
        if let Some(better) = better
            && lost > 0.0
            && share.better.as_deref().is_none_or(|kept| better < kept)
        {
            share.better = Some(better.to_string());
        }
    }

    fn into_insight(self, scenario_id: &str) -> Insight {
        let top_from = self.top_from();
        let sessions: u32 = self.scores.iter().map(|s| s.1).sum();
        let top_sessions = self
            .scores
            .iter()
            .filter(|s| s.0 >= top_from)
            .map(|s| s.1)
            .sum();
        let mut nodes: Vec<NodeInsight> = self.nodes.into_values().collect();
        for node in &mut nodes {
            node.choices.sort_by(|a, b| {
                (b.top + b.rest)
                    .cmp(&(a.top + a.rest))
                    .then(a.say.cmp(&b.say))
            });
            // What the best path says here: instead of the choice that gave up the most.
            let mut most_lost = 0.0;
            for choice in &mut node.choices {
                let taken = f64::from(choice.top + choice.rest);
                choice.regret_each = if taken > 0.0 {
                    choice.lost / taken
                } else {
                    0.0
                };
                if let Some(better) = choice.better.take()
                    && (node.better.is_none() || choice.lost > most_lost)
                {
                    node.better = Some(better);
                    most_lost = choice.lost;
                }
            }
        }
        nodes.sort_by(|a, b| {
            b.regret
                .total_cmp(&a.regret)
                .then(a.node_id.cmp(&b.node_id))
        });
        Insight {
            scenario_id: scenario_id.to_string(),
            sessions,
            top_sessions,
            top_from: top_from.min(100),
            nodes,
            not_replayed: self.not_replayed,
        }
    }
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
