//! The trainer's screen: every session in a table that sorts and filters, each rep's trend per
//! dimension with best and latest scores and their focus skills, the team heatmap and who improved
//! most, where reps go wrong on each scenario, the LRS queue, and the replay of any session step
//! by step with its debrief. Queries run when something changes, not every frame.

use crate::app::playing::FinishedCall;
use crate::app::records::SessionLog;
use crate::app::reps::Reps;
use crate::app::scenarios::Library;
use crate::app::{Screen, UiSystems, theme};
use crate::clock;
use crate::debrief::Debrief;
use crate::profile::Progress;
use crate::score::Dimension;
use crate::session::Session;
use crate::store::{
    Filter, HeatmapRow, Improvement, OutboxSummary, ScenarioAnalysis, SessionRow, SortKey, Status,
    Store, StoredSession, TrendPoint,
};
use crate::{Outcome, Scores};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::sync::atomic::Ordering;

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
}

/// A stored session opened for replay.
pub struct Replay {
    pub stored: StoredSession,
    /// The session played again from its seed and choices; `None` when it cannot be.
    pub session: Option<Session>,
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
    /// The rep's focus skills as stored in the database, and when they were set.
    pub focus: Vec<Dimension>,
    focus_set_at: Option<clock::Millis>,
    rep_rows: Vec<SessionRow>,
    pub heatmap: Vec<HeatmapRow>,
    pub improved: Vec<Improvement>,
    pub scenario: Option<String>,
    pub analysis: Option<ScenarioAnalysis>,
    /// A scenario's analysis being worked out on its own thread: at 100,000 sessions it reads a
    /// third of a million turns (about 0.3 s), which on the UI thread would freeze the window.
    pub analysing: Option<Analysing>,
    /// The scenario `analysis` is of.
    analysis_of: Option<String>,
    outbox: Option<OutboxSummary>,
    pub replay: Option<Replay>,
    /// Set when the results must be read again.
    pub stale: bool,
    pub error: Option<String>,
    /// Query time of the last refresh, shown small for the curious.
    pub last_query_ms: f64,
}

/// An analysis on its way from a background thread, for the scenario it was asked for.
pub struct Analysing {
    pub scenario: String,
    work: std::thread::JoinHandle<Result<ScenarioAnalysis, String>>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<TrainerView>()
        .add_systems(OnEnter(Screen::Trainer), |mut view: ResMut<TrainerView>| {
            view.stale = true;
        })
        .add_systems(Update, refresh.run_if(in_state(Screen::Trainer)))
        .add_systems(
            EguiPrimaryContextPass,
            draw.in_set(UiSystems::Screens)
                .run_if(in_state(Screen::Trainer)),
        );
}

/// Reads what the current tab shows, when something changed, and takes in a background
/// analysis once it is ready (asking for frames until then, as the window redraws on change).
pub fn refresh(
    mut view: ResMut<TrainerView>,
    log: Res<SessionLog>,
    library: Res<Library>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    if let Some(analysing) = view.analysing.take_if(|a| a.work.is_finished()) {
        let result = analysing
            .work
            .join()
            .unwrap_or_else(|_| Err("the scenario's analysis stopped before it finished".into()));
        if view.scenario.as_deref() == Some(analysing.scenario.as_str()) {
            match result {
                Ok(analysis) => {
                    view.analysis = Some(analysis);
                    view.analysis_of = Some(analysing.scenario);
                }
                Err(error) => view.error = Some(error),
            }
        }
    } else if view.analysing.is_some() {
        redraw.write(bevy::window::RequestRedraw);
    }
    if !view.stale {
        return;
    }
    view.stale = false;
    let started = std::time::Instant::now();
    let view = &mut *view;
    let result = log.with_store(|store| load(view, store, &library));
    view.error = match result {
        Some(Ok(())) => None,
        Some(Err(error)) => Some(error.to_string()),
        None => Some(format!(
            "No session database: {}",
            log.problem.as_deref().unwrap_or("it could not be opened")
        )),
    };
    view.last_query_ms = started.elapsed().as_secs_f64() * 1000.0;
}

