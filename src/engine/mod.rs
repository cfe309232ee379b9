//! The engine: plain Rust that loads, checks, plays, scores, searches, debriefs and simulates a
//! call. It knows nothing of SQLite, HTTP or Bevy (`cargo build --no-default-features` builds it
//! alone), and its layers depend one way only, each on those listed before it:
//!
//! 1. `bits`, `parallel`, `text`: small tools with no knowledge of calls.
//! 2. `format`: the scenario file as a manager writes it, reading it, and diagnostics.
//! 3. `model`: the checked scenario, compiled for play.
//! 4. `score`: every scoring rule and constant, as pure functions of what happened.
//! 5. `play`: the rules of a step and the random streams.
//! 6. `search`: the best path, the fastest right call and the score bounds.
//! 7. `session`: one call being played, the API the window, the command line and tests drive.
//! 8. `check`: the checker, which compiles a clean file and measures it with the search.
//! 9. `debrief`, `simulate`, `dot`, `generate`: what is made from checked calls and sessions;
//!    `sketch`: a file with errors drawn as far as it can be; `campaign`: checked calls linked
//!    into a deal, the state carried between them and the campaign's score.
//! 10. `norms`, `scenario_tests`: what is measured or tested by simulating and playing calls;
//!     `map`: the call laid out for the Author screen, with best play from `dot`.
//!
//! `tests/architecture.rs` fails the build's tests when a module names a later layer.

pub mod bits;
pub mod campaign;
pub mod check;
pub mod debrief;
pub mod dot;
pub mod format;
pub mod generate;
pub mod map;
pub mod model;
pub mod norms;
pub mod parallel;
pub mod play;
pub mod scenario_tests;
pub mod score;
pub mod search;
pub mod session;
pub mod simulate;
pub mod sketch;
pub mod text;
