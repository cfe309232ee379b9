//! A scripted run of the real window, for screenshots and CI: it signs a rep in, shows the
//! library, plays a call with given choices, and saves a PNG of each screen, then exits. A screen
//! that renders blank, a screenshot that fails, or a script that does not fit the call fails the run.

use super::accessibility::TabWalk;
use super::probe::{FrameProbe, end_frame, start_frame};
use crate::app::Screen;
use crate::app::author::AuthorView;
use crate::app::playing::{ActiveCall, Choose, FinishedCall, OpenDebrief, StartCall};
use crate::app::records::DbWorker;
use crate::app::reps::Reps;
use crate::app::scenarios::Library;
use crate::app::screens::NameField;
use crate::app::trainer::TrainerView;
use bevy::prelude::*;
use bevy::render::view::window::screenshot::{Screenshot, ScreenshotCaptured};
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct DemoScript {
    pub scenario_id: String,
    /// The choices as a rep would type them in `dealsim play`: numbers from 1 as shown, or
    /// choice ids (which do not depend on the order a seed shows the choices in).
    pub choices: Vec<String>,
    pub seed: u64,
    pub screenshot_dir: PathBuf,
    pub rep: String,
    /// The window's size in pixels, to capture every screen at several sizes.
    pub size: Option<(u32, u32)>,
}

pub struct DemoPlugin {
    pub script: DemoScript,
}

impl Plugin for DemoPlugin {
    fn build(&self, app: &mut App) {
        // The demo drives the window frame by frame, so it draws every frame.
        app.insert_resource(bevy::winit::WinitSettings::continuous())
            .add_plugins(super::accessibility::AccessibilityDump)
            .init_resource::<FrameProbe>()
            .add_systems(First, start_frame)
            .add_systems(Last, end_frame)
            .insert_resource(Demo {
                script: self.script.clone(),
                step: Step::WaitForLibrary,
                frames_in_step: 0,
                frames: 0,
                saved: Vec::new(),
                failure: None,
                choices_made: 0,
                walked: Vec::new(),
            })
            .add_systems(Update, drive)
            .add_systems(Startup, size_window)
            .add_systems(bevy_egui::EguiPrimaryContextPass, check_room);
    }
}

/// Fails the run when a screen would be refused as "too small": every window the demo is given
/// (800x600 and up) must get the screens' whole minimum room.
fn check_room(mut contexts: bevy_egui::EguiContexts, mut demo: ResMut<Demo>) {
    // The first frames run before the window has its size.
    if demo.frames < 30 || demo.failure.is_some() {
        return;
    }
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let room = ctx.content_rect().size();
    let minimum = crate::app::theme::MIN_SIZE;
    if room.x < minimum.x - 1.0 || room.y < minimum.y - 1.0 {
        let pixels = room * ctx.pixels_per_point();
        demo.failure = Some(format!(
            "a {:.0}x{:.0} window left the screens {:.0}x{:.0} points, less than their minimum {}x{}: it would be refused as too small",
            pixels.x, pixels.y, room.x, room.y, minimum.x, minimum.y
        ));
    }
}

/// Sets the window to the script's size, as a rep would by resizing it.
fn size_window(demo: Res<Demo>, mut windows: Query<&mut Window>) {
    if let Some((width, height)) = demo.script.size {
        for mut window in &mut windows {
            window.resolution.set(width as f32, height as f32);
        }
    }
}

/// Frames allowed for the whole run (a software renderer is slow) and for one step.
const MAX_FRAMES: u32 = 20_000;
const MAX_STEP_FRAMES: u32 = 3_000;
/// Frames to let a new screen lay itself out before it is captured.
const SETTLE_FRAMES: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    WaitForLibrary,
    Start,
    Library,
    Playing,
    Call,
    Debrief,
    /// The trainer's screen: one view per screenshot (see `TRAINER_SHOTS`).
    Trainer(usize),
    /// The Author screen: the demo's call as a map, its first choice's node selected.
    Author,
    Done,
}

/// The trainer's views the demo captures, in order.
const TRAINER_SHOTS: [&str; 6] = [
    "5-trainer-sessions.png",
    "6-trainer-rep.png",
    "7-trainer-team.png",
    "8-trainer-scenario.png",
    "10-trainer-assignments.png",
    "9-trainer-replay.png",
];

