//! `dealsim new NAME`: a small, valid, commented call for a manager to start from.

use super::{Failure, say};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The starting call, with `SCENARIO_ID` where the new call's id goes. `tests/cli.rs` checks
/// that what `new` writes passes `check` without a warning.
const TEMPLATE: &str = include_str!("new.scenario.ron");

/// Where the new call goes and the id it gets. NAME is either a name ("Acme renewal", written to
/// `FOLDER/acme-renewal.scenario.ron`) or a path ending in `.scenario.ron`.
fn target(name: &str, folder: &Path) -> Result<(PathBuf, String), Failure> {
    let (path, stem) = if let Some(stem) = name.strip_suffix(".scenario.ron") {
        let stem = Path::new(stem)
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        (PathBuf::from(name), stem)
    } else if name.contains('/') || name.contains('\\') || name.contains('.') {
        return Err(Failure(format!(
            "\"{name}\" is neither a name nor a path ending in .scenario.ron: write `dealsim new acme-renewal` or `dealsim new scenarios/acme-renewal.scenario.ron`"
        )));
    } else {
        (PathBuf::new(), name.to_string())
    };
    let id = kebab_case(&stem);
    if id.is_empty() {
        return Err(Failure(format!(
            "\"{name}\" has no letters or digits to make the call's id from: write a name such as acme-renewal"
        )));
    }
    let path = if path.as_os_str().is_empty() {
        folder.join(format!("{id}.scenario.ron"))
    } else {
        path
    };
    Ok((path, id))
}

/// Lowercase words joined by single hyphens: the form the checker asks of a scenario id.
fn kebab_case(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

pub(crate) fn run(name: &str, folder: &Path) -> Result<ExitCode, Failure> {
    let (path, id) = target(name, folder)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(Failure(format!(
            "the folder {} does not exist: create it first, or name another with --dir",
            parent.display()
        )));
    }
    // `create_new` never overwrites a manager's work, even if the file appears meanwhile.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => Failure(format!(
                "{} already exists; dealsim new never overwrites a file: choose another name",
                path.display()
            )),
            _ => Failure(format!("could not create {}: {error}", path.display())),
        })?;
    file.write_all(TEMPLATE.replace("SCENARIO_ID", &id).as_bytes())
        .map_err(|error| Failure(format!("could not write {}: {error}", path.display())))?;
    let shown = path.display();
    say(&format!(
        "created {shown}: a short, valid call (id \"{id}\") to change into your own.\n\
         \n\
         next:\n  \
         1. open it in a text editor; every field is explained in docs/format.md, and\n     \
            docs/authoring.md walks from this file to a tested call\n  \
         2. dealsim check {shown}\n  \
         3. dealsim play {shown} --no-record\n"
    ));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_kebab_case_ids() {
        assert_eq!(kebab_case("Acme Renewal"), "acme-renewal");
        assert_eq!(kebab_case("  Q3 -- big_deal! "), "q3-big-deal");
        assert_eq!(kebab_case("Émile"), "mile");
        assert_eq!(kebab_case("!!!"), "");
    }

    #[test]
    fn a_name_goes_in_the_folder_and_a_path_is_kept() {
        let (path, id) = target("Acme Renewal", Path::new("scenarios")).unwrap();
        assert_eq!(path, Path::new("scenarios/acme-renewal.scenario.ron"));
        assert_eq!(id, "acme-renewal");
        let (path, id) = target("calls/Big Deal.scenario.ron", Path::new("scenarios")).unwrap();
        assert_eq!(path, Path::new("calls/Big Deal.scenario.ron"));
        assert_eq!(id, "big-deal");
        assert!(target("call.ron", Path::new("scenarios")).is_err());
        assert!(target("???", Path::new("scenarios")).is_err());
    }
}
