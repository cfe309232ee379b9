//! Records: what is kept and shared about sessions. Above the engine, below the window and the
//! command line, and built only with the `records` feature (SQLite and HTTP):
//!
//! 1. `clock`, `config`: times, and the settings shared by the window and the command line;
//!    `library`: the team's scenarios copied from where the managers publish them.
//! 2. `store`: the session database, written turn by turn; the trainer's queries; the outbox.
//! 3. `xapi`: stored sessions as xAPI statements, and syncing them with the LRS.
//! 4. `profile`: who was last at the keyboard on this machine.
//! 5. `brief` and `insight`: a rep's brief for a 1:1, and what the team's top performers do on a
//!    call, from each session's digest (`digest`: replayed and debriefed once, then kept).

pub mod brief;
pub mod clock;
pub mod config;
pub mod digest;
pub mod insight;
pub mod library;
pub mod profile;
pub mod store;
pub mod xapi;
