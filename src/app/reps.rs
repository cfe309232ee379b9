//! The rep at the keyboard, remembered in the profile file so that the start screen offers them
//! next time. Their progress is in the session database (`records::RepProgress`). When the
//! profile file cannot be read it is left alone: the app says so and does not save over it.

use crate::records::profile::Profiles;
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
                problem: Some(problem.to_string()),
                saving: false,
            },
        }
    }

    /// Starts a rep's session on this machine and remembers the name for next time.
    pub fn sign_in(&mut self, name: &str) {
        self.current = name.trim().to_string();
        self.profiles.last_rep = Some(self.current.clone());
        self.save();
    }

    /// The window's text size (1.0 unless the rep chose another).
    pub fn text_size(&self) -> f32 {
        self.profiles.text_size.unwrap_or(1.0)
    }

    /// Sets and remembers the text size.
    pub fn set_text_size(&mut self, size: f32) {
        self.profiles.text_size = Some(size);
        self.save();
    }

    fn save(&mut self) {
        if !self.saving {
            return;
        }
        if let Err(problem) = self.profiles.save(&self.path) {
            warn!("{problem}");
            self.problem = Some(problem.to_string());
            self.saving = false;
        }
    }
}