fn load(view: &mut TrainerView, store: &Store, library: &Library) -> crate::store::Result<()> {
    view.reps = store.reps()?;
    view.scenarios = store.scenarios()?;
    match view.tab {
        Tab::Sessions => {
            view.rows =
                store.sessions(&view.filter, view.sort, !view.ascending, Some(TABLE_LIMIT))?;
            view.matching = if (view.rows.len() as u32) < TABLE_LIMIT {
                view.rows.len() as u64
            } else {
                store.count(&view.filter)?
            };
        }
        Tab::Reps => {
            if view.rep.is_none() {
                view.rep = view.reps.first().cloned();
            }
            if let Some(rep) = &view.rep {
                view.trend = store.trend(rep, None)?;
                let focus = store.focus(rep)?;
                view.focus_set_at = focus.as_ref().map(|f| f.1);
                view.focus = focus.map(|f| f.0).unwrap_or_default();
                let filter = Filter {
                    rep: Some(rep.clone()),
                    status: Some(Status::Finished),
                    ..Filter::default()
                };
                view.rep_rows = store.sessions(&filter, SortKey::Started, false, None)?;
            }
        }
        Tab::Team => {
            view.heatmap = store.heatmap(None)?;
            view.improved = store.most_improved(clock::now_ms(), 5)?;
        }
        Tab::Scenarios => {
            if view.scenario.is_none() {
                view.scenario = view.scenarios.first().map(|s| s.0.clone());
            }
            match &view.scenario {
                Some(id) => {
                    let facts: Vec<String> = library
                        .playable(id)
                        .map(|(_, s)| s.facts().iter().map(|f| f.id.clone()).collect())
                        .unwrap_or_default();
                    // Another scenario's figures would mislead while this one's are worked out.
                    if view.analysis_of.as_deref() != Some(id.as_str()) {
                        view.analysis = None;
                    }
                    view.analysing = Some(analyse_in_background(store.path(), id, facts));
                }
                None => view.analysis = None,
            }
        }
        Tab::Lrs => view.outbox = Some(store.outbox_summary()?),
    }
    Ok(())
}

/// Works out a scenario's analysis on a thread of its own, over its own connection to the
/// database (SQLite in WAL mode lets it read while the window records).
fn analyse_in_background(path: &std::path::Path, scenario: &str, facts: Vec<String>) -> Analysing {
    let (path, id) = (path.to_path_buf(), scenario.to_string());
    let work = std::thread::spawn(move || {
        Store::open(&path)
            .and_then(|store| store.scenario_analysis(&id, &facts))
            .map_err(|e| e.to_string())
    });
    Analysing {
        scenario: scenario.to_string(),
        work,
    }
}

/// Opens a stored session for replay: played again from its revision's text, seed and choices.
pub fn open_replay(store: &Store, id: i64) -> Result<Replay, String> {
    let stored = store.session(id).map_err(|e| e.to_string())?;
    let (session, problem) = match stored.replay() {
        Ok(session) => (Some(session), None),
        Err(problem) => (None, Some(problem)),
    };
    Ok(Replay {
        stored,
        session,
        problem,
        step: 0,
    })
}

