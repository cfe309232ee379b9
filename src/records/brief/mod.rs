//! A rep's brief for a 1:1 over a period: practice, skills against what the calls allow, focus
//! skills before and after, recognitions, where the rep most often leaves the best path (with the
//! better move and its note), and the facts they most often miss. Every session's debrief is
//! worked out once from its stored revision and kept (`records::digest`), so the brief says what
//! the debriefs said without replaying the rep's calls each time.

use crate::engine::norms::Measures;
use crate::engine::score::Dimension;
use crate::records::clock::{self, Millis};
use crate::records::digest;
use crate::records::store::{
    Assignment, Filter, RepProgress, RevisionFact, SessionRow, SortKey, Status, Store, StoreError,
    mean, slope,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

mod html;

/// One dimension of the brief: the rep's mean, its trend, and the ceiling (what best play
/// scores with the same luck on the same calls), so a skill at its ceiling is not a focus.
#[derive(Debug, Clone, Serialize)]
pub struct Skill {
    pub dimension: Dimension,
    pub mean: f64,
    /// Points per session, least squares, from three sessions.
    pub trend: Option<f64>,
    pub ceiling: f64,
    /// The skill measure's mean and trend (`engine::norms`): like with like across calls.
    pub measure: Option<f64>,
    pub measure_trend: Option<f64>,
}

/// One scenario in the rep's period: calls, right calls, and the overall skill measure from the
/// first call to the last, so progress on the same call is seen apart from the mix of calls.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioLine {
    pub scenario_id: String,
    pub title: String,
    pub finished: u32,
    pub right_calls: u32,
    pub first_measure: Option<f64>,
    pub last_measure: Option<f64>,
    pub measure_trend: Option<f64>,
}

