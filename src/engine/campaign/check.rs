//! The campaign checker: reads a `NAME.campaign.ron` against the library it links, and reports
//! every problem at its line and column with a fix, as the scenario checker does. A clean file
//! becomes a `Campaign` ready to play.

use super::file::{CallFile, CampaignFile, Requirement};
use super::{CallPlan, Campaign, HappeningPlan};
use crate::engine::check::is_kebab_case;
use crate::engine::format::Outcome;
use crate::engine::format::diagnostic::{Code, Diagnostic, Location, did_you_mean, shown_name};
use crate::engine::format::load::{SourceFile, ron_diagnostic};
use crate::engine::format::locate::{self, SourceText, Step};
use crate::engine::model::{Scenario, Way};
use crate::engine::search::Yardstick;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Most calls a campaign may link.
pub const MAX_CALLS: usize = 20;
/// Most happenings between two calls.
pub const MAX_HAPPENINGS: usize = 20;

/// What checking one campaign file found.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub path: PathBuf,
    /// In file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when the file has no errors.
    pub campaign: Option<Campaign>,
}

impl CampaignReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Checks a campaign's source against the library's clean scenarios.
pub fn check_campaign(source: &SourceFile, library: &[Scenario]) -> CampaignReport {
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let file: CampaignFile = match options.from_str(&source.text) {
        Ok(file) => file,
        Err(error) => {
            return CampaignReport {
                path: source.path.clone(),
                diagnostics: vec![ron_diagnostic(source, &error)],
                campaign: None,
            };
        }
    };
    let mut checker = CampaignChecker {
        source,
        text: SourceText::new(&source.text),
        root: locate::parse(&source.text),
        library,
        diagnostics: Vec::new(),
        misnamed_calls: Vec::new(),
    };
    checker.check(&file);
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(Diagnostic::file_order);
    let campaign = (!diagnostics.iter().any(Diagnostic::is_error)).then(|| Campaign {
        id: file.id.clone(),
        title: file.title.clone(),
        brief: file.brief.clone(),
        path: source.path.clone(),
        revision: source.revision.clone(),
        calls: file.calls.iter().map(plan_of).collect(),
    });
    CampaignReport {
        path: source.path.clone(),
        diagnostics,
        campaign,
    }
}

fn plan_of(call: &CallFile) -> CallPlan {
    CallPlan {
        scenario: call.scenario.clone(),
        requires: call
            .requires
            .iter()
            .map(|Requirement::Ended(id, outcome)| (id.clone(), *outcome))
            .collect(),
        carry: call.carry.clone(),
        carry_trust: call.carry_trust,
        between: call
            .between
            .iter()
            .map(|h| HappeningPlan {
                weight: h.weight as u32,
                say: h.say.clone(),
                trust: h.trust as i32,
                forgets: h.forgets.clone(),
            })
            .collect(),
    }
}

struct CampaignChecker<'a> {
    source: &'a SourceFile,
    text: SourceText<'a>,
    root: Option<locate::Node>,
    library: &'a [Scenario],
    diagnostics: Vec<Diagnostic>,
    /// A call names a scenario the library lacks (E0022): a requirement naming the scenario
    /// that was meant is a knock-on, left until the cause is fixed.
    misnamed_calls: Vec<String>,
}