fn draw(
    mut contexts: EguiContexts,
    mut view: ResMut<TrainerView>,
    log: Res<SessionLog>,
    mut reps: ResMut<Reps>,
    library: Res<Library>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut ui) = super::screen_ui(ctx) else {
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
                Tab::Sessions => sessions_tab(ui, view, &log),
                Tab::Reps => reps_tab(ui, view, &log, &mut reps),
                Tab::Team => team_tab(ui, view),
                Tab::Scenarios => scenarios_tab(ui, view, &library),
                Tab::Lrs => lrs_tab(ui, view, &log),
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
        .selected_text(crate::text::shorten(&shown, 28))
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

fn sessions_tab(ui: &mut egui::Ui, view: &mut TrainerView, log: &SessionLog) {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let reps: Vec<(String, String)> =
            view.reps.iter().map(|r| (r.clone(), r.clone())).collect();
        changed |= combo(ui, "filter-rep", "All reps", &mut view.filter.rep, &reps);
        let scenarios = view.scenarios.clone();
        changed |= combo(
            ui,
            "filter-scenario",
            "All scenarios",
            &mut view.filter.scenario,
            &scenarios,
        );
        changed |= choice_combo(
            ui,
            "filter-outcome",
            "Any outcome",
            &mut view.filter.outcome,
            &Outcome::ALL,
            Outcome::label,
        );
        changed |= choice_combo(
            ui,
            "filter-status",
            "Any status",
            &mut view.filter.status,
            &Status::ALL,
            Status::label,
        );
        ui.label("since");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut view.since_text)
                .hint_text("YYYY-MM-DD")
                .desired_width(120.0),
        );
        if edit.changed() {
            let text = view.since_text.trim();
            match (text.is_empty(), clock::parse(text)) {
                (true, _) => {
                    view.filter.since = None;
                    view.since_error = None;
                    changed = true;
                }
                (false, Ok(ms)) => {
                    view.filter.since = Some(ms);
                    view.since_error = None;
                    changed = true;
                }
                (false, Err(_)) => view.since_error = Some("a date such as 2026-11-01".into()),
            }
        }
        if let Some(error) = &view.since_error {
            ui.label(egui::RichText::new(error).color(theme::WARN));
        }
    });
    if changed {
        view.stale = true;
    }
    theme::muted(
        ui,
        if view.matching > view.rows.len() as u64 {
            format!(
                "{} sessions match; the first {} are shown. Times are UTC. Click a column to sort, a row to replay it.",
                view.matching,
                view.rows.len()
            )
        } else {
            format!(
                "{} sessions. Times are UTC. Click a column to sort, a row to replay it.",
                view.matching
            )
        },
    );
    ui.add_space(4.0);
    let columns: [(&str, f32, Option<SortKey>); 10] = [
        ("Started", 130.0, Some(SortKey::Started)),
        ("Rep", 130.0, Some(SortKey::Rep)),
        ("Scenario", 180.0, Some(SortKey::Scenario)),
        ("Result", 150.0, Some(SortKey::Outcome)),
        ("Overall", 64.0, Some(SortKey::Overall)),
        (
            "Qual",
            48.0,
            Some(SortKey::Dimension(Dimension::Qualification)),
        ),
        ("Disc", 48.0, Some(SortKey::Dimension(Dimension::Discovery))),
        ("Rapp", 48.0, Some(SortKey::Dimension(Dimension::Rapport))),
        ("Vel", 48.0, Some(SortKey::Dimension(Dimension::Velocity))),
        ("Turns", 48.0, None),
    ];
    ui.horizontal(|ui| {
        for (label, width, key) in columns {
            let arrow = match key {
                Some(k) if k == view.sort => {
                    if view.ascending {
                        " ^"
                    } else {
                        " v"
                    }
                }
                _ => "",
            };
            let text = egui::RichText::new(format!("{label}{arrow}")).strong();
            let response = ui.add_sized([width, 20.0], egui::Button::new(text).frame(false));
            if let (Some(key), true) = (key, response.clicked()) {
                if view.sort == key {
                    view.ascending = !view.ascending;
                } else {
                    view.sort = key;
                    view.ascending = matches!(key, SortKey::Rep | SortKey::Scenario);
                }
                view.stale = true;
            }
        }
    });
    ui.separator();
    let mut open = None;
    let row_height = 22.0;
    egui::ScrollArea::vertical()
        .id_salt("sessions-table")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, view.rows.len(), |ui, range| {
            for row in &view.rows[range] {
                let response = ui
                    .horizontal(|ui| {
                        let cell =
                            |ui: &mut egui::Ui, text: String, width: f32, colour: egui::Color32| {
                                ui.add_sized(
                                    [width, row_height - 4.0],
                                    egui::Label::new(egui::RichText::new(text).color(colour))
                                        .truncate()
                                        .selectable(false),
                                );
                            };
                        cell(ui, clock::short(row.started_at), 130.0, theme::TEXT_MUTED);
                        cell(ui, row.rep.clone(), 130.0, theme::TEXT);
                        cell(ui, row.scenario_title.clone(), 180.0, theme::TEXT);
                        let (result, colour) = match (row.outcome, row.right_call) {
                            (Some(o), Some(true)) => {
                                (format!("{} (right)", o.label()), theme::GOOD)
                            }
                            (Some(o), _) => (o.label().to_string(), theme::outcome_colour(o)),
                            _ => (row.status.label().to_string(), theme::TEXT_MUTED),
                        };
                        cell(ui, result, 150.0, colour);
                        match row.scores {
                            Some(s) => {
                                cell(
                                    ui,
                                    s.overall.to_string(),
                                    64.0,
                                    theme::score_colour(s.overall, None),
                                );
                                for d in Dimension::ALL {
                                    let v = d.of(&s);
                                    cell(ui, v.to_string(), 48.0, theme::score_colour(v, None));
                                }
                            }
                            None => {
                                for width in [64.0, 48.0, 48.0, 48.0, 48.0] {
                                    cell(ui, "-".into(), width, theme::TEXT_MUTED);
                                }
                            }
                        }
                        cell(ui, row.turns.to_string(), 48.0, theme::TEXT_MUTED);
                    })
                    .response
                    .interact(egui::Sense::click());
                if response.hovered() {
                    ui.painter().rect_filled(
                        response.rect,
                        egui::CornerRadius::same(3),
                        egui::Color32::from_white_alpha(10),
                    );
                }
                if response.on_hover_text("Replay this session").clicked() {
                    open = Some(row.id);
                }
            }
        });
    if let Some(id) = open {
        match log.with_store(|store| open_replay(store, id)) {
            Some(Ok(replay)) => view.replay = Some(replay),
            Some(Err(error)) => view.error = Some(error),
            None => {}
        }
    }
}