/// A move the rep makes where the best path goes another way.
#[derive(Debug, Clone, Serialize)]
pub struct CostlyMove {
    pub scenario_id: String,
    pub node_id: String,
    pub said: String,
    pub times: u32,
    pub points_lost_each: f64,
    pub better: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissedFact {
    pub scenario_id: String,
    pub text: String,
    pub kind: String,
    pub missed: u32,
    pub of: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FocusChange {
    pub dimensions: Vec<Dimension>,
    pub set_at: Millis,
    /// The mean skill measure of the focus dimensions over the five finished calls before it
    /// was set, and over the calls since (in the period).
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    pub rep: String,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub sessions: u32,
    pub finished: u32,
    pub abandoned: u32,
    pub practice_ms: Millis,
    pub scenarios: u32,
    pub right_calls: u32,
    pub judged: u32,
    pub passed: u32,
    pub skills: Vec<Skill>,
    pub by_scenario: Vec<ScenarioLine>,
    pub focus: Option<FocusChange>,
    pub recognitions: Vec<(String, u32)>,
    pub costly_moves: Vec<CostlyMove>,
    pub missed_facts: Vec<MissedFact>,
    /// Sessions that could not be replayed (a revision that no longer checks).
    pub not_replayed: u32,
    /// Each finished call's skill measures, in time order (the chart of the HTML brief).
    pub series: Vec<SeriesPoint>,
    /// What the trainer assigned the rep, with where they stand now.
    pub assignments: Vec<(Assignment, RepProgress)>,
}

/// One finished call on the brief's chart.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPoint {
    pub started_at: Millis,
    pub scenario_id: String,
    pub measures: Measures,
}

/// The brief of `rep` over [since, until).
pub fn brief(
    store: &Store,
    rep: &str,
    since: Option<Millis>,
    until: Option<Millis>,
) -> Result<Brief, StoreError> {
    let shown = store.rep_name(rep)?.unwrap_or_else(|| rep.to_string());
    let filter = Filter {
        rep: Some(rep.to_string()),
        since,
        until,
        ..Filter::default()
    };
    let mut rows = store.sessions(&filter, SortKey::Started, false, None)?;
    rows.retain(|r| r.status != Status::Playing);
    let mut brief = Brief {
        rep: shown,
        since,
        until,
        sessions: rows.len() as u32,
        finished: 0,
        abandoned: 0,
        practice_ms: 0,
        scenarios: 0,
        right_calls: 0,
        judged: 0,
        passed: 0,
        skills: Vec::new(),
        by_scenario: Vec::new(),
        focus: None,
        recognitions: Vec::new(),
        costly_moves: Vec::new(),
        missed_facts: Vec::new(),
        not_replayed: 0,
        series: Vec::new(),
        assignments: store.assignments_for(rep, clock::now_ms())?,
    };
    let mut scenarios = std::collections::HashSet::new();
    let mut scores: std::collections::HashMap<Dimension, Vec<f64>> = Default::default();
    let mut ceilings: std::collections::HashMap<Dimension, Vec<f64>> = Default::default();
    let mut measured: std::collections::HashMap<Dimension, Vec<f64>> = Default::default();
    let mut by_scenario: BTreeMap<String, (ScenarioLine, Vec<f64>)> = BTreeMap::new();
    let mut recognitions: BTreeMap<String, u32> = BTreeMap::new();
    let mut moves: BTreeMap<(String, String, String), CostlyMove> = BTreeMap::new();
    let mut missed: BTreeMap<(String, String), MissedFact> = BTreeMap::new();
    let mut finished_per_scenario: BTreeMap<String, u32> = BTreeMap::new();
    let mut facts: HashMap<String, HashMap<String, RevisionFact>> = HashMap::new();
    // Each finished call's debrief, worked out once (`records::digest`) and kept.
    let mut finished = filter.clone();
    finished.status = Some(Status::Finished);
    let mut digests = digest::catch_up(store, &finished, &mut |_, _| {})?;
    digests.extend(store.digests(&finished)?);
    for row in &rows {
        scenarios.insert(row.scenario_id.clone());
        brief.practice_ms += row.ended_at.unwrap_or(row.started_at) - row.started_at;
        if row.status != Status::Finished {
            brief.abandoned += 1;
            continue;
        }
        brief.finished += 1;
        brief.right_calls += u32::from(row.right_call == Some(true));
        if let Some(passed) = row.scores.and_then(|s| s.passed) {
            brief.judged += 1;
            brief.passed += u32::from(passed);
        }
        if let Some(s) = row.scores {
            for d in Dimension::ALL {
                scores.entry(d).or_default().push(f64::from(d.of(&s)));
            }
        }
        let measures = store.measures(row)?;
        if let Some(measures) = measures {
            brief.series.push(SeriesPoint {
                started_at: row.started_at,
                scenario_id: row.scenario_id.clone(),
                measures,
            });
        }
        for d in Dimension::ALL {
            if let Some(m) = measures.and_then(|m| m.of(Some(d))) {
                measured.entry(d).or_default().push(m);
            }
        }
        let (line, overall) = by_scenario
            .entry(row.scenario_id.clone())
            .or_insert_with(|| {
                let line = ScenarioLine {
                    scenario_id: row.scenario_id.clone(),
                    title: row.scenario_title.clone(),
                    finished: 0,
                    right_calls: 0,
                    first_measure: None,
                    last_measure: None,
                    measure_trend: None,
                };
                (line, Vec::new())
            });
        line.finished += 1;
        line.right_calls += u32::from(row.right_call == Some(true));
        if let Some(m) = measures.and_then(|m| m.overall) {
            overall.push(m);
        }
        *finished_per_scenario
            .entry(row.scenario_id.clone())
            .or_default() += 1;
        let Some(digest) = digests.get(&row.id).filter(|d| d.replayed) else {
            brief.not_replayed += 1;
            continue;
        };
        if let Some(ceiling) = digest.ceiling {
            for (d, best) in Dimension::ALL.into_iter().zip(ceiling) {
                ceilings.entry(d).or_default().push(f64::from(best));
            }
        }
        for title in &digest.recognitions {
            *recognitions.entry(title.clone()).or_default() += 1;
        }
        // The first move that gave up a meaningful part of the score: where coaching starts.
        if let Some(left) = &digest.left {
            let key = (
                row.scenario_id.clone(),
                left.node_id.clone(),
                left.said.clone(),
            );
            let entry = moves.entry(key).or_insert_with(|| CostlyMove {
                scenario_id: row.scenario_id.clone(),
                node_id: left.node_id.clone(),
                said: left.said.clone(),
                times: 0,
                points_lost_each: 0.0,
                better: left.better.clone(),
                note: left.note.clone(),
            });
            entry.points_lost_each = (entry.points_lost_each * f64::from(entry.times) + left.lost)
                / f64::from(entry.times + 1);
            entry.times += 1;
        }
        if !digest.missed.is_empty() && !facts.contains_key(&row.revision) {
            facts.insert(row.revision.clone(), facts_of(store, row)?);
        }
        for id in &digest.missed {
            let Some(fact) = facts.get(&row.revision).and_then(|f| f.get(id)) else {
                continue;
            };
            let entry = missed
                .entry((row.scenario_id.clone(), id.clone()))
                .or_insert_with(|| MissedFact {
                    scenario_id: row.scenario_id.clone(),
                    text: fact.text.clone(),
                    kind: fact.kind.clone(),
                    missed: 0,
                    of: 0,
                });
            entry.missed += 1;
        }
    }
    for fact in missed.values_mut() {
        fact.of = finished_per_scenario
            .get(&fact.scenario_id)
            .copied()
            .unwrap_or(0);
    }
    brief.scenarios = scenarios.len() as u32;
    brief.skills = Dimension::ALL
        .iter()
        .filter_map(|d| {
            let values = scores.get(d)?;
            Some(Skill {
                dimension: *d,
                mean: mean(values)?,
                trend: slope(values),
                ceiling: ceilings.get(d).and_then(|c| mean(c)).unwrap_or(100.0),
                measure: measured.get(d).and_then(|m| mean(m)),
                measure_trend: measured.get(d).and_then(|m| slope(m)),
            })
        })
        .collect();
    brief.by_scenario = by_scenario
        .into_values()
        .map(|(mut line, overall)| {
            line.first_measure = overall.first().copied();
            line.last_measure = overall.last().copied();
            line.measure_trend = slope(&overall);
            line
        })
        .collect();
    let mut recognitions: Vec<(String, u32)> = recognitions.into_iter().collect();
    recognitions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    brief.recognitions = recognitions;
    let mut moves: Vec<CostlyMove> = moves.into_values().collect();
    moves.sort_by(|a, b| {
        (f64::from(b.times) * b.points_lost_each)
            .total_cmp(&(f64::from(a.times) * a.points_lost_each))
    });
    moves.truncate(2);
    brief.costly_moves = moves;
    let mut missed: Vec<MissedFact> = missed.into_values().collect();
    missed.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.text.cmp(&b.text)));
    missed.truncate(5);
    brief.missed_facts = missed;
    brief.focus = focus_change(store, rep, until)?;
    Ok(brief)
}

