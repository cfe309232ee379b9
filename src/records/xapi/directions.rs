//! What a trainer asks of reps, through the LRS: assignments and focus skills as statements
//! (an LRS that implements only the statements API has nowhere else to keep them), sent from the
//! trainer's machine at a sync and read on every rep's machine at theirs, the newest version of
//! each winning. A rep's machine reads only these statements (by their registration), never the
//! team's sessions.

use super::lrs::{Answer, Lrs, post};
use super::pull::{get, query_value, resolve};
use super::statements::{extension_key as extension, segment};
use super::wire::WirePage;
use crate::engine::score::Dimension;
use crate::records::clock::{self, Millis};
use crate::records::config::XapiSettings;
use crate::records::store::{Assignment, Store, StoreError, Unsent, rep_key};
use serde::Serialize;
use serde_json::{Value, json};

/// Where the last read of directions got to, in the database's meta.
const SINCE_KEY: &str = "lrs_directions_since";
/// The next read starts this long before the newest statement seen (statements stored at about
/// the same time may become visible out of order); reading one twice changes nothing.
const MARGIN_MS: Millis = 5 * 60 * 1000;
const MOST_PAGES: usize = 10_000;

/// Who is setting assignments and focus skills on this machine, for their statements: the
/// system's user name.
pub fn trainer_name() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "trainer".to_string())
}

/// The verbs, under the configured base.
pub fn verb_assigned(settings: &XapiSettings) -> String {
    format!("{}/verbs/assigned", settings.base.trim_end_matches('/'))
}

pub fn verb_set_focus(settings: &XapiSettings) -> String {
    format!("{}/verbs/set-focus", settings.base.trim_end_matches('/'))
}

/// The registration every assignment and focus statement carries: one per company (a UUID named
/// by the base), so that a rep's machine can ask the LRS for these alone. Asking by verb would
/// be the obvious filter, but Ralph 5.1's file backend answers a verb filter with nothing.
pub fn directions_registration(settings: &XapiSettings) -> String {
    let base = settings.base.trim_end_matches('/');
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{base}/directions").as_bytes(),
    )
    .to_string()
}

fn agent(settings: &XapiSettings, name: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": name,
        "account": { "homePage": settings.home_page, "name": name },
    })
}

/// The statement that carries something set on this machine.
pub fn direction_statement(unsent: &Unsent, settings: &XapiSettings, by: &str) -> Value {
    let base = settings.base.trim_end_matches('/');
    let context = |key: &str, value: Value| {
        json!({
            "registration": directions_registration(settings),
            "platform": format!("dealsim {}", env!("CARGO_PKG_VERSION")),
            "language": settings.language,
            "extensions": { extension(settings, key): value },
        })
    };
    match unsent {
        Unsent::Assignment {
            statement_id,
            assignment,
        } => json!({
            "id": statement_id,
            "actor": agent(settings, &assignment.set_by),
            "verb": { "id": verb_assigned(settings), "display": { "en-US": "assigned" } },
            "object": {
                "objectType": "Activity",
                "id": format!("{base}/assignments/{}", assignment.id),
                "definition": {
                    "type": format!("{base}/activity-types/assignment"),
                    "name": { settings.language.as_str(): format!(
                        "Assignment: {}, due {}",
                        assignment.scenarios.join(", "),
                        clock::date(assignment.due_at)
                    ) },
                },
            },
            "timestamp": clock::iso8601(assignment.set_at),
            "context": context("assignment", serde_json::to_value(assignment).unwrap_or_default()),
        }),
        Unsent::Focus {
            statement_id,
            rep,
            dimensions,
            set_at,
        } => json!({
            "id": statement_id,
            "actor": agent(settings, by),
            "verb": { "id": verb_set_focus(settings), "display": { "en-US": "set focus skills for" } },
            // The rep's focus as an activity (an LRS such as Ralph takes only activities as
            // objects, and xAPI allows `platform` only then).
            "object": {
                "objectType": "Activity",
                "id": format!("{base}/focus/{}", segment(&rep_key(rep))),
                "definition": {
                    "type": format!("{base}/activity-types/focus"),
                    "name": { settings.language.as_str(): format!("Focus skills of {rep}") },
                },
            },
            "timestamp": clock::iso8601(*set_at),
            "context": context("focus", json!({
                "rep": rep,
                "dimensions": dimensions,
                "set_at": set_at,
            })),
        }),
    }
}

/// What a send or a read of directions did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DirectionsReport {
    pub sent: u32,
    /// Assignments and focus skills read from the LRS that changed something here.
    pub received: u32,
    /// Why sending what was set here stopped (it stays here and goes at the next sync).
    pub stopped: Option<String>,
    /// Why reading from the LRS failed (nothing is lost: the next sync reads again).
    pub unread: Option<String>,
}