fn reps_tab(ui: &mut egui::Ui, view: &mut TrainerView, log: &SessionLog, reps: &mut Reps) {
    if view.reps.is_empty() {
        theme::muted(
            ui,
            "No sessions yet. Reps' calls appear here as soon as they are played.",
        );
        return;
    }
    ui.horizontal(|ui| {
        ui.label("Rep");
        let options: Vec<(String, String)> =
            view.reps.iter().map(|r| (r.clone(), r.clone())).collect();
        let before = view.rep.clone();
        egui::ComboBox::from_id_salt("trainer-rep")
            .selected_text(view.rep.clone().unwrap_or_default())
            .show_ui(ui, |ui| {
                for (key, label) in &options {
                    ui.selectable_value(&mut view.rep, Some(key.clone()), label);
                }
            });
        if view.rep != before {
            view.stale = true;
        }
    });
    let Some(rep) = view.rep.clone() else {
        return;
    };
    ui.add_space(6.0);
    // Focus skills: one or two dimensions the rep works on this month, kept in the shared
    // database so that the rep's own copy of the app shows them.
    let mut focus = view.focus.clone();
    ui.horizontal(|ui| {
        theme::section(ui, "Focus this month (one or two)");
        let mut changed = false;
        for d in Dimension::ALL {
            let mut on = focus.contains(&d);
            let allowed = on || focus.len() < 2;
            if ui
                .add_enabled(allowed, egui::Checkbox::new(&mut on, d.label()))
                .changed()
            {
                if on {
                    focus.push(d);
                } else {
                    focus.retain(|f| *f != d);
                }
                changed = true;
            }
        }
        if changed {
            match log.set_focus(&rep, &focus) {
                Ok(()) => {
                    view.focus = focus.clone();
                    view.focus_set_at = Some(clock::now_ms());
                    reps.set_focus(&rep, focus.clone());
                }
                Err(error) => view.error = Some(error),
            }
        }
        if let Some(at) = view.focus_set_at {
            theme::muted(ui, format!("set {}", clock::date(at)));
        }
    });
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .id_salt("rep-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Trend per dimension");
            if view.trend.len() < 3 {
                theme::muted(
                    ui,
                    format!(
                        "{} finished session(s): a trend is shown from three.",
                        view.trend.len()
                    ),
                );
            } else {
                trend_chart(ui, &view.trend, &focus);
                let first = &view.trend[0];
                let last = &view.trend[view.trend.len() - 1];
                theme::muted(
                    ui,
                    format!(
                        "{} sessions, {} to {}.",
                        view.trend.len(),
                        clock::date(first.started_at),
                        clock::date(last.started_at)
                    ),
                );
            }
            ui.add_space(10.0);
            theme::section(ui, "Best and latest per scenario");
            let mut per_scenario: Vec<(String, u32, u8, u8)> = Vec::new();
            for row in &view.rep_rows {
                let Some(scores) = row.scores else { continue };
                match per_scenario.iter_mut().find(|s| s.0 == row.scenario_title) {
                    Some(entry) => {
                        entry.1 += 1;
                        entry.2 = entry.2.max(scores.overall);
                        entry.3 = scores.overall;
                    }
                    None => per_scenario.push((
                        row.scenario_title.clone(),
                        1,
                        scores.overall,
                        scores.overall,
                    )),
                }
            }
            for (title, count, best, latest) in per_scenario {
                ui.horizontal(|ui| {
                    ui.add_sized([280.0, 20.0], egui::Label::new(title).truncate());
                    theme::muted(ui, format!("{count} played"));
                    ui.label(
                        egui::RichText::new(format!("best {best}"))
                            .color(theme::score_colour(best, None)),
                    );
                    ui.label(
                        egui::RichText::new(format!("latest {latest}"))
                            .color(theme::score_colour(latest, None)),
                    );
                });
            }
        });
}

