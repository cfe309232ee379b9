//! A window told to stop (SIGTERM from a logout or a shutdown, SIGINT, SIGHUP) stops as if its
//! window were closed: the call in progress is stored as abandoned, not left hanging. The signal
//! wakes the event loop, which otherwise sleeps until input. A window whose display goes away
//! (the X server quits, a remote session drops) is ended by Xlib calling `exit()` with no Rust
//! code after it: an `atexit` hook stores the call in progress as abandoned then.

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the signal thread; read on the next frame.
#[derive(Resource, Clone, Default)]
struct StopRequested(Arc<AtomicBool>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<StopRequested>()
        .add_systems(Startup, (listen_for_signals, store_call_at_exit))
        .add_systems(First, exit_when_asked);
}

/// The call being played, as the records know it: (database, session id). Set when a call
/// starts, cleared when it ends; read by the `atexit` hook.
static CALL_IN_PROGRESS: std::sync::Mutex<Option<(std::path::PathBuf, i64)>> =
    std::sync::Mutex::new(None);

/// Notes the call in progress (or none), for the exit hook.
pub(crate) fn note_call_in_progress(call: Option<(std::path::PathBuf, i64)>) {
    if let Ok(mut current) = CALL_IN_PROGRESS.lock() {
        *current = call;
    }
}

extern "C" fn abandon_call_at_exit() {
    let call = CALL_IN_PROGRESS.lock().ok().and_then(|mut c| c.take());
    if let Some((path, session_id)) = call
        && let Ok(store) = crate::records::store::Store::open(&path)
    {
        let _ = store.close_as_abandoned(session_id);
    }
}

fn store_call_at_exit() {
    // SAFETY: registers a plain function with no arguments, as `atexit` asks.
    if unsafe { libc::atexit(abandon_call_at_exit) } != 0 {
        warn!(
            "cannot register the exit hook; a call cut short by a lost display shows as interrupted"
        );
    }
}

fn listen_for_signals(stop: Res<StopRequested>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(signals) => signals,
        Err(error) => {
            warn!("cannot listen for stop signals: {error}");
            return;
        }
    };
    let flag = stop.0.clone();
    let proxy = proxy.map(|p| (**p).clone());
    let spawned = std::thread::Builder::new()
        .name("dealsim-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                flag.store(true, Ordering::SeqCst);
                if let Some(proxy) = &proxy {
                    let _ = proxy.send_event(WinitUserEvent::WakeUp);
                }
            }
        });
    if let Err(error) = spawned {
        warn!("cannot listen for stop signals: {error}");
    }
}

/// Exits the app the way closing the window does, so `abandon_on_exit` stores the call.
fn exit_when_asked(
    stop: Res<StopRequested>,
    mut exit: MessageWriter<AppExit>,
    mut done: Local<bool>,
) {
    if !*done && stop.0.load(Ordering::SeqCst) {
        info!("asked to stop: closing as if the window were closed");
        exit.write(AppExit::Success);
        *done = true;
    }
}
