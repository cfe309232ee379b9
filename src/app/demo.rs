//! A scripted run of the real window, for screenshots and CI: it signs a rep in, shows the
//! library, plays a call with given choices, and saves a PNG of each screen, then exits. A screen
//! that renders blank, a screenshot that fails, or a script that does not fit the call fails the run.

use super::Screen;
use super::playing::{ActiveCall, Choose, StartCall};
use super::reps::Reps;
use super::scenarios::Library;
use bevy::prelude::*;
use bevy::render::view::window::screenshot::{Screenshot, ScreenshotCaptured};
use std::collections::{HashMap, HashSet};
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
            } else if trainer.analysing.is_some() && demo.frames_in_step < 2 * SETTLE_FRAMES {
                // The scenario's analysis is worked out on a thread: wait for it (the step's
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
    call_cpu_ns: Vec<u64>,
    clocks: ThreadClocks,
    /// CPU time on the call screen by thread name, and the frames it was summed over.
    call_cpu_by_thread: std::collections::BTreeMap<String, u64>,
}

/// The CPU clocks of this process's threads but llvmpipe's, from `/proc/self/task/*/schedstat`.
/// The files stay open and are read in place, and the thread list is walked again only once a
/// second: walking `/proc` every frame cost more than a tenth of a millisecond, which the probe
/// then counted as the app's.
#[derive(Default)]
struct ThreadClocks {
    /// Per thread id: its name, its open schedstat file, and its clock when last read.
    threads: HashMap<String, (String, std::fs::File, Option<u64>)>,
    reads: u32,
}

impl ThreadClocks {
    fn relist(&mut self) {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return;
        };
        let mut alive = HashMap::new();
        for task in tasks.flatten() {
            let id = task.file_name().to_string_lossy().into_owned();
            if let Some(known) = self.threads.remove(&id) {
                alive.insert(id, known);
                continue;
            }
            // A thread may end between the listing and the open: skip it.
            let dir = task.path();
            let Ok(name) = std::fs::read_to_string(dir.join("comm")) else {
                continue;
            };
            if name.starts_with("llvmpipe") {
                continue;
            }
            if let Ok(file) = std::fs::File::open(dir.join("schedstat")) {
                alive.insert(id, (name.trim().to_string(), file, None));
            }
        }
        self.threads = alive;
    }

    /// The CPU time each thread used since the last read (ns), by thread name; `None` where there
    /// is no `/proc` (not Linux).
    fn advance(&mut self, mut used: impl FnMut(&str, u64)) -> Option<()> {
        if self.reads.is_multiple_of(60) {
            self.relist();
        }
        self.reads += 1;
        if self.threads.is_empty() {
            return None;
        }
        let mut text = [0u8; 96];
        for (name, file, last) in self.threads.values_mut() {
            let Some(read) = read_from_start(file, &mut text) else {
                continue;
            };
            let now = std::str::from_utf8(&text[..read])
                .ok()
                .and_then(|stat| stat.split_whitespace().next())
                .and_then(|ns| ns.parse::<u64>().ok());
            if let (Some(now), Some(before)) = (now, *last) {
                used(name, now.saturating_sub(before));
            }
            *last = now;
        }
        Some(())
    }
}

/// Reads a `/proc` file again from its start without reopening it.
#[cfg(unix)]
fn read_from_start(file: &std::fs::File, buffer: &mut [u8]) -> Option<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, 0).ok()
}

#[cfg(not(unix))]
fn read_from_start(_file: &std::fs::File, _buffer: &mut [u8]) -> Option<usize> {
    None
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
            let mut by_thread: Vec<(&String, &u64)> = self.call_cpu_by_thread.iter().collect();
            by_thread.sort_by_key(|(_, ns)| std::cmp::Reverse(**ns));
            let threads: Vec<String> = by_thread
                .iter()
                .take(4)
                .map(|(name, ns)| format!("{name} {:.2}", **ns as f64 / 1e6 / cpu.len() as f64))
                .collect();
            format!(
                "; app CPU per frame (all threads but llvmpipe) median {:.2} ms, p95 {:.2} ms, mean by thread (ms): {}",
                cpu_at(0.5),
                cpu_at(0.95),
                threads.join(", ")
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
    let on_call = *screen.get() == Screen::Call;
    if let Some(started) = probe.started.take()
        && on_call
    {
        probe.call_frames.push(started.elapsed());
    }
    let probe = &mut *probe;
    let mut frame_ns = 0;
    let by_thread = &mut probe.call_cpu_by_thread;
    let read = probe.clocks.advance(|name, ns| {
        if on_call {
            frame_ns += ns;
            *by_thread.entry(name.to_string()).or_default() += ns;
        }
    });
    // The first read after a thread list change has no earlier clock for new threads; a frame
    // is counted only from the second read on.
    if read.is_some() && on_call && probe.clocks.reads > 1 {
        probe.call_cpu_ns.push(frame_ns);
    }
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