fn dimension_colour(d: Option<Dimension>) -> egui::Color32 {
    match d {
        Some(Dimension::Qualification) => theme::INFO,
        Some(Dimension::Discovery) => theme::ACCENT,
        Some(Dimension::Rapport) => theme::WARN,
        Some(Dimension::Velocity) => egui::Color32::from_rgb(0xc0, 0x7c, 0xf0),
        None => theme::TEXT,
    }
}

fn trend_chart(ui: &mut egui::Ui, trend: &[TrendPoint], focus: &[Dimension]) {
    use egui_plot::{Legend, Line, Plot, PlotPoints};
    let series = |f: &dyn Fn(&Scores) -> u8| -> Vec<[f64; 2]> {
        trend
            .iter()
            .enumerate()
            .map(|(i, p)| [(i + 1) as f64, f64::from(f(&p.scores))])
            .collect()
    };
    Plot::new("rep-trend")
        .height(260.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_label("session")
        .y_axis_label("score")
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show(ui, |plot| {
            for d in Dimension::ALL {
                let width = if focus.contains(&d) { 3.5 } else { 1.5 };
                let name = if focus.contains(&d) {
                    format!("{} (focus)", d.label())
                } else {
                    d.label().to_string()
                };
                plot.line(
                    Line::new(name, PlotPoints::from(series(&|s| d.of(s))))
                        .color(dimension_colour(Some(d)))
                        .width(width),
                );
            }
            plot.line(
                Line::new("Overall", PlotPoints::from(series(&|s| s.overall)))
                    .color(dimension_colour(None))
                    .width(2.0),
            );
        });
}

/// A cell of the heatmap: red through amber to green.
fn heat(score: f64) -> egui::Color32 {
    let t = (score / 100.0).clamp(0.0, 1.0) as f32;
    let (from, to, u) = if t < 0.5 {
        (theme::BAD, theme::WARN, t * 2.0)
    } else {
        (theme::WARN, theme::GOOD, (t - 0.5) * 2.0)
    };
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * u) as u8;
    egui::Color32::from_rgb(
        mix(from.r(), to.r()),
        mix(from.g(), to.g()),
        mix(from.b(), to.b()),
    )
}

