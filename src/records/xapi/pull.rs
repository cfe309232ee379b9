//! Reading the team's sessions back from the LRS: every dealsim statement stored since the last
//! pull, page by page (`more`), each session rebuilt in the local database from its statements
//! by replaying it on the revision it was played on. What is already here is skipped; a session
//! whose statements have not all arrived, or whose scenario text is not available, is left for
//! the next pull, which starts early enough to see it again.

use super::lrs::Lrs;
use super::statements::VERSION;
use super::wire::{Ending, Keys, TurnRead, WirePage};
use crate::engine::check::compile_source;
use crate::engine::format::load::SourceFile;
use crate::engine::model::Scenario;
use crate::records::clock::{self, Millis};
use crate::records::config::XapiSettings;
use crate::records::store::{Imported, PulledSession, PulledTurn, Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Where the last pull got to (an ISO 8601 time for the LRS's `since`), in the database's meta.
const SINCE_KEY: &str = "lrs_pulled_since";

/// The next pull starts this long before the newest statement seen: statements stored at about
/// the same time may become visible out of order.
const MARGIN_MS: Millis = 5 * 60 * 1000;

/// Statements per page asked of the LRS.
const PAGE: u32 = 500;

/// At most this many pages per pull (a runaway `more` chain stops here).
const MOST_PAGES: usize = 100_000;

const VERB_ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const VERB_TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";

/// What a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    /// dealsim statements read from the LRS.
    pub statements: usize,
    /// Sessions rebuilt in this database.
    pub added: usize,
    /// Sessions that were already here.
    pub already_here: usize,
    /// Sessions left for a later pull, with why.
    pub left: Vec<String>,
    /// Why the pull stopped early, if it did (nothing read after that was lost).
    pub stopped: Option<String>,
    /// Assignments and focus skills read that changed something here.
    pub directions: usize,
}

/// Reads every dealsim statement stored since the last pull and rebuilds the sessions that are
/// not here yet. `local_source` finds a revision's text among this machine's scenario files,
/// for sessions whose statements do not carry it (sent by an older dealsim).
pub fn pull(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    local_source: &dyn Fn(&str) -> Option<String>,
) -> Result<PullReport, StoreError> {
    store.for_bulk_writes(|| pull_into(store, settings, lrs, local_source))
}

fn pull_into(
    store: &Store,
    settings: &XapiSettings,
    lrs: &Lrs,
    local_source: &dyn Fn(&str) -> Option<String>,
) -> Result<PullReport, StoreError> {
    let agent = Lrs::agent();
    let keys = Keys::new(settings);
    let since = store.meta(SINCE_KEY)?;
    let mut url = format!("{}/statements?limit={PAGE}&ascending=true", lrs.endpoint);
    if let Some(since) = &since {
        url.push_str(&format!("&since={}", query_value(since)));
    }
    let mut puller = Puller {
        store,
        lrs,
        agent: &agent,
        local_source,
        keys: &keys,
        report: PullReport::default(),
        scenarios: HashMap::new(),
        sources: HashMap::new(),
        oldest_left: None,
        done: HashSet::new(),
    };
    let mut directions: Vec<Value> = Vec::new();
    // Sessions whose ending has been read, waiting for their turns; and turns waiting for their
    // session's ending. A session is rebuilt as soon as both are here, so memory holds only the
    // sessions in flight on the pages read, not every statement of the pull.
    let mut pending: Vec<(String, Ending)> = Vec::new();
    let mut answered: HashMap<String, Vec<TurnRead>> = HashMap::new();
    let mut newest_stored: Option<Millis> = None;
    let mut consistent_through: Option<Millis> = None;
    for _ in 0..MOST_PAGES {
        let page = match get(&agent, lrs, &url) {
            Ok(page) => page,
            Err(why) => {
                puller.report.stopped = Some(why);
                return Ok(puller.report);
            }
        };
        if consistent_through.is_none() {
            consistent_through = page.consistent_through;
        }
        let read = match WirePage::parse(&page.body) {
            Ok(read) => read,
            Err(why) => {
                puller.report.stopped = Some(why);
                return Ok(puller.report);
            }
        };
        for statement in read.statements() {
            let verb = statement.verb();
            if verb == super::directions::verb_assigned(settings)
                || verb == super::directions::verb_set_focus(settings)
            {
                puller.report.statements += 1;
                directions.push(statement.to_value());
                continue;
            }
            if !statement.has_context_extension(keys.get("scenario-id")) {
                continue;
            }
            puller.report.statements += 1;
            if let Some(stored) = statement.stored() {
                newest_stored = Some(newest_stored.map_or(stored, |n| n.max(stored)));
            }
            let registration = statement.registration();
            if registration.is_empty() || puller.done.contains(registration) {
                continue;
            }
            match verb {
                VERB_COMPLETED | VERB_TERMINATED => {
                    if pending.iter().any(|(r, _)| r == registration) {
                        continue;
                    }
                    let ending = Ending::read(statement, &keys, verb == VERB_TERMINATED);
                    // The revision's text is kept once per revision, not in every ending.
                    if !puller.sources.contains_key(&ending.revision)
                        && !puller.scenarios.contains_key(&ending.revision)
                        && let Some(text) = Ending::revision_source(statement, &keys)
                    {
                        puller.sources.insert(ending.revision.clone(), text);
                    }
                    pending.push((registration.to_string(), ending));
                }
                VERB_ANSWERED => answered
                    .entry(registration.to_string())
                    .or_default()
                    .push(TurnRead::read(statement, &keys)),
                _ => {}
            }
        }
        // Every session whose turns have all arrived is rebuilt now, the page's in one
        // transaction (each session in a savepoint of its own, so one that cannot be rebuilt
        // leaves nothing behind); these need nothing more from the LRS.
        let mut still = Vec::with_capacity(pending.len());
        let mut complete = Vec::new();
        for (registration, ending) in pending.drain(..) {
            let expected = ending.turns;
            let have = answered.get(&registration).map_or(0, Vec::len);
            if expected == Some(have) {
                let turns = answered.remove(&registration).unwrap_or_default();
                complete.push((registration, ending, turns));
            } else {
                still.push((registration, ending));
            }
        }
        pending = still;
        store.in_transaction(|_| {
            for (registration, ending, turns) in complete {
                puller.settle(&registration, &ending, turns)?;
            }
            Ok(())
        })?;
        match read.next_page() {
            Some(more) => url = resolve(&lrs.endpoint, more),
            None => break,
        }
    }
    // Sessions whose turns did not all come with them: settled now (their turns asked for
    // alone, or the session left for a later pull).
    for (registration, ending) in std::mem::take(&mut pending) {
        let turns = answered.remove(&registration).unwrap_or_default();
        if puller.settle(&registration, &ending, turns)? == Flow::Stop {
            break;
        }
    }
    // Assignments and focus skills, oldest first so that the newest version of each is kept.
    directions.sort_by_key(|s| {
        s["timestamp"]
            .as_str()
            .and_then(|t| clock::parse(t).ok())
            .unwrap_or(0)
    });
    for statement in &directions {
        if super::directions::receive(store, settings, statement)? {
            puller.report.directions += 1;
        }
    }
    let oldest_left = puller.oldest_left;
    let report = puller.report;

    // Where the next pull starts: before anything left for later, a margin before the newest
    // statement seen, and never after what the LRS says is consistent.
    if report.stopped.is_none() {
        let mut next = newest_stored.map(|n| n - MARGIN_MS);
        if let Some(left) = oldest_left {
            next = Some(next.map_or(left - 1_000, |n| n.min(left - 1_000)));
        }
        if let (Some(n), Some(c)) = (next, consistent_through) {
            next = Some(n.min(c));
        }
        if let Some(next) = next {
            store.set_meta(SINCE_KEY, &clock::iso8601(next))?;
        }
    }
    Ok(report)
}

/// Whether a pull goes on after a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// What a pull keeps while it reads: the report, the revisions compiled so far and their texts,
/// and the sessions settled.
struct Puller<'a> {
    store: &'a Store,
    lrs: &'a Lrs,
    agent: &'a ureq::Agent,
    local_source: &'a dyn Fn(&str) -> Option<String>,
    keys: &'a Keys,
    report: PullReport,
    scenarios: HashMap<String, Option<Scenario>>,
    /// Revision texts carried by endings, by revision.
    sources: HashMap<String, String>,
    /// Sessions left for later keep the next pull's start before them.
    oldest_left: Option<Millis>,
    /// Registrations settled in this pull (rebuilt, already here, or left).
    done: HashSet<String>,
}

