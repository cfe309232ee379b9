//! The trainer's assignments and teams on the command line: `dealsim assign`, `dealsim
//! assignments` (each rep's status), `dealsim assignments cancel` and `dealsim reps team`.
//! What is set here reaches the reps' apps through the LRS at the next `dealsim sync`. And the
//! team's library (`dealsim library`), which reaches them from where the managers publish it.

use super::records::{DbArgs, json_out, near, require_rep, table};
use super::{Failure, say};
use dealsim::records::clock::{self, DAY_MS, Millis};
use dealsim::records::store::{Assignment, Store};
use std::process::ExitCode;

fn failure(e: impl std::fmt::Display) -> Failure {
    Failure(e.to_string())
}

/// A due date: a plain date means the end of that day (UTC); a time is taken as given.
pub(crate) fn parse_due(text: &str) -> Result<Millis, String> {
    let at = clock::parse(text)?;
    Ok(if text.trim().len() == 10 {
        at + DAY_MS - 1
    } else {
        at
    })
}

/// Who an assignment is for: the named reps (each must have a record here, or be in a team),
/// or a team's members.
fn recipients(store: &Store, reps: &[String], team: Option<&str>) -> Result<Vec<String>, Failure> {
    if let Some(team) = team {
        let members = store.team_members(team).map_err(failure)?;
        if members.is_empty() {
            let teams: Vec<String> = store
                .teams()
                .map_err(failure)?
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            let hint = near(team, teams.iter().map(String::as_str));
            return Err(Failure(format!(
                "nobody is in a team named \"{team}\"{hint} (`dealsim reps team REP TEAM` puts a rep in a team)"
            )));
        }
        return Ok(members);
    }
    let mut names = Vec::new();
    for rep in reps {
        require_rep(
            store,
            rep,
            "`dealsim reps` lists them; a rep who has not played yet can be put in a team with `dealsim reps team`",
        )?;
        let shown = store
            .rep_name(rep)
            .map_err(failure)?
            .unwrap_or_else(|| rep.clone());
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    Ok(names)
}

/// `dealsim assign SCENARIO... --rep R... | --team T --due DATE [--score N]`.
pub(crate) fn assign(
    db: &DbArgs,
    scenarios: &[String],
    reps: &[String],
    team: Option<&str>,
    due_at: Millis,
    score: Option<u8>,
    scenario_ids: &[String],
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open()?;
    for scenario in scenarios {
        if !scenario_ids.is_empty() && !scenario_ids.contains(scenario) {
            let starting: Vec<&String> = scenario_ids
                .iter()
                .filter(|id| id.starts_with(scenario.as_str()))
                .collect();
            let hint = match starting.as_slice() {
                [one] => format!("; did you mean \"{one}\"?"),
                _ => near(scenario, scenario_ids.iter().map(String::as_str)),
            };
            return Err(Failure(format!(
                "there is no scenario or campaign \"{scenario}\" in the scenarios folder{hint} (the ids are: {})",
                scenario_ids.join(", ")
            )));
        }
    }
    let now = clock::now_ms();
    if due_at <= now {
        return Err(Failure(format!(
            "the due date {} has already passed; give a later one (YYYY-MM-DD)",
            clock::date(due_at)
        )));
    }
    let reps = recipients(&store, reps, team)?;
    // The team as it is written in the teams, whatever case it was typed in.
    let team = match team {
        Some(team) => store
            .teams()
            .map_err(failure)?
            .into_iter()
            .map(|(name, _)| name)
            .find(|name| name.to_lowercase() == team.trim().to_lowercase()),
        None => None,
    };
    let assignment = Assignment::new(
        scenarios.to_vec(),
        reps,
        team,
        due_at,
        score,
        dealsim::records::xapi::trainer_name(),
        now,
    );
    store.save_assignment(&assignment).map_err(failure)?;
    say(&format!(
        "Assigned {} to {} (due {}{}), as assignment {}.\nIt reaches the reps' apps at the next `dealsim sync`.\n",
        assignment.scenarios.join(", "),
        assignment.reps.join(", "),
        clock::date(assignment.due_at),
        score.map_or(String::new(), |s| format!(", score {s} or more")),
        &assignment.id[..8]
    ));
    Ok(ExitCode::SUCCESS)
}

/// The ids of the scenarios in a folder, to check an assignment's names against (empty when
/// the folder is not there: the trainer's machine need not have the files).
pub(crate) fn scenario_ids(folder: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".scenario.ron"))
        .filter_map(|p| dealsim::check_path(&p).scenario.map(|s| s.id.clone()))
        .collect();
    // A campaign's id can be assigned too (its calls are): named in the list, and in hints.
    use dealsim::engine::campaign::{campaigns_in, library_in};
    ids.extend(
        campaigns_in(folder, &library_in(folder))
            .into_iter()
            .map(|c| c.id),
    );
    ids.sort();
    ids
}

