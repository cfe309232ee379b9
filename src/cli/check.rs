//! `dealsim check` and `dealsim graph`: what a manager runs after editing a scenario.

use super::{ColorChoice, Failure, say};
use dealsim::engine::campaign::{self, CampaignReport};
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

/// Checks the campaigns among `paths` (files given, and those in folders given) against the
/// clean scenarios just checked; a campaign file given alone is checked against the scenarios in
/// its folder.
fn check_campaigns(paths: &[PathBuf], reports: &[dealsim::CheckReport]) -> Vec<CampaignReport> {
    let campaigns = campaign::campaign_paths(paths);
    if campaigns.is_empty() {
        return Vec::new();
    }
    let mut library: Vec<dealsim::Scenario> =
        reports.iter().filter_map(|r| r.scenario.clone()).collect();
    for path in &campaigns {
        let folder = campaign::folder_of(path);
        if paths.iter().any(|p| p == path) && !paths.contains(&folder) {
            for s in campaign::library_in(&folder) {
                if !library.iter().any(|known| known.id == s.id) {
                    library.push(s);
                }
            }
        }
    }
    campaigns
        .iter()
        .map(|path| campaign::read_campaign(path, &library))
        .collect()
}

fn run_json(reports: &[dealsim::CheckReport], campaigns: &[CampaignReport]) -> ExitCode {
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
        .chain(campaigns.iter().map(|report| {
            serde_json::json!({
                "path": report.path.display().to_string(),
                "ok": report.campaign.is_some(),
                "campaign": report.campaign.as_ref().map(|c| serde_json::json!({
                    "id": c.id,
                    "calls": c.calls.iter().map(|call| call.scenario.clone()).collect::<Vec<_>>(),
                })),
                "diagnostics": report.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })
        }))
        .collect();
    let errors: usize = reports
        .iter()
        .map(dealsim::CheckReport::errors)
        .sum::<usize>()
        + campaigns.iter().map(CampaignReport::errors).sum::<usize>();
    let warnings: usize = reports
        .iter()
        .map(dealsim::CheckReport::warnings)
        .sum::<usize>()
        + campaigns
            .iter()
            .map(|c| c.diagnostics.len() - c.errors())
            .sum::<usize>();
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
    // Campaign files are checked after the scenarios they link, not as scenarios.
    let scenario_paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !campaign::is_campaign_path(p))
        .cloned()
        .collect();
    let reports = if scenario_paths.is_empty() {
        Vec::new()
    } else {
        dealsim::check_paths(&scenario_paths)
    };
    let campaigns = check_campaigns(paths, &reports);
    if json {
        return run_json(&reports, &campaigns);
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
    for report in &campaigns {
        for diagnostic in &report.diagnostics {
            say(&format!("{}\n", diagnostic.render(color)));
        }
        errors += report.errors();
        warnings += report.diagnostics.len() - report.errors();
        match &report.campaign {
            Some(c) => say(&format!(
                "ok  {} (campaign {}: {} calls, {})\n",
                report.path.display(),
                c.id,
                c.calls.len(),
                c.calls
                    .iter()
                    .map(|call| call.scenario.as_str())
                    .collect::<Vec<_>>()
                    .join(" -> ")
            )),
            None => say(&format!("failed  {}\n", report.path.display())),
        }
    }
    // A file that only looks like a scenario was not checked.
    let files = reports
        .iter()
        .filter(|r| r.scenario.is_some() || r.errors() > 0)
        .count()
        + campaigns.len();
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

/// What `graph` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GraphFormat {
    /// Graphviz DOT (`| dot -Tsvg`).
    Dot,
    /// An SVG drawing, laid out without Graphviz.
    Svg,
    /// A self-contained web page: the drawing, a legend and the checker's warnings.
    Html,
}

