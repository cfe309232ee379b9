//! Settings shared by the window and the command line: where the session database is, the LRS
//! to share sessions through, and how statements name things. A RON file (`config.ron` in the
//! platform's data folder, or `--config PATH`); a missing file means the defaults. Passwords are
//! never in it: it names the environment variable that holds the password.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The session database (default: `sessions.db` in the data folder).
    pub db: Option<PathBuf>,
    /// Where to send statements; without it, statements wait in the local queue.
    pub lrs: Option<LrsConfig>,
    pub xapi: XapiSettings,
    /// Where the team's scenarios live; without it, the window plays the scenarios folder.
    pub library: Option<LibraryConfig>,
    /// Whose machine this is: the rep practises as this account (their login or e-mail at the
    /// company), not as a name typed on the start screen.
    pub rep: Option<RepIdentity>,
}

/// A rep's identity as the company's set-up names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepIdentity {
    /// The name shown (to the rep and the trainer).
    pub name: String,
    /// The login or e-mail: the rep's account on the LRS, the same on every machine.
    pub login: String,
}

/// The team's library (`records::library`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryConfig {
    /// A folder (a synced share, a git checkout) or an HTTPS address serving the files and an
    /// `index.txt` of their names.
    pub source: String,
    /// This machine's copy (default: `library` in the data folder).
    #[serde(default)]
    pub copy: Option<PathBuf>,
}

impl LibraryConfig {
    pub fn copy_folder(&self) -> PathBuf {
        self.copy
            .clone()
            .unwrap_or_else(|| data_folder().join("library"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrsConfig {
    /// The xAPI endpoint, such as `https://lrs.example.com/xAPI`.
    pub endpoint: String,
    pub user: String,
    /// The environment variable holding the password.
    #[serde(default = "default_password_env")]
    pub password_env: String,
}

/// How statements name things: activity ids and extension keys are IRIs under `base`; reps are
/// accounts on `home_page`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct XapiSettings {
    pub base: String,
    pub home_page: String,
    pub language: String,
}

impl XapiSettings {
    /// Whether these are still the placeholders dealsim starts with, not a company's own: reps
    /// would go to the LRS as accounts of a site that is nobody's.
    pub fn is_placeholder(&self) -> bool {
        let default = XapiSettings::default();
        self.home_page == default.home_page || self.base == default.base
    }
}

impl Default for XapiSettings {
    fn default() -> Self {
        XapiSettings {
            base: "https://dealsim.example/xapi".into(),
            home_page: "https://dealsim.example".into(),
            language: "en-US".into(),
        }
    }
}

/// Why the settings file cannot be used, said with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the settings file {} does not exist", path.display())]
    Missing { path: PathBuf },
    #[error("cannot read the settings file {}: {detail}", path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The environment variable read for the password when none is named.
pub fn default_password_env() -> String {
    "DEALSIM_LRS_PASSWORD".into()
}

/// The folder dealsim keeps its files in: the platform's data folder (such as
/// `~/.local/share/dealsim`), or the current folder where there is none.
pub fn data_folder() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("dealsim")
}

/// Where the settings file is unless `--config` says otherwise.
pub fn default_path() -> PathBuf {
    data_folder().join("config.ron")
}

/// Where the session database is unless `--db` or the settings say otherwise.
pub fn default_db_path() -> PathBuf {
    data_folder().join("sessions.db")
}

impl Config {
    /// Reads the settings; a missing file gives the defaults, a broken one an error that says
    /// where.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(ConfigError::Unreadable {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                });
            }
        };
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(&text)
            .map_err(|e| ConfigError::Invalid {
                path: path.to_path_buf(),
                line: e.span.start.line,
                column: e.span.start.col,
                message: e.code.to_string(),
            })
    }

    /// Reads a settings file that must exist (one named on the command line).
    pub fn load_named(path: &Path) -> Result<Config, ConfigError> {
        if !path.exists() {
            return Err(ConfigError::Missing {
                path: path.to_path_buf(),
            });
        }
        Config::load(path)
    }

    /// The database to use: the command line's choice, else the file's, else the default.
    pub fn db_path(&self, chosen: Option<&Path>) -> PathBuf {
        chosen
            .map(Path::to_path_buf)
            .or_else(|| self.db.clone())
            .unwrap_or_else(default_db_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_is_read_and_a_mistake_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.ron");
        assert_eq!(Config::load(&path), Ok(Config::default()));
        std::fs::write(
            &path,
            "(lrs: (endpoint: \"http://127.0.0.1:9/xAPI\", user: \"trainer\"), xapi: (home_page: \"https://acme.example\"))",
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.lrs.unwrap().password_env, "DEALSIM_LRS_PASSWORD");
        assert_eq!(config.xapi.home_page, "https://acme.example");
        assert_eq!(config.xapi.language, "en-US");
        std::fs::write(&path, "(\n  lrz: None,\n)").unwrap();
        let error = Config::load(&path).unwrap_err();
        assert!(error.to_string().contains("config.ron:2:"), "{error}");
    }
}
