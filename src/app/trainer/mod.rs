//! The trainer's screen: every session in a table that sorts and filters, each rep's trend per
//! dimension with best and latest scores and their focus skills, the team heatmap and who improved
//! most, where reps go wrong on each scenario, the LRS queue, and the replay of any session step
//! by step with its debrief. Queries run when something changes, not every frame.

mod assignments;
mod campaigns;
mod lrs;
mod replay;
mod reps;
mod scenarios;
mod sessions;
mod team;

use assignments::{AssignForm, assignments_tab};
use lrs::lrs_tab;
use replay::replay_view;
use reps::reps_tab;
use scenarios::scenarios_tab;
use sessions::sessions_tab;
use team::team_tab;

use crate::Outcome;
use crate::app::playing::FinishedCall;
use crate::app::records::{DbWorker, Pending, RepProgress, SessionLog};
use crate::app::reps::Reps;
use crate::app::scenarios::Library;
use crate::app::{Screen, UiSystems, theme};
use crate::engine::debrief::Debrief;
use crate::engine::score::Dimension;
use crate::engine::session::Session;
use crate::records::clock;
use crate::records::store::{
    Filter, HeatmapRow, Improvement, OutboxSummary, Progress, ScenarioAnalysis, SessionRow,
    SortKey, Status, Store, StoredSession, TrendPoint,
};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

/// How many rows the sessions table shows at once (the count says how many match).
const TABLE_LIMIT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Sessions,
    Reps,
    Team,
    Scenarios,
    Lrs,
    Assignments,
    Campaigns,
}

/// A stored session opened for replay.
pub struct Replay {
    pub stored: StoredSession,
    /// The session played again from its seed and choices; `None` when it cannot be.
    pub session: Option<Session>,
    /// Its debrief, worked out with the replay.
    pub debrief: Option<Debrief>,
    pub problem: Option<String>,
    /// Turns shown so far (0 = the opening only).
    pub step: usize,
}

/// What the trainer is looking at, and the query results for it.
#[derive(Resource, Default)]
pub struct TrainerView {
    pub tab: Tab,
    pub filter: Filter,
    since_text: String,
    since_error: Option<String>,
    pub sort: SortKey,
    pub ascending: bool,
    pub rows: Vec<SessionRow>,
    pub matching: u64,
    reps: Vec<String>,
    scenarios: Vec<(String, String)>,
    pub rep: Option<String>,
    pub trend: Vec<TrendPoint>,
    /// The trend chart shows raw scores instead of skill measures (the rep's choice of view).
    pub trend_raw: bool,
    /// The rep's focus skills as stored in the database, and when they were set.
    pub focus: Vec<Dimension>,
    focus_set_at: Option<clock::Millis>,
    rep_rows: Vec<SessionRow>,
    pub heatmap: Vec<HeatmapRow>,
    pub improved: Vec<Improvement>,
    /// Who practised in the last 30 days.
    pub practice: Vec<crate::records::store::Practice>,
    pub scenario: Option<String>,
    pub analysis: Option<ScenarioAnalysis>,
    /// What the current tab asked the database worker for: a scenario's analysis alone reads a
    /// third of a million turns at 100,000 sessions (about 0.3 s), which would freeze a frame.
    pub loading: Option<Pending<Result<Loaded, String>>>,
    /// A replay asked for from the table.
    pub opening: Option<Pending<Result<Replay, String>>>,
    /// The scenario `analysis` is of.
    analysis_of: Option<String>,
    outbox: Option<OutboxSummary>,
    pub replay: Option<Replay>,
    /// The syncs whose end this view has seen.
    syncs_seen: u32,
    /// A rep's brief for a 1:1 (the last 30 days), asked for with a click.
    brief: OnRequest,
    /// The rep the shown rep is about to be merged into (the same person under two names), and
    /// what the last merge did.
    merge_into: Option<String>,
    merging: Option<Pending<Result<String, String>>>,
    pub merge_result: Option<Result<String, String>>,
    /// What top performers do on the scenario shown, asked for with a click.
    insight: OnRequest,
    /// Assignments with each rep's standing, the teams, and the form to assign.
    pub assignments: Vec<(
        crate::records::store::Assignment,
        Vec<crate::records::store::RepProgress>,
    )>,
    pub teams: Vec<(String, Vec<String>)>,
    pub assign: AssignForm,
    /// Every rep's campaign runs (one team's, when a team is chosen), latest first.
    pub runs: Vec<crate::records::store::StoredRun>,
    /// Set when the results must be read again.
    pub stale: bool,
    pub error: Option<String>,
    /// Query time of the last refresh, shown small for the curious.
    pub last_query_ms: f64,
}

