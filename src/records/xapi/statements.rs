//! Stored sessions as xAPI 1.0.3 statements.
//!
//! Statements are built from a stored session, the same way every time: `export xapi` and the
//! sync give the same statements with the same ids. Ids are name-based UUIDs under the session's
//! registration, fixed when the session ends, so a statement can never be sent as two.

use crate::engine::model::CampaignCall;
use crate::records::clock::{self, Millis};
use crate::records::config::XapiSettings;
use crate::records::store::{Status, StoredSession, statement_ids};
use serde_json::{Value, json};

pub const VERSION: &str = "1.0.3";
const VERB_ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
const VERB_TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
const TYPE_INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const TYPE_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
const TYPE_MODULE: &str = "http://adlnet.gov/expapi/activities/module";

/// A campaign call's place in its run and what the run carried into it, as the `campaign`
/// context extension of each of its statements: enough for another machine to replay the call
/// from where the run left the rep, and for an LRS's reports to group a run's calls.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct CampaignExtension {
    pub id: String,
    pub title: String,
    pub run: String,
    /// A string, as the session's seed is: a JSON reader may hold numbers as doubles.
    pub run_seed: String,
    /// The call's place, from 1.
    pub call: u32,
    pub calls: u32,
    pub start_trust: u8,
    pub start_knows: Vec<String>,
    #[serde(default)]
    pub between: Option<String>,
}

impl CampaignExtension {
    fn of(call: &CampaignCall) -> Self {
        CampaignExtension {
            id: call.campaign.clone(),
            title: call.campaign_title.clone(),
            run: call.run.clone(),
            run_seed: call.run_seed.to_string(),
            call: call.call + 1,
            calls: call.calls,
            start_trust: call.trust,
            start_knows: call.knows.clone(),
            between: call.between.clone(),
        }
    }

    pub(super) fn into_call(self) -> Option<CampaignCall> {
        Some(CampaignCall {
            campaign: self.id,
            campaign_title: self.title,
            run: self.run,
            run_seed: self.run_seed.trim().parse().ok()?,
            call: self.call.checked_sub(1)?,
            calls: self.calls,
            trust: self.start_trust.min(100),
            knows: self.start_knows,
            between: self.between,
        })
    }
}

/// The IRI of a context or result extension under the configured base.
pub(super) fn extension_key(settings: &XapiSettings, name: &str) -> String {
    format!("{}/extensions/{name}", settings.base.trim_end_matches('/'))
}

