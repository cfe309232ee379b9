//! The checker: every problem the spec lists, each with its file, line, column, code and hint,
//! several per run and in file order; and, for a file with no errors, the compiled `Scenario`.

mod call_graph;
mod compile;
mod continuity;
mod fields;
pub(crate) use fields::is_kebab_case;
mod hidden;
mod limits;
mod measure;
mod playable;
mod structure;

pub(crate) use call_graph::{CallGraph, Edge};
pub use measure::{
    ADVANCED_RANDOM_RIGHT, BEGINNER_RANDOM_RIGHT, Difficulty, best_passing_score, explain,
    measured_difficulty,
};

use crate::engine::format::ScenarioFile;
use crate::engine::format::diagnostic::{Code, Diagnostic, Location, Suggester};
use crate::engine::format::load::{self, SourceFile};
use crate::engine::format::locate::{self, SourceText, Step};
use crate::engine::model::Scenario;
use crate::engine::search;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Longest call the format accepts, in minutes.
pub const MAX_MINUTES: i64 = 600;

/// What checking one file found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub path: PathBuf,
    /// In file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when the file has no errors (warnings allowed).
    pub scenario: Option<Scenario>,
    /// How hard the call is, when it could be worked out.
    pub difficulty: Option<Difficulty>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The report of a file that could not even be parsed or read.
    pub fn failed(path: &Path, diagnostic: Diagnostic) -> Self {
        CheckReport {
            path: path.to_path_buf(),
            diagnostics: vec![diagnostic],
            scenario: None,
            difficulty: None,
        }
    }
}

/// Reads and checks one file.
pub fn check_path(path: &Path) -> CheckReport {
    match load::read_source(path) {
        Ok(source) => check_source(&source),
        Err(diagnostic) => CheckReport::failed(path, diagnostic),
    }
}

/// Reads and checks one file without measuring how hard it is: for playing it, which needs the
/// call and not its difficulty.
pub fn compile_path(path: &Path) -> CheckReport {
    match load::read_source(path) {
        Ok(source) => compile_source(&source),
        Err(diagnostic) => CheckReport::failed(path, diagnostic),
    }
}

/// Checks every file under `paths` and the library as a whole (scenario ids must be unique).
/// Problems with the paths themselves come back as reports of their own.
pub fn check_paths(paths: &[PathBuf]) -> Vec<CheckReport> {
    let (files, problems) = load::collect_paths(paths);
    let mut reports: Vec<CheckReport> = problems
        .into_iter()
        .map(|p| CheckReport::failed(&p.diagnostic.file.clone(), p.diagnostic))
        .collect();
    let checked: Vec<CheckReport> = files.iter().map(|f| check_path(f)).collect();
    reports.extend(check_library(checked));
    reports
}

/// Flags scenario ids used by more than one file. The oldest file keeps the id (it is the one
/// reps have played); each newer copy gets the error, naming the file it copies.
pub fn check_library(mut reports: Vec<CheckReport>) -> Vec<CheckReport> {
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
    };
    let mut first_by_id: HashMap<String, (std::time::SystemTime, PathBuf)> = HashMap::default();
    for report in &reports {
        if let Some(scenario) = &report.scenario {
            let when = modified(&report.path);
            first_by_id
                .entry(scenario.id.clone())
                .and_modify(|first| {
                    if when < first.0 {
                        *first = (when, report.path.clone());
                    }
                })
                .or_insert((when, report.path.clone()));
        }
    }
    for report in &mut reports {
        let Some(scenario) = &report.scenario else {
            continue;
        };
        let id = scenario.id.clone();
        match first_by_id.get(&id).map(|(_, path)| path) {
            None => {}
            Some(first) if *first == report.path => {}
            Some(first) => {
                let location = std::fs::read_to_string(&report.path).ok().and_then(|text| {
                    let root = locate::parse(&text)?;
                    let node = root.find(&[Step::Field("id")])?;
                    Some(SourceText::new(&text).location(node.span.clone()))
                });
                report.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        &report.path,
                        format!("scenario id \"{id}\" is already used"),
                    )
                    .at(location)
                    .label("a newer copy of a scenario with this id")
                    .hint(format!(
                        "{} (older) has this id too; ids must be unique across the library: give this copy an id of its own",
                        first.display()
                    )),
                );
                report.scenario = None;
            }
        }
    }
    reports
}

/// Checks a source that is already in memory, and measures how hard a clean call is.
pub fn check_source(source: &SourceFile) -> CheckReport {
    check(source, true)
}

/// Checks and compiles a source without measuring how hard it is: for replays of stored
/// sessions, which need the call and not its difficulty (measuring takes three more searches).
pub fn compile_source(source: &SourceFile) -> CheckReport {
    check(source, false)
}

