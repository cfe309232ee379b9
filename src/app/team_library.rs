//! The team's library in the window: when the settings name one, this machine's copy is brought
//! up to date on a thread of its own when the window opens and whenever the library screen
//! opens (at most every few minutes), and the library screen says when the source could not be
//! read or a file there was kept back. The copy is the folder the window plays, so new and
//! changed calls arrive through the folder's usual hot reload.

use crate::app::Screen;
use crate::records::config::LibraryConfig;
use crate::records::library::{LibraryUpdate, update};
use bevy::prelude::*;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The least time between two updates started by opening the library screen.
const EVERY: Duration = Duration::from_secs(300);

#[derive(Resource, Default)]
pub struct TeamLibrary {
    pub config: Option<LibraryConfig>,
    pending: Option<Mutex<Receiver<LibraryUpdate>>>,
    started: Option<Instant>,
    /// What the last update did.
    pub last: Option<LibraryUpdate>,
}

impl TeamLibrary {
    pub fn new(config: Option<LibraryConfig>) -> TeamLibrary {
        TeamLibrary {
            config,
            ..TeamLibrary::default()
        }
    }

    /// Starts an update unless one is on its way or one started less than `EVERY` ago.
    fn start(&mut self) {
        let Some(config) = self.config.clone() else {
            return;
        };
        if self.pending.is_some() || self.started.is_some_and(|at| at.elapsed() < EVERY) {
            return;
        }
        let (reply, answer) = channel();
        self.pending = Some(Mutex::new(answer));
        self.started = Some(Instant::now());
        std::thread::spawn(move || {
            let _ = reply.send(update(&config.source, &config.copy_folder()));
            crate::app::records::wake();
        });
    }

    /// A line for the library screen when something needs saying.
    pub fn problem(&self) -> Option<String> {
        let last = self.last.as_ref()?;
        (last.unreachable.is_some() || !last.kept_back.is_empty()).then(|| last.summary())
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Startup, |mut library: ResMut<TeamLibrary>| library.start())
        .add_systems(
            OnEnter(Screen::Library),
            |mut library: ResMut<TeamLibrary>| library.start(),
        )
        .add_systems(Update, take_update);
}

fn take_update(mut library: ResMut<TeamLibrary>) {
    let Some(pending) = &library.pending else {
        return;
    };
    let received = pending
        .lock()
        .ok()
        .and_then(|answer| answer.try_recv().ok());
    if let Some(done) = received {
        info!("{}", done.summary());
        library.last = Some(done);
        library.pending = None;
    }
}