/// Percent-encodes an id for use in an IRI path segment.
pub(super) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Builds a finished or abandoned session's statements (a session still being played has none).
pub fn statements(stored: &StoredSession, settings: &XapiSettings) -> Vec<Value> {
    let row = &stored.row;
    let finished = row.status == Status::Finished;
    if !finished && row.status != Status::Abandoned {
        return Vec::new();
    }
    let base = settings.base.trim_end_matches('/');
    let key = |name: &str| extension_key(settings, name);
    let lang = settings.language.as_str();
    let ids = statement_ids(
        &row.registration,
        stored.turns.len(),
        finished,
        row.scores.and_then(|s| s.passed).is_some(),
    );
    // The account is the rep's login where their machine is set up with one, else their name.
    let account = stored.rep_login.as_deref().unwrap_or(&row.rep);
    let actor = json!({
        "objectType": "Agent",
        "name": row.rep,
        "account": { "homePage": settings.home_page, "name": account },
    });
    let scenario_iri = format!("{base}/scenarios/{}", segment(&row.scenario_id));
    let scenario_activity = json!({
        "objectType": "Activity",
        "id": scenario_iri,
        "definition": {
            "type": TYPE_SIMULATION,
            "name": { lang: row.scenario_title },
        },
    });
    let context = |parent: bool| {
        let mut context = json!({
            "registration": row.registration,
            "platform": format!("dealsim {}", env!("CARGO_PKG_VERSION")),
            "language": lang,
            "extensions": {
                key("seed"): row.seed.to_string(),
                key("revision"): row.revision,
                key("scenario-id"): row.scenario_id,
                key("scoring-version"): stored.scoring_version,
            },
        });
        // A call of a campaign run: the campaign is the scenario's parent (and groups the
        // turns), and the run and its carried state travel with every statement.
        match (&stored.campaign, parent) {
            (Some(call), parent) => {
                let campaign_activity = json!({
                    "objectType": "Activity",
                    "id": format!("{base}/campaigns/{}", segment(&call.campaign)),
                    "definition": {
                        "type": TYPE_MODULE,
                        "name": { lang: call.campaign_title },
                    },
                });
                context["contextActivities"] = if parent {
                    json!({ "parent": [scenario_activity.clone()], "grouping": [campaign_activity] })
                } else {
                    json!({ "parent": [campaign_activity] })
                };
                context["extensions"][key("campaign")] = json!(CampaignExtension::of(call));
            }
            (None, true) => {
                context["contextActivities"] = json!({ "parent": [scenario_activity.clone()] });
            }
            (None, false) => {}
        }
        context
    };
    let statement = |id: &str, verb: &str, display: &str, object: Value, at: Millis| {
        json!({
            "id": id,
            "actor": actor,
            "verb": { "id": verb, "display": { "en-US": display } },
            "object": object,
            "timestamp": clock::iso8601(at),
            "context": context(object["id"] != scenario_activity["id"]),
        })
    };
    // The session's last statement carries what another machine needs to rebuild and replay
    // it (`xapi::pull`): the number of turns, and the scenario revision's text, since an LRS
    // that implements only the statements API has nowhere else to keep it.
    let carry = |statement: &mut Value| {
        statement["context"]["extensions"][key("turns")] = json!(stored.turns.len());
        statement["context"]["extensions"][key("revision-source")] = json!(stored.scenario_source);
    };
    let mut out = Vec::with_capacity(ids.len());
    for (turn, id) in stored.turns.iter().zip(&ids) {
        let node = json!({
            "objectType": "Activity",
            "id": format!("{scenario_iri}/nodes/{}", segment(&turn.node_id)),
            "definition": {
                "type": TYPE_INTERACTION,
                "name": { lang: format!("{}: {}", row.scenario_title, turn.node_id) },
                "interactionType": "choice",
            },
        });
        let mut s = statement(id, VERB_ANSWERED, "answered", node, turn.at);
        // The response names the choice by its stable id (the author's, or its node and place
        // in the file), never by where it was shown: choices are offered in a shuffled order.
        let choice_id = turn
            .choice_id
            .clone()
            .unwrap_or_else(|| format!("{}/{}", turn.node_id, turn.choice + 1));
        s["result"] = json!({
            "response": choice_id,
            "extensions": {
                key("choice-position"): turn.choice + 1,
                key("shown-position"): turn.shown.unwrap_or(turn.choice as u32 + 1),
                key("move"): turn.move_kind,
                key("say"): turn.say,
                key("trust-after"): turn.trust_after,
                key("minutes-left-after"): turn.minutes_left_after,
                key("think-ms"): turn.think_ms,
                key("turn"): turn.turn + 1,
            },
        });
        out.push(s);
    }
    let ended_at = row.ended_at.unwrap_or(row.started_at);
    let duration = clock::iso_duration(ended_at - row.started_at);
    let mut rest = ids[stored.turns.len()..].iter();
    let Some(id) = rest.next() else {
        return out;
    };
    if let (true, Some(scores)) = (finished, row.scores) {
        let score = json!({
            "scaled": f64::from(scores.overall) / 100.0,
            "raw": scores.overall,
            "min": 0,
            "max": 100,
        });
        let mut completed = statement(
            id,
            VERB_COMPLETED,
            "completed",
            scenario_activity.clone(),
            ended_at,
        );
        completed["result"] = json!({
            "score": score,
            "success": row.right_call.unwrap_or(false),
            "completion": true,
            "duration": duration,
            "extensions": {
                key("dimensions"): {
                    "qualification": scores.qualification,
                    "discovery": scores.discovery,
                    "rapport": scores.rapport,
                    "velocity": scores.velocity,
                },
                key("outcome"): row.outcome,
                key("facts-uncovered"): stored.facts_uncovered,
                key("minutes-used"): stored.minutes_used,
            },
        });
        carry(&mut completed);
        out.push(completed);
        if let (Some(passed), Some(id)) = (scores.passed, rest.next()) {
            let (verb, display) = if passed {
                (VERB_PASSED, "passed")
            } else {
                (VERB_FAILED, "failed")
            };
            let mut judged = statement(id, verb, display, scenario_activity.clone(), ended_at);
            judged["result"] = json!({
                "score": score,
                "success": passed,
                "completion": true,
                "duration": duration,
            });
            out.push(judged);
        }
    } else if !finished {
        let mut terminated = statement(
            id,
            VERB_TERMINATED,
            "terminated",
            scenario_activity.clone(),
            ended_at,
        );
        terminated["result"] = json!({ "completion": false, "duration": duration });
        carry(&mut terminated);
        out.push(terminated);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_odd_characters_are_percent_encoded() {
        assert_eq!(segment("harbor-discovery"), "harbor-discovery");
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
    }
}
