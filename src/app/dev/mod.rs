//! Tools for the people building dealsim, not shipped to reps (feature `dev`): the scripted demo
//! that drives the real window and saves a screenshot of every screen, and the frame probe that
//! measures what a call-screen frame costs; the accessibility tree written beside each screenshot.

pub mod accessibility;
pub mod demo;
mod probe;
