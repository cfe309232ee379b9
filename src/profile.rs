//! The reps on this machine: the name last used, and each rep's attempts and best score per
//! scenario, kept in a small JSON file in the platform's data folder. Plain Rust, so the window
//! and the command line share it. A file that cannot be read is never overwritten.

use crate::score::Dimension;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Profiles {
    /// The name typed last time, offered first next time.
    #[serde(default)]
    pub last_rep: Option<String>,
    #[serde(default)]
    pub reps: BTreeMap<String, RepRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RepRecord {
    /// Scenario id -> how the rep has done on it.
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioRecord>,
    /// The one or two dimensions a trainer asked this rep to work on.
    #[serde(default)]
    pub focus: Vec<Dimension>,
    /// Whether the rep has ever walked away from a deal at the right time.
    #[serde(default)]
    pub has_right_qualify_out: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScenarioRecord {
    pub attempts: u32,
    pub best: Option<u8>,
}

/// What finishing a call changed in the rep's record, for the debrief's recognitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Better than every earlier attempt (and not the first attempt).
    pub personal_best: bool,
    pub previous_best: Option<u8>,
    /// The rep's first right qualify-out on any scenario.
    pub first_right_qualify_out: bool,
}

/// Where profiles live: `$XDG_DATA_HOME/dealsim/profiles.json` or the platform's equivalent.
pub fn default_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("dealsim")
        .join("profiles.json")
}

impl Profiles {
    /// Reads profiles; a missing file is an empty set of profiles. A file that exists but cannot
    /// be read is an error, and the caller must not save over it.
    pub fn load(path: &Path) -> Result<Profiles, String> {
        match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{} is not a dealsim profile file ({e}); it was left untouched",
                    path.display()
                )
            }),
        }
    }

    /// Writes atomically: a crash while saving leaves the old file whole.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, text)
            .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
        std::fs::rename(&temporary, path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))
    }

    pub fn rep(&self, name: &str) -> Option<&RepRecord> {
        self.reps.get(name)
    }

    /// Records a finished call and says what it changed.
    pub fn record(
        &mut self,
        rep: &str,
        scenario_id: &str,
        overall: u8,
        right_qualify_out: bool,
    ) -> Progress {
        let record = self.reps.entry(rep.to_string()).or_default();
        let first_right_qualify_out = right_qualify_out && !record.has_right_qualify_out;
        record.has_right_qualify_out |= right_qualify_out;
        let entry = record.scenarios.entry(scenario_id.to_string()).or_default();
        let previous_best = entry.best;
        entry.attempts += 1;
        entry.best = Some(previous_best.map_or(overall, |b| b.max(overall)));
        Progress {
            personal_best: previous_best.is_some_and(|b| overall > b),
            previous_best,
            first_right_qualify_out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_count_attempts_keep_the_best_and_spot_firsts() {
        let mut profiles = Profiles::default();
        let first = profiles.record("ana", "harbor", 60, false);
        assert_eq!(
            first,
            Progress {
                personal_best: false,
                previous_best: None,
                first_right_qualify_out: false
            }
        );
        let better = profiles.record("ana", "harbor", 75, true);
        assert!(better.personal_best && better.first_right_qualify_out);
        let worse = profiles.record("ana", "harbor", 50, true);
        assert!(!worse.personal_best && !worse.first_right_qualify_out);
        assert_eq!(
            profiles.rep("ana").unwrap().scenarios["harbor"],
            ScenarioRecord {
                attempts: 3,
                best: Some(75)
            }
        );
    }

    #[test]
    fn a_corrupt_file_is_reported_and_left_alone() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("profiles.json");
        std::fs::write(&path, "{ not json").unwrap();
        let error = Profiles::load(&path).unwrap_err();
        assert!(error.contains("not a dealsim profile file"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
        let missing = folder.path().join("none.json");
        assert_eq!(Profiles::load(&missing).unwrap(), Profiles::default());
        let mut profiles = Profiles::default();
        profiles.record("bo", "x", 10, false);
        profiles.save(&missing).unwrap();
        assert_eq!(Profiles::load(&missing).unwrap(), profiles);
    }
}
