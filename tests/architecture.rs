//! The dependency direction, checked over every `crate::` path in `src/`: a layer names only the
//! layers below it (README, "Architecture"). The cargo features already keep SQLite, HTTP and
//! Bevy out of the engine; this test holds the order inside the engine and the records too, and
//! fails with the file, the line and the rule broken.

use std::path::{Path, PathBuf};

/// Each module's rank: a module may name modules of a lower rank, and its own.
const LAYERS: &[(&str, u32)] = &[
    ("engine::bits", 0),
    ("engine::parallel", 0),
    ("engine::text", 0),
    ("engine::format", 1),
    ("engine::model", 2),
    ("engine::score", 3),
    ("engine::play", 4),
    ("engine::search", 5),
    ("engine::session", 6),
    ("engine::check", 7),
    ("engine::debrief", 8),
    ("engine::simulate", 8),
    ("engine::dot", 8),
    ("engine::sketch", 8),
    ("engine::generate", 8),
    ("engine::campaign", 8),
    ("engine::scenario_tests", 9),
    ("engine::norms", 9),
    ("engine::map", 9),
    ("records::clock", 20),
    ("records::config", 20),
    ("records::library", 20),
    ("records::store", 21),
    ("records::profile", 21),
    ("records::xapi", 22),
    ("records::digest", 22),
    ("records::brief", 23),
    ("records::insight", 23),
    ("app", 40),
];

fn rank(module: &str) -> Option<(&'static str, u32)> {
    LAYERS
        .iter()
        .filter(|(name, _)| module == *name || module.starts_with(&format!("{name}::")))
        .max_by_key(|(name, _)| name.len())
        .copied()
}

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module a file under `src/` is: `src/engine/check/fields.rs` is `engine::check::fields`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Every module a line names through `crate::`, including inside `use crate::{a::x, b::y}`.
fn named_modules(line: &str) -> Vec<String> {
    let mut named = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{engine::x, records::y}`: each item of the group.
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                named.push(path_head(item.trim()));
            }
        } else {
            named.push(path_head(rest));
        }
    }
    named.retain(|m| !m.is_empty());
    named
}

/// `engine::check::fields::X` -> `engine::check::fields` (path segments that start lower-case).
fn path_head(path: &str) -> String {
    path.split("::")
        .map(|segment| {
            segment
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .take_while(|segment| {
            segment
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
        })
        .collect::<Vec<_>>()
        .join("::")
}

fn breaches(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let module = module_of(src, &file);
        let Some((layer, own)) = rank(&module) else {
            continue; // lib.rs, main.rs and the command line sit above everything
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may use anything: they are not part of the layer.
        let code = [
            "#[cfg(test)]\nmod tests",
            "#[cfg(test)]\npub(crate) mod tests",
        ]
        .iter()
        .filter_map(|marker| text.find(marker))
        .min()
        .map_or(text.as_str(), |end| &text[..end]);
        for (number, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            for named in named_modules(line) {
                let Some((target, theirs)) = rank(&named) else {
                    found.push(format!(
                        "{}:{}: names crate::{named}, which is in no layer",
                        file.display(),
                        number + 1
                    ));
                    continue;
                };
                if target != layer && theirs >= own {
                    found.push(format!(
                        "{}:{}: {layer} names {target}, which is not below it",
                        file.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn every_module_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = breaches(&src);
    assert!(
        found.is_empty(),
        "the dependency direction is broken:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_forbidden_use_is_caught() {
    let folder = tempfile::tempdir().unwrap();
    let src = folder.path();
    std::fs::create_dir_all(src.join("engine/score")).unwrap();
    std::fs::write(
        src.join("engine/score/mod.rs"),
        "use crate::engine::model::Weights;\nuse crate::{engine::search::Solver, engine::format::Move};\n",
    )
    .unwrap();
    std::fs::create_dir_all(src.join("records")).unwrap();
    std::fs::write(
        src.join("records/config.rs"),
        "fn f() { crate::app::run(); }\n#[cfg(test)]\nmod tests { use crate::app::x; }\n",
    )
    .unwrap();
    let found = breaches(src);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("engine::score names engine::search"));
    assert!(found[1].contains("records::config names app"));
}