impl CampaignChecker<'_> {
    fn here(&self, path: &[Step<'_>]) -> Option<Location> {
        let node = self.root.as_ref()?.find(path)?;
        Some(self.text.location(node.span.clone()))
    }

    fn problem(
        &mut self,
        code: Code,
        path: &[Step<'_>],
        message: String,
        label: &str,
        hint: String,
    ) {
        let location = self.here(path);
        self.diagnostics.push(
            Diagnostic::new(code, &self.source.path, message)
                .at(location)
                .label(label)
                .hint(hint),
        );
    }

    fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.library.iter().find(|s| s.id == id)
    }

    fn check(&mut self, file: &CampaignFile) {
        if !is_kebab_case(&file.id) {
            self.problem(
                Code::BadId,
                &[Step::Field("id")],
                format!("campaign id \"{}\" is not kebab-case", shown_name(&file.id)),
                "use lower-case words joined by hyphens",
                "for example \"harbor-deal\"".into(),
            );
        }
        for (value, field) in [(&file.title, "title"), (&file.brief, "brief")] {
            if value.trim().is_empty() {
                self.problem(
                    Code::EmptyText,
                    &[Step::Field(field)],
                    format!("the campaign's {field} is empty"),
                    "nothing to show the rep",
                    format!("write the {field}; the library shows it"),
                );
            }
        }
        if file.calls.len() < 2 {
            self.problem(
                Code::WrongValue,
                &[Step::Field("calls")],
                format!(
                    "a campaign links at least two calls; this one has {}",
                    file.calls.len()
                ),
                "too few calls",
                "list the calls of the deal in order, such as discovery, then the demo".into(),
            );
        }
        if file.calls.len() > MAX_CALLS {
            self.problem(
                Code::TooLarge,
                &[Step::Field("calls")],
                format!(
                    "{} calls; a campaign has at most {MAX_CALLS}",
                    file.calls.len()
                ),
                "too many calls",
                "split the deal into two campaigns".into(),
            );
        }
        // Outcomes each earlier call must have ended with, and the call that asked first.
        let mut needed: Vec<(String, Outcome, usize)> = Vec::new();
        for (index, call) in file.calls.iter().enumerate() {
            self.check_call(file, index, call, &mut needed);
        }
    }

    fn check_call(
        &mut self,
        file: &CampaignFile,
        index: usize,
        call: &CallFile,
        needed: &mut Vec<(String, Outcome, usize)>,
    ) {
        let at =
            |field: &'static str| [Step::Field("calls"), Step::Index(index), Step::Field(field)];
        let earlier: Vec<&str> = file.calls[..index]
            .iter()
            .map(|c| c.scenario.as_str())
            .collect();
        if earlier.contains(&call.scenario.as_str()) {
            self.problem(
                Code::DuplicateId,
                &at("scenario"),
                format!("\"{}\" is already call {} of this campaign", call.scenario, earlier.iter().position(|e| *e == call.scenario).unwrap_or(0) + 1),
                "a scenario once per campaign",
                "each call of the deal is a scenario of its own; write another scenario for the later call".into(),
            );
        }
        let scenario = self.scenario(&call.scenario).cloned();
        if scenario.is_none() {
            self.misnamed_calls.push(call.scenario.clone());
            let hint = did_you_mean(&call.scenario, self.library.iter().map(|s| s.id.as_str()))
                .unwrap_or_else(|| {
                    "name the `id` of a scenario in this folder that checks clean (`dealsim check`)"
                        .into()
                });
            self.problem(
                Code::UnknownScenario,
                &at("scenario"),
                format!(
                    "no scenario \"{}\" in the library",
                    shown_name(&call.scenario)
                ),
                "not the id of a clean scenario here",
                hint,
            );
        }
        if index == 0 {
            for (field, given) in [
                ("carry", !call.carry.is_empty()),
                ("between", !call.between.is_empty()),
                ("requires", !call.requires.is_empty()),
            ] {
                if given {
                    self.problem(
                        Code::WrongValue,
                        &at(field),
                        format!("the first call has `{field}`, but no call comes before it"),
                        "nothing earlier to take from",
                        format!("remove `{field}` here, or move it to a later call"),
                    );
                }
            }
        }
        // Carried facts: the call must have them, and some earlier call must too.
        let mut carried = BTreeSet::new();
        for (n, fact) in call.carry.iter().enumerate() {
            let path = [
                Step::Field("calls"),
                Step::Index(index),
                Step::Field("carry"),
                Step::Index(n),
            ];
            carried.insert(fact.as_str());
            if let Some(scenario) = &scenario
                && scenario.fact(fact).is_none()
            {
                let hint = did_you_mean(fact, scenario.facts().iter().map(|f| f.id.as_str()))
                    .unwrap_or_else(|| {
                        format!(
                            "add a fact \"{fact}\" to {}, or remove it from `carry`",
                            call.scenario
                        )
                    });
                self.problem(
                    Code::FactNotCarried,
                    &path,
                    format!(
                        "\"{}\" is carried into {}, which has no such fact",
                        shown_name(fact),
                        call.scenario
                    ),
                    "the call does not know this fact",
                    hint,
                );
                continue;
            }
            if index > 0 {
                let known_earlier = earlier
                    .iter()
                    .filter_map(|id| self.scenario(id))
                    .any(|s| s.fact(fact).is_some());
                let all_earlier_known = earlier.iter().all(|id| self.scenario(id).is_some());
                if !known_earlier && all_earlier_known {
                    self.problem(
                        Code::FactNotCarried,
                        &path,
                        format!("no earlier call has a fact \"{}\" to carry", shown_name(fact)),
                        "nothing to carry",
                        "a fact is carried by its id: give it the same id in the call where the rep learns it".into(),
                    );
                }
            }
        }
        // Chance between the calls.
        if call.between.len() > MAX_HAPPENINGS {
            self.problem(
                Code::TooLarge,
                &at("between"),
                format!(
                    "{} happenings; at most {MAX_HAPPENINGS}",
                    call.between.len()
                ),
                "too many",
                "keep the few that change the deal".into(),
            );
        }
        let mut total = 0i64;
        let mut out_of_range = false;
        for (n, happening) in call.between.iter().enumerate() {
            let path = |field: &'static str| {
                [
                    Step::Field("calls"),
                    Step::Index(index),
                    Step::Field("between"),
                    Step::Index(n),
                    Step::Field(field),
                ]
            };
            if !(0..=1_000_000).contains(&happening.weight) {
                out_of_range = true;
                self.problem(
                    Code::OutOfRange,
                    &path("weight"),
                    format!("weight {} is outside 0 to 1000000", happening.weight),
                    "out of range",
                    "use a whole number such as 1 or 3".into(),
                );
            } else {
                total += happening.weight;
            }
            if !(-100..=100).contains(&happening.trust) {
                self.problem(
                    Code::OutOfRange,
                    &path("trust"),
                    format!("trust change {} is outside -100 to 100", happening.trust),
                    "out of range",
                    "trust stays within 0 to 100; a change such as -15".into(),
                );
            }
            if happening.say.trim().is_empty() {
                self.problem(
                    Code::EmptyText,
                    &path("say"),
                    "a happening with nothing to say".into(),
                    "the rep is told what happened before the call",
                    "write what happened, such as \"Marta has been moved to flu prep\"".into(),
                );
            }
            for (f, fact) in happening.forgets.iter().enumerate() {
                if !carried.contains(fact.as_str()) {
                    let hint = did_you_mean(fact, call.carry.iter().map(String::as_str))
                        .unwrap_or_else(|| "list only facts this call's `carry` names".into());
                    let mut at = path("forgets").to_vec();
                    at.push(Step::Index(f));
                    self.problem(
                        Code::UnknownFact,
                        &at,
                        format!(
                            "\"{}\" is forgotten, but this call does not carry it",
                            shown_name(fact)
                        ),
                        "not carried",
                        hint,
                    );
                }
            }
        }
        if !call.between.is_empty() && total == 0 && !out_of_range {
            self.problem(
                Code::EmptyChance,
                &at("between"),
                "every happening here has weight 0, so none can be drawn".into(),
                "nothing can happen",
                "give at least one happening a weight above 0 (one with nothing bad in it can be the usual case)".into(),
            );
        }
        // Requirements: an earlier call, an outcome it can end with, and no clash with another call's.
        for (n, Requirement::Ended(id, outcome)) in call.requires.iter().enumerate() {
            let path = [
                Step::Field("calls"),
                Step::Index(index),
                Step::Field("requires"),
                Step::Index(n),
            ];
            let Some(position) = earlier.iter().position(|e| e == id) else {
                // Knock-on: the requirement names the scenario a misnamed call meant.
                if did_you_mean(id, self.misnamed_calls.iter().map(String::as_str)).is_some() {
                    continue;
                }
                let later = file.calls[index..].iter().any(|c| c.scenario == *id);
                let (message, hint) = if later {
                    (format!("\"{id}\" is not played before call {}", index + 1), "a call can only need an outcome of a call before it; move the requirement, or reorder the calls".to_string())
                } else {
                    (
                        format!("\"{}\" is not a call of this campaign", shown_name(id)),
                        did_you_mean(id, earlier.iter().copied())
                            .unwrap_or_else(|| "name the scenario id of an earlier call".into()),
                    )
                };
                self.problem(
                    Code::UnmeetableRequirement,
                    &path,
                    message,
                    "no run can meet this",
                    hint,
                );
                continue;
            };
            if let Some(earlier_scenario) = self.scenario(earlier[position])
                && !ending_reachable(earlier_scenario, *outcome)
            {
                self.problem(
                    Code::UnmeetableRequirement,
                    &path,
                    format!("{id} has no reachable ending `{}`", outcome.label()),
                    "no run can meet this",
                    format!("need an outcome {id} can end with, or add an `end: {}` a path reaches there", outcome.label()),
                );
                continue;
            }
            match needed.iter().find(|(n, _, _)| n == id) {
                Some((_, other, asker)) if other != outcome => {
                    let message = format!(
                        "call {} needs {id} to end `{}`, but call {} needs it to end `{}`",
                        index + 1,
                        outcome.label(),
                        asker + 1,
                        other.label()
                    );
                    self.problem(
                        Code::UnmeetableRequirement,
                        &path,
                        message,
                        "no run can meet both",
                        "a call ends one way; make the two requirements agree".into(),
                    );
                }
                Some(_) => {}
                None => needed.push((id.clone(), *outcome, index)),
            }
        }
    }
}

/// Whether some path of the call reaches an ending with this outcome.
fn ending_reachable(scenario: &Scenario, outcome: Outcome) -> bool {
    let reached = Yardstick::of_call(scenario).map(|y| y.reached.clone());
    scenario.nodes.iter().enumerate().any(|(i, node)| {
        matches!(node.way, Way::End(o) if o == outcome) && reached.as_ref().is_none_or(|r| r[i])
    })
}
