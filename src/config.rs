//! Settings shared by the window and the command line: where the session database is, and the
//! LRS to send statements to. A RON file (`config.ron` in the platform's data folder, or
//! `--config PATH`); a missing file means the defaults. Passwords are never in it: it names the
//! environment variable that holds the password.

use crate::xapi::XapiSettings;
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

/// The environment variable read for the password when none is named.
pub fn default_password_env() -> String {
    "DEALSIM_LRS_PASSWORD".into()
}

impl LrsConfig {
    /// The LRS with its password read from the environment.
    pub fn connect(&self) -> Result<crate::xapi::Lrs, String> {
        let password = std::env::var(&self.password_env).map_err(|_| {
            format!(
                "the LRS password is read from the environment variable {}, which is not set",
                self.password_env
            )
        })?;
        crate::xapi::Lrs::new(&self.endpoint, &self.user, password)
    }
}

pub fn default_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("dealsim")
        .join("config.ron")
}

impl Config {
    /// Reads the settings; a missing file gives the defaults, a broken one an error that says
    /// where.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(format!(
                    "cannot read the settings file {}: {e}",
                    path.display()
                ));
            }
        };
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(&text)
            .map_err(|e| {
                format!(
                    "{}:{}:{}: {}",
                    path.display(),
                    e.span.start.line,
                    e.span.start.col,
                    e.code
                )
            })
    }

    /// The database to use: the command line's choice, else the file's, else the default.
    pub fn db_path(&self, chosen: Option<&Path>) -> PathBuf {
        chosen
            .map(Path::to_path_buf)
            .or_else(|| self.db.clone())
            .unwrap_or_else(crate::store::default_path)
    }

    /// The LRS with its password read from the environment.
    pub fn lrs(&self) -> Result<Option<crate::xapi::Lrs>, String> {
        self.lrs.as_ref().map(LrsConfig::connect).transpose()
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
        assert!(error.contains("config.ron:2:"), "{error}");
    }
}