fn team_tab(ui: &mut egui::Ui, view: &mut TrainerView) {
    if view.heatmap.is_empty() {
        theme::muted(ui, "No finished sessions yet.");
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("team-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Reps by dimension (mean of finished sessions)");
            let cell = egui::vec2(96.0, 26.0);
            ui.horizontal(|ui| {
                ui.add_sized([180.0, cell.y], egui::Label::new(""));
                for label in [
                    "Qualification",
                    "Discovery",
                    "Rapport",
                    "Velocity",
                    "Overall",
                    "Sessions",
                ] {
                    ui.add_sized(cell, egui::Label::new(egui::RichText::new(label).strong()));
                }
            });
            for row in &view.heatmap {
                ui.horizontal(|ui| {
                    ui.add_sized([180.0, cell.y], egui::Label::new(&row.rep).truncate());
                    for value in [
                        row.qualification,
                        row.discovery,
                        row.rapport,
                        row.velocity,
                        row.overall,
                    ] {
                        let (rect, _) = ui.allocate_exact_size(cell, egui::Sense::hover());
                        ui.painter().rect_filled(
                            rect.shrink(1.0),
                            egui::CornerRadius::same(3),
                            heat(value),
                        );
                        ui.painter().text(
                            rect.center(),
                            egui::Align2::CENTER_CENTER,
                            format!("{value:.0}"),
                            egui::FontId::proportional(14.0),
                            egui::Color32::BLACK,
                        );
                    }
                    ui.add_sized(cell, egui::Label::new(row.sessions.to_string()));
                });
            }
            ui.add_space(14.0);
            theme::section(ui, "Improved most: last 30 days against the 30 before");
            if view.improved.is_empty() {
                theme::muted(ui, "Nobody has sessions in both periods yet.");
            }
            for (rank, improvement) in view.improved.iter().enumerate() {
                let change = improvement.recent - improvement.before;
                ui.horizontal(|ui| {
                    ui.label(format!("{}. {}", rank + 1, improvement.rep));
                    ui.label(
                        egui::RichText::new(format!(
                            "{:.0} → {:.0} ({change:+.0}) over {} recent session(s)",
                            improvement.before, improvement.recent, improvement.recent_sessions
                        ))
                        .color(if change >= 0.0 {
                            theme::GOOD
                        } else {
                            theme::BAD
                        }),
                    );
                });
            }
        });
}

fn scenarios_tab(ui: &mut egui::Ui, view: &mut TrainerView, library: &Library) {
    if view.scenarios.is_empty() {
        theme::muted(ui, "No sessions yet.");
        return;
    }
    ui.horizontal(|ui| {
        ui.label("Scenario");
        let before = view.scenario.clone();
        let options = view.scenarios.clone();
        egui::ComboBox::from_id_salt("trainer-scenario")
            .selected_text(
                options
                    .iter()
                    .find(|o| Some(&o.0) == view.scenario.as_ref())
                    .map_or(String::new(), |o| o.1.clone()),
            )
            .show_ui(ui, |ui| {
                for (key, label) in &options {
                    ui.selectable_value(&mut view.scenario, Some(key.clone()), label);
                }
            });
        if view.scenario != before {
            view.stale = true;
        }
    });
    if view.analysing.is_some() {
        theme::muted(ui, "Working out where this call's reps go wrong…");
    }
    let Some(analysis) = &view.analysis else {
        return;
    };
    let scenario = view
        .scenario
        .as_deref()
        .and_then(|id| library.playable(id))
        .map(|(_, s)| s);
    ui.label(format!(
        "{} sessions, {} finished, {} made the right call ({:.0}%).",
        analysis.sessions,
        analysis.finished,
        analysis.right_calls,
        if analysis.finished > 0 {
            f64::from(analysis.right_calls) * 100.0 / f64::from(analysis.finished)
        } else {
            0.0
        }
    ));
    egui::ScrollArea::vertical()
        .id_salt("scenario-tab")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::section(ui, "Where wrong calls ended (the node of the last choice)");
            if analysis.lost_at.is_empty() {
                theme::muted(ui, "No wrong calls.");
            }
            for (node, count) in &analysis.lost_at {
                ui.label(egui::RichText::new(format!("{node}: {count}")).color(theme::BAD));
            }
            ui.add_space(8.0);
            theme::section(ui, "Facts most often missed");
            for (fact, missed) in analysis.missed_facts.iter().take(8) {
                let text = scenario
                    .and_then(|s| s.fact(fact))
                    .map_or(String::new(), |f| format!(" ({})", f.text));
                ui.horizontal(|ui| {
                    theme::meter(
                        ui,
                        100.0 * *missed as f32 / analysis.finished.max(1) as f32,
                        120.0,
                        theme::WARN,
                        None,
                    );
                    ui.label(format!(
                        "{fact}: missed in {missed} of {}{text}",
                        analysis.finished
                    ));
                });
            }
            ui.add_space(8.0);
            theme::section(ui, "Choices at each node, most visited first");
            for node in &analysis.nodes {
                ui.label(
                    egui::RichText::new(format!("{} ({} visits)", node.node_id, node.visits))
                        .strong(),
                );
                for choice in &node.choices {
                    ui.horizontal(|ui| {
                        ui.add_space(12.0);
                        theme::meter(
                            ui,
                            100.0 * choice.taken as f32 / node.visits.max(1) as f32,
                            120.0,
                            theme::ACCENT,
                            None,
                        );
                        ui.label(format!(
                            "{:>3}%  [{}] {}",
                            choice.taken * 100 / node.visits.max(1),
                            choice.move_kind.label(),
                            crate::text::shorten(&choice.say, 90)
                        ));
                    });
                }
            }
        });
}

