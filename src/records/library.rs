//! The team's library: the scenarios a company's managers publish in one place (a folder such
//! as a synced share or a git checkout, or an HTTPS address serving the files and an index),
//! copied into each machine's own library folder. Every file is checked before it is offered; a
//! broken or unreachable file keeps the last good copy, so reps keep playing while a manager
//! fixes it.

use crate::engine::check::compile_source;
use crate::engine::format::load::{MAX_FILE_BYTES, SourceFile};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The index an HTTPS source serves beside the files: one file name per line (or a JSON array
/// of names).
pub const INDEX: &str = "index.txt";

/// What one update did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LibraryUpdate {
    pub source: String,
    pub copy: PathBuf,
    /// Files new or changed at the source, checked and copied.
    pub updated: Vec<String>,
    pub unchanged: usize,
    /// Files gone from the source, removed from the copy.
    pub removed: Vec<String>,
    /// Files at the source that do not check (or could not be read): the last good copy, if
    /// any, stays; with the first problem.
    pub kept_back: Vec<(String, String)>,
    /// Why the source could not be read at all (every copy stays as it was).
    pub unreachable: Option<String>,
}

/// Where the team's scenarios live.
enum Source {
    Folder(PathBuf),
    Web(String),
}

impl Source {
    fn of(text: &str) -> Source {
        if text.starts_with("https://") || text.starts_with("http://") {
            Source::Web(text.trim_end_matches('/').to_string())
        } else {
            Source::Folder(PathBuf::from(text))
        }
    }

    /// The library's file names.
    fn list(&self) -> Result<Vec<String>, String> {
        let names: Vec<String> = match self {
            Source::Folder(folder) => std::fs::read_dir(folder)
                .map_err(|e| format!("the folder {} cannot be read ({e})", folder.display()))?
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.path().is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect(),
            Source::Web(base) => {
                let index = get(&format!("{base}/{INDEX}"))?;
                match serde_json::from_str::<Vec<String>>(&index) {
                    Ok(names) => names,
                    Err(_) => index
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_string)
                        .collect(),
                }
            }
        };
        let mut names: Vec<String> = names.into_iter().filter(|n| is_library_file(n)).collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn read(&self, name: &str) -> Result<String, String> {
        match self {
            Source::Folder(folder) => {
                let path = folder.join(name);
                let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                file.take(MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| e.to_string())?;
                if bytes.len() as u64 > MAX_FILE_BYTES {
                    return Err(format!("larger than {} MB", MAX_FILE_BYTES / (1024 * 1024)));
                }
                String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
            }
            Source::Web(base) => get(&format!("{base}/{name}")),
        }
    }
}

/// A plain file name of a scenario or its tests: nothing that could reach outside the copy.
fn is_library_file(name: &str) -> bool {
    (name.ends_with(".scenario.ron") || name.ends_with(".tests.ron"))
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
        && name.len() < 200
}

fn get(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| format!("{url} cannot be reached ({e})"))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("{url} answered HTTP {status}"));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_FILE_BYTES)
        .read_to_string()
        .map_err(|e| format!("{url} could not be read ({e})"))
}

/// Brings the copy up to date with the source.
pub fn update(source: &str, copy: &Path) -> LibraryUpdate {
    let mut report = LibraryUpdate {
        source: source.to_string(),
        copy: copy.to_path_buf(),
        ..LibraryUpdate::default()
    };
    let source_files = Source::of(source);
    let names = match source_files.list() {
        Ok(names) => names,
        Err(why) => {
            report.unreachable = Some(why);
            return report;
        }
    };
    if let Err(e) = std::fs::create_dir_all(copy) {
        report.unreachable = Some(format!(
            "the library folder {} cannot be created ({e})",
            copy.display()
        ));
        return report;
    }
    for name in &names {
        let text = match source_files.read(name) {
            Ok(text) => text,
            Err(why) => {
                report.kept_back.push((name.clone(), why));
                continue;
            }
        };
        let target = copy.join(name);
        if std::fs::read_to_string(&target).is_ok_and(|old| old == text) {
            report.unchanged += 1;
            continue;
        }
        // A scenario is offered only once it checks; its tests file travels as it is.
        if name.ends_with(".scenario.ron") {
            let file = SourceFile::from_text(name.clone(), text.clone());
            let checked = compile_source(&file);
            if checked.scenario.is_none() {
                let first = checked
                    .diagnostics
                    .iter()
                    .find(|d| d.is_error())
                    .map_or_else(
                        || "it does not check".to_string(),
                        |d| {
                            format!(
                                "error[{}] {}{} (`dealsim check` shows every problem)",
                                d.code,
                                d.message,
                                d.location
                                    .as_ref()
                                    .map_or(String::new(), |l| format!(" at line {}", l.line))
                            )
                        },
                    );
                report.kept_back.push((name.clone(), first));
                continue;
            }
        }
        // Written beside, then renamed: a window watching the folder never reads half a file.
        let partial = copy.join(format!(".{name}.partial"));
        let written =
            std::fs::write(&partial, &text).and_then(|()| std::fs::rename(&partial, &target));
        match written {
            Ok(()) => report.updated.push(name.clone()),
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                report
                    .kept_back
                    .push((name.clone(), format!("cannot be written here ({e})")));
            }
        }
    }
    // Files the managers removed leave the copy too (only after a complete listing).
    if let Ok(entries) = std::fs::read_dir(copy) {
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_library_file(&name)
                && !names.contains(&name)
                && std::fs::remove_file(entry.path()).is_ok()
            {
                report.removed.push(name);
            }
        }
    }
    report.removed.sort();
    report
}

impl LibraryUpdate {
    /// What happened, in a few lines for the terminal or the window.
    pub fn summary(&self) -> String {
        if let Some(why) = &self.unreachable {
            return format!(
                "The team's library at {} could not be read: {why}. The scenarios already here stay playable.",
                self.source
            );
        }
        let mut out = format!(
            "The team's library at {}: {} updated, {} unchanged, {} removed.",
            self.source,
            self.updated.len(),
            self.unchanged,
            self.removed.len()
        );
        for (name, why) in &self.kept_back {
            out.push_str(&format!(
                "\n{name} was not taken: {why}. The last good copy, if there is one, stays."
            ));
        }
        out
    }
}