/// Puts the trainer's screen in the state of screenshot `index`.
fn set_trainer_view(
    index: usize,
    view: &mut TrainerView,
    worker: &DbWorker,
    script: &DemoScript,
) -> Result<(), String> {
    use crate::app::trainer::{Tab, open_replay};
    view.replay = None;
    view.stale = true;
    match index {
        0 => view.tab = Tab::Sessions,
        1 => {
            view.tab = Tab::Reps;
            view.rep = Some(script.rep.clone());
        }
        2 => view.tab = Tab::Team,
        3 => {
            view.tab = Tab::Scenarios;
            view.scenario = Some(script.scenario_id.clone());
        }
        4 => view.tab = Tab::Assignments,
        _ => {
            view.tab = Tab::Sessions;
            // The demo may wait for the worker: it drives the window, it is not a rep using it.
            let mut replay = worker
                .submit(|store| {
                    let newest = store
                        .sessions(
                            &crate::records::store::Filter::default(),
                            crate::records::store::SortKey::Started,
                            true,
                            Some(1),
                        )
                        .map_err(|e| e.to_string())?;
                    let id = newest.first().ok_or("no stored session to replay")?.id;
                    open_replay(store, id)
                })
                .wait()
                .ok_or("the database worker stopped")??;
            replay.step = replay.stored.turns.len();
            view.replay = Some(replay);
        }
    }
    Ok(())
}

#[derive(Resource)]
struct Demo {
    script: DemoScript,
    step: Step,
    frames_in_step: u32,
    frames: u32,
    /// Screenshots written and checked so far.
    saved: Vec<PathBuf>,
    failure: Option<String>,
    choices_made: usize,
    /// Screens Tab has been pressed through.
    walked: Vec<String>,
}

