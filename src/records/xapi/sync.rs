//! The sync: every queued statement sent in batches; a refused batch sent again one statement at
//! a time, so that only the statements at fault are set aside. An answer about the LRS rather
//! than a statement (a wrong address, refused credentials, a batch too large, a request to slow
//! down) keeps the whole queue and stops with a sentence that says what to do.

use super::lrs::{Answer, Lrs, post};
use super::statements::statements;
use crate::records::clock;
use crate::records::config::XapiSettings;
use crate::records::store::{Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

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
    /// Assignments and focus skills set here and sent, and those read from the LRS.
    pub directions: super::DirectionsReport,
}

/// Sends every queued statement, `batch` at a time. A batch the LRS refuses is sent again one
/// statement at a time, so that only the statements at fault are set aside (with the LRS's reason).
pub fn sync(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    batch: u32,
) -> Result<SyncReport, StoreError> {
    // Calls that stopped mid-way are known to be interrupted by now: they go too.
    store.close_interrupted(clock::now_ms())?;
    let agent = Lrs::agent();
    let mut waited = 0;
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
        match deliver(&agent, lrs, &all.to_string(), &mut waited) {
            Answer::Accepted => {
                store.mark_sent(&ids, clock::now_ms())?;
                report.sent += ids.len() as u32;
            }
            Answer::NotNow(why) => {
                store.mark_attempted(&ids, clock::now_ms())?;
                report.stopped = Some(why);
                break;
            }
            Answer::TooLarge if ids.len() > 1 => {
                store.mark_attempted(&ids, clock::now_ms())?;
                report.stopped = Some(format!(
                    "the LRS refused a batch of {} statements as too large (HTTP 413); send smaller batches, such as --batch {}",
                    ids.len(),
                    (ids.len() / 4).max(1)
                ));
                break;
            }
            Answer::Wait(seconds) => {
                store.mark_attempted(&ids, clock::now_ms())?;
                report.stopped = Some(slow_down(seconds));
                break;
            }
            Answer::Refused(..) | Answer::Conflict | Answer::TooLarge => {
                for (id, statement) in &bodies {
                    let one = Value::Array(vec![statement.clone()]).to_string();
                    match deliver(&agent, lrs, &one, &mut waited) {
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
                        Answer::TooLarge => {
                            let reason =
                                "HTTP 413: this statement alone is larger than the LRS accepts"
                                    .to_string();
                            store.mark_rejected(id, &reason, clock::now_ms())?;
                            report.rejected.push((id.clone(), reason));
                        }
                        Answer::Wait(seconds) => {
                            store.mark_attempted(std::slice::from_ref(id), clock::now_ms())?;
                            report.stopped = Some(slow_down(seconds));
                            break 'batches;
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
    // Then what a trainer asks of reps: sent from the machine it was set on, and read on every
    // machine, so a rep's app learns of an assignment at its next sync.
    if report.stopped.is_none() {
        super::send_directions(
            store,
            settings,
            lrs,
            &super::trainer_name(),
            &mut report.directions,
        )?;
        if report.directions.stopped.is_none() {
            super::receive_directions(store, settings, lrs, &mut report.directions)?;
        }
    }
    Ok(report)
}

/// The longest a sync waits in all when the LRS asks it to slow down (429), before it stops and
/// leaves the rest for the next sync.
const MOST_WAITING: u64 = 60;

/// Posts a body, waiting as the LRS asks when it says 429 with `Retry-After`, for up to a minute
/// in all over one sync.
fn deliver(agent: &ureq::Agent, lrs: &Lrs, body: &str, waited: &mut u64) -> Answer {
    loop {
        match post(agent, lrs, body) {
            Answer::Wait(seconds) if *waited + seconds <= MOST_WAITING => {
                *waited += seconds;
                std::thread::sleep(Duration::from_secs(seconds));
            }
            answer => return answer,
        }
    }
}

fn slow_down(seconds: u64) -> String {
    format!(
        "the LRS asks dealsim to slow down (HTTP 429) and to wait {seconds} seconds; the rest of the queue goes at the next sync (after that wait)"
    )
}
