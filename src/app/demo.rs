//! A scripted run of the real window, for screenshots and CI: it signs a rep in, shows the
//! library, plays a call with given choices, and saves a PNG of each screen, then exits. A screen
//! that renders blank, a screenshot that fails, or a script that does not fit the call fails the run.

use super::Screen;
use super::playing::{ActiveCall, Choose, StartCall};
use super::reps::Reps;
use super::scenarios::Library;
use bevy::prelude::*;
use bevy::render::view::window::screenshot::{Screenshot, ScreenshotCaptured};
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct DemoScript {
    pub scenario_id: String,
    /// The choices as a rep would type them: numbers from 1 among the offered choices.
    pub choices: Vec<usize>,
    pub seed: u64,
    pub screenshot_dir: PathBuf,
    pub rep: String,
}

pub struct DemoPlugin {
    pub script: DemoScript,
}

impl Plugin for DemoPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<FrameProbe>()
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
            })
            .add_systems(Update, drive);
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
    Done,
}

/// The trainer's views the demo captures, in order.
const TRAINER_SHOTS: [&str; 5] = [
    "5-trainer-sessions.png",
    "6-trainer-rep.png",
    "7-trainer-team.png",
    "8-trainer-scenario.png",
    "9-trainer-replay.png",
];

/// Puts the trainer's screen in the state of screenshot `index`.
fn set_trainer_view(
    index: usize,
    view: &mut super::screens::trainer::TrainerView,
    log: &super::records::SessionLog,
    script: &DemoScript,
) -> Result<(), String> {
    use super::screens::trainer::{Tab, open_replay};
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
        _ => {
            view.tab = Tab::Sessions;
            let newest = log
                .with_store(|store| {
                    store.sessions(
                        &crate::store::Filter::default(),
                        crate::store::SortKey::Started,
                        true,
                        Some(1),
                    )
                })
                .ok_or("no session database")?
                .map_err(|e| e.to_string())?;
            let id = newest.first().ok_or("no stored session to replay")?.id;
            let mut replay = log
                .with_store(|store| open_replay(store, id))
                .ok_or("no session database")??;
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
    mut name: ResMut<super::screens::NameField>,
    mut exit: MessageWriter<AppExit>,
    probe: Res<FrameProbe>,
    mut trainer: ResMut<super::screens::trainer::TrainerView>,
    log: Res<super::records::SessionLog>,
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
                let n = demo.script.choices[demo.choices_made];
                let offered = call.session.offered().count();
                if n == 0 || n > offered {
                    demo.failure = Some(format!(
                        "choice {} is {n}, but {offered} choices are offered",
                        demo.choices_made + 1
                    ));
                    return;
                }
                choose.write(Choose(n - 1));
                demo.choices_made += 1;
            }
        }
        Step::Call => {
            if let Some(mut call) = call {
                call.typing_skipped = true;
            }
            if demo.frames_in_step == SETTLE_FRAMES {
                capture(&mut commands, &demo, "3-call.png");
            } else if demo.frames_in_step > SETTLE_FRAMES && shots == 3 {
                if let Some(&last) = demo.script.choices.last() {
                    choose.write(Choose(last.saturating_sub(1)));
                }
                demo.advance(Step::Debrief);
            }
        }
        Step::Debrief => {
            if *screen.get() != Screen::Debrief {
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
            } else if shots == 4 {
                next.set(Screen::Trainer);
                demo.advance(Step::Trainer(0));
            }
        }
        Step::Trainer(index) => {
            if demo.frames_in_step == 1 {
                let script = demo.script.clone();
                if let Err(problem) = set_trainer_view(index, &mut trainer, &log, &script) {
                    demo.failure = Some(problem);
                }
            } else if demo.frames_in_step == 2 * SETTLE_FRAMES && shots == 4 + index {
                if let Some(error) = &trainer.error {
                    demo.failure = Some(format!("the trainer screen shows an error: {error}"));
                    return;
                }
                capture(&mut commands, &demo, TRAINER_SHOTS[index]);
            } else if shots == 5 + index && index + 1 < TRAINER_SHOTS.len() {
                demo.advance(Step::Trainer(index + 1));
            } else if shots == 5 + index {
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

/// What each call-screen frame costs, reported when the demo ends: the main world's update
/// (wall time, UI included), and the CPU time the app's threads used from one frame's end to the
/// next, leaving out Mesa's llvmpipe threads, the software stand-in for a GPU. Wall time alone
/// overstates the cost on a 2-core machine, where llvmpipe preempts the app.
#[derive(Resource, Default)]
struct FrameProbe {
    started: Option<std::time::Instant>,
    call_frames: Vec<std::time::Duration>,
    last_cpu_ns: Option<u64>,
    call_cpu_ns: Vec<u64>,
}

/// CPU time (ns) used so far by this process's threads but llvmpipe's, from
/// `/proc/self/task/*/schedstat`; `None` where there is no such file (not Linux).
fn app_cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let dir = task.path();
        // A thread may end between the listing and the read: skip it.
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if comm.starts_with("llvmpipe") {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(dir.join("schedstat")) else {
            continue;
        };
        total += stat
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total)
}

impl FrameProbe {
    fn report(&self) -> Option<String> {
        let mut frames = self.call_frames.clone();
        if frames.is_empty() {
            return None;
        }
        frames.sort();
        let at = |q: f64| frames[((frames.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        let mut cpu = self.call_cpu_ns.clone();
        cpu.sort_unstable();
        let cpu_at = |q: f64| cpu[((cpu.len() - 1) as f64 * q) as usize] as f64 / 1e6;
        let cpu_text = if cpu.is_empty() {
            String::new()
        } else {
            format!(
                "; app CPU per frame (all threads but llvmpipe) median {:.2} ms, p95 {:.2} ms",
                cpu_at(0.5),
                cpu_at(0.95)
            )
        };
        Some(format!(
            "call screen: {} frames, main-world update median {:.2} ms, p95 {:.2} ms{cpu_text}",
            frames.len(),
            at(0.5),
            at(0.95)
        ))
    }
}

fn start_frame(mut probe: ResMut<FrameProbe>) {
    probe.started = Some(std::time::Instant::now());
}

fn end_frame(mut probe: ResMut<FrameProbe>, screen: Res<State<Screen>>) {
    let cpu = app_cpu_ns();
    let on_call = *screen.get() == Screen::Call;
    if let Some(started) = probe.started.take()
        && on_call
    {
        probe.call_frames.push(started.elapsed());
    }
    if let (Some(now), Some(before), true) = (cpu, probe.last_cpu_ns, on_call) {
        probe.call_cpu_ns.push(now.saturating_sub(before));
    }
    probe.last_cpu_ns = cpu;
}

/// Takes a screenshot; once captured it is checked for content and saved.
fn capture(commands: &mut Commands, demo: &Demo, name: &str) {
    let path = demo.script.screenshot_dir.join(name);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut demo: ResMut<Demo>| match save_if_not_blank(
            &captured.image,
            &path,
        ) {
            Ok(()) => {
                eprintln!("dealsim --demo: saved {}", path.display());
                demo.saved.push(path.clone());
            }
            Err(problem) => demo.failure = Some(problem),
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