impl Puller<'_> {
    fn leave(&mut self, ending: &Ending, why: String) {
        self.report.left.push(why);
        if let Some(stored) = ending.stored {
            self.oldest_left = Some(self.oldest_left.map_or(stored, |o| o.min(stored)));
        }
    }

    /// Rebuilds one session from its ending and the turns read with it (asking the LRS for its
    /// statements alone when they are not all here), or says why it is left for later.
    fn settle(
        &mut self,
        registration: &str,
        ending: &Ending,
        mut turns: Vec<TurnRead>,
    ) -> Result<Flow, StoreError> {
        self.done.insert(registration.to_string());
        let store = self.store;
        if store.has_registration(registration)? {
            self.report.already_here += 1;
            return Ok(Flow::Go);
        }
        let (account, shown) = (ending.account.as_str(), ending.shown.as_str());
        // An account that is a login (its name differs from the name shown): the rep with that
        // login here, or the name shown, which gets the login.
        let rep = if !account.is_empty() && !shown.is_empty() && account != shown {
            store.rep_of_account(shown, account)?
        } else if shown.is_empty() {
            account.to_string()
        } else {
            shown.to_string()
        };
        let (scenario_id, revision) = (&ending.scenario_id, &ending.revision);
        let name = format!(
            "{rep}'s session on {scenario_id} ({})",
            &registration[..8.min(registration.len())]
        );
        let Some(seed) = ending.seed else {
            self.leave(ending, format!("{name}: its statements carry no seed"));
            return Ok(Flow::Go);
        };
        // The scenario revision it was played on: carried by the statements, stored here, or
        // one of this machine's scenario files.
        if !self.scenarios.contains_key(revision) {
            let source = match self.sources.remove(revision) {
                Some(text) => Some(text),
                None => match store.revision_source(revision)? {
                    Some(text) => Some(text),
                    None => (self.local_source)(revision),
                },
            };
            let compiled = source.and_then(|text| {
                let file = SourceFile::from_text(
                    format!(
                        "{scenario_id} (revision {})",
                        &revision[..8.min(revision.len())]
                    ),
                    text,
                );
                compile_source(&file)
                    .scenario
                    .filter(|scenario| scenario.revision == *revision)
            });
            self.scenarios.insert(revision.clone(), compiled);
        }
        if self.scenarios[revision].is_none() {
            self.leave(
                ending,
                format!(
                    "{name}: the text of revision {} of {scenario_id} has not reached this machine (it was sent by an older dealsim); put that version of the file in the scenarios folder and pull again",
                    &revision[..8.min(revision.len())]
                ),
            );
            return Ok(Flow::Go);
        }
        let expected = ending.turns;
        if expected != Some(turns.len()) {
            // Some turns were stored in an earlier page range, or the count is not carried:
            // ask for this session's statements alone.
            match session_turns(self.agent, self.lrs, registration, self.keys) {
                Ok(all) => turns = all,
                Err(why) => {
                    self.report.stopped = Some(why);
                    return Ok(Flow::Stop);
                }
            }
        }
        if expected.is_some_and(|n| n != turns.len()) {
            self.leave(
                ending,
                format!(
                    "{name}: {} of its {} turns have reached the LRS so far",
                    turns.len(),
                    expected.unwrap_or(0)
                ),
            );
            return Ok(Flow::Go);
        }
        let pulled = match pulled_session(ending, &turns, &rep, seed) {
            Ok(pulled) => pulled,
            Err(why) => {
                self.leave(ending, format!("{name}: {why}"));
                return Ok(Flow::Go);
            }
        };
        let scenario = self.scenarios[revision].as_ref().expect("checked above");
        match store.import(scenario, &pulled) {
            Ok(Imported::Added(_)) => self.report.added += 1,
            Ok(Imported::AlreadyHere) => self.report.already_here += 1,
            Err(StoreError::Import { detail, .. }) => {
                self.leave(ending, format!("{name}: {detail}"));
            }
            Err(other) => return Err(other),
        }
        Ok(Flow::Go)
    }
}

