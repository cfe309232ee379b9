//! The rules of play: the state a call is in and what a step does to it (`rules`), and the
//! session's random streams (`random`). Sessions, the search and the simulator all step with these.

pub mod random;
pub mod rules;