/// `dealsim assignments [--rep R] [--format json]`: every assignment and each rep's status.
pub(crate) fn list(db: &DbArgs, rep: Option<&str>, as_json: bool) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let now = clock::now_ms();
    let mut shown = Vec::new();
    match rep {
        Some(rep) => {
            for (assignment, progress) in store.assignments_for(rep, now).map_err(failure)? {
                shown.push((assignment, vec![progress]));
            }
        }
        None => {
            for assignment in store.assignments(false).map_err(failure)? {
                let mut each = Vec::new();
                for rep in &assignment.reps {
                    each.push(
                        store
                            .assignment_progress(&assignment, rep, now)
                            .map_err(failure)?,
                    );
                }
                shown.push((assignment, each));
            }
        }
    }
    if as_json {
        let document: Vec<serde_json::Value> = shown
            .iter()
            .map(|(a, p)| serde_json::json!({ "assignment": a, "reps": p }))
            .collect();
        json_out(&document)?;
        return Ok(ExitCode::SUCCESS);
    }
    if shown.is_empty() {
        say("No assignments. `dealsim assign SCENARIO --rep REP --due YYYY-MM-DD` sets one.\n");
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for (assignment, reps) in &shown {
        out.push_str(&format!(
            "{}  {}  due {}{}  set by {} on {}\n",
            &assignment.id[..8],
            assignment.scenarios.join(", "),
            clock::date(assignment.due_at),
            assignment.terms(),
            assignment.set_by,
            clock::date(assignment.set_at)
        ));
        let mut cells = vec![
            ["REP", "STATUS", "SCENARIO", "CALLS", "BEST"]
                .map(String::from)
                .to_vec(),
        ];
        for progress in reps {
            for (i, scenario) in progress.scenarios.iter().enumerate() {
                cells.push(vec![
                    if i == 0 {
                        progress.rep.clone()
                    } else {
                        String::new()
                    },
                    if i == 0 {
                        progress.status.label().to_string()
                    } else {
                        String::new()
                    },
                    format!("{} ({})", scenario.scenario_id, scenario.status.label()),
                    scenario.sessions.to_string(),
                    scenario.best.map_or("-".into(), |b| b.to_string()),
                ]);
            }
        }
        for line in table(&cells).lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('\n');
    }
    say(&out);
    Ok(ExitCode::SUCCESS)
}

/// `dealsim assignments cancel ID`: the cancellation reaches the reps at the next sync.
pub(crate) fn cancel(db: &DbArgs, id: &str) -> Result<ExitCode, Failure> {
    let (store, _) = db.open()?;
    let Some(assignment) = store.assignment(id).map_err(failure)? else {
        return Err(Failure(format!(
            "no single assignment starts with \"{id}\"; `dealsim assignments` lists them with their ids"
        )));
    };
    let assignment = assignment.cancelled_at(clock::now_ms());
    store.save_assignment(&assignment).map_err(failure)?;
    say(&format!(
        "Cancelled assignment {} ({}); the reps' apps drop it at their next sync.\n",
        &assignment.id[..8],
        assignment.scenarios.join(", ")
    ));
    Ok(ExitCode::SUCCESS)
}

/// `dealsim reps team REP TEAM`: puts a rep in a team ("" takes them out).
pub(crate) fn team(db: &DbArgs, rep: &str, team: &str, new: bool) -> Result<ExitCode, Failure> {
    let (store, _) = db.open()?;
    if !new {
        require_rep(
            &store,
            rep,
            "`dealsim reps` lists them; --new adds a rep who has not played yet",
        )?;
    }
    store.set_team(rep, team).map_err(failure)?;
    let shown = store
        .rep_name(rep)
        .map_err(failure)?
        .unwrap_or_else(|| rep.to_string());
    match store.team_of(rep).map_err(failure)? {
        Some(team) => say(&format!("{shown} is in team {team}.\n")),
        None => say(&format!("{shown} is in no team.\n")),
    }
    Ok(ExitCode::SUCCESS)
}

/// `dealsim library`: this machine's copy of the team's library brought up to date. Exit 1 when
/// a file was kept back (broken at the source), 3 when the source could not be read.
pub(crate) fn library(db: &DbArgs) -> Result<ExitCode, Failure> {
    let config = db.config()?;
    let Some(library) = &config.library else {
        return Err(Failure(
            "the settings name no team library; add `library: (source: \"/path/or/https/address\")` to config.ron (the README shows how)".into(),
        ));
    };
    let update = dealsim::records::library::update(&library.source, &library.copy_folder());
    say(&format!("{}\n", update.summary()));
    for name in &update.updated {
        say(&format!("  updated {name}\n"));
    }
    for name in &update.removed {
        say(&format!("  removed {name}\n"));
    }
    Ok(if update.unreachable.is_some() {
        ExitCode::from(3)
    } else if !update.kept_back.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
