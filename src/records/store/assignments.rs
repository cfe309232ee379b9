//! Assignments a trainer sets (scenarios for reps or a team, a due date, a required score), each
//! rep's status on them worked out from the sessions stored here, and the teams reps belong to.
//! An assignment set here waits to be sent to the LRS (`sent_at` is empty); one pulled from the
//! LRS is kept as it arrived, the newest version winning.

use super::error::failed;
use super::{Result, Store, json};
use crate::records::clock::Millis;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// What a trainer asked of reps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    /// Scenario ids, each to be passed.
    pub scenarios: Vec<String>,
    /// The reps it is for, by name (a team's members when it was set for a team).
    pub reps: Vec<String>,
    pub team: Option<String>,
    pub due_at: Millis,
    /// The overall score a right call must reach; `None` means the scenario's own pass mark
    /// (or, without one, the right call).
    pub required_score: Option<u8>,
    pub set_by: String,
    /// When this version was set (a cancellation is a newer version).
    pub set_at: Millis,
    pub cancelled: bool,
}

impl Assignment {
    /// A new assignment, set now by `set_by`, under a fresh id.
    pub fn new(
        scenarios: Vec<String>,
        reps: Vec<String>,
        team: Option<String>,
        due_at: Millis,
        required_score: Option<u8>,
        set_by: String,
        now: Millis,
    ) -> Assignment {
        Assignment {
            id: uuid::Uuid::new_v4().to_string(),
            scenarios,
            reps,
            team,
            due_at,
            required_score,
            set_by,
            set_at: now,
            cancelled: false,
        }
    }

    /// What it asks beyond the calls and the date, as shown after the due date: ", score 70 or
    /// more, team North".
    pub fn terms(&self) -> String {
        let mut terms = String::new();
        if let Some(score) = self.required_score {
            terms.push_str(&format!(", score {score} or more"));
        }
        if let Some(team) = &self.team {
            terms.push_str(&format!(", team {team}"));
        }
        terms
    }

    /// The same assignment, cancelled as a newer version set at `now`.
    pub fn cancelled_at(&self, now: Millis) -> Assignment {
        Assignment {
            cancelled: true,
            set_at: now.max(self.set_at + 1),
            ..self.clone()
        }
    }
}

/// Where a rep stands on an assignment, or on one of its scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignmentStatus {
    NotStarted,
    InProgress,
    NotPassed,
    PastDue,
    Done,
}

impl AssignmentStatus {
    pub fn label(self) -> &'static str {
        match self {
            AssignmentStatus::NotStarted => "not started",
            AssignmentStatus::InProgress => "in progress",
            AssignmentStatus::NotPassed => "not passed",
            AssignmentStatus::PastDue => "past due",
            AssignmentStatus::Done => "done",
        }
    }
}

/// One scenario of an assignment, for one rep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioProgress {
    pub scenario_id: String,
    pub status: AssignmentStatus,
    /// Calls started since the assignment was set, and the best overall score of a finished one.
    pub sessions: u32,
    pub best: Option<u8>,
}

/// One rep's standing on one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepProgress {
    pub rep: String,
    pub status: AssignmentStatus,
    pub scenarios: Vec<ScenarioProgress>,
}

/// Something a trainer set here that the LRS has not had yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Unsent {
    Assignment {
        statement_id: String,
        assignment: Assignment,
    },
    Focus {
        statement_id: String,
        rep: String,
        dimensions: Vec<crate::engine::score::Dimension>,
        set_at: Millis,
    },
}

impl Unsent {
    pub fn statement_id(&self) -> &str {
        match self {
            Unsent::Assignment { statement_id, .. } | Unsent::Focus { statement_id, .. } => {
                statement_id
            }
        }
    }
}

