//! Sessions as xAPI 1.0.3 statements, and sending them to a Learning Record Store.
//!
//! Statements are built from a stored session, the same way every time: `export xapi` and the
//! sync give the same statements with the same ids. Ids are name-based UUIDs under the session's
//! registration, fixed when the session ends, so a statement can never be sent as two.

use crate::clock::{self, Millis};
use crate::store::{Said, Status, Store, StoredSession};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

pub const VERSION: &str = "1.0.3";
const VERB_ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
const VERB_TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
const TYPE_INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const TYPE_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";

/// How statements name things: activity ids and extension keys are IRIs under `base`; reps are
/// accounts on `home_page`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct XapiSettings {
    pub base: String,
    pub home_page: String,
    pub language: String,
}

impl Default for XapiSettings {
    fn default() -> Self {
        XapiSettings {
            base: "https://dealsim.example/xapi".into(),
            home_page: "https://dealsim.example".into(),
            language: "en-US".into(),
        }
    }
}

/// The statement ids of a session, in order: one `answered` per choice, then `completed` (and
/// `passed` or `failed` where there is a pass mark) for a finished call, or `terminated` for an
/// abandoned one.
pub fn statement_ids(
    registration: &str,
    choices: usize,
    finished: bool,
    judged: bool,
) -> Vec<String> {
    let namespace = uuid::Uuid::parse_str(registration).unwrap_or(uuid::Uuid::NAMESPACE_OID);
    let id = |name: &str| uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string();
    let mut ids: Vec<String> = (0..choices).map(|i| id(&format!("answered/{i}"))).collect();
    if finished {
        ids.push(id("completed"));
        if judged {
            ids.push(id("judged"));
        }
    } else {
        ids.push(id("terminated"));
    }
    ids
}

/// Percent-encodes an id for use in an IRI path segment.
fn segment(text: &str) -> String {
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
    let key = |name: &str| format!("{base}/extensions/{name}");
    let lang = settings.language.as_str();
    let ids = statement_ids(
        &row.registration,
        stored.turns.len(),
        finished,
        row.scores.and_then(|s| s.passed).is_some(),
    );
    let actor = json!({
        "objectType": "Agent",
        "name": row.rep,
        "account": { "homePage": settings.home_page, "name": row.rep },
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
            },
        });
        if parent {
            context["contextActivities"] = json!({ "parent": [scenario_activity.clone()] });
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
        s["result"] = json!({
            "response": (turn.choice + 1).to_string(),
            "extensions": {
                key("move"): turn.move_kind,
                key("say"): turn.say,
                key("trust-after"): turn.trust_after,
                key("minutes-left-after"): turn.minutes_left_after,
                key("think-ms"): turn.think_ms,
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
        out.push(terminated);
    }
    out
}

/// Where to send statements. The password comes from an environment variable and is never
/// written anywhere.
#[derive(Clone)]
pub struct Lrs {
    /// The xAPI endpoint; statements go to `<endpoint>/statements`.
    pub endpoint: String,
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Lrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lrs")
            .field("endpoint", &self.endpoint)
            .field("user", &self.user)
            .field("password", &"(hidden)")
            .finish()
    }
}

impl Lrs {
    /// Checks the endpoint: http or https, and no credentials inside it (they would end up in
    /// logs and error messages).
    pub fn new(endpoint: &str, user: &str, password: String) -> Result<Lrs, String> {
        let endpoint = endpoint.trim().trim_end_matches('/');
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .ok_or_else(|| {
                format!("the LRS address `{endpoint}` must start with https:// or http://")
            })?;
        let authority = rest.split('/').next().unwrap_or("");
        if authority.contains('@') {
            return Err(
                "the LRS address must not contain a user name or password; use --user and --password-env"
                    .into(),
            );
        }
        if authority.is_empty() {
            return Err(format!("the LRS address `{endpoint}` has no host"));
        }
        Ok(Lrs {
            endpoint: endpoint.to_string(),
            user: user.to_string(),
            password,
        })
    }

    fn authorization(&self) -> String {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.user, self.password));
        format!("Basic {token}")
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub sent: u32,
    /// Refused by the LRS this time: (statement id, reason).
    pub rejected: Vec<(String, String)>,
    /// Still waiting in the queue (the LRS could not be reached, or refused the credentials).
    pub queued: u32,
    /// Why sending stopped early, if it did.
    pub stopped: Option<String>,
}

enum Answer {
    Accepted,
    /// The LRS refused the content (400) or already holds a different statement with the id.
    Refused(u16, String),
    Conflict,
    /// Could not be delivered now: unreachable, server error, or credentials refused.
    NotNow(String),
}

fn post(agent: &ureq::Agent, lrs: &Lrs, body: &str) -> Answer {
    let response = agent
        .post(format!("{}/statements", lrs.endpoint))
        .header("X-Experience-API-Version", VERSION)
        .header("Content-Type", "application/json")
        .header("Authorization", lrs.authorization())
        .send(body);
    match response {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .unwrap_or_default();
            match status {
                200..=299 => Answer::Accepted,
                409 => Answer::Conflict,
                401 | 403 => Answer::NotNow(format!(
                    "the LRS refused the user name or password (HTTP {status})"
                )),
                400..=499 => Answer::Refused(status, crate::text::shorten(text.trim(), 600)),
                _ => Answer::NotNow(format!(
                    "the LRS answered HTTP {status}: {}",
                    crate::text::shorten(text.trim(), 200)
                )),
            }
        }
        // ureq's message names the host and the problem, never the headers.
        Err(error) => Answer::NotNow(format!(
            "the LRS at {} cannot be reached: {error}",
            lrs.endpoint
        )),
    }
}