/// What one refresh asks for: the view's settings when it was asked.
#[derive(Clone)]
struct Query {
    tab: Tab,
    filter: Filter,
    sort: SortKey,
    ascending: bool,
    rep: Option<String>,
    scenario: Option<String>,
    /// Each playable scenario's fact ids, by scenario id, from the library's copy.
    facts: std::collections::HashMap<String, Vec<String>>,
}

/// What a refresh read, for the tab that asked.
#[derive(Default)]
pub struct Loaded {
    tab: Tab,
    reps: Vec<String>,
    scenarios: Vec<(String, String)>,
    rows: Vec<SessionRow>,
    matching: u64,
    rep: Option<String>,
    trend: Vec<TrendPoint>,
    focus: Option<(Vec<Dimension>, clock::Millis)>,
    rep_rows: Vec<SessionRow>,
    heatmap: Vec<HeatmapRow>,
    improved: Vec<Improvement>,
    practice: Vec<crate::records::store::Practice>,
    scenario: Option<String>,
    analysis: Option<ScenarioAnalysis>,
    outbox: Option<OutboxSummary>,
    assignments: Vec<(
        crate::records::store::Assignment,
        Vec<crate::records::store::RepProgress>,
    )>,
    teams: Vec<(String, Vec<String>)>,
    runs: Vec<crate::records::store::StoredRun>,
    query_ms: f64,
}

/// A text worked out on the database worker when the trainer asks for it (it replays and
/// debriefs many sessions), for one subject (a rep, a scenario) at a time.
#[derive(Default)]
struct OnRequest {
    pending: Option<(String, Pending<Result<String, String>>)>,
    shown: Option<(String, Result<String, String>)>,
}

impl OnRequest {
    /// The button, a spinner while the text is worked out, then the text for `subject`, or
    /// `help` before it was asked for. `start` hands the work to the database worker.
    fn show(
        &mut self,
        ui: &mut egui::Ui,
        subject: &str,
        button: &str,
        help: &str,
        start: impl FnOnce() -> Pending<Result<String, String>>,
    ) {
        if let Some((whose, pending)) = &mut self.pending
            && let Some(result) = pending.try_take()
        {
            self.shown = Some((whose.clone(), result));
            self.pending = None;
        }
        if self.pending.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                theme::muted(ui, "replaying and debriefing the sessions...");
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
            return;
        }
        if ui.button(button).clicked() {
            self.pending = Some((subject.to_string(), start()));
        }
        match &self.shown {
            Some((whose, Ok(text))) if whose == subject => {
                ui.add(egui::Label::new(egui::RichText::new(text).monospace().small()).wrap());
            }
            Some((whose, Err(error))) if whose == subject => {
                ui.label(egui::RichText::new(error).color(theme::BAD));
            }
            _ => theme::muted(ui, help),
        }
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<TrainerView>()
        .add_systems(
            OnEnter(Screen::Trainer),
            |mut view: ResMut<TrainerView>, mut log: ResMut<SessionLog>| {
                view.stale = true;
                // The team's sessions from other machines, read in the background.
                log.pull_in_background();
            },
        )
        .add_systems(
            Update,
            (refresh, take_replay).run_if(in_state(Screen::Trainer)),
        )
        .add_systems(
            EguiPrimaryContextPass,
            draw.in_set(UiSystems::Screens)
                .run_if(in_state(Screen::Trainer)),
        );
}

/// Asks the database worker for what the current tab shows when something changed, and takes
/// the answer in when it arrives. Nothing is read on the frame.
pub fn refresh(
    mut view: ResMut<TrainerView>,
    worker: Res<DbWorker>,
    library: Res<Library>,
    log: Res<SessionLog>,
) {
    // A sync or a pull that just finished changes the counts, and a pull the tables.
    if view.syncs_seen != log.syncs_done {
        view.syncs_seen = log.syncs_done;
        view.stale = true;
    }
    if let Some(pending) = &mut view.loading {
        match pending.try_take() {
            Some(answer) => {
                view.loading = None;
                match answer {
                    Ok(loaded) => apply(&mut view, loaded),
                    Err(error) => view.error = Some(error),
                }
            }
            None => return,
        }
    }
    if !view.stale {
        return;
    }
    view.stale = false;
    // Every playable scenario's facts: with none picked yet, the analysis is of the first
    // scenario with sessions, which only the worker knows (its missed facts were empty).
    let facts = library
        .entries
        .iter()
        .filter_map(|e| e.scenario())
        .map(|s| {
            (
                s.id.clone(),
                s.facts().iter().map(|f| f.id.clone()).collect(),
            )
        })
        .collect();
    let query = Query {
        tab: view.tab,
        filter: view.filter.clone(),
        sort: view.sort,
        ascending: view.ascending,
        rep: view.rep.clone(),
        scenario: view.scenario.clone(),
        facts,
    };
    // Another scenario's figures would mislead while this one's are worked out.
    if view.analysis_of != view.scenario {
        view.analysis = None;
    }
    view.loading = Some(worker.submit(move |store| load(store, &query).map_err(|e| e.to_string())));
}