/// The kind and text of the facts of a session's revision: kept when its sessions were
/// digested, or read from the revision itself (a read-only copy of the database).
fn facts_of(store: &Store, row: &SessionRow) -> Result<HashMap<String, RevisionFact>, StoreError> {
    let kept = store.revision_facts(&row.revision)?;
    if !kept.is_empty() {
        return Ok(kept);
    }
    let Ok(scenario) = store.session(row.id)?.revision_scenario() else {
        return Ok(HashMap::new());
    };
    Ok(scenario
        .facts()
        .iter()
        .map(|f| {
            let fact = RevisionFact {
                kind: f.kind.label().to_string(),
                text: f.text.clone(),
            };
            (f.id.clone(), fact)
        })
        .collect())
}

/// The focus skills and how the rep moved on them since they were set.
fn focus_change(
    store: &Store,
    rep: &str,
    until: Option<Millis>,
) -> Result<Option<FocusChange>, StoreError> {
    let Some((dimensions, set_at)) = store.focus(rep)? else {
        return Ok(None);
    };
    if dimensions.is_empty() {
        return Ok(None);
    }
    // Like with like: the focus skills' measures, so moving to harder calls after the focus
    // was set does not read as getting worse.
    let of_focus = |row: &crate::records::store::SessionRow| -> Result<Option<f64>, StoreError> {
        let Some(measures) = store.measures(row)? else {
            return Ok(None);
        };
        let values: Vec<f64> = dimensions
            .iter()
            .filter_map(|d| measures.of(Some(*d)))
            .collect();
        Ok(mean(&values))
    };
    let finished = |since: Option<Millis>, until: Option<Millis>| Filter {
        rep: Some(rep.to_string()),
        since,
        until,
        status: Some(Status::Finished),
        ..Filter::default()
    };
    let measured = |rows: Vec<crate::records::store::SessionRow>| -> Result<Vec<f64>, StoreError> {
        let mut values = Vec::new();
        for row in &rows {
            values.extend(of_focus(row)?);
        }
        Ok(values)
    };
    let before = measured(store.sessions(
        &finished(None, Some(set_at)),
        SortKey::Started,
        true,
        Some(5),
    )?)?;
    let after =
        measured(store.sessions(&finished(Some(set_at), until), SortKey::Started, true, None)?)?;
    Ok(Some(FocusChange {
        dimensions,
        set_at,
        before: mean(&before),
        after: mean(&after),
    }))
}

