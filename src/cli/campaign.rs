//! `dealsim campaign`: a campaign's calls in the terminal, one after another, each started from
//! what the run carried into it. A run left mid-way is picked up where it stopped the next time.

use super::play::{Mode, default_rep, play_session};
use super::records::{DbArgs, TableFormat};
use super::{Failure, say, tell};
use dealsim::engine::campaign::{
    self, Campaign, CampaignScore, PlayedCall, Progress, read_campaign,
};
use dealsim::engine::score::Scores;
use dealsim::engine::session::Session;
use dealsim::records::store::StoredRun;
use std::path::Path;
use std::process::ExitCode;

/// Reads a campaign and the scenarios beside it; a campaign with errors is refused with them.
pub(crate) fn load_campaign(file: &Path) -> Result<(Campaign, Vec<dealsim::Scenario>), Failure> {
    let library = campaign::library_in(&campaign::folder_of(file));
    let report = read_campaign(file, &library);
    let color = super::check::use_color(super::ColorChoice::Auto);
    for diagnostic in report.diagnostics.iter().filter(|d| d.is_error()) {
        tell(&diagnostic.render(color));
    }
    let errors = report.errors();
    let campaign = report.campaign.ok_or_else(|| {
        Failure(format!(
            "{} has {errors} error(s); fix them first (`dealsim check {}` lists them)",
            file.display(),
            file.display()
        ))
    })?;
    Ok((campaign, library))
}

