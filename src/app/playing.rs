//! The call being played: a `crate::Session` in a resource, driven by messages, so that the
//! screens, the scripted demo and the headless tests all play a call the same way.

use super::Screen;
use super::records::{DbWorker, Pending, SessionLog};
use super::reps::Reps;
use super::scenarios::{Library, ScenarioAsset};
use crate::engine::campaign::{PlayedCall, Progress as RunProgress};
use crate::engine::debrief::Debrief;
use crate::engine::model::Scenario;
use crate::engine::session::{PlaytestStart, Session};
use crate::records::store::Progress;
use bevy::prelude::*;

/// Start a call on a scenario from the library.
#[derive(Message, Debug, Clone)]
pub struct StartCall {
    pub scenario_id: String,
    pub seed: u64,
}

/// Play the next call of a campaign run: the run given (the rep's unfinished run, or the one
/// whose call just ended), or a new run when `run` is `None`.
#[derive(Message, Debug, Clone)]
pub struct StartCampaignCall {
    pub campaign_id: String,
    pub run: Option<CampaignRun>,
}

/// A campaign run as the window carries it between calls: its id, its seed and the calls
/// finished so far, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRun {
    pub campaign_id: String,
    pub run: String,
    pub run_seed: u64,
    pub played: Vec<PlayedCall>,
}

/// Play a scenario from a node, as its author set it up on the Author screen: a playtest, never
/// stored as a rep's session.
#[derive(Message, Debug, Clone)]
pub struct StartPlaytest {
    pub scenario_id: String,
    pub start: PlaytestStart,
    pub seed: u64,
}

/// Take the n-th offered choice (0-based), as key n+1 does.
#[derive(Message, Debug, Clone, Copy)]
pub struct Choose(pub usize);

/// Go from a call that has ended to its debrief, once the debrief is ready.
#[derive(Message, Debug, Clone, Copy)]
pub struct OpenDebrief;

/// Leave the call before it ends and go back to the library.
#[derive(Message, Debug, Clone, Copy)]
pub struct AbandonCall;

/// Play the last call again, with the same seed or a new one, on the scenario as it is now.
#[derive(Message, Debug, Clone, Copy)]
pub struct RestartCall {
    pub new_seed: bool,
}

/// The call in progress.
#[derive(Resource, Debug)]
pub struct ActiveCall {
    pub session: Session,
    pub asset: AssetId<ScenarioAsset>,
    /// The scenario file changed on disk since the call started.
    pub changed_on_disk: bool,
    pub paused: bool,
    /// When the newest buyer line started to appear (seconds of `Time`), for the typing effect.
    pub typing_since: f64,
    /// The rep skipped the typing of the newest line.
    pub typing_skipped: bool,
    /// Once the call has ended: its debrief and the rep's progress, worked out off the frame
    /// while the buyer's closing line is on screen.
    pub preparing: Option<Preparing>,
    /// Where an author's playtest started (`None` for a rep's call, which is stored).
    pub playtest: Option<PlaytestStart>,
    /// The campaign run this call belongs to, with the calls finished before it.
    pub campaign_run: Option<CampaignRun>,
}

/// A debrief being worked out (the best-path search) and the rep's progress being read.
#[derive(Debug)]
pub struct Preparing {
    debrief: Pending<Debrief>,
    progress: Option<Pending<Result<Progress, String>>>,
    ready_debrief: Option<Debrief>,
    ready_progress: Option<Progress>,
}

/// The call that just ended, with its debrief.
#[derive(Resource, Debug)]
pub struct FinishedCall {
    pub debrief: Debrief,
    pub scenario: Scenario,
    pub asset: AssetId<ScenarioAsset>,
    pub seed: u64,
    pub progress: Progress,
    /// Set when this is a stored session opened from the trainer screen, not a call just played.
    pub replay_of: Option<i64>,
    /// Different for every debrief shown, so each opens at the top with its own open and
    /// closed sections instead of inheriting the previous debrief's (see `next_debrief`).
    pub serial: u64,
    /// Where the author's playtest started, when it was one.
    pub playtest: Option<PlaytestStart>,
    /// The campaign run the call belongs to, this call included once it finished.
    pub campaign_run: Option<CampaignRun>,
}