impl Brief {
    /// The brief as text for the terminal or an e-mail.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let period = match (self.since, self.until) {
            (Some(s), Some(u)) => format!("{} to {}", clock::date(s), clock::date(u - 1)),
            (Some(s), None) => format!("since {}", clock::date(s)),
            (None, Some(u)) => format!("until {}", clock::date(u - 1)),
            (None, None) => "all sessions".to_string(),
        };
        out.push_str(&format!("Brief for {}, {period}\n\n", self.rep));
        if self.sessions == 0 {
            out.push_str("No sessions in this period.\n");
            return out;
        }
        let minutes = self.practice_ms / 60_000;
        out.push_str(&format!(
            "Practice: {} sessions ({} finished, {} left early) on {} scenario(s), {} h {:02} min on calls.\n",
            self.sessions,
            self.finished,
            self.abandoned,
            self.scenarios,
            minutes / 60,
            minutes % 60
        ));
        if self.finished > 0 {
            out.push_str(&format!(
                "Right calls: {} of {} ({:.0}%){}.\n",
                self.right_calls,
                self.finished,
                100.0 * f64::from(self.right_calls) / f64::from(self.finished),
                if self.judged > 0 {
                    format!("; passed {} of {}", self.passed, self.judged)
                } else {
                    String::new()
                }
            ));
        }
        let per_session =
            |t: Option<f64>| t.map_or("-".to_string(), |t| format!("{t:+.1}/session"));
        let figure = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        if !self.skills.is_empty() {
            out.push_str(&format!(
                "\nSkills: the skill measure and its trend first, then the mean score of finished calls beside its ceiling (what best play scores on the same calls with the same luck).\n{}\n",
                crate::engine::norms::EXPLANATION
            ));
            for skill in &self.skills {
                out.push_str(&format!(
                    "  {:<14} skill {:>4}  trend {:<14}  score {:>5.1}  ceiling {:>5.1}{}\n",
                    skill.dimension.label(),
                    figure(skill.measure),
                    per_session(skill.measure_trend),
                    skill.mean,
                    skill.ceiling,
                    if skill.ceiling - skill.mean < 5.0 {
                        "  (at its ceiling: not a focus)"
                    } else {
                        ""
                    }
                ));
            }
        }
        if !self.by_scenario.is_empty() {
            out.push_str("\nBy scenario (overall skill measure, first call to last):\n");
            for line in &self.by_scenario {
                out.push_str(&format!(
                    "  {:<28} {:>3} call(s)  right calls {} of {}  skill {} to {}  trend {}\n",
                    line.scenario_id,
                    line.finished,
                    line.right_calls,
                    line.finished,
                    figure(line.first_measure),
                    figure(line.last_measure),
                    per_session(line.measure_trend)
                ));
            }
        }
        if let Some(focus) = &self.focus {
            let names: Vec<&str> = focus.dimensions.iter().map(|d| d.label()).collect();
            out.push_str(&format!(
                "\nFocus: {} (set {}): skill {} before, {} since.\n",
                names.join(" and "),
                clock::date(focus.set_at),
                figure(focus.before),
                figure(focus.after)
            ));
        }
        if !self.recognitions.is_empty() {
            let list: Vec<String> = self
                .recognitions
                .iter()
                .map(|(title, n)| format!("{title} x{n}"))
                .collect();
            out.push_str(&format!("\nRecognitions: {}.\n", list.join(", ")));
        }
        if !self.costly_moves.is_empty() {
            out.push_str("\nWhere the call most often leaves the best path:\n");
            for (n, m) in self.costly_moves.iter().enumerate() {
                out.push_str(&format!(
                    "  {}. {} at \"{}\": \"{}\" ({} time{}, about {:.0} points each)\n",
                    n + 1,
                    m.scenario_id,
                    m.node_id,
                    m.said,
                    m.times,
                    if m.times == 1 { "" } else { "s" },
                    m.points_lost_each
                ));
                if let Some(better) = &m.better {
                    out.push_str(&format!("     better: \"{better}\"\n"));
                }
                if let Some(note) = &m.note {
                    out.push_str(&format!("     why: {note}\n"));
                }
            }
        }
        if !self.missed_facts.is_empty() {
            out.push_str("\nFacts most often missed:\n");
            for f in &self.missed_facts {
                out.push_str(&format!(
                    "  [{}] {} ({}: missed in {} of {} calls)\n",
                    f.kind, f.text, f.scenario_id, f.missed, f.of
                ));
            }
        }
        if !self.assignments.is_empty() {
            out.push_str("\nAssignments:\n");
            for (assignment, progress) in &self.assignments {
                out.push_str(&format!(
                    "  {} (due {}): {}\n",
                    assignment.scenarios.join(", "),
                    clock::date(assignment.due_at),
                    progress.status.label()
                ));
            }
        }
        if self.not_replayed > 0 {
            out.push_str(&format!(
                "\n{} session(s) were played on a revision that no longer checks, and are counted but not debriefed.\n",
                self.not_replayed
            ));
        }
        out
    }
}