/// Sends everything set here that the LRS has not had yet, one statement at a time (there are
/// few); `by` names the trainer for focus skills.
pub fn send_directions(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    by: &str,
    report: &mut DirectionsReport,
) -> Result<(), StoreError> {
    let agent = Lrs::agent();
    for unsent in store.unsent_directions()? {
        let body = Value::Array(vec![direction_statement(&unsent, settings, by)]).to_string();
        match post(&agent, lrs, &body) {
            // A conflict: the LRS already holds this id (an earlier answer was lost).
            Answer::Accepted | Answer::Conflict => {
                store.mark_direction_sent(unsent.statement_id(), clock::now_ms())?;
                report.sent += 1;
            }
            Answer::Refused(status, reason) => {
                report.stopped = Some(format!(
                    "the LRS refused an assignment or focus statement (HTTP {status}: {reason}); it stays here and is sent again at the next sync"
                ));
                return Ok(());
            }
            Answer::TooLarge => {
                report.stopped = Some(
                    "the LRS refused an assignment statement as too large (HTTP 413); assign fewer scenarios or reps at once".into(),
                );
                return Ok(());
            }
            Answer::Wait(seconds) => {
                report.stopped = Some(format!(
                    "the LRS asks dealsim to wait {seconds} seconds (HTTP 429); assignments and focus skills go at the next sync"
                ));
                return Ok(());
            }
            Answer::NotNow(why) => {
                report.stopped = Some(why);
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Keeps one statement's assignment or focus skills, if it is one; returns whether it changed
/// anything here.
pub fn receive(
    store: &Store,
    settings: &XapiSettings,
    statement: &Value,
) -> Result<bool, StoreError> {
    let verb = statement["verb"]["id"].as_str().unwrap_or_default();
    let id = statement["id"].as_str().unwrap_or_default();
    let extensions = &statement["context"]["extensions"];
    if verb == verb_assigned(settings) {
        let Ok(assignment) = serde_json::from_value::<Assignment>(
            extensions[extension(settings, "assignment")].clone(),
        ) else {
            return Ok(false);
        };
        if assignment.id.is_empty() || assignment.scenarios.is_empty() {
            return Ok(false);
        }
        return store.receive_assignment(&assignment, id);
    }
    if verb == verb_set_focus(settings) {
        let focus = &extensions[extension(settings, "focus")];
        let (Some(rep), Some(set_at)) = (focus["rep"].as_str(), focus["set_at"].as_i64()) else {
            return Ok(false);
        };
        let Ok(dimensions) = serde_json::from_value::<Vec<Dimension>>(focus["dimensions"].clone())
        else {
            return Ok(false);
        };
        if rep.trim().is_empty() || dimensions.len() > 2 {
            return Ok(false);
        }
        return store.receive_focus(rep, &dimensions, set_at, id);
    }
    Ok(false)
}

/// Reads the assignments and focus skills stored in the LRS since the last read (by their
/// registration, so a rep's machine never downloads the team's sessions) and keeps them.
pub fn receive_directions(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    report: &mut DirectionsReport,
) -> Result<(), StoreError> {
    let agent = Lrs::agent();
    let since = store.meta(SINCE_KEY)?;
    let mut newest: Option<Millis> = None;
    {
        let mut url = format!(
            "{}/statements?registration={}&limit=500&ascending=true",
            lrs.endpoint,
            query_value(&directions_registration(settings))
        );
        if let Some(since) = &since {
            url.push_str(&format!("&since={}", query_value(since)));
        }
        let mut statements = Vec::new();
        for _ in 0..MOST_PAGES {
            let page = match get(&agent, lrs, &url) {
                Ok(page) => page,
                Err(why) => {
                    report.unread = Some(why);
                    return Ok(());
                }
            };
            let read = match WirePage::parse(&page.body) {
                Ok(read) => read,
                Err(why) => {
                    report.unread = Some(why);
                    return Ok(());
                }
            };
            statements.extend(read.statements().iter().map(|s| s.to_value()));
            match read.next_page() {
                Some(more) => url = resolve(&lrs.endpoint, more),
                None => break,
            }
        }
        // Oldest first, so the newest version of each is the one kept.
        statements.sort_by_key(|s| {
            s["timestamp"]
                .as_str()
                .and_then(|t| clock::parse(t).ok())
                .unwrap_or(0)
        });
        for statement in &statements {
            if let Some(stored) = statement["stored"]
                .as_str()
                .and_then(|s| clock::parse(s).ok())
            {
                newest = Some(newest.map_or(stored, |n| n.max(stored)));
            }
            if receive(store, settings, statement)? {
                report.received += 1;
            }
        }
    }
    if let Some(newest) = newest {
        store.set_meta(SINCE_KEY, &clock::iso8601(newest - MARGIN_MS))?;
    }
    Ok(())
}