fn apply(view: &mut TrainerView, loaded: Loaded) {
    view.error = None;
    view.last_query_ms = loaded.query_ms;
    view.reps = loaded.reps;
    view.scenarios = loaded.scenarios;
    view.teams = loaded.teams;
    match loaded.tab {
        Tab::Sessions => {
            view.rows = loaded.rows;
            view.matching = loaded.matching;
        }
        Tab::Reps => {
            view.rep = loaded.rep;
            view.trend = loaded.trend;
            view.focus_set_at = loaded.focus.as_ref().map(|f| f.1);
            view.focus = loaded.focus.map(|f| f.0).unwrap_or_default();
            view.rep_rows = loaded.rep_rows;
        }
        Tab::Team => {
            view.heatmap = loaded.heatmap;
            view.improved = loaded.improved;
            view.practice = loaded.practice;
        }
        Tab::Scenarios => {
            if view.scenario.is_none() || view.scenario == loaded.scenario {
                view.scenario = loaded.scenario.clone();
                view.analysis = loaded.analysis;
                view.analysis_of = loaded.scenario;
            }
        }
        Tab::Lrs => view.outbox = loaded.outbox,
        Tab::Assignments => view.assignments = loaded.assignments,
        Tab::Campaigns => view.runs = loaded.runs,
    }
}

/// Runs on the database worker: every query the asked tab needs.
fn load(store: &Store, query: &Query) -> crate::records::store::Result<Loaded> {
    let started = std::time::Instant::now();
    let mut loaded = Loaded {
        tab: query.tab,
        reps: store.reps()?,
        scenarios: store.scenarios()?,
        teams: store.teams()?,
        ..Loaded::default()
    };
    match query.tab {
        Tab::Sessions => {
            loaded.rows = store.sessions(
                &query.filter,
                query.sort,
                !query.ascending,
                Some(TABLE_LIMIT),
            )?;
            loaded.matching = if (loaded.rows.len() as u32) < TABLE_LIMIT {
                loaded.rows.len() as u64
            } else {
                store.count(&query.filter)?
            };
        }
        Tab::Reps => {
            loaded.rep = query.rep.clone().or_else(|| loaded.reps.first().cloned());
            if let Some(rep) = &loaded.rep {
                loaded.trend = store.trend(rep, None)?;
                loaded.focus = store.focus(rep)?;
                let filter = Filter {
                    rep: Some(rep.clone()),
                    status: Some(Status::Finished),
                    ..Filter::default()
                };
                loaded.rep_rows = store.sessions(&filter, SortKey::Started, false, None)?;
            }
        }
        Tab::Team => {
            loaded.heatmap = store.heatmap(None)?;
            loaded.improved = store.most_improved(clock::now_ms(), usize::MAX)?;
            // One team's members only, when the trainer chose a team.
            if let Some(team) = &query.filter.team {
                let members = store.team_members(team)?;
                loaded.heatmap.retain(|row| members.contains(&row.rep));
                loaded.improved.retain(|row| members.contains(&row.rep));
            }
            loaded.improved.truncate(5);
            loaded.practice = store.practice(
                clock::now_ms() - 30 * clock::DAY_MS,
                query.filter.team.as_deref(),
            )?;
        }
        Tab::Scenarios => {
            loaded.scenario = query
                .scenario
                .clone()
                .or_else(|| loaded.scenarios.first().map(|s| s.0.clone()));
            if let Some(id) = &loaded.scenario {
                let facts = query.facts.get(id).map_or(&[][..], Vec::as_slice);
                loaded.analysis = Some(store.scenario_analysis(id, facts)?);
            }
        }
        Tab::Lrs => loaded.outbox = Some(store.outbox_summary()?),
        Tab::Assignments => {
            let now = clock::now_ms();
            for assignment in store.assignments(false)? {
                let mut standings = Vec::new();
                for rep in &assignment.reps {
                    standings.push(store.assignment_progress(&assignment, rep, now)?);
                }
                loaded.assignments.push((assignment, standings));
            }
        }
        Tab::Campaigns => {
            loaded.runs = store.campaign_runs(None, None)?;
            if let Some(team) = &query.filter.team {
                let members = store.team_members(team)?;
                loaded.runs.retain(|run| members.contains(&run.rep));
            }
        }
    }
    loaded.query_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(loaded)
}

/// Opens a stored session for replay: played again from its revision's text, seed and choices,
/// with its debrief. Runs on the database worker (the debrief's search included).
pub fn open_replay(store: &Store, id: i64) -> Result<Replay, String> {
    let stored = store.session(id).map_err(|e| e.to_string())?;
    let (session, problem) = match stored.replay() {
        Ok(session) => (Some(session), None),
        Err(problem) => (None, Some(problem.to_string())),
    };
    let debrief = session.as_ref().filter(|s| s.is_over()).map(Debrief::of);
    Ok(Replay {
        stored,
        session,
        debrief,
        problem,
        step: 0,
    })
}

