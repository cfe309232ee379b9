//! The rep at the keyboard and their record, as a resource over `crate::profile`. When the
//! profile file cannot be read it is left alone: the app keeps the record in memory and says so.

use crate::profile::{Profiles, Progress};
use bevy::prelude::*;
use std::path::PathBuf;

#[derive(Resource, Debug)]
pub struct Reps {
    pub profiles: Profiles,
    /// The rep playing now (empty until the start screen is done).
    pub current: String,
    path: PathBuf,
    /// Set when the file could not be read or written; saving is then switched off.
    pub problem: Option<String>,
    saving: bool,
}

impl Reps {
    pub fn open(path: PathBuf) -> Reps {
        match Profiles::load(&path) {
            Ok(profiles) => Reps {
                current: profiles.last_rep.clone().unwrap_or_default(),
                profiles,
                path,
                problem: None,
                saving: true,
            },
            Err(problem) => Reps {
                profiles: Profiles::default(),
                current: String::new(),
                path,
                problem: Some(problem),
                saving: false,
            },
        }
    }

    /// Starts a rep's session on this machine and remembers the name for next time.
    pub fn sign_in(&mut self, name: &str) {
        self.current = name.trim().to_string();
        self.profiles.last_rep = Some(self.current.clone());
        self.profiles.reps.entry(self.current.clone()).or_default();
        self.save();
    }

    pub fn record(&mut self, scenario_id: &str, overall: u8, right_qualify_out: bool) -> Progress {
        let progress = self
            .profiles
            .record(&self.current, scenario_id, overall, right_qualify_out);
        self.save();
        progress
    }

    /// The trainer sets a rep's focus skills (one or two dimensions).
    pub fn set_focus(&mut self, rep: &str, focus: Vec<crate::score::Dimension>) {
        self.profiles.reps.entry(rep.to_string()).or_default().focus = focus;
        self.save();
    }

    fn save(&mut self) {
        if !self.saving {
            return;
        }
        if let Err(problem) = self.profiles.save(&self.path) {
            warn!("{problem}");
            self.problem = Some(problem);
            self.saving = false;
        }
    }
}