impl Demo {
    fn advance(&mut self, step: Step) {
        self.step = step;
        self.frames_in_step = 0;
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn drive(
    mut demo: ResMut<Demo>,
    library: Res<Library>,
    mut reps: ResMut<Reps>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    call: Option<ResMut<ActiveCall>>,
    mut start: MessageWriter<StartCall>,
    mut choose: MessageWriter<Choose>,
    mut open: MessageWriter<OpenDebrief>,
    finished: Option<Res<FinishedCall>>,
    mut name: ResMut<NameField>,
    mut exit: MessageWriter<AppExit>,
    (probe, mut walk, mut author): (Res<FrameProbe>, ResMut<TabWalk>, ResMut<AuthorView>),
    mut trainer: ResMut<TrainerView>,
    worker: Res<DbWorker>,
    mut commands: Commands,
) {
    demo.frames += 1;
    demo.frames_in_step += 1;
    if let Some(failure) = demo.failure.take() {
        error!("demo failed: {failure}");
        eprintln!("dealsim --demo: {failure}");
        exit.write(AppExit::error());
        demo.advance(Step::Done);
        return;
    }
    if demo.step != Step::Done
        && (demo.frames > MAX_FRAMES || demo.frames_in_step > MAX_STEP_FRAMES)
    {
        demo.failure = Some(format!("timed out at step {:?}", demo.step));
        return;
    }
    let shots = demo.saved.len();
    match demo.step {
        Step::WaitForLibrary => {
            if let Some(problem) = &library.problem {
                demo.failure = Some(problem.clone());
            } else if !library.loading && !library.entries.is_empty() {
                if library.playable(&demo.script.scenario_id).is_none() {
                    demo.failure = Some(format!(
                        "no playable scenario with id \"{}\"",
                        demo.script.scenario_id
                    ));
                    return;
                }
                name.0 = demo.script.rep.clone();
                demo.advance(Step::Start);
            }
        }
        Step::Start => {
            if demo.frames_in_step == SETTLE_FRAMES {
                capture(&mut commands, &demo, "1-start.png");
            } else if demo.frames_in_step > SETTLE_FRAMES && shots == 1 {
                let rep = demo.script.rep.clone();
                reps.sign_in(&rep);
                next.set(Screen::Library);
                demo.advance(Step::Library);
            }
        }
        Step::Library => {
            if demo.frames_in_step == SETTLE_FRAMES {
                capture(&mut commands, &demo, "2-library.png");
            } else if demo.frames_in_step > SETTLE_FRAMES && shots == 2 {
                start.write(StartCall {
                    scenario_id: demo.script.scenario_id.clone(),
                    seed: demo.script.seed,
                });
                demo.advance(Step::Playing);
            }
        }
        Step::Playing => {
            let Some(mut call) = call else { return };
            call.typing_skipped = true;
            let all_but_last = demo.script.choices.len().saturating_sub(1);
            if demo.choices_made == all_but_last {
                demo.advance(Step::Call);
            } else if demo.frames_in_step.is_multiple_of(4) {
                if call.session.is_over() {
                    demo.failure = Some(format!(
                        "the call ended after {} choices; the script has more",
                        demo.choices_made
                    ));
                    return;
                }
                let answer = &demo.script.choices[demo.choices_made];
                let Some(shown) = call.session.offer_for_answer(answer).map(|o| o.shown) else {
                    demo.failure = Some(format!(
                        "choice {} ({answer}) is not offered at node {}",
                        demo.choices_made + 1,
                        call.session.node_id()
                    ));
                    return;
                };
                choose.write(Choose(shown));
                demo.choices_made += 1;
            }
        }
        Step::Call => {
            let mut call = call;
            if let Some(call) = call.as_mut() {
                call.typing_skipped = true;
            }
            if demo.frames_in_step == SETTLE_FRAMES {
                capture(&mut commands, &demo, "3-call.png");
            } else if demo.frames_in_step > SETTLE_FRAMES
                && shots == 3
                && !walked(&mut demo, &mut walk, "3-call")
            {
                // Tab is pressed through the call screen first (`walked`).
            } else if demo.frames_in_step > SETTLE_FRAMES
                && shots == 3
                && !demo.walked.iter().any(|w| w == "3-call-paused")
            {
                // Then through the pause dialog (Esc), whose Abandon must be reachable too.
                if let Some(call) = call.as_mut() {
                    call.paused = true;
                }
                if !walk.running() && walk.result.is_none() {
                    walk.start_for(&["Resume", "Abandon call"]);
                } else if !walk.running()
                    && walked(&mut demo, &mut walk, "3-call-paused")
                    && let Some(call) = call.as_mut()
                {
                    call.paused = false;
                }
            } else if demo.frames_in_step > SETTLE_FRAMES && shots == 3 {
                if let Some(last) = demo.script.choices.last().cloned() {
                    match call
                        .as_ref()
                        .and_then(|c| c.session.offer_for_answer(&last))
                    {
                        Some(offer) => {
                            choose.write(Choose(offer.shown));
                        }
                        None => {
                            demo.failure = Some(format!("the last choice ({last}) is not offered"));
                            return;
                        }
                    }
                }
                demo.advance(Step::Debrief);
            }
        }
        Step::Debrief => {
            if *screen.get() != Screen::Debrief {
                if let Some(mut call) = call {
                    call.typing_skipped = true;
                    // The debrief is offered once it is worked out; the rep opens it.
                    if call.session.is_over() && finished.is_some() {
                        open.write(OpenDebrief);
                    }
                }
                if demo.frames_in_step > 600 {
                    demo.failure = Some("the script's choices did not end the call".into());
                }
                return;
            }
            if demo.frames_in_step < 30 {
                // Give the debrief (which replays the call against the search) time to lay out.
                return;
            }
            if shots == 3 && demo.frames_in_step == 30 + SETTLE_FRAMES {
                capture(&mut commands, &demo, "4-debrief.png");
            } else if shots == 4 && !walked(&mut demo, &mut walk, "4-debrief") {
                // Tab is pressed through the debrief first.
            } else if shots == 4 {
                next.set(Screen::Trainer);
                demo.advance(Step::Trainer(0));
            }
        }
        Step::Trainer(index) => {
            if demo.frames_in_step == 1 {
                let script = demo.script.clone();
                if let Err(problem) = set_trainer_view(index, &mut trainer, &worker, &script) {
                    demo.failure = Some(problem);
                }
            } else if (trainer.stale || trainer.loading.is_some())
                && demo.frames_in_step < 2 * SETTLE_FRAMES
            {
                // The view's figures are read by the database worker: wait for them (the step's
                // frame limit still applies).
                demo.frames_in_step = demo.frames_in_step.min(SETTLE_FRAMES);
            } else if demo.frames_in_step == 2 * SETTLE_FRAMES && shots == 4 + index {
                if let Some(error) = &trainer.error {
                    demo.failure = Some(format!("the trainer screen shows an error: {error}"));
                    return;
                }
                capture(&mut commands, &demo, TRAINER_SHOTS[index]);
            } else if shots == 5 + index && index + 1 < TRAINER_SHOTS.len() {
                demo.advance(Step::Trainer(index + 1));
            } else if shots == 5 + index {
                next.set(Screen::Author);
                demo.advance(Step::Author);
            }
        }
        Step::Author => {
            let scenario_id = demo.script.scenario_id.clone();
            if demo.frames_in_step == 1 {
                author.file = library.playable(&scenario_id).map(|(entry, _)| entry.asset);
            }
            let file = author.file;
            let start = author
                .map
                .as_ref()
                .filter(|m| Some(m.file) == file)
                .and_then(|m| m.map.nodes.iter().find(|n| n.start).map(|n| n.id.clone()));
            let Some(start) = start else {
                // The map is worked out off the frame; the step's frame limit still applies.
                demo.frames_in_step = demo.frames_in_step.min(SETTLE_FRAMES);
                return;
            };
            if author.selected.is_none() {
                author.select(&start);
                demo.frames_in_step = 1;
            } else if demo.frames_in_step == 2 * SETTLE_FRAMES && shots == 4 + TRAINER_SHOTS.len() {
                capture(&mut commands, &demo, "11-author.png");
            } else if shots == 5 + TRAINER_SHOTS.len() {
                eprintln!(
                    "dealsim --demo: saved {} screenshots in {}",
                    shots,
                    demo.script.screenshot_dir.display()
                );
                if let Some(report) = probe.report() {
                    eprintln!("dealsim --demo: {report}");
                }
                exit.write(AppExit::Success);
                demo.advance(Step::Done);
            }
        }
        Step::Done => {}
    }
}

/// Whether Tab has been pressed through the screen `name`: starts the walk, waits for it, then
/// writes the focus order beside the screenshot (`name.keyboard.txt`), or fails the run with the
/// buttons Tab never reached.
fn walked(demo: &mut Demo, walk: &mut TabWalk, name: &str) -> bool {
    if demo.walked.iter().any(|w| w == name) {
        return true;
    }
    if walk.running() {
        return false;
    }
    match walk.result.take() {
        None => {
            walk.start();
            false
        }
        Some(Ok(order)) => {
            let path = demo
                .script
                .screenshot_dir
                .join(format!("{name}.keyboard.txt"));
            if let Err(e) = std::fs::write(&path, order) {
                demo.failure = Some(format!("cannot write {}: {e}", path.display()));
            }
            demo.walked.push(name.to_string());
            true
        }
        Some(Err(problem)) => {
            demo.failure = Some(format!("on {name}: {problem}"));
            false
        }
    }
}

/// Takes a screenshot; once captured it is checked for content and saved.
fn capture(commands: &mut Commands, demo: &Demo, name: &str) {
    let path = demo.script.screenshot_dir.join(name);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>,
              mut demo: ResMut<Demo>,
              tree: Res<super::accessibility::LatestTree>| {
            // What a screen reader is given on this screen, beside its picture.
            let tree_path = path.with_extension("accessibility.txt");
            let written = match &tree.0 {
                Some(tree) => std::fs::write(&tree_path, tree)
                    .map_err(|e| format!("cannot write {}: {e}", tree_path.display())),
                None => Err("egui built no accessibility tree".to_string()),
            };
            match written.and_then(|()| save_if_not_blank(&captured.image, &path)) {
                Ok(()) => {
                    eprintln!("dealsim --demo: saved {}", path.display());
                    demo.saved.push(path.clone());
                }
                Err(problem) => demo.failure = Some(problem),
            }
        },
    );
}

fn save_if_not_blank(image: &Image, path: &std::path::Path) -> Result<(), String> {
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("cannot convert the screenshot for {}: {e}", path.display()))?
        .to_rgb8();
    // A rendered screen has text and panels; a blank one has a colour or two.
    let colours: HashSet<[u8; 3]> = rgb.pixels().step_by(7).map(|p| p.0).collect();
    if colours.len() < 16 {
        return Err(format!(
            "{} is blank ({} colours)",
            path.display(),
            colours.len()
        ));
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    rgb.save(path)
        .map_err(|e| format!("cannot save {}: {e}", path.display()))
}