fn lrs_tab(ui: &mut egui::Ui, view: &mut TrainerView, log: &SessionLog) {
    match &log.config.lrs {
        Some(lrs) => ui.label(format!("LRS: {} as {}", lrs.endpoint, lrs.user)),
        None => ui.label(
            "No LRS is configured: statements wait in the local queue. Set `lrs` in config.ron (see the README).",
        ),
    };
    if let Some(outbox) = &view.outbox {
        ui.label(format!(
            "{} statement(s) sent, {} waiting, {} rejected.",
            outbox.sent,
            outbox.queued,
            outbox.rejected.len()
        ));
        for rejected in outbox.rejected.iter().take(20) {
            ui.label(
                egui::RichText::new(format!(
                    "Session {}: {}",
                    rejected.session_id,
                    crate::text::shorten(&rejected.reason, 160)
                ))
                .color(theme::BAD),
            );
        }
    }
    let running = log.sync.running.load(Ordering::SeqCst);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                log.config.lrs.is_some() && !running,
                egui::Button::new("Send now"),
            )
            .clicked()
        {
            log.sync_in_background();
        }
        if running {
            ui.spinner();
            theme::muted(ui, "sending...");
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(300));
            view.stale = true;
        }
    });
    if let Some(last) = log
        .sync
        .last
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        match last {
            Ok(report) => theme::muted(
                ui,
                format!(
                    "Last sync: {} sent, {} rejected, {} still waiting{}",
                    report.sent,
                    report.rejected.len(),
                    report.queued,
                    report
                        .stopped
                        .as_ref()
                        .map_or(String::new(), |why| format!(" ({why})"))
                ),
            ),
            Err(error) => {
                ui.label(
                    egui::RichText::new(format!("Last sync failed: {error}")).color(theme::BAD),
                );
            }
        }
    }
}

