//! Who was last at the keyboard on this machine, remembered in a small JSON file in the
//! platform's data folder so that the window and `dealsim play` offer that rep first. Everything
//! about a rep's progress (attempts, best scores, focus skills) lives in the session database,
//! the one source of truth. A file that cannot be read is never overwritten.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Profiles {
    /// The name used last time, offered first next time. (Files written by older versions also
    /// hold each rep's scores; those are ignored, since the session database has them all.)
    #[serde(default)]
    pub last_rep: Option<String>,
    /// The window's text size (1.0 is the design's), as this machine's rep last set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_size: Option<f32>,
}

/// Why the profile file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read {}: {detail}", path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{} is not a dealsim profile file ({detail}); it was left untouched", path.display())]
    NotProfiles { path: PathBuf, detail: String },
    #[error("cannot save {}: {detail}", path.display())]
    Unwritable { path: PathBuf, detail: String },
}

/// Where profiles live: `$XDG_DATA_HOME/dealsim/profiles.json` or the platform's equivalent.
pub fn default_path() -> PathBuf {
    super::config::data_folder().join("profiles.json")
}

impl Profiles {
    /// Reads profiles; a missing file is an empty set of profiles. A file that exists but cannot
    /// be read is an error, and the caller must not save over it.
    pub fn load(path: &Path) -> Result<Profiles, ProfileError> {
        match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(e) => Err(ProfileError::Unreadable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::NotProfiles {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
        }
    }

    /// Writes atomically: a crash while saving leaves the old file whole.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        let unwritable = |detail: String| ProfileError::Unwritable {
            path: path.to_path_buf(),
            detail,
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|e| unwritable(e.to_string()))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| unwritable(e.to_string()))?;
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, text).map_err(|e| unwritable(e.to_string()))?;
        std::fs::rename(&temporary, path).map_err(|e| unwritable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_file_is_reported_and_left_alone() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("profiles.json");
        std::fs::write(&path, "{ not json").unwrap();
        let error = Profiles::load(&path).unwrap_err();
        assert!(
            error.to_string().contains("not a dealsim profile file"),
            "{error}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
        let missing = folder.path().join("none.json");
        assert_eq!(Profiles::load(&missing).unwrap(), Profiles::default());
        let profiles = Profiles {
            last_rep: Some("bo".into()),
            text_size: Some(1.3),
        };
        profiles.save(&missing).unwrap();
        assert_eq!(Profiles::load(&missing).unwrap(), profiles);
    }

    #[test]
    fn an_older_file_with_scores_in_it_still_loads() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("profiles.json");
        std::fs::write(
            &path,
            r#"{"last_rep":"ana","reps":{"ana":{"scenarios":{"harbor":{"attempts":3,"best":75}},"focus":[],"has_right_qualify_out":true}}}"#,
        )
        .unwrap();
        assert_eq!(
            Profiles::load(&path).unwrap().last_rep.as_deref(),
            Some("ana")
        );
    }
}