pub(crate) fn graph(file: &Path, format: GraphFormat) -> Result<ExitCode, Failure> {
    use dealsim::engine::dot::{Flavour, best_play, to_dot_for};
    if campaign::is_campaign_path(file) {
        return campaign_graph(file, format);
    }
    let report = dealsim::engine::check::compile_path(file);
    let Some(scenario) = report.scenario else {
        return sketch(file, &report.diagnostics, format);
    };
    let best = best_play(&scenario);
    if format == GraphFormat::Dot {
        say(&to_dot_for(&scenario, Flavour::Graphviz, &best));
        return Ok(ExitCode::SUCCESS);
    }
    // The checker's warnings, marked on the nodes they are about and listed beside the map.
    let report = dealsim::check_path(file);
    let marks = dealsim::engine::map::marks_by_node(&scenario.source_text, &report.diagnostics);
    let svg = draw_svg(&dealsim::engine::dot::to_dot_marked(
        &scenario,
        Flavour::Plain,
        &best,
        &marks,
    ))?;
    if format == GraphFormat::Svg {
        say(&svg);
        return Ok(ExitCode::SUCCESS);
    }
    say(&graph_page(&scenario, &svg, &report.diagnostics));
    Ok(ExitCode::SUCCESS)
}

/// A campaign as a map: its calls in order, what each needs and carries, and chance between.
fn campaign_graph(file: &Path, format: GraphFormat) -> Result<ExitCode, Failure> {
    let (campaign, library) = super::campaign::load_campaign(file)?;
    let dot = campaign::dot::campaign_dot(&campaign, &library);
    if format == GraphFormat::Dot {
        say(&dot);
        return Ok(ExitCode::SUCCESS);
    }
    let svg = campaign::dot::campaign_svg(&campaign, &library);
    if format == GraphFormat::Svg {
        say(&svg);
        return Ok(ExitCode::SUCCESS);
    }
    say(&format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: the campaign as a map</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #1b1f2a; }}
.map {{ overflow: auto; border: 1px solid #ccd; padding: 8px; }}
</style></head><body>
<h1>{title}</h1>
<p>{brief}</p>
<p>Each box is a call, played in order. An arrow says what the next call needs from the calls
before ("if ... ended Advance"), whether the buyer's trust carries, which facts the rep keeps,
and what chance can bring between the two calls, with its odds. A dashed arrow is where a run
stops. <code>dealsim graph</code> on a call's own file draws that call.</p>
<div class="map">{svg}</div>
</body></html>
"#,
        title = html_escape(&campaign.title),
        brief = html_escape(&campaign.brief),
    ));
    Ok(ExitCode::SUCCESS)
}

/// A file that does not check, drawn as far as it can be (`engine::sketch`): the errors are
/// printed as `check` prints them, the map goes to standard output, and the exit status is 1.
fn sketch(
    file: &Path,
    diagnostics: &[dealsim::engine::format::diagnostic::Diagnostic],
    format: GraphFormat,
) -> Result<ExitCode, Failure> {
    let color = use_color(ColorChoice::Auto);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    for diagnostic in &errors {
        super::tell(&diagnostic.render(color));
    }
    let source = std::fs::read_to_string(file).unwrap_or_default();
    let mut marks: std::collections::HashMap<usize, Vec<String>> = Default::default();
    for d in &errors {
        if let Some(location) = d.location.as_deref() {
            marks
                .entry(location.line)
                .or_default()
                .push(d.code.as_str().to_string());
        }
    }
    let Some(dot) = dealsim::engine::sketch::sketch(&source, &marks) else {
        return Err(Failure(format!(
            "{} cannot be drawn until it reads as a call: fix the {} error(s) above first",
            file.display(),
            errors.len()
        )));
    };
    super::tell(&format!(
        "dealsim: {} has {} error(s); it is drawn as far as it can be: red boxes are the nodes with errors and the ids no node has\n",
        file.display(),
        errors.len()
    ));
    match format {
        GraphFormat::Dot => say(&dot),
        GraphFormat::Svg => say(&draw_svg(&dot)?),
        GraphFormat::Html => {
            let svg = draw_svg(&dot)?;
            let problems = problem_items(errors.iter().copied());
            say(&format!(
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}: does not check yet</title><style>body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #1b1f2a; }} .map {{ overflow: auto; border: 1px solid #ccd; padding: 8px; }}</style></head><body>\n<h1>{name} does not check yet</h1>\n<p>Drawn as far as the file allows: each node with its line, an arrow for every <code>to:</code> and <code>next:</code>. Red boxes are the nodes with errors (ERROR: the code) and the ids no node has (NO SUCH NODE). Fix these, then draw it again for best play and the endings.</p>\n<h2>What the checker says</h2><ul>{problems}</ul>\n<div class=\"map\">{svg}</div>\n</body></html>\n",
                name = html_escape(&file.display().to_string())
            ));
        }
    }
    Ok(ExitCode::from(1))
}

