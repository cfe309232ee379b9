//! Digesting finished sessions: each is replayed on its stored revision and debriefed once, and
//! what the debrief says that the team's views add up (the points each choice gave up, where the
//! rep first left the best path, recognitions, missed facts, best play's scores) is kept with its
//! scenario's tallies (`store::digests`). Insight and briefs digest what they need first, so a
//! session is replayed once, not once per question.

use crate::engine::debrief::Debrief;
use crate::engine::model::Scenario;
use crate::engine::search::MEANINGFUL_LOSS;
use crate::records::store::{
    Digest, Filter, LeftBestPath, RevisionFact, Status, Store, StoreError,
};
use std::collections::HashMap;

/// Sessions digested in one transaction: a crash loses at most this much work, and other
/// copies of the app wait for one batch, not the whole catch-up.
const BATCH: usize = 200;

/// What a debrief says that the team's views add up.
pub fn digest_of(debrief: &Debrief) -> Digest {
    let lost: Vec<Option<f64>> = debrief
        .turns
        .iter()
        // Two decimals are more than any view shows, and keep the stored text short.
        .map(|t| t.points_lost.map(|p| (p * 100.0).round() / 100.0))
        .collect();
    let better = debrief
        .turns
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((i as u32, t.best_choice.clone()?)))
        .collect();
    let left = debrief
        .turns
        .iter()
        .find(|t| t.points_lost.is_some_and(|p| p >= MEANINGFUL_LOSS))
        .map(|t| LeftBestPath {
            node_id: t.node_id.clone(),
            said: t.say.clone(),
            lost: t.points_lost.unwrap_or(0.0),
            better: t.best_choice.clone(),
            note: t.note.clone(),
        });
    Digest {
        replayed: true,
        lost,
        better,
        ceiling: debrief.best_path.as_ref().map(|b| {
            let s = b.scores;
            [s.qualification, s.discovery, s.rapport, s.velocity]
        }),
        recognitions: debrief
            .recognitions
            .iter()
            .map(|r| r.title.clone())
            .collect(),
        missed: debrief.missed.iter().map(|f| f.id.clone()).collect(),
        left,
    }
}

/// Digests not stored because the database could not be written (a read-only copy), by
/// session id: the caller uses them as they are.
pub type Unsaved = HashMap<i64, Digest>;

/// Digests every finished session the filter selects that has none yet, telling `progress`
/// (done, of) after each batch. Returns the digests it could not store.
pub fn catch_up(
    store: &Store,
    filter: &Filter,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Unsaved, StoreError> {
    // A read-only copy cannot forget old digests; it uses what it has and digests the rest in
    // memory.
    let mut writable = store.forget_stale_digests().is_ok();
    let mut filter = filter.clone();
    filter.status = Some(Status::Finished);
    let pending = store.undigested(&filter)?;
    let mut unsaved = Unsaved::new();
    let mut scenarios: HashMap<String, Option<Scenario>> = HashMap::new();
    let mut facts_kept: HashMap<String, bool> = HashMap::new();
    for (done, batch) in pending.chunks(BATCH).enumerate() {
        let mut digests = Vec::with_capacity(batch.len());
        let mut new_revisions = Vec::new();
        for &id in batch {
            let stored = store.session(id)?;
            let revision = stored.row.revision.clone();
            let scenario = scenarios
                .entry(revision.clone())
                .or_insert_with(|| stored.revision_scenario().ok());
            let digest = match scenario.as_ref().map(|s| stored.replay_on(s)) {
                Some(Ok(session)) => digest_of(&Debrief::of(&session)),
                _ => Digest::default(),
            };
            if let Some(scenario) = scenario
                && !facts_kept.contains_key(&revision)
            {
                let kept = writable && store.has_revision_facts(&revision)?;
                facts_kept.insert(revision.clone(), kept);
                if !kept {
                    new_revisions.push((revision, revision_facts(scenario)));
                }
            }
            digests.push((id, digest));
        }
        if writable {
            let saved = store.in_transaction(|store| {
                for (revision, facts) in &new_revisions {
                    store.save_revision_facts(revision, facts)?;
                }
                for (id, digest) in &digests {
                    store.save_digest(*id, digest)?;
                }
                Ok(())
            });
            writable = saved.is_ok();
            if writable {
                for (revision, _) in new_revisions {
                    facts_kept.insert(revision, true);
                }
            }
        }
        if !writable {
            unsaved.extend(digests);
        }
        progress(
            (done * BATCH + batch.len()).min(pending.len()),
            pending.len(),
        );
    }
    Ok(unsaved)
}

/// The kind and text of each of a scenario's facts, by id.
fn revision_facts(scenario: &Scenario) -> Vec<(String, RevisionFact)> {
    scenario
        .facts()
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                RevisionFact {
                    kind: f.kind.label().to_string(),
                    text: f.text.clone(),
                },
            )
        })
        .collect()
}