/// A new `FinishedCall::serial`.
pub fn next_debrief() -> u64 {
    static SHOWN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    SHOWN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Something the rep should know that is not an error in a file (a scenario that vanished, say).
#[derive(Resource, Debug, Default)]
pub struct Notice(pub Option<String>);

pub struct CallPlugin;

impl Plugin for CallPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<StartCall>()
            .add_message::<StartCampaignCall>()
            .add_message::<StartPlaytest>()
            .add_message::<Choose>()
            .add_message::<AbandonCall>()
            .add_message::<OpenDebrief>()
            .add_message::<RestartCall>()
            .init_resource::<Notice>()
            .add_systems(
                Update,
                (
                    start_calls,
                    start_campaign_calls,
                    start_playtests,
                    restart_calls,
                    take_choices,
                    prepare_debriefs,
                    open_debriefs,
                    abandon_calls,
                    notice_changed_scenario,
                )
                    .chain(),
            )
            .add_systems(Last, abandon_on_exit);
    }
}

/// Who is playing, where it is written and when it starts: what starting a call needs
/// besides the scenario.
struct Start<'a> {
    log: &'a mut SessionLog,
    rep: &'a str,
    /// Seconds of `Time`, for the typing of the first line.
    now: f64,
}

fn begin(
    commands: &mut Commands,
    next: &mut NextState<Screen>,
    start: Start,
    scenario: &Scenario,
    asset: AssetId<ScenarioAsset>,
    seed: u64,
    campaign_run: Option<CampaignRun>,
) {
    let session = Session::new(scenario, seed);
    start.log.begin(start.rep, &session);
    commands.insert_resource(ActiveCall {
        session,
        asset,
        changed_on_disk: false,
        paused: false,
        typing_since: start.now,
        typing_skipped: false,
        preparing: None,
        playtest: None,
        campaign_run,
    });
    commands.remove_resource::<FinishedCall>();
    next.set(Screen::Call);
}

