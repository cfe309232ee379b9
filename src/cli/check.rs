//! `dealsim check` and `dealsim graph`: what a manager runs after editing a scenario.

use super::{ColorChoice, Failure, say};
use dealsim::engine::score::whole;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// A diagnostic as `check --format json` gives it, for a team's own CI.
fn diagnostic_json(d: &dealsim::engine::format::diagnostic::Diagnostic) -> serde_json::Value {
    let location = d.location.as_deref();
    serde_json::json!({
        "code": d.code.as_str(),
        "severity": if d.is_error() { "error" } else { "warning" },
        "file": d.file.display().to_string(),
        "line": location.map(|l| l.line),
        "column": location.map(|l| l.column),
        "width": location.map(|l| l.width),
        "message": d.message,
        "label": d.label,
        "hint": d.hint,
    })
}

fn run_json(reports: &[dealsim::CheckReport]) -> ExitCode {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .map(|report| {
            serde_json::json!({
                "path": report.path.display().to_string(),
                "ok": report.scenario.is_some(),
                "scenario": report.scenario.as_ref().map(|s| serde_json::json!({
                    "id": s.id,
                    "nodes": s.node_count(),
                    "choices": s.choice_count(),
                    "facts": s.facts().len(),
                })),
                "measured": report.difficulty,
                "diagnostics": report.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let errors: usize = reports.iter().map(dealsim::CheckReport::errors).sum();
    let warnings: usize = reports.iter().map(dealsim::CheckReport::warnings).sum();
    let document = serde_json::json!({ "files": files, "errors": errors, "warnings": warnings });
    say(&format!("{document:#}\n"));
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn run(paths: &[PathBuf], color: ColorChoice, json: bool) -> ExitCode {
    let color = use_color(color);
    let reports = dealsim::check_paths(paths);
    if json {
        return run_json(&reports);
    }
    let (mut errors, mut warnings) = (0, 0);
    for report in &reports {
        // Problems and the summary go to standard output together, so that one redirect
        // (`dealsim check scenarios/ > report.txt`) keeps the whole report.
        for diagnostic in &report.diagnostics {
            say(&format!("{}\n", diagnostic.render(color)));
        }
        errors += report.errors();
        warnings += report.warnings();
        if let Some(scenario) = &report.scenario {
            let difficulty = report
                .difficulty
                .as_ref()
                .map(|d| {
                    format!(
                        "; scores {} to {}, best expected {}; fastest right call {} min; {}",
                        whole(d.lowest_score),
                        whole(d.highest_score),
                        whole(d.best_expected_score),
                        d.fastest_right_minutes,
                        dealsim::engine::check::explain(d)
                    )
                })
                .unwrap_or_else(|| {
                    format!(
                        "; too many states to measure its difficulty while checking (for the best path: dealsim simulate {} --policy best)",
                        report.path.display()
                    )
                });
            say(&format!(
                "ok  {} ({}: {} nodes, {} choices, {} facts{difficulty})\n",
                report.path.display(),
                scenario.id,
                scenario.node_count(),
                scenario.choice_count(),
                scenario.facts().len(),
            ));
        } else if report.errors() > 0 {
            say(&format!("failed  {}\n", report.path.display()));
        }
    }
    // A file that only looks like a scenario was not checked.
    let files = reports
        .iter()
        .filter(|r| r.scenario.is_some() || r.errors() > 0)
        .count();
    // A checked library can be hundreds of megabytes of small allocations; the process is
    // about to end, so handing them back one by one would only delay the prompt.
    std::mem::forget(reports);
    say(&format!(
        "checked {files} file{}: {errors} error{}, {warnings} warning{}\n",
        if files == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    ));
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn graph(file: &Path) -> Result<ExitCode, Failure> {
    let scenario = super::load_playable(file)?;
    say(&dealsim::engine::dot::to_dot(&scenario));
    Ok(ExitCode::SUCCESS)
}