fn read_assignment(r: &rusqlite::Row<'_>) -> rusqlite::Result<Assignment> {
    let list = |text: String| serde_json::from_str::<Vec<String>>(&text).unwrap_or_default();
    Ok(Assignment {
        id: r.get(0)?,
        scenarios: list(r.get(1)?),
        reps: list(r.get(2)?),
        team: r.get(3)?,
        due_at: r.get(4)?,
        required_score: r.get::<_, Option<i64>>(5)?.map(|s| s.clamp(0, 100) as u8),
        set_by: r.get(6)?,
        set_at: r.get(7)?,
        cancelled: r.get(8)?,
    })
}

/// Writes a version of an assignment under its statement id; `sent_at` empty means it waits to
/// be sent.
fn keep(
    tx: &rusqlite::Connection,
    assignment: &Assignment,
    statement_id: &str,
    sent_at: Option<Millis>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO assignments (id, scenarios, reps, team, due_at, required_score,
            set_by, set_at, cancelled, statement_id, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            assignment.id,
            json(&assignment.scenarios),
            json(&assignment.reps),
            assignment.team,
            assignment.due_at,
            assignment.required_score,
            assignment.set_by,
            assignment.set_at,
            assignment.cancelled,
            statement_id,
            sent_at,
        ],
    )?;
    Ok(())
}

const ASSIGNMENT_COLUMNS: &str =
    "id, scenarios, reps, team, due_at, required_score, set_by, set_at, cancelled";

impl Store {
    /// Keeps an assignment set on this machine, to be sent at the next sync. Setting one with
    /// an id already kept replaces it (a cancellation, a new due date).
    pub fn save_assignment(&self, assignment: &Assignment) -> Result<()> {
        self.write("save the assignment", |tx| {
            keep(tx, assignment, &uuid::Uuid::new_v4().to_string(), None)
        })
    }

    /// Keeps an assignment read from the LRS, unless a newer version is already here; returns
    /// whether it changed anything.
    pub fn receive_assignment(&self, assignment: &Assignment, statement_id: &str) -> Result<bool> {
        self.write("keep an assignment from the LRS", |tx| {
            let newer: Option<Millis> = tx
                .query_row(
                    "SELECT set_at FROM assignments WHERE id = ?1",
                    [&assignment.id],
                    |r| r.get(0),
                )
                .optional()?;
            if newer.is_some_and(|at| at >= assignment.set_at) {
                return Ok(false);
            }
            // As it arrived: sent already, so never sent again from here.
            keep(tx, assignment, statement_id, Some(assignment.set_at))?;
            Ok(true)
        })
    }

