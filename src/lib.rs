//! dealsim: a flight simulator for sales calls. This library loads, checks, plays, scores and
//! debriefs scenario files; the `dealsim` binary and the game window are thin layers over it.

#[cfg(feature = "app")]
pub mod app;
pub mod check;
pub mod clock;
pub mod config;
pub mod debrief;
pub mod diagnostic;
pub mod dot;
pub mod format;
pub mod generate;
pub mod load;
pub mod locate;
pub mod model;
pub mod profile;
pub mod score;
pub mod search;
pub mod session;
pub mod simulate;
pub mod store;
pub mod text;
pub mod xapi;

mod graph;
mod parallel;

pub use check::{CheckReport, check_path, check_paths, check_source};
pub use format::{FactKind, Move, Outcome};
pub use load::SourceFile;
pub use model::Scenario;
pub use score::{Dimension, Scores};
pub use session::{EndReason, Ending, Entry, Offer, PlayError, Session};
