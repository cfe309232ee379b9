//! `dealsim test [PATH...]`: runs the tests managers write beside their calls
//! (`NAME.tests.ron` next to `NAME.scenario.ron`), rustc-style on failure, with coverage.

use super::{ColorChoice, Failure, say};
use dealsim::engine::scenario_tests::{self, Coverage, TestResult};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TESTS_EXTENSION: &str = ".tests.ron";

/// The tests files under the given paths (files as given, folders searched).
fn tests_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    fn walk(folder: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(folder)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(&path, found)?;
            } else if path.to_string_lossy().ends_with(TESTS_EXTENSION) {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found)
                .map_err(|e| Failure(format!("cannot read the folder {}: {e}", path.display())))?;
        } else if path.to_string_lossy().ends_with(TESTS_EXTENSION) {
            found.push(path.clone());
        } else if path.to_string_lossy().ends_with(".scenario.ron") {
            // A scenario given by name: its tests beside it.
            let tests = PathBuf::from(
                path.to_string_lossy()
                    .replace(".scenario.ron", TESTS_EXTENSION),
            );
            if tests.exists() {
                found.push(tests);
            } else {
                return Err(Failure(format!(
                    "{} has no tests: write them in {} (docs/authoring.md shows how)",
                    path.display(),
                    tests.display()
                )));
            }
        } else {
            return Err(Failure(format!(
                "{}: give a folder, a NAME{TESTS_EXTENSION} file or a NAME.scenario.ron file",
                path.display()
            )));
        }
    }
    if found.is_empty() {
        return Err(Failure(format!(
            "no tests found (files named NAME{TESTS_EXTENSION} beside NAME.scenario.ron)"
        )));
    }
    Ok(found)
}

/// A tests file's text: a regular file within the scenario size limit, in UTF-8.
fn read_tests_file(path: &Path) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > dealsim::engine::format::limits::MAX_FILE_BYTES {
        return Err(format!(
            "{} is larger than a tests file may be",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

/// The results of one tests file.
#[derive(serde::Serialize)]
struct FileResults {
    tests_file: String,
    scenario: String,
    results: Vec<TestResult>,
    coverage: Option<Coverage>,
    problem: Option<String>,
}

pub(crate) fn run(paths: &[PathBuf], color: ColorChoice, json: bool) -> Result<ExitCode, Failure> {
    let color = super::check::use_color(color);
    let files = tests_files(paths)?;
    let mut all = Vec::new();
    for tests_file in &files {
        let scenario_path = PathBuf::from(
            tests_file
                .to_string_lossy()
                .replace(TESTS_EXTENSION, ".scenario.ron"),
        );
        let mut file = FileResults {
            tests_file: tests_file.display().to_string(),
            scenario: scenario_path.display().to_string(),
            results: Vec::new(),
            coverage: None,
            problem: None,
        };
        let report = dealsim::engine::check::compile_path(&scenario_path);
        let Some(scenario) = report.scenario else {
            let first = report
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.render(color))
                .unwrap_or_default();
            file.problem = Some(format!(
                "the scenario {} does not check, so its tests cannot run (`dealsim check` shows every problem):\n{first}",
                scenario_path.display()
            ));
            all.push(file);
            continue;
        };
        let text = match read_tests_file(tests_file) {
            Ok(text) => text,
            Err(why) => {
                file.problem = Some(why);
                all.push(file);
                continue;
            }
        };
        let tests = match scenario_tests::parse(tests_file, &text) {
            Ok(tests) => tests,
            Err(diagnostic) => {
                file.problem = Some(diagnostic.render(color));
                all.push(file);
                continue;
            }
        };
        let mut reached = Vec::new();
        for test in &tests {
            let (result, path) = scenario_tests::run(&scenario, test);
            reached.extend(path);
            file.results.push(result);
        }
        file.coverage = Some(scenario_tests::coverage(&scenario, &reached));
        all.push(file);
    }
    let failed: usize = all
        .iter()
        .map(|f| {
            f.results.iter().filter(|r| !r.passed()).count() + usize::from(f.problem.is_some())
        })
        .sum();
    let passed: usize = all
        .iter()
        .map(|f| f.results.iter().filter(|r| r.passed()).count())
        .sum();
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "files": all,
            "passed": passed,
            "failed": failed,
        }))
        .map_err(|e| Failure(e.to_string()))?;
        say(&format!("{text}\n"));
    } else {
        let mut out = String::new();
        for file in &all {
            if let Some(problem) = &file.problem {
                out.push_str(&format!(
                    "error: {}\n  --> {}\n\n",
                    problem.trim_end(),
                    file.tests_file
                ));
                continue;
            }
            for (n, result) in file.results.iter().enumerate() {
                if result.passed() {
                    out.push_str(&format!("test {} ... ok\n", result.name));
                } else {
                    out.push_str(&format!("test {} ... FAILED\n", result.name));
                    out.push_str(&format!(
                        "error: test \"{}\" failed\n  --> {} (test {})\n",
                        result.name,
                        file.tests_file,
                        n + 1
                    ));
                    for failure in &result.failures {
                        out.push_str(&format!("   = {failure}\n"));
                    }
                    out.push('\n');
                }
            }
            if let Some(c) = &file.coverage {
                out.push_str(&format!(
                    "coverage of {}: the tests reach {} of {} nodes and take {} of {} choices; best play reaches {} nodes, random play {} nodes and {} choices\n",
                    file.scenario,
                    c.tests_nodes,
                    c.nodes,
                    c.tests_choices,
                    c.choices,
                    c.best_nodes,
                    c.random_nodes,
                    c.random_choices
                ));
                if !c.untested_nodes.is_empty() {
                    let shown: Vec<&str> = c
                        .untested_nodes
                        .iter()
                        .take(12)
                        .map(String::as_str)
                        .collect();
                    out.push_str(&format!(
                        "  no test reaches: {}{}\n",
                        shown.join(", "),
                        if c.untested_nodes.len() > shown.len() {
                            ", ..."
                        } else {
                            ""
                        }
                    ));
                }
                out.push('\n');
            }
        }
        out.push_str(&format!(
            "test result: {}. {passed} passed; {failed} failed\n",
            if failed == 0 { "ok" } else { "FAILED" }
        ));
        say(&out);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