/// Asks for a stored session's replay.
pub fn request_replay(view: &mut TrainerView, worker: &DbWorker, id: i64) {
    view.opening = Some(worker.submit(move |store| open_replay(store, id)));
}

/// Takes in a replay asked for from the table.
fn take_replay(mut view: ResMut<TrainerView>) {
    if let Some(pending) = &mut view.opening
        && let Some(answer) = pending.try_take()
    {
        view.opening = None;
        match answer {
            Ok(replay) => view.replay = Some(replay),
            Err(error) => view.error = Some(error),
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn draw(
    mut contexts: EguiContexts,
    mut view: ResMut<TrainerView>,
    mut log: ResMut<SessionLog>,
    worker: Res<DbWorker>,
    reps: Res<Reps>,
    mut progress: ResMut<RepProgress>,
    library: Res<Library>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut ui) = crate::app::screens::screen_ui(ctx) else {
        return Ok(());
    };
    let view = &mut *view;
    egui::Panel::top("trainer-top")
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            ui.horizontal(|ui| {
                theme::heading(ui, "Trainer");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Back").clicked() {
                        next.set(if reps.current.is_empty() {
                            Screen::Start
                        } else {
                            Screen::Library
                        });
                    }
                    if ui.button("Refresh").clicked() {
                        view.stale = true;
                    }
                    theme::muted(ui, format!("{}", log.path.display()));
                });
            });
            ui.horizontal(|ui| {
                for (tab, label) in [
                    (Tab::Sessions, "Sessions"),
                    (Tab::Reps, "Reps"),
                    (Tab::Team, "Team"),
                    (Tab::Scenarios, "Scenarios"),
                    (Tab::Lrs, "LRS"),
                    (Tab::Assignments, "Assignments"),
                    (Tab::Campaigns, "Campaigns"),
                ] {
                    if ui
                        .selectable_label(view.tab == tab && view.replay.is_none(), label)
                        .clicked()
                    {
                        view.tab = tab;
                        view.replay = None;
                        view.stale = true;
                    }
                }
            });
            if let Some(error) = &view.error {
                ui.label(egui::RichText::new(error).color(theme::BAD));
            }
        });
    egui::CentralPanel::default()
        .frame(theme::screen())
        .show(&mut ui, |ui| {
            if view.replay.is_some() {
                replay_view(ui, view, &mut commands, &mut next);
                return;
            }
            match view.tab {
                Tab::Sessions => sessions_tab(ui, view, &worker),
                Tab::Reps => reps_tab(ui, view, &worker, &mut progress),
                Tab::Team => team_tab(ui, view),
                Tab::Scenarios => scenarios_tab(ui, view, &library, &worker),
                Tab::Lrs => lrs_tab(ui, view, &mut log),
                Tab::Assignments => assignments_tab(ui, view, &worker, &mut log, &library),
                Tab::Campaigns => campaigns::campaigns_tab(ui, view, &library, &worker),
            }
        });
    Ok(())
}

fn combo(
    ui: &mut egui::Ui,
    id: &str,
    all_label: &str,
    value: &mut Option<String>,
    options: &[(String, String)],
) -> bool {
    let mut changed = false;
    let shown = value
        .as_ref()
        .and_then(|v| options.iter().find(|o| &o.0 == v))
        .map_or(all_label.to_string(), |o| o.1.clone());
    egui::ComboBox::from_id_salt(id)
        .selected_text(crate::engine::text::shorten(&shown, 28))
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, all_label).changed();
            for (key, label) in options {
                changed |= ui
                    .selectable_value(value, Some(key.clone()), label)
                    .changed();
            }
        });
    changed
}

/// The team filter, shown once reps are in teams; true when the choice changed.
fn team_combo(ui: &mut egui::Ui, id: &str, view: &mut TrainerView) -> bool {
    if view.teams.is_empty() {
        return false;
    }
    let teams: Vec<(String, String)> = view
        .teams
        .iter()
        .map(|(team, _)| (team.clone(), format!("team {team}")))
        .collect();
    combo(ui, id, "All teams", &mut view.filter.team, &teams)
}

/// A filter over a fixed set of values (outcomes, statuses), or none of them.
fn choice_combo<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    id: &str,
    all_label: &str,
    value: &mut Option<T>,
    options: &[T],
    label: fn(T) -> &'static str,
) -> bool {
    let mut changed = false;
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.map_or(all_label, label))
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, all_label).changed();
            for &option in options {
                changed |= ui
                    .selectable_value(value, Some(option), label(option))
                    .changed();
            }
        });
    changed
}