/// Starts an author's playtest: the session starts at their node with their trust, minutes and
/// facts, and nothing of it is stored.
fn start_playtests(
    mut requests: MessageReader<StartPlaytest>,
    library: Res<Library>,
    time: Res<Time>,
    mut notice: ResMut<Notice>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    for request in requests.read() {
        let Some((entry, scenario)) = library.playable(&request.scenario_id) else {
            notice.0 = Some(format!(
                "The scenario \"{}\" cannot be played right now.",
                request.scenario_id
            ));
            continue;
        };
        match Session::playtest(scenario, request.seed, &request.start) {
            Ok(session) => {
                commands.insert_resource(ActiveCall {
                    session,
                    asset: entry.asset,
                    changed_on_disk: false,
                    paused: false,
                    typing_since: time.elapsed_secs_f64(),
                    typing_skipped: false,
                    preparing: None,
                    playtest: Some(request.start.clone()),
                    campaign_run: None,
                });
                commands.remove_resource::<FinishedCall>();
                notice.0 = None;
                next.set(Screen::Call);
            }
            Err(why) => notice.0 = Some(format!("Cannot play from there: {why}")),
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn start_calls(
    mut requests: MessageReader<StartCall>,
    library: Res<Library>,
    reps: Res<Reps>,
    mut log: ResMut<SessionLog>,
    time: Res<Time>,
    mut notice: ResMut<Notice>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    for request in requests.read() {
        match library.playable(&request.scenario_id) {
            Some((entry, scenario)) => {
                begin(
                    &mut commands,
                    &mut next,
                    Start {
                        log: &mut log,
                        rep: &reps.current,
                        now: time.elapsed_secs_f64(),
                    },
                    scenario,
                    entry.asset,
                    request.seed,
                    None,
                );
                notice.0 = None;
            }
            None => {
                notice.0 = Some(format!(
                    "The scenario \"{}\" cannot be played right now.",
                    request.scenario_id
                ))
            }
        }
    }
}

/// Restarts the call in progress or the one just finished, on the scenario's current version.
#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn restart_calls(
    mut requests: MessageReader<RestartCall>,
    library: Res<Library>,
    active: Option<Res<ActiveCall>>,
    finished: Option<Res<FinishedCall>>,
    reps: Res<Reps>,
    mut log: ResMut<SessionLog>,
    time: Res<Time>,
    mut notice: ResMut<Notice>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    let Some(request) = requests.read().last().copied() else {
        return;
    };
    let (asset, seed, campaign_call) = match (&active, &finished) {
        (Some(call), _) => (
            call.asset,
            call.session.seed(),
            call.campaign_run
                .clone()
                .map(|run| (call.session.scenario().clone(), run)),
        ),
        (None, Some(done)) => (
            done.asset,
            done.seed,
            done.campaign_run.clone().map(|mut run| {
                // Played again: the run's calls before this one, not this attempt.
                run.played.truncate(
                    done.scenario
                        .campaign
                        .as_ref()
                        .map_or(run.played.len(), |c| c.call as usize),
                );
                (done.scenario.clone(), run)
            }),
        ),
        (None, None) => return,
    };
    // A campaign's call is played again from the same carried start, not from the file's.
    let (scenario, campaign_run) = match campaign_call {
        Some((scenario, run)) => (scenario, Some(run)),
        None => {
            let Some(scenario) = library
                .entries
                .iter()
                .find(|e| e.asset == asset)
                .and_then(|e| e.scenario())
            else {
                notice.0 =
                    Some("This scenario has errors now; fix the file to play it again.".into());
                return;
            };
            (scenario.clone(), None)
        }
    };
    let seed = if request.new_seed {
        crate::engine::play::random::fresh_seed()
    } else {
        seed
    };
    if let Some(call) = &active {
        log.abandon(&call.session);
    }
    begin(
        &mut commands,
        &mut next,
        Start {
            log: &mut log,
            rep: &reps.current,
            now: time.elapsed_secs_f64(),
        },
        &scenario,
        asset,
        seed,
        campaign_run,
    );
}

/// Starts the next call of a campaign run, from what the run carried into it.
#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system takes the resources it uses as parameters"
)]
fn start_campaign_calls(
    mut requests: MessageReader<StartCampaignCall>,
    library: Res<Library>,
    reps: Res<Reps>,
    mut log: ResMut<SessionLog>,
    time: Res<Time>,
    mut notice: ResMut<Notice>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    for request in requests.read() {
        let Some(campaign) = library.campaign(&request.campaign_id) else {
            notice.0 = Some(format!(
                "The campaign \"{}\" cannot be played right now.",
                request.campaign_id
            ));
            continue;
        };
        let run = request.run.clone().unwrap_or_else(|| CampaignRun {
            campaign_id: campaign.id.clone(),
            run: uuid::Uuid::new_v4().to_string(),
            run_seed: crate::engine::play::random::fresh_seed(),
            played: Vec::new(),
        });
        let RunProgress::Next(index) = campaign.progress(&run.played) else {
            notice.0 = Some(format!("This run of {} is over.", campaign.title));
            continue;
        };
        let id = &campaign.calls[index].scenario;
        let Some((entry, scenario)) = library.playable(id) else {
            notice.0 = Some(format!("The scenario \"{id}\" cannot be played right now."));
            continue;
        };
        match campaign.start_call(index, &run.played, run.run_seed, &run.run, scenario) {
            Ok(start) => {
                begin(
                    &mut commands,
                    &mut next,
                    Start {
                        log: &mut log,
                        rep: &reps.current,
                        now: time.elapsed_secs_f64(),
                    },
                    &start.scenario,
                    entry.asset,
                    start.seed,
                    Some(run),
                );
                notice.0 = None;
            }
            Err(why) => notice.0 = Some(format!("Cannot start the call: {why}")),
        }
    }
}

