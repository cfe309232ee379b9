//! Sessions as xAPI 1.0.3 statements, sent to a Learning Record Store and read back from it: the
//! statements (`statements`), the LRS's HTTP client (`lrs`), the sync that drives the outbox
//! (`sync`), the pull that rebuilds other machines' sessions here (`pull`, reading pages with
//! `wire`), and what a trainer
//! asks of reps, travelling both ways (`directions`).

mod directions;
mod lrs;
mod pull;
mod statements;
mod sync;
mod wire;

pub use directions::{
    DirectionsReport, direction_statement, receive_directions, send_directions, trainer_name,
};
pub use lrs::{Lrs, LrsError, redact_address};
pub use pull::{PullReport, pull};
pub use statements::{VERSION, statements};
pub use sync::{SyncReport, sync};