/// Sends every queued statement, `batch` at a time. A batch the LRS refuses is sent again one
/// statement at a time, so that only the statements at fault are set aside (with the LRS's reason).
pub fn sync(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    batch: u32,
) -> Result<SyncReport, crate::store::StoreError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut report = SyncReport::default();
    let mut built: HashMap<i64, HashMap<String, Value>> = HashMap::new();
    'batches: loop {
        let queued = store.queued_statements(batch.max(1))?;
        if queued.is_empty() {
            break;
        }
        let mut bodies = Vec::with_capacity(queued.len());
        for entry in &queued {
            if let std::collections::hash_map::Entry::Vacant(e) = built.entry(entry.session_id) {
                let stored = store.session(entry.session_id)?;
                let by_id = statements(&stored, settings)
                    .into_iter()
                    .map(|s| (s["id"].as_str().unwrap_or_default().to_string(), s))
                    .collect();
                e.insert(by_id);
            }
            match built[&entry.session_id].get(&entry.statement_id) {
                Some(statement) => bodies.push((entry.statement_id.clone(), statement.clone())),
                None => {
                    let reason = "the session no longer has this statement".to_string();
                    store.mark_rejected(&entry.statement_id, &reason, clock::now_ms())?;
                    report.rejected.push((entry.statement_id.clone(), reason));
                }
            }
        }
        let ids: Vec<String> = bodies.iter().map(|(id, _)| id.clone()).collect();
        let all = Value::Array(bodies.iter().map(|(_, s)| s.clone()).collect());
        match post(&agent, lrs, &all.to_string()) {
            Answer::Accepted => {
                store.mark_sent(&ids, clock::now_ms())?;
                report.sent += ids.len() as u32;
            }
            Answer::NotNow(why) => {
                store.mark_attempted(&ids, clock::now_ms())?;
                report.stopped = Some(why);
                break;
            }
            Answer::Refused(..) | Answer::Conflict => {
                for (id, statement) in &bodies {
                    match post(
                        &agent,
                        lrs,
                        &Value::Array(vec![statement.clone()]).to_string(),
                    ) {
                        // A conflict on one statement: the LRS already holds this id (an
                        // earlier sync whose answer was lost), so it is delivered.
                        Answer::Accepted | Answer::Conflict => {
                            store.mark_sent(std::slice::from_ref(id), clock::now_ms())?;
                            report.sent += 1;
                        }
                        Answer::Refused(status, reason) => {
                            let reason = format!("HTTP {status}: {reason}");
                            store.mark_rejected(id, &reason, clock::now_ms())?;
                            report.rejected.push((id.clone(), reason));
                        }
                        Answer::NotNow(why) => {
                            store.mark_attempted(std::slice::from_ref(id), clock::now_ms())?;
                            report.stopped = Some(why);
                            break 'batches;
                        }
                    }
                }
            }
        }
        // Sessions fully handled need not stay in memory.
        built.retain(|session, _| {
            queued
                .last()
                .is_some_and(|last| last.session_id == *session)
        });
    }
    report.queued = store.outbox_summary()?.queued;
    Ok(report)
}

/// Reads the transcript of a stored session as lines for people.
pub fn transcript_lines(stored: &StoredSession) -> Vec<String> {
    let said = |s: &Said| match s {
        Said::Buyer(line) => format!("Buyer: \"{line}\""),
        Said::Fact(id) => format!("   (noted: {id})"),
        Said::Chance(to) => format!("   (chance: to {to})"),
    };
    let mut lines: Vec<String> = stored.opening.iter().map(said).collect();
    for turn in &stored.turns {
        lines.push(format!(
            "Rep [{}, {:.1} s]: \"{}\"",
            turn.move_kind.label(),
            turn.think_ms as f64 / 1000.0,
            turn.say
        ));
        lines.extend(turn.reply.iter().map(said));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_are_fixed_by_the_registration_and_distinct() {
        let registration = "2f1c6a3e-0e0f-4d8e-9b3c-1f2a3b4c5d6e";
        let ids = statement_ids(registration, 3, true, true);
        assert_eq!(ids, statement_ids(registration, 3, true, true));
        assert_eq!(ids.len(), 5);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 5);
        let other = statement_ids("8b1c6a3e-0e0f-4d8e-9b3c-1f2a3b4c5d6e", 3, true, true);
        assert!(ids.iter().all(|id| !other.contains(id)));
        assert_eq!(statement_ids(registration, 2, false, false).len(), 3);
    }

    #[test]
    fn an_endpoint_with_credentials_in_it_is_refused() {
        assert!(Lrs::new("https://u:p@lrs.example/xapi", "u", "p".into()).is_err());
        assert!(Lrs::new("ftp://lrs.example", "u", "p".into()).is_err());
        let lrs = Lrs::new("http://127.0.0.1:8100/xAPI/", "u", "secret".into()).unwrap();
        assert_eq!(lrs.endpoint, "http://127.0.0.1:8100/xAPI");
        assert!(!format!("{lrs:?}").contains("secret"));
    }

    #[test]
    fn ids_with_odd_characters_are_percent_encoded() {
        assert_eq!(segment("harbor-discovery"), "harbor-discovery");
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
    }
}