fn replay_view(
    ui: &mut egui::Ui,
    view: &mut TrainerView,
    commands: &mut Commands,
    next: &mut NextState<Screen>,
) {
    let Some(replay) = &mut view.replay else {
        return;
    };
    let row = replay.stored.row.clone();
    let turns = replay.stored.turns.len();
    let mut close = ui.input(|i| i.key_pressed(egui::Key::Escape));
    ui.horizontal(|ui| {
        close |= ui.button("Back to sessions").clicked();
        theme::heading(ui, &format!("{} · {}", row.rep, row.scenario_title));
    });
    theme::muted(
        ui,
        format!(
            "Session {} · {} UTC · {} · seed {} · revision {}",
            row.id,
            clock::short(row.started_at),
            row.status.label(),
            row.seed,
            &row.revision[..row.revision.len().min(12)]
        ),
    );
    ui.horizontal(|ui| {
        let (left, right) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
            )
        });
        if ui.button("|<").on_hover_text("The opening").clicked() {
            replay.step = 0;
        }
        if ui.button("< Back").clicked() || left {
            replay.step = replay.step.saturating_sub(1);
        }
        if ui.button("Next >").clicked() || right {
            replay.step = (replay.step + 1).min(turns);
        }
        if ui.button(">|").on_hover_text("The whole call").clicked() {
            replay.step = turns;
        }
        ui.label(format!("Turn {} of {turns}", replay.step));
        if let Some(session) = &replay.session
            && session.is_over()
            && theme::primary_button(ui, "Open the debrief").clicked()
        {
            commands.insert_resource(FinishedCall {
                debrief: Debrief::of(session),
                scenario: session.scenario().clone(),
                asset: Handle::<crate::app::scenarios::ScenarioAsset>::default().id(),
                seed: session.seed(),
                progress: Progress {
                    personal_best: false,
                    previous_best: None,
                    first_right_qualify_out: false,
                },
                replay_of: Some(row.id),
            });
            next.set(Screen::Debrief);
        }
    });
    if let Some(problem) = &replay.problem {
        ui.label(
            egui::RichText::new(format!(
                "This session cannot be replayed: {problem}. Its stored transcript is shown."
            ))
            .color(theme::WARN),
        );
    }
    if let (Some(session), Some(stored)) = (&replay.session, row.scores)
        && session.scores() != Some(stored)
        && row.status == Status::Finished
    {
        ui.label(
            egui::RichText::new("The replay's scores differ from the stored ones.")
                .color(theme::WARN),
        );
    }
    ui.separator();
    let step = replay.step;
    let scenario = replay.session.as_ref().map(Session::scenario);
    egui::ScrollArea::vertical()
        .id_salt("replay-transcript")
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            let said = |ui: &mut egui::Ui, said: &crate::store::Said| match said {
                crate::store::Said::Buyer(line) => {
                    theme::card().fill(theme::BUYER_BUBBLE).show(ui, |ui| {
                        ui.label(line);
                    });
                }
                crate::store::Said::Fact(id) => {
                    let fact = scenario.and_then(|s| s.fact(id));
                    let text =
                        fact.map_or(id.clone(), |f| format!("{}: {}", f.kind.label(), f.text));
                    ui.label(egui::RichText::new(format!("noted - {text}")).color(theme::GOOD));
                }
                crate::store::Said::Chance(to) => {
                    theme::muted(ui, format!("(chance: the call went to {to})"));
                }
            };
            for s in &replay.stored.opening {
                said(ui, s);
            }
            for turn in replay.stored.turns.iter().take(step) {
                ui.with_layout(egui::Layout::top_down(egui::Align::Max), |ui| {
                    theme::card().fill(theme::REP_BUBBLE).show(ui, |ui| {
                        ui.set_max_width(ui.available_width() * 0.8);
                        ui.label(&turn.say);
                        theme::muted(
                            ui,
                            format!(
                                "turn {} · {} · {:.1} s to decide · trust {} · {} min left",
                                turn.turn + 1,
                                turn.move_kind.label(),
                                turn.think_ms as f64 / 1000.0,
                                turn.trust_after,
                                turn.minutes_left_after
                            ),
                        );
                    });
                });
                for s in &turn.reply {
                    said(ui, s);
                }
            }
            if step == turns {
                ui.add_space(6.0);
                match (row.outcome, row.scores) {
                    (Some(outcome), Some(scores)) => theme::section(
                        ui,
                        &format!("{} · overall {}", outcome.label(), scores.overall),
                    ),
                    _ => theme::section(ui, &format!("The call was {}.", row.status.label())),
                }
            }
        });
    if close {
        view.replay = None;
        view.stale = true;
    }
}
