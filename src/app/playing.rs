//! The call being played: a `crate::Session` in a resource, driven by messages, so that the
//! screens, the scripted demo and the headless tests all play a call the same way.

use super::Screen;
use super::records::SessionLog;
use super::reps::Reps;
use super::scenarios::{Library, ScenarioAsset};
use crate::debrief::Debrief;
use crate::profile::Progress;
use crate::{Outcome, Scenario, Session};
use bevy::prelude::*;

/// Start a call on a scenario from the library.
#[derive(Message, Debug, Clone)]
pub struct StartCall {
    pub scenario_id: String,
    pub seed: u64,
}

/// Take the n-th offered choice (0-based), as key n+1 does.
#[derive(Message, Debug, Clone, Copy)]
pub struct Choose(pub usize);

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
}

/// Something the rep should know that is not an error in a file (a scenario that vanished, say).
#[derive(Resource, Debug, Default)]
pub struct Notice(pub Option<String>);

pub struct CallPlugin;

impl Plugin for CallPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<StartCall>()
            .add_message::<Choose>()
            .add_message::<AbandonCall>()
            .add_message::<RestartCall>()
            .init_resource::<Notice>()
            .add_systems(
                Update,
                (
                    start_calls,
                    restart_calls,
                    take_choices,
                    abandon_calls,
                    notice_changed_scenario,
                )
                    .chain(),
            )
            .add_systems(Last, abandon_on_exit);
    }
}

/// Who is playing and where it is written: what starting a call needs besides the scenario.
struct Start<'a> {
    log: &'a mut SessionLog,
    rep: &'a str,
}

fn begin(
    commands: &mut Commands,
    next: &mut NextState<Screen>,
    start: Start,
    scenario: &Scenario,
    asset: AssetId<ScenarioAsset>,
    seed: u64,
    now: f64,
) {
    let session = Session::new(scenario, seed);
    start.log.begin(start.rep, &session);
    commands.insert_resource(ActiveCall {
        session,
        asset,
        changed_on_disk: false,
        paused: false,
        typing_since: now,
        typing_skipped: false,
    });
    commands.remove_resource::<FinishedCall>();
    next.set(Screen::Call);
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
                    },
                    scenario,
                    entry.asset,
                    request.seed,
                    time.elapsed_secs_f64(),
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
    let (asset, seed) = match (&active, &finished) {
        (Some(call), _) => (call.asset, call.session.seed()),
        (None, Some(done)) => (done.asset, done.seed),
        (None, None) => return,
    };
    let Some(scenario) = library
        .entries
        .iter()
        .find(|e| e.asset == asset)
        .and_then(|e| e.scenario())
    else {
        notice.0 = Some("This scenario has errors now; fix the file to play it again.".into());
        return;
    };
    let seed = if request.new_seed {
        crate::session::fresh_seed()
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
        },
        scenario,
        asset,
        seed,
        time.elapsed_secs_f64(),
    );
}

fn take_choices(
    mut choices: MessageReader<Choose>,
    call: Option<ResMut<ActiveCall>>,
    mut reps: ResMut<Reps>,
    mut log: ResMut<SessionLog>,
    time: Res<Time>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
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
    if call.session.is_over() {
        let debrief = Debrief::of(&call.session);
        let right_qualify_out = debrief.right_call && debrief.outcome == Outcome::QualifiedOut;
        let progress = reps.record(
            &debrief.scenario_id,
            debrief.scores.overall,
            right_qualify_out,
        );
        commands.insert_resource(FinishedCall {
            debrief,
            scenario: call.session.scenario().clone(),
            asset: call.asset,
            seed: call.session.seed(),
            progress,
            replay_of: None,
        });
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
        next.set(Screen::Library);
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
