//! The window's database worker: one thread with its own connection, opened once, that runs the
//! reads (the trainer's queries, a rep's record, a replay's stored session) and the LRS sync off
//! the frame. A screen asks with `submit` and keeps the `Pending` answer; a system takes answers
//! in as they arrive. The window redraws only on input, so a finished job wakes it through
//! winit's event loop (`install_waker`); no frame waits for SQLite or the network, and nothing
//! spins while a job runs.

use crate::records::store::{Store, StoreError};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Mutex, OnceLock};

/// Wakes the window's event loop so that an answer that just arrived is taken in at once.
static WAKER: OnceLock<bevy::winit::EventLoopProxy<bevy::winit::WinitUserEvent>> = OnceLock::new();

pub(crate) fn wake() {
    if let Some(proxy) = WAKER.get() {
        let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
    }
}

type Job = Box<dyn FnOnce(Result<&Store, &StoreError>) + Send>;

/// The worker thread's inbox, and how many answers are still on their way.
#[derive(Resource, Clone)]
pub struct DbWorker {
    jobs: Sender<Job>,
    outstanding: Arc<AtomicUsize>,
}

/// An answer on its way. Until it is taken (or dropped) it counts as outstanding, and the window
/// keeps drawing, so an answer that arrives between two frames is never left waiting for input.
pub struct Pending<T> {
    /// In a mutex only so that a resource holding it is `Sync`, as Bevy asks.
    answer: Mutex<Receiver<T>>,
    outstanding: Option<Arc<AtomicUsize>>,
}

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("taken", &self.outstanding.is_none())
            .finish()
    }
}

impl<T> Pending<T> {
    fn new(answer: Receiver<T>, outstanding: Arc<AtomicUsize>) -> Pending<T> {
        outstanding.fetch_add(1, Ordering::SeqCst);
        Pending {
            answer: Mutex::new(answer),
            outstanding: Some(outstanding),
        }
    }

    fn settle(&mut self) {
        if let Some(count) = self.outstanding.take() {
            count.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// The answer, once it has arrived (then never again).
    pub fn try_take(&mut self) -> Option<T> {
        self.outstanding.as_ref()?;
        let received = self
            .answer
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .try_recv();
        match received {
            Ok(value) => {
                self.settle();
                Some(value)
            }
            Err(TryRecvError::Empty) => None,
            // The worker is gone (the app is closing): nothing will come.
            Err(TryRecvError::Disconnected) => {
                self.settle();
                None
            }
        }
    }

    /// Waits for the answer (tests and the scripted demo).
    pub fn wait(mut self) -> Option<T> {
        self.outstanding.as_ref()?;
        let value = self
            .answer
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .recv()
            .ok();
        self.settle();
        value
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        self.settle();
    }
}

impl DbWorker {
    /// Starts the worker on the database at `path`. A database that cannot be opened is reported
    /// to every job, which answers with the reason.
    pub fn start(path: PathBuf) -> DbWorker {
        let (jobs, inbox) = channel::<Job>();
        std::thread::Builder::new()
            .name("dealsim-db".into())
            .spawn(move || {
                let store = Store::open(&path);
                for job in inbox {
                    job(store.as_ref());
                }
            })
            .map_err(|e| warn!("cannot start the database thread: {e}"))
            .ok();
        DbWorker {
            jobs,
            outstanding: Arc::default(),
        }
    }

    /// Runs `work` on the worker's connection; its answer (or why there is none) comes later.
    pub fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, String> + Send + 'static,
    ) -> Pending<Result<T, String>> {
        let (reply, answer) = channel();
        let job: Job = Box::new(move |store| {
            let result = match store {
                Ok(store) => work(store),
                Err(problem) => Err(problem.to_string()),
            };
            let _ = reply.send(result);
            wake();
        });
        // If the thread is gone the answer never comes, and the Pending says so when asked.
        let _ = self.jobs.send(job);
        Pending::new(answer, self.outstanding.clone())
    }

    /// Work done off the frame on a thread of its own, such as a debrief's best-path search.
    pub fn compute<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Pending<T> {
        let (reply, answer) = channel();
        std::thread::spawn(move || {
            let _ = reply.send(work());
            wake();
        });
        Pending::new(answer, self.outstanding.clone())
    }

    /// How many answers have not been taken yet.
    pub fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::SeqCst)
    }
}

/// Hands the window's event loop to the workers, so that a finished job wakes it.
pub fn install_waker(proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>) {
    if let Some(proxy) = proxy {
        let _ = WAKER.set((**proxy).clone());
    }
}

/// Whether the window's event loop can be woken (a window with winit; not the headless tests).
pub(crate) fn can_wake() -> bool {
    WAKER.get().is_some()
}
