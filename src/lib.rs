//! dealsim: a flight simulator for sales calls. This library loads, checks, plays, scores and
//! debriefs scenario files (`engine`), keeps and shares session records (`records`), and opens
//! the game window (`app`); the `dealsim` binary (`src/cli/`) is a thin layer over it.
//!
//! The layers depend one way: `engine` knows nothing of the others, `records` knows the engine,
//! and the window and the command line know both. The features make the compiler hold the first
//! two rules (`records` brings SQLite and HTTP, `app` brings Bevy); `tests/architecture.rs`
//! checks every `use` against the layers, inside the engine too.

#[cfg(feature = "app")]
pub mod app;
pub mod engine;
#[cfg(feature = "records")]
pub mod records;

pub use engine::check::{CheckReport, check_path, check_paths, check_source, compile_source};
pub use engine::format::load::SourceFile;
pub use engine::format::{FactKind, Move, Outcome};
pub use engine::model::Scenario;
pub use engine::score::{Dimension, Scores};
pub use engine::session::{EndReason, Ending, Entry, Offer, PlayError, Session};
