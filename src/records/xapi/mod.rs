//! Sessions as xAPI 1.0.3 statements, and sending them to a Learning Record Store: the statements
//! (`statements`), the LRS's HTTP client (`lrs`), and the sync that drives the outbox (`sync`).

mod lrs;
mod statements;
mod sync;

pub use lrs::{Lrs, LrsError, redact_address};
pub use statements::{VERSION, statements};
pub use sync::{SyncReport, sync};