    /// Every assignment kept here, newest first (cancelled ones only when asked for).
    pub fn assignments(&self, with_cancelled: bool) -> Result<Vec<Assignment>> {
        let run = || -> rusqlite::Result<Vec<Assignment>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLUMNS} FROM assignments
                 WHERE ?1 OR NOT cancelled ORDER BY set_at DESC, id"
            ))?;
            statement
                .query_map([with_cancelled], read_assignment)?
                .collect()
        };
        run().map_err(|e| failed(&self.path, "read the assignments", e))
    }

    /// One assignment, by id or by the first characters of it (as the list shows them).
    pub fn assignment(&self, id: &str) -> Result<Option<Assignment>> {
        let run = || -> rusqlite::Result<Vec<Assignment>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE id LIKE ?1 || '%' LIMIT 2"
            ))?;
            statement.query_map([id], read_assignment)?.collect()
        };
        let found = run().map_err(|e| failed(&self.path, "read the assignment", e))?;
        Ok(if found.len() == 1 && !id.is_empty() {
            found.into_iter().next()
        } else {
            None
        })
    }

    /// Where `rep` stands on `assignment` at `now`, from the sessions stored here that started
    /// since it was set.
    pub fn assignment_progress(
        &self,
        assignment: &Assignment,
        rep: &str,
        now: Millis,
    ) -> Result<RepProgress> {
        let shown = self.rep_name(rep)?.unwrap_or_else(|| rep.to_string());
        let mut scenarios = Vec::new();
        for scenario_id in &assignment.scenarios {
            let run = || -> rusqlite::Result<(u32, u32, Option<i64>, u32)> {
                self.conn.query_row(
                    &format!(
                        "SELECT count(*),
                            count(CASE WHEN s.status = 'finished' THEN 1 END),
                            max(CASE WHEN s.status = 'finished' THEN s.overall END),
                            count(CASE WHEN s.status = 'finished' AND s.right_call = 1
                                AND (CASE WHEN ?4 IS NULL THEN coalesce(s.passed, 1) = 1
                                     ELSE s.overall >= ?4 END) THEN 1 END)
                         FROM sessions s
                         WHERE s.rep_id = {} AND s.scenario_id = ?2 AND s.started_at >= ?3",
                        super::reps::REP_OF_KEY_1
                    ),
                    params![
                        super::reps::rep_key(rep),
                        scenario_id,
                        assignment.set_at,
                        assignment.required_score
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
            };
            let (sessions, finished, best, met) =
                run().map_err(|e| failed(&self.path, "work out an assignment's status", e))?;
            let status = if met > 0 {
                AssignmentStatus::Done
            } else if now >= assignment.due_at {
                AssignmentStatus::PastDue
            } else if finished > 0 {
                AssignmentStatus::NotPassed
            } else if sessions > 0 {
                AssignmentStatus::InProgress
            } else {
                AssignmentStatus::NotStarted
            };
            scenarios.push(ScenarioProgress {
                scenario_id: scenario_id.clone(),
                status,
                sessions,
                best: best.map(|b| b.clamp(0, 100) as u8),
            });
        }
        let all = |status| scenarios.iter().all(|s| s.status == status);
        let any = |status| scenarios.iter().any(|s| s.status == status);
        let status = if all(AssignmentStatus::Done) {
            AssignmentStatus::Done
        } else if any(AssignmentStatus::PastDue) {
            AssignmentStatus::PastDue
        } else if any(AssignmentStatus::NotPassed) {
            AssignmentStatus::NotPassed
        } else if all(AssignmentStatus::NotStarted) {
            AssignmentStatus::NotStarted
        } else {
            AssignmentStatus::InProgress
        };
        Ok(RepProgress {
            rep: shown,
            status,
            scenarios,
        })
    }

    /// The assignments for `rep` that are not cancelled, each with where the rep stands, the
    /// soonest due first.
    pub fn assignments_for(
        &self,
        rep: &str,
        now: Millis,
    ) -> Result<Vec<(Assignment, RepProgress)>> {
        let key = super::reps::rep_key(rep);
        // A name merged into this rep counts as this rep.
        let names: Vec<String> = {
            let run = || -> rusqlite::Result<Vec<String>> {
                let mut statement = self.conn.prepare_cached(&format!(
                    "SELECT key FROM rep_aliases WHERE rep_id = {0}
                     UNION SELECT key FROM reps WHERE id = {0}",
                    super::reps::REP_OF_KEY_1
                ))?;
                statement.query_map([&key], |r| r.get(0))?.collect()
            };
            let mut names = run().map_err(|e| failed(&self.path, "look the rep up", e))?;
            names.push(key);
            names
        };
        let mut out = Vec::new();
        for assignment in self.assignments(false)? {
            if assignment
                .reps
                .iter()
                .any(|r| names.contains(&super::reps::rep_key(r)))
            {
                let progress = self.assignment_progress(&assignment, rep, now)?;
                out.push((assignment, progress));
            }
        }
        out.sort_by_key(|(a, _)| a.due_at);
        Ok(out)
    }

    /// What was set here and not yet sent to the LRS: assignments, then focus skills.
    pub fn unsent_directions(&self) -> Result<Vec<Unsent>> {
        // Focus skills set before they travelled (an older dealsim) get their statement id now.
        self.write("prepare the focus skills to send", |tx| {
            let ids: Vec<i64> = tx
                .prepare("SELECT rep_id FROM focus WHERE statement_id IS NULL")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for rep_id in ids {
                tx.execute(
                    "UPDATE focus SET statement_id = ?2 WHERE rep_id = ?1",
                    params![rep_id, uuid::Uuid::new_v4().to_string()],
                )?;
            }
            Ok(())
        })?;
        let run = || -> rusqlite::Result<Vec<Unsent>> {
            let mut out = Vec::new();
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLUMNS}, statement_id FROM assignments
                 WHERE sent_at IS NULL ORDER BY set_at"
            ))?;
            for row in statement.query_map([], |r| Ok((read_assignment(r)?, r.get(9)?)))? {
                let (assignment, statement_id) = row?;
                out.push(Unsent::Assignment {
                    statement_id,
                    assignment,
                });
            }
            let mut statement = self.conn.prepare_cached(
                "SELECT r.name, f.dimensions, f.set_at, f.statement_id
                 FROM focus f JOIN reps r ON r.id = f.rep_id
                 WHERE f.sent_at IS NULL ORDER BY f.set_at",
            )?;
            for row in statement.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Millis>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })? {
                let (rep, dimensions, set_at, statement_id) = row?;
                out.push(Unsent::Focus {
                    statement_id,
                    rep,
                    dimensions: serde_json::from_str(&dimensions).unwrap_or_default(),
                    set_at,
                });
            }
            Ok(out)
        };
        run().map_err(|e| failed(&self.path, "read what waits to be sent", e))
    }

    /// Marks an assignment's or a focus's statement as sent.
    pub fn mark_direction_sent(&self, statement_id: &str, now: Millis) -> Result<()> {
        self.write("note what was sent", |tx| {
            tx.execute(
                "UPDATE assignments SET sent_at = ?2 WHERE statement_id = ?1",
                params![statement_id, now],
            )?;
            tx.execute(
                "UPDATE focus SET sent_at = ?2 WHERE statement_id = ?1",
                params![statement_id, now],
            )?;
            Ok(())
        })
    }

    /// Puts `rep` in `team` (a rep is in one team; an empty name takes them out of theirs).
    pub fn set_team(&self, rep: &str, team: &str) -> Result<()> {
        let team = team.split_whitespace().collect::<Vec<_>>().join(" ");
        self.write("save the team", |tx| {
            let rep_id = Self::rep_id(tx, rep)?;
            if team.is_empty() {
                tx.execute("DELETE FROM teams WHERE rep_id = ?1", [rep_id])?;
            } else {
                tx.execute(
                    "INSERT INTO teams (rep_id, team) VALUES (?1, ?2)
                     ON CONFLICT (rep_id) DO UPDATE SET team = ?2",
                    params![rep_id, team],
                )?;
            }
            Ok(())
        })
    }

    /// Every team and its members' names, by team name.
    pub fn teams(&self) -> Result<Vec<(String, Vec<String>)>> {
        let run = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT t.team, r.name FROM teams t JOIN reps r ON r.id = t.rep_id
                 ORDER BY lower(t.team), r.name",
            )?;
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        };
        let rows = run().map_err(|e| failed(&self.path, "read the teams", e))?;
        let mut teams: Vec<(String, Vec<String>)> = Vec::new();
        for (team, rep) in rows {
            match teams.last_mut() {
                Some((name, members)) if name.to_lowercase() == team.to_lowercase() => {
                    members.push(rep)
                }
                _ => teams.push((team, vec![rep])),
            }
        }
        Ok(teams)
    }

    /// The members of a team, matched whatever its case; empty for a team nobody is in.
    pub fn team_members(&self, team: &str) -> Result<Vec<String>> {
        let wanted = team.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(self
            .teams()?
            .into_iter()
            .find(|(name, _)| name.to_lowercase() == wanted.to_lowercase())
            .map(|(_, members)| members)
            .unwrap_or_default())
    }

    /// The team a rep is in.
    pub fn team_of(&self, rep: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT team FROM teams WHERE rep_id = {}",
                    super::reps::REP_OF_KEY_1
                ),
                [super::reps::rep_key(rep)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| failed(&self.path, "read the rep's team", e))
    }
}
