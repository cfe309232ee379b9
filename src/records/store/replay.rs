//! Replaying a stored session from the revision, seed and choices it was played with.

use super::sessions::{Status, StoredSession};
use crate::engine::check::compile_source;
use crate::engine::format::load::SourceFile;
use crate::engine::model::Scenario;
use crate::engine::score::{SCORING_VERSION, Scores};
use crate::engine::session::{PlayError, Session};

/// Why a stored session cannot be played again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("its revision {revision} of {scenario} no longer checks with this version of dealsim")]
    NoLongerChecks { scenario: String, revision: String },
    #[error("it cannot be replayed at turn {}: {error}", turn + 1)]
    Diverges { turn: usize, error: PlayError },
}

impl StoredSession {
    /// What a trainer should know when the stored scores and the replay's differ: the session
    /// was scored under an older version of the rules (and what it scores now), or, which should
    /// never happen, the replay disagrees with the record.
    pub fn scoring_note(&self, replayed: Option<Scores>) -> Option<String> {
        let (stored, replayed) = (self.row.scores?, replayed?);
        if self.scoring_version != SCORING_VERSION {
            return Some(format!(
                "Scored {} under scoring version {} when it was played; under the current rules (version {SCORING_VERSION}) the same choices score {}.",
                stored.overall, self.scoring_version, replayed.overall
            ));
        }
        (stored != replayed).then(|| {
            format!(
                "The stored scores ({}) differ from the replay's ({}).",
                stored.overall, replayed.overall
            )
        })
    }

    /// Plays the session again from its stored revision's text, seed and choices (and leaves it
    /// again if it was abandoned).
    pub fn replay(&self) -> Result<Session, ReplayError> {
        self.replay_on(&self.revision_scenario()?)
    }

    /// The scenario of the revision this session was played on, compiled from its stored text.
    pub fn revision_scenario(&self) -> Result<Scenario, ReplayError> {
        let row = &self.row;
        let source = SourceFile::from_text(
            format!("{} (revision {})", row.scenario_id, row.revision),
            self.scenario_source.clone(),
        );
        compile_source(&source)
            .scenario
            .ok_or_else(|| ReplayError::NoLongerChecks {
                scenario: row.scenario_id.clone(),
                revision: row.revision.clone(),
            })
    }

    /// Plays the session again on its revision's scenario, compiled once by the caller (who
    /// replays many sessions of one revision: `records::digest`).
    /// A call of a campaign run is played from the state the run carried into it.
    pub fn replay_on(&self, scenario: &Scenario) -> Result<Session, ReplayError> {
        let in_campaign;
        let scenario = match &self.campaign {
            Some(call) if scenario.campaign.as_ref() != Some(call) => {
                in_campaign = crate::engine::campaign::starting_call(scenario, call.clone())
                    .map_err(|_| ReplayError::NoLongerChecks {
                        scenario: self.row.scenario_id.clone(),
                        revision: self.row.revision.clone(),
                    })?;
                &in_campaign
            }
            _ => scenario,
        };
        let mut session = Session::replay(scenario, self.row.seed, &self.choices())
            .map_err(|(turn, error)| ReplayError::Diverges { turn, error })?;
        if self.row.status == Status::Abandoned {
            session.abandon();
        }
        Ok(session)
    }
}