/// Lays a DOT graph out and draws it as SVG with layout-rs (no Graphviz needed).
fn draw_svg(dot: &str) -> Result<String, Failure> {
    let mut parser = layout::gv::DotParser::new(dot);
    let tree = parser
        .process()
        .map_err(|e| Failure(format!("the call could not be laid out: {e}")))?;
    let mut builder = layout::gv::GraphBuilder::new();
    builder.visit_graph(&tree);
    let mut graph = builder.get();
    let mut svg = layout::backends::svg::SVGWriter::new();
    graph.do_it(false, false, false, &mut svg);
    Ok(stable_styles(svg.finalize()))
}

/// layout-rs writes its font classes in a hash map's order, which differs between runs; sorted,
/// the same call always gives the same file (a golden test holds it).
fn stable_styles(svg: String) -> String {
    let (Some(start), Some(end)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg;
    };
    let start = start + "<style>\n".len();
    if end < start {
        return svg;
    }
    let mut rules: Vec<&str> = svg[start..end].lines().collect();
    rules.sort_unstable();
    let mut sorted = rules.join("\n");
    sorted.push('\n');
    format!("{}{sorted}{}", &svg[..start], &svg[end..])
}

/// The checker's problems as HTML list items: code, line, message and hint.
fn problem_items<'a>(
    diagnostics: impl Iterator<Item = &'a dealsim::engine::format::diagnostic::Diagnostic>,
) -> String {
    let mut items = String::new();
    for d in diagnostics {
        let at = d
            .location
            .as_deref()
            .map(|l| format!(" (line {})", l.line))
            .unwrap_or_default();
        items.push_str(&format!(
            "<li><b>{}</b>{at}: {}{}</li>",
            d.code.as_str(),
            html_escape(&d.message),
            d.hint
                .as_deref()
                .map(|h| format!(" <i>{}</i>", html_escape(h)))
                .unwrap_or_default()
        ));
    }
    items
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained page: the title, a legend, the checker's warnings and the drawing.
fn graph_page(
    scenario: &dealsim::Scenario,
    svg: &str,
    diagnostics: &[dealsim::engine::format::diagnostic::Diagnostic],
) -> String {
    let right = if scenario.winnable {
        "winnable: Advance is the right call"
    } else {
        "not winnable: QualifiedOut is the right call"
    };
    let problems = problem_items(diagnostics.iter());
    let problems = if problems.is_empty() {
        "<p>The checker has nothing to say about this call.</p>".to_string()
    } else {
        format!("<h2>What the checker says</h2><ul>{problems}</ul>")
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: the call as a map</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #1b1f2a; }}
.legend span {{ display: inline-block; margin: 0 14px 6px 0; }}
.swatch {{ display: inline-block; width: 14px; height: 14px; border: 1px solid #555; vertical-align: middle; margin-right: 4px; }}
.map {{ overflow: auto; border: 1px solid #ccd; padding: 8px; }}
</style></head><body>
<h1>{title}</h1>
<p>{buyer}, {role} at {company} · {minutes} minutes · deal {right}</p>
<div class="legend">
<span><span class="swatch" style="background:{best}"></span>thick teal arrows: what best play says (over every draw of luck)</span>
<span>START: where the call begins</span>
<span>CHANCE: the buyer's luck; dashed arrows with the odds</span>
<span><span class="swatch" style="background:#c8e6c9"></span>END: Advance</span>
<span><span class="swatch" style="background:#fff3c4"></span>END: Continuation</span>
<span><span class="swatch" style="background:#ffcdd2"></span>END: Lost</span>
<span><span class="swatch" style="background:#bbdefb"></span>END: QualifiedOut</span>
<span><span class="swatch" style="background:#eeeeee"></span>UNREACHABLE</span>
<span><span class="swatch" style="border:3px solid #d55e00"></span>CHECK: a node the checker warns about (listed above the map)</span>
<span>"if ...": the conditions a choice needs to be offered</span>
</div>
{problems}
<div class="map">{svg}</div>
</body></html>
"#,
        title = html_escape(&scenario.title),
        buyer = html_escape(&scenario.buyer.name),
        role = html_escape(&scenario.buyer.role),
        company = html_escape(&scenario.buyer.company),
        minutes = scenario.minutes,
        best = dealsim::engine::dot::BEST_COLOUR,
    )
}