/// A session from its ending statement and its `answered` statements.
fn pulled_session(
    ending: &Ending,
    turns: &[TurnRead],
    rep: &str,
    seed: u64,
) -> Result<PulledSession, String> {
    let no_time = || "a statement has no readable timestamp".to_string();
    let mut steps = Vec::with_capacity(turns.len());
    for turn in turns {
        let position = turn
            .position
            .filter(|p| *p >= 1)
            .ok_or_else(|| "a turn does not say which choice was taken".to_string())?;
        let at = turn.at.ok_or_else(no_time)?;
        steps.push((
            turn.order,
            at,
            PulledTurn {
                choice: position as usize - 1,
                think_ms: turn.think_ms,
                at,
            },
        ));
    }
    // In the order played: by the turn number where the statements carry it, else by time.
    steps.sort_by_key(|(order, at, _)| (*order, *at));
    let ended_at = ending.at.ok_or_else(no_time)?;
    let started_at = steps
        .first()
        .map(|(_, at, turn)| at - turn.think_ms as Millis)
        .unwrap_or(ended_at)
        .min(ended_at);
    Ok(PulledSession {
        registration: ending.registration.clone(),
        rep: rep.to_string(),
        seed,
        started_at,
        ended_at,
        abandoned: ending.abandoned,
        turns: steps.into_iter().map(|(_, _, turn)| turn).collect(),
        campaign: ending.campaign.clone(),
    })
}