fn take_choices(
    mut choices: MessageReader<Choose>,
    call: Option<ResMut<ActiveCall>>,
    mut log: ResMut<SessionLog>,
    worker: Res<DbWorker>,
    time: Res<Time>,
) {
    let Some(mut call) = call else {
        choices.clear();
        return;
    };
    for Choose(n) in choices.read().copied() {
        if call.session.is_over() || call.paused {
            continue;
        }
        match call.session.choose_offered(n) {
            Ok(()) => {
                call.typing_since = time.elapsed_secs_f64();
                call.typing_skipped = false;
                log.turn(&call.session);
            }
            Err(error) => debug!("choice {} ignored: {error}", n + 1),
        }
    }
    if call.session.is_over() && call.preparing.is_none() {
        let session = call.session.clone();
        let progress = log
            .last_ended
            .map(|id| worker.submit(move |store| store.progress(id).map_err(|e| e.to_string())));
        call.preparing = Some(Preparing {
            debrief: worker.compute(move || Debrief::of(&session)),
            progress,
            ready_debrief: None,
            ready_progress: None,
        });
    }
}

/// Takes in a finished call's debrief and progress as they arrive; the call screen offers the
/// debrief once both are in.
fn prepare_debriefs(call: Option<ResMut<ActiveCall>>, mut commands: Commands) {
    let Some(mut call) = call else {
        return;
    };
    let ActiveCall {
        session,
        asset,
        preparing,
        playtest,
        campaign_run,
        ..
    } = &mut *call;
    let Some(preparing) = preparing else {
        return;
    };
    if preparing.ready_debrief.is_none() {
        preparing.ready_debrief = preparing.debrief.try_take();
    }
    if let Some(pending) = &mut preparing.progress
        && let Some(answer) = pending.try_take()
    {
        preparing.ready_progress = Some(answer.unwrap_or_default());
        preparing.progress = None;
    }
    if preparing.progress.is_none()
        && let Some(debrief) = preparing.ready_debrief.take()
    {
        commands.insert_resource(FinishedCall {
            debrief,
            scenario: session.scenario().clone(),
            asset: *asset,
            seed: session.seed(),
            progress: preparing.ready_progress.unwrap_or_default(),
            replay_of: None,
            serial: next_debrief(),
            playtest: playtest.clone(),
            campaign_run: campaign_run.clone().map(|mut run| {
                run.played.extend(PlayedCall::of(session));
                run
            }),
        });
    }
}

/// The rep asked for the debrief of the call that just ended.
fn open_debriefs(
    mut requests: MessageReader<OpenDebrief>,
    call: Option<Res<ActiveCall>>,
    finished: Option<Res<FinishedCall>>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    if requests.read().count() == 0 {
        return;
    }
    if call.is_some_and(|c| c.session.is_over()) && finished.is_some() {
        commands.remove_resource::<ActiveCall>();
        next.set(Screen::Debrief);
    }
}

fn abandon_calls(
    mut requests: MessageReader<AbandonCall>,
    call: Option<Res<ActiveCall>>,
    mut log: ResMut<SessionLog>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    if requests.read().count() > 0
        && let Some(call) = call
    {
        log.abandon(&call.session);
        commands.remove_resource::<ActiveCall>();
        next.set(if call.playtest.is_some() {
            Screen::Author
        } else {
            Screen::Library
        });
    }
}

/// The window is closing mid-call: the call is stored as abandoned, not left hanging.
fn abandon_on_exit(
    mut exits: MessageReader<AppExit>,
    call: Option<Res<ActiveCall>>,
    mut log: ResMut<SessionLog>,
) {
    if exits.read().count() > 0
        && let Some(call) = call
    {
        log.abandon(&call.session);
    }
}

/// Hot reload: when the file of the call in progress changes, the call screen offers a restart.
fn notice_changed_scenario(
    mut events: MessageReader<AssetEvent<ScenarioAsset>>,
    call: Option<ResMut<ActiveCall>>,
) {
    let Some(mut call) = call else {
        events.clear();
        return;
    };
    for event in events.read() {
        if let AssetEvent::Modified { id } = event
            && *id == call.asset
        {
            call.changed_on_disk = true;
        }
    }
}