fn check(source: &SourceFile, measuring: bool) -> CheckReport {
    let file = match load::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => {
            return CheckReport {
                path: source.path.clone(),
                diagnostics,
                scenario: None,
                difficulty: None,
            };
        }
    };
    let mut checker = Checker {
        file: &file,
        source,
        text: SourceText::new(&source.text),
        root: std::cell::OnceCell::new(),
        diagnostics: Vec::new(),
        node_index: HashMap::default(),
        fact_index: HashMap::default(),
        node_occurrence: Vec::new(),
        fact_occurrence: Vec::new(),
        suggester: Suggester::new(),
    };
    checker.run();
    let mut scenario = None;
    let mut difficulty = None;
    if !checker.diagnostics.iter().any(Diagnostic::is_error) {
        let mut data = checker.compile();
        // Velocity's yardstick, kept with the call; its exploration of every state a path can be
        // in also says which gates no path opens.
        // Within the check's cap, so that checking stays quick whatever the file; a larger call
        // works its yardstick out when it is first played (`Yardstick::of_call`).
        match search::prepare(&data, search::CHECK_STATE_CAP) {
            Ok(Some(minutes)) => {
                data.fastest_right_minutes = minutes.max(1);
                // A call that a campaign may carry facts into is also explored with them all
                // known: what they open is reachable in the campaign.
                let carried: Vec<u32> = file
                    .carried
                    .iter()
                    .filter_map(|id| data.facts.iter().position(|f| f.id == *id))
                    .map(|i| i as u32)
                    .collect();
                let with_carried = (!carried.is_empty())
                    .then(|| {
                        let variant = data.starting_with(data.buyer.trust, carried, None);
                        search::Yardstick::of(&variant, search::CHECK_STATE_CAP).ok()
                    })
                    .flatten();
                checker.check_gates(&data, with_carried.as_ref());
                if measuring {
                    difficulty = measure::measure(&data);
                    if let Some(d) = &difficulty {
                        checker.check_measured(&data, d);
                    }
                }
                if !checker.diagnostics.iter().any(Diagnostic::is_error) {
                    scenario = Some(Scenario(Arc::new(data)));
                }
            }
            Ok(None) => {
                let (what, right) = right_call(file.deal.winnable);
                let location = checker.here(&[Step::Field("start")]);
                checker.push(
                    Diagnostic::new(Code::NoRightCall, &source.path, format!("no path that respects the choices' conditions ends in `{right}`"))
                        .at(location)
                        .label("from here, every way through the call ends the wrong way")
                        .hint(format!("this deal {what}; loosen a `requires` so that a path reaches an `end: {right}`")),
                );
            }
            Err(_) => {
                // Too large to explore while checking: still playable. Its yardstick is worked
                // out when first needed (or, past the search's cap, velocity counts no waste).
                data.fastest_right_minutes = data.minutes;
                scenario = Some(Scenario(Arc::new(data)));
            }
        }
    }
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(Diagnostic::file_order);
    CheckReport {
        path: source.path.clone(),
        diagnostics,
        scenario,
        difficulty,
    }
}

fn right_call(winnable: bool) -> (&'static str, &'static str) {
    if winnable {
        ("is winnable", "Advance")
    } else {
        ("cannot close", "QualifiedOut")
    }
}

struct Checker<'a> {
    file: &'a ScenarioFile,
    source: &'a SourceFile,
    text: SourceText<'a>,
    /// Where each value stands: parsed only when a problem needs a caret, so that a clean
    /// file is parsed once.
    root: std::cell::OnceCell<Option<locate::Node>>,
    diagnostics: Vec<Diagnostic>,
    /// First occurrence of each id wins; later ones are reported as duplicates.
    node_index: HashMap<&'a str, u32>,
    fact_index: HashMap<&'a str, u32>,
    /// For the n-th node or fact in the file, which occurrence of its id it is.
    node_occurrence: Vec<usize>,
    fact_occurrence: Vec<usize>,
    /// "Did you mean" hints, within one budget for the file.
    suggester: Suggester,
}

impl<'a> Checker<'a> {
    pub(super) fn root(&self) -> Option<&locate::Node> {
        self.root
            .get_or_init(|| locate::parse(self.text.text()))
            .as_ref()
    }

    pub(super) fn here(&self, path: &[Step<'_>]) -> Option<Location> {
        let node = self.root()?.find(path)?;
        Some(self.text.location(node.span.clone()))
    }

    pub(super) fn here_field_name(&self, path: &[Step<'_>], field: &str) -> Option<Location> {
        let node = self.root()?.find(path)?;
        node.field_name_span(field)
            .map(|span| self.text.location(span))
    }

    pub(super) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn problem(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, &self.source.path, message)
    }

    fn run(&mut self) {
        self.index_ids();
        if !self.check_limits() {
            return;
        }
        self.check_header();
        self.check_facts();
        self.check_nodes();
        // Like rustc after a name-resolution error: an unknown or duplicate id would make most
        // graph problems consequences of the typo (an unknown fact makes the real one look
        // "never revealed"), so those wait until the ids resolve.
        if self.diagnostics.iter().any(|d| {
            matches!(
                d.code,
                Code::UnknownNode | Code::UnknownFact | Code::DuplicateId
            )
        }) {
            return;
        }
        self.check_graph();
        self.check_hidden_choices();
        self.check_continuity();
    }

    pub(super) fn node_path(&self, index: usize) -> [Step<'a>; 2] {
        let key = self.file.nodes.0[index].0.as_str();
        [
            Step::Field("nodes"),
            Step::Value(key, self.node_occurrence[index]),
        ]
    }

    pub(super) fn node_key(&self, index: usize) -> Option<Location> {
        let key = self.file.nodes.0[index].0.as_str();
        self.here(&[
            Step::Field("nodes"),
            Step::Key(key, self.node_occurrence[index]),
        ])
    }
}
