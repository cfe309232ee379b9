//! The scenario format as a manager writes it: the file's types (named as the spec names them),
//! reading files, parsing RON with positions for carets, and diagnostics rendered like rustc's.

pub mod diagnostic;
mod file;
pub mod limits;
pub mod load;
pub mod locate;
pub mod pasted;
pub mod portrait;
mod rounds;

pub use file::*;