pub(crate) fn run(
    file: &Path,
    seed: Option<u64>,
    rep: Option<String>,
    db: Option<&DbArgs>,
    new_run: bool,
) -> Result<ExitCode, Failure> {
    let (campaign, library) = load_campaign(file)?;
    let (store, rep) = match db {
        Some(db) => {
            let (store, config) = db.open()?;
            let rep = rep
                .or_else(|| config.rep.as_ref().map(|r| r.name.clone()))
                .unwrap_or_else(default_rep);
            (Some(store), rep)
        }
        None => (None, rep.unwrap_or_else(default_rep)),
    };
    // The rep's latest run that is not over goes on, unless a new one is asked for.
    let resumed = match (&store, new_run || seed.is_some()) {
        (Some(store), false) => store
            .campaign_runs(Some(&rep), Some(&campaign.id))
            .map_err(|e| Failure(e.to_string()))?
            .into_iter()
            .find(|run| matches!(campaign.progress(&run.calls()), Progress::Next(_))),
        _ => None,
    };
    drop(store);
    let (run, run_seed, mut played) = match resumed {
        Some(run) => {
            let played = run.calls();
            (run.run, run.run_seed, played)
        }
        None => (
            uuid::Uuid::new_v4().to_string(),
            seed.unwrap_or_else(dealsim::engine::play::random::fresh_seed),
            Vec::new(),
        ),
    };
    say(&format!(
        "{}\n{}\n{} calls: {}.\n{}\n",
        campaign.title,
        campaign.brief,
        campaign.calls.len(),
        campaign
            .calls
            .iter()
            .map(|c| c.scenario.as_str())
            .collect::<Vec<_>>()
            .join(", then "),
        if played.is_empty() {
            format!("A new run, seed {run_seed}.")
        } else {
            format!(
                "Going on with your run: {} of {} calls played.",
                played.len(),
                campaign.calls.len()
            )
        }
    ));
    while let Progress::Next(index) = campaign.progress(&played) {
        let plan = &campaign.calls[index];
        let scenario = library
            .iter()
            .find(|s| s.id == plan.scenario)
            .ok_or_else(|| {
                Failure(format!(
                    "no scenario \"{}\" beside {}",
                    plan.scenario,
                    file.display()
                ))
            })?;
        let start = campaign
            .start_call(index, &played, run_seed, &run, scenario)
            .map_err(Failure)?;
        let call = start.scenario.campaign.clone().expect("a campaign call");
        let mut header = format!(
            "\n=== Call {} of {}: {} ===\n",
            index + 1,
            campaign.calls.len(),
            scenario.title
        );
        if let Some(between) = &call.between {
            header.push_str(&format!("Since the last call: {between}\n"));
        }
        if index > 0 {
            header.push_str(&format!(
                "Carried in: {}'s trust {}; you know {}.\n",
                start.scenario.buyer.name,
                call.trust,
                if call.knows.is_empty() {
                    "nothing from earlier calls".to_string()
                } else {
                    call.knows
                        .iter()
                        .filter_map(|id| start.scenario.fact(id))
                        .map(|f| format!("\"{}\"", f.text))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        }
        say(&header);
        let mut session = Session::new(&start.scenario, start.seed);
        let mode = Mode {
            show_ids: false,
            author: false,
            playtest: None,
        };
        let code = play_session(
            file,
            &start.scenario,
            start.seed,
            Some(rep.clone()),
            db,
            &mode,
            &mut session,
        )?;
        match PlayedCall::of(&session) {
            Some(call) => played.push(call),
            None if db.is_some() => {
                say(&format!(
                    "\nThe campaign waits at call {}: `dealsim campaign {}` goes on from there.\n",
                    index + 1,
                    file.display()
                ));
                return Ok(code);
            }
            None => {
                say(&format!(
                    "\nYou left call {}. Nothing was stored (--no-record), so the next run starts from the first call.\n",
                    index + 1
                ));
                return Ok(code);
            }
        }
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    if let Some(score) = campaign.score(&played) {
        say(&campaign_summary(&campaign, &played, &score));
    }
    Ok(ExitCode::SUCCESS)
}

/// The campaign's score, as the last call's debrief ends with it.
pub(crate) fn campaign_summary(
    campaign: &Campaign,
    played: &[PlayedCall],
    score: &CampaignScore,
) -> String {
    let mut text = format!("\n=== Campaign: {} ===\n", campaign.title);
    for (n, call) in played.iter().enumerate() {
        text.push_str(&format!(
            "  Call {}: {:<20} {}\n",
            n + 1,
            call.scenario,
            call.result()
        ));
    }
    let s = &score.scores;
    text.push_str(&format!(
        "Campaign score {} (qualification {}, discovery {}, rapport {}, velocity {}), the mean over {} of {} calls: {}.\n",
        s.overall,
        s.qualification,
        s.discovery,
        s.rapport,
        s.velocity,
        score.played,
        score.calls,
        match s.passed {
            Some(true) => "passed",
            Some(false) => "not passed",
            None => "no pass mark",
        }
    ));
    text.push_str(&score.verdict());
    text.push('\n');
    text
}

/// `dealsim runs`: every rep's campaign runs, for the trainer: the calls each run has played,
/// where it stands (the call up next, finished, or stopped and why) and the campaign's score.
pub(crate) fn runs(
    db: &DbArgs,
    rep: Option<&str>,
    campaign: Option<&str>,
    scenarios: &Path,
    format: TableFormat,
) -> Result<ExitCode, Failure> {
    let (store, _) = db.open_for_reading()?;
    let runs = store
        .campaign_runs(rep, campaign)
        .map_err(|e| Failure(e.to_string()))?;
    // The campaigns as this machine has them, to say where each run stands.
    let campaigns = campaign::campaigns_in(scenarios, &campaign::library_in(scenarios));
    let rows: Vec<RunRow> = runs
        .iter()
        .map(|run| RunRow::of(run, &campaigns, scenarios))
        .collect();
    match format {
        TableFormat::Json => super::records::json_out(&rows)?,
        TableFormat::Csv => {
            let mut out = String::from(
                "\u{feff}rep,campaign,run,last_played,calls_played,outcomes,campaign_overall,passed,stands\n",
            );
            for row in &rows {
                let score = row.campaign_score;
                let fields = [
                    row.rep.clone(),
                    row.campaign.clone(),
                    row.run.clone(),
                    row.last_played.clone(),
                    row.calls.len().to_string(),
                    row.outcomes("; "),
                    score.map(|s| s.overall.to_string()).unwrap_or_default(),
                    score
                        .and_then(|s| s.passed)
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    row.stands.clone(),
                ];
                let line: Vec<String> = fields
                    .iter()
                    .map(|f| super::records::csv_field(f))
                    .collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
            say(&out);
        }
        TableFormat::Table => {
            if rows.is_empty() {
                say(&format!(
                    "No campaign runs in {}.\n",
                    store.path().display()
                ));
                return Ok(ExitCode::SUCCESS);
            }
            let mut cells = vec![
                [
                    "REP",
                    "CAMPAIGN",
                    "LAST PLAYED (UTC)",
                    "CALLS",
                    "CAMPAIGN SCORE",
                    "WHERE IT STANDS",
                ]
                .map(String::from)
                .to_vec(),
            ];
            for (run, row) in runs.iter().zip(&rows) {
                cells.push(vec![
                    row.rep.clone(),
                    row.campaign.clone(),
                    dealsim::records::clock::short(run.last_played),
                    row.outcomes(", "),
                    row.campaign_score
                        .map_or("-".into(), |s| s.overall.to_string()),
                    row.stands.clone(),
                ]);
            }
            say(&super::records::table(&cells));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One run as `dealsim runs` lists it (the JSON is this, field for field).
#[derive(serde::Serialize)]
struct RunRow {
    rep: String,
    campaign: String,
    run: String,
    /// A string, as the xAPI extension has it: a JSON reader may hold numbers as doubles.
    run_seed: String,
    last_played: String,
    calls: Vec<RunCall>,
    /// The call up next, or what the run came to.
    stands: String,
    campaign_score: Option<Scores>,
}

#[derive(serde::Serialize)]
struct RunCall {
    session: i64,
    scenario: String,
    outcome: dealsim::Outcome,
    scores: Scores,
}

impl RunRow {
    fn of(run: &StoredRun, campaigns: &[Campaign], scenarios: &Path) -> RunRow {
        let played = run.calls();
        let (stands, score) = match campaigns.iter().find(|c| c.id == run.campaign) {
            Some(c) => match c.progress(&played) {
                Progress::Next(n) => (format!("call {} of {} up next", n + 1, c.calls.len()), None),
                Progress::Over(_) => {
                    let score = c.score(&played);
                    (
                        score
                            .as_ref()
                            .map_or_else(String::new, CampaignScore::verdict),
                        score,
                    )
                }
            },
            None => (
                format!("campaign {} not in {}", run.campaign, scenarios.display()),
                None,
            ),
        };
        RunRow {
            rep: run.rep.clone(),
            campaign: run.campaign.clone(),
            run: run.run.clone(),
            run_seed: run.run_seed.to_string(),
            last_played: dealsim::records::clock::iso8601(run.last_played),
            calls: run
                .played
                .iter()
                .map(|(id, call)| RunCall {
                    session: *id,
                    scenario: call.scenario.clone(),
                    outcome: call.outcome,
                    scores: call.scores,
                })
                .collect(),
            stands,
            campaign_score: score.map(|s| s.scores),
        }
    }

    /// "Advance 89, Advance 91": each call's outcome and overall score.
    fn outcomes(&self, separator: &str) -> String {
        self.calls
            .iter()
            .map(|c| format!("{} {}", c.outcome.label(), c.scores.overall))
            .collect::<Vec<_>>()
            .join(separator)
    }
}

/// An assignment's names with each campaign's id replaced by its calls' scenario ids, in order
/// (a trainer assigns the deal, and each call counts as a call of the assignment). Names that
/// are not campaigns in the folder stay as they are, to be checked as scenario ids.
pub(crate) fn calls_of_campaigns(names: &[String], folder: &Path) -> Vec<String> {
    if campaign::campaign_paths(&[folder.to_path_buf()]).is_empty() {
        return names.to_vec();
    }
    let campaigns = campaign::campaigns_in(folder, &campaign::library_in(folder));
    let mut out = Vec::new();
    for name in names {
        match campaigns.iter().find(|c| c.id == *name) {
            Some(campaign) => {
                tell(&format!(
                    "{name} is a campaign: assigning its calls, {}\n",
                    campaign
                        .calls
                        .iter()
                        .map(|c| c.scenario.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                for call in &campaign.calls {
                    if !out.contains(&call.scenario) {
                        out.push(call.scenario.clone());
                    }
                }
            }
            None => {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
    }
    out
}