/// One page of statements: the LRS's answer as text (read in place by `WirePage`).
pub(super) struct Page {
    pub(super) body: String,
    consistent_through: Option<Millis>,
}

pub(super) fn get(agent: &ureq::Agent, lrs: &Lrs, url: &str) -> Result<Page, String> {
    let response = agent
        .get(url)
        .header("X-Experience-API-Version", VERSION)
        .header("Authorization", lrs.authorization())
        .call();
    let mut response = match response {
        Ok(response) => response,
        Err(error) => {
            return Err(format!(
                "the LRS at {} cannot be reached: {}",
                lrs.endpoint,
                lrs.clean(&error.to_string(), 300)
            ));
        }
    };
    let status = response.status().as_u16();
    let consistent_through = response
        .headers()
        .get("X-Experience-API-Consistent-Through")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| clock::parse(s).ok());
    let body = response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| {
            format!(
                "the LRS's answer could not be read: {}",
                lrs.clean(&e.to_string(), 200)
            )
        })?;
    match status {
        200..=299 => {}
        401 | 403 => {
            return Err(format!(
                "the LRS refused the user name or password (HTTP {status}); check --user and the password's variable (reading needs a user allowed to read statements)"
            ));
        }
        404 => {
            return Err(format!(
                "the LRS has no statements resource at {}/statements (HTTP 404); check the address: it usually ends in /xAPI",
                lrs.endpoint
            ));
        }
        _ => {
            return Err(format!(
                "the LRS answered HTTP {status}: {}",
                lrs.clean(&body, 200)
            ));
        }
    }
    Ok(Page {
        body,
        consistent_through,
    })
}

/// Every turn of one session (its registration), all pages.
fn session_turns(
    agent: &ureq::Agent,
    lrs: &Lrs,
    registration: &str,
    keys: &Keys,
) -> Result<Vec<TurnRead>, String> {
    let mut url = format!(
        "{}/statements?registration={}&limit={PAGE}",
        lrs.endpoint,
        query_value(registration)
    );
    let mut turns = Vec::new();
    for _ in 0..MOST_PAGES {
        let page = get(agent, lrs, &url)?;
        let read = WirePage::parse(&page.body)?;
        // An LRS that ignores the filter still answers with the session's statements among
        // others: keep only this session's.
        turns.extend(
            read.statements()
                .iter()
                .filter(|s| s.registration() == registration && s.verb() == VERB_ANSWERED)
                .map(|s| TurnRead::read(s, keys)),
        );
        match read.next_page() {
            Some(more) => url = resolve(&lrs.endpoint, more),
            None => break,
        }
    }
    Ok(turns)
}

/// The address of the next page: `more` is absolute, or relative to the LRS's host.
pub(super) fn resolve(endpoint: &str, more: &str) -> String {
    if more.starts_with("http://") || more.starts_with("https://") {
        return more.to_string();
    }
    let scheme_end = endpoint.find("://").map_or(0, |i| i + 3);
    let host_end = endpoint[scheme_end..]
        .find('/')
        .map_or(endpoint.len(), |i| scheme_end + i);
    if more.starts_with('/') {
        format!("{}{more}", &endpoint[..host_end])
    } else {
        format!("{endpoint}/{more}")
    }
}

/// A value for a URL's query: everything but unreserved characters percent-encoded.
pub(super) fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_links_resolve_against_the_lrs_host() {
        let endpoint = "http://127.0.0.1:8100/xAPI";
        assert_eq!(
            resolve(endpoint, "/xAPI/statements?pit=1"),
            "http://127.0.0.1:8100/xAPI/statements?pit=1"
        );
        assert_eq!(
            resolve(endpoint, "https://other.example/x?y"),
            "https://other.example/x?y"
        );
        assert_eq!(
            query_value("2026-12-01T10:00:00.000+00:00"),
            "2026-12-01T10%3A00%3A00.000%2B00%3A00"
        );
    }
}
