//! The checker: every problem the spec lists, each with its file, line, column, code and hint,
//! several per run and in file order; and, for a file with no errors, the compiled `Scenario`.

use crate::diagnostic::{Code, Diagnostic, Location, did_you_mean};
use crate::format::{Condition, FactKind, Node, Outcome, ScenarioFile};
use crate::graph::{CallGraph, Edge};
use crate::load::{self, SourceFile};
use crate::locate::{self, SourceText, Step};
use crate::model::{
    BranchData, BuyerInfo, ChoiceData, Cond, FactData, NO_SLOT, NodeData, Scenario, ScenarioData,
    Way, Weights,
};
use crate::search::{self, Objective, Solver};
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

/// What the search says about a checked scenario: how hard it is before reps play it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difficulty {
    /// The lowest and highest overall score any path can get.
    pub lowest_score: f64,
    pub highest_score: f64,
    /// The best expected overall score (chance averaged), which the best path aims for.
    pub best_expected_score: f64,
    pub fastest_right_minutes: u32,
    /// Decision states the search visited for the best expected score.
    pub states: usize,
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

/// Checks every file under `paths` and the library as a whole (scenario ids must be unique).
/// Problems with the paths themselves come back as reports of their own.
pub fn check_paths(paths: &[PathBuf]) -> Vec<CheckReport> {
    let (files, problems) = load::collect_paths(paths);
    let mut reports: Vec<CheckReport> = problems
        .into_iter()
        .map(|d| CheckReport::failed(&d.file.clone(), d))
        .collect();
    let checked: Vec<CheckReport> = files.iter().map(|f| check_path(f)).collect();
    reports.extend(check_library(checked));
    reports
}

/// Flags scenario ids used by more than one file; the later file gets the error.
pub fn check_library(mut reports: Vec<CheckReport>) -> Vec<CheckReport> {
    let mut first_by_id: HashMap<String, PathBuf> = HashMap::default();
    for report in &mut reports {
        let Some(scenario) = &report.scenario else {
            continue;
        };
        let id = scenario.id.clone();
        match first_by_id.get(&id) {
            None => {
                first_by_id.insert(id, report.path.clone());
            }
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
                    .label("a second scenario with this id")
                    .hint(format!(
                        "{} already has this id; ids must be unique across the library",
                        first.display()
                    )),
                );
                report.scenario = None;
            }
        }
    }
    reports
}

/// Checks a source that is already in memory.
pub fn check_source(source: &SourceFile) -> CheckReport {
    let file = match load::parse(source) {
        Ok(file) => file,
        Err(diagnostic) => return CheckReport::failed(&source.path, diagnostic),
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
    };
    checker.run();
    let mut scenario = None;
    let mut difficulty = None;
    if !checker.diagnostics.iter().any(Diagnostic::is_error) {
        let mut data = checker.compile();
        match search::fastest_right_minutes(&data) {
            Ok(Some(minutes)) => {
                data.fastest_right_minutes = minutes.max(1);
                difficulty = measure(&data);
                scenario = Some(Scenario(Arc::new(data)));
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
            Err(too_many) => {
                // Too large to solve exactly: still playable; velocity measures against the
                // call's length, the most a right call can take.
                data.fastest_right_minutes = data.minutes;
                let _ = too_many;
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

/// How hard the call is, by exact search. Each search stops at the check's state cap (a tenth of
/// the best-path cap), so that checking a very large call stays quick; past it the call is
/// reported as too large to measure, and is still playable.
fn measure(data: &ScenarioData) -> Option<Difficulty> {
    let solve = |objective| Solver::with_cap(data, objective, search::CHECK_STATE_CAP);
    let mut expected = solve(Objective::ExpectedScore);
    let best_expected_score = expected.value_from_start().ok()?;
    let highest_score = solve(Objective::HighestScore).value_from_start().ok()?;
    let lowest_score = solve(Objective::LowestScore).value_from_start().ok()?;
    Some(Difficulty {
        lowest_score,
        highest_score,
        best_expected_score,
        fastest_right_minutes: data.fastest_right_minutes,
        states: expected.states(),
    })
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
}

impl<'a> Checker<'a> {
    fn root(&self) -> Option<&locate::Node> {
        self.root
            .get_or_init(|| locate::parse(self.text.text()))
            .as_ref()
    }

    fn here(&self, path: &[Step<'_>]) -> Option<Location> {
        let node = self.root()?.find(path)?;
        Some(self.text.location(node.span.clone()))
    }

    fn here_field_name(&self, path: &[Step<'_>], field: &str) -> Option<Location> {
        let node = self.root()?.find(path)?;
        node.field_name_span(field)
            .map(|span| self.text.location(span))
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn problem(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, &self.source.path, message)
    }

    fn run(&mut self) {
        self.index_ids();
        self.check_header();
        self.check_facts();
        self.check_nodes();
        // Like rustc after a name-resolution error: an unknown or duplicate id would make most
        // graph problems consequences of the typo, so those wait until the ids resolve.
        if self
            .diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::UnknownNode | Code::DuplicateId))
        {
            return;
        }
        self.check_graph();
        self.check_hidden_choices();
    }

    fn node_path(&self, index: usize) -> [Step<'a>; 2] {
        let key = self.file.nodes.0[index].0.as_str();
        [
            Step::Field("nodes"),
            Step::Value(key, self.node_occurrence[index]),
        ]
    }

    fn node_key(&self, index: usize) -> Option<Location> {
        let key = self.file.nodes.0[index].0.as_str();
        self.here(&[
            Step::Field("nodes"),
            Step::Key(key, self.node_occurrence[index]),
        ])
    }

    fn index_ids(&mut self) {
        let file = self.file;
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for (i, (id, _)) in file.nodes.iter().enumerate() {
            let occurrence = *seen.entry(id).and_modify(|n| *n += 1).or_insert(0);
            self.node_occurrence.push(occurrence);
            if occurrence == 0 {
                self.node_index.insert(id, i as u32);
            } else {
                let location = self.node_key(i);
                self.push(
                    self.problem(Code::DuplicateId, format!("node \"{id}\" is defined twice"))
                        .at(location)
                        .label("second node with this id")
                        .hint("rename one of them; ids must be unique within the scenario"),
                );
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for (i, (id, _)) in file.facts.iter().enumerate() {
            let occurrence = *seen.entry(id).and_modify(|n| *n += 1).or_insert(0);
            self.fact_occurrence.push(occurrence);
            if occurrence == 0 {
                self.fact_index.insert(id, i as u32);
            } else {
                let location = self.here(&[Step::Field("facts"), Step::Key(id, occurrence)]);
                self.push(
                    self.problem(Code::DuplicateId, format!("fact \"{id}\" is defined twice"))
                        .at(location)
                        .label("second fact with this id")
                        .hint("rename one of them; ids must be unique within the scenario"),
                );
            }
        }
    }

    fn range(&mut self, value: i64, low: i64, high: i64, path: &[Step<'_>], what: &str) {
        if !(low..=high).contains(&value) {
            let location = self.here(path);
            self.push(
                self.problem(
                    Code::OutOfRange,
                    format!("{what} is {value}, outside {low}..={high}"),
                )
                .at(location)
                .label("out of range")
                .hint(format!("use a whole number from {low} to {high}")),
            );
        }
    }

    fn not_empty(&mut self, text: &str, path: &[Step<'_>], what: &str) {
        if text.trim().is_empty() {
            let location = self.here(path);
            self.push(
                self.problem(Code::EmptyText, format!("{what} is empty"))
                    .at(location)
                    .label("nothing to say")
                    .hint(format!("write the {what}")),
            );
        }
    }

    fn check_header(&mut self) {
        let file = self.file;
        if !is_kebab_case(&file.id) {
            let location = self.here(&[Step::Field("id")]);
            self.push(
                self.problem(
                    Code::BadId,
                    format!("scenario id \"{}\" is not kebab-case", file.id),
                )
                .at(location)
                .label("use lower-case words joined by hyphens")
                .hint(format!("for example \"{}\"", to_kebab_case(&file.id))),
            );
        }
        self.not_empty(&file.title, &[Step::Field("title")], "title");
        self.not_empty(
            &file.buyer.name,
            &[Step::Field("buyer"), Step::Field("name")],
            "buyer's name",
        );
        self.range(
            file.minutes,
            1,
            MAX_MINUTES,
            &[Step::Field("minutes")],
            "the call's minutes",
        );
        if let Some(mark) = file.pass_mark {
            self.range(mark, 0, 100, &[Step::Field("pass_mark")], "pass_mark");
        }
        self.range(
            file.buyer.trust,
            0,
            100,
            &[Step::Field("buyer"), Step::Field("trust")],
            "the buyer's starting trust",
        );
        self.range(
            file.deal.value,
            0,
            i64::MAX,
            &[Step::Field("deal"), Step::Field("value")],
            "the deal's value",
        );
        if let Some(rubric) = &file.rubric {
            for (name, weight) in [
                ("qualification", rubric.qualification),
                ("discovery", rubric.discovery),
                ("rapport", rubric.rapport),
                ("velocity", rubric.velocity),
            ] {
                self.range(
                    weight,
                    0,
                    100,
                    &[Step::Field("rubric"), Step::Field(name)],
                    &format!("the {name} weight"),
                );
            }
            if rubric.qualification + rubric.discovery + rubric.rapport + rubric.velocity <= 0 {
                let location = self.here(&[Step::Field("rubric")]);
                self.push(
                    self.problem(Code::OutOfRange, "the rubric's weights are all zero")
                        .at(location)
                        .label("nothing would count toward the overall score")
                        .hint("give at least one dimension a weight, or leave `rubric` out for the defaults"),
                );
            }
        }
        if !self.node_index.contains_key(file.start.as_str()) {
            let location = self.here(&[Step::Field("start")]);
            let hint = did_you_mean(&file.start, self.node_index.keys().copied());
            self.push(
                self.problem(
                    Code::UnknownNode,
                    format!("unknown node \"{}\"", file.start),
                )
                .at(location)
                .label("`start` must name a node")
                .maybe_hint(hint.or_else(|| {
                    Some("add this node under `nodes`, or name an existing one".into())
                })),
            );
        }
    }

    fn check_facts(&mut self) {
        let file = self.file;
        for (i, (id, fact)) in file.facts.iter().enumerate() {
            let occurrence = self.fact_occurrence[i];
            let path = [Step::Field("facts"), Step::Value(id, occurrence)];
            self.not_empty(
                &fact.text,
                &[path[0], path[1], Step::Field("text")],
                "fact's text",
            );
            self.range(
                fact.weight,
                1,
                100,
                &[path[0], path[1], Step::Field("weight")],
                "a fact's weight",
            );
        }
    }

    fn unknown_fact(&mut self, id: &str, path: &[Step<'_>]) {
        if !self.fact_index.contains_key(id) {
            let known: Vec<&str> = self.fact_index.keys().copied().collect();
            self.unknown_id(
                Code::UnknownFact,
                "fact",
                id,
                &known,
                path,
                "add it under `facts`, or name an existing fact",
            );
        }
    }

    fn unknown_node(&mut self, id: &str, path: &[Step<'_>]) {
        if !self.node_index.contains_key(id) {
            let known: Vec<&str> = self.node_index.keys().copied().collect();
            self.unknown_id(
                Code::UnknownNode,
                "node",
                id,
                &known,
                path,
                "add this node under `nodes`, or name an existing one",
            );
        }
    }

    /// An id that names nothing: the caret under it, and the nearest known id as a hint.
    fn unknown_id(
        &mut self,
        code: Code,
        what: &str,
        id: &str,
        known: &[&str],
        path: &[Step<'_>],
        fallback: &str,
    ) {
        let location = self.here(path);
        let hint = did_you_mean(id, known.iter().copied()).unwrap_or_else(|| fallback.into());
        self.push(
            self.problem(code, format!("unknown {what} \"{id}\""))
                .at(location)
                .label(format!("no {what} has this id"))
                .hint(hint),
        );
    }

    fn check_nodes(&mut self) {
        let file = self.file;
        for (i, (id, node)) in file.nodes.iter().enumerate() {
            let [nodes, key] = self.node_path(i);
            let at = |field: &'static str| [nodes, key, Step::Field(field)];
            self.not_empty(&node.line, &at("line"), "buyer's line");
            self.range(node.trust, -100, 100, &at("trust"), "a node's trust change");
            for (r, fact) in node.reveals.iter().enumerate() {
                self.unknown_fact(fact, &[nodes, key, Step::Field("reveals"), Step::Index(r)]);
            }
            self.check_way_count(i, id, node);
            if let Some(choices) = &node.choices {
                for (c, choice) in choices.iter().enumerate() {
                    let choice_path = [nodes, key, Step::Field("choices"), Step::Index(c)];
                    let at_choice = |field: &'static str| {
                        [
                            choice_path[0],
                            choice_path[1],
                            choice_path[2],
                            choice_path[3],
                            Step::Field(field),
                        ]
                    };
                    self.not_empty(&choice.say, &at_choice("say"), "rep's line (`say`)");
                    self.unknown_node(&choice.to, &at_choice("to"));
                    self.range(
                        choice.trust,
                        -100,
                        100,
                        &at_choice("trust"),
                        "a choice's trust change",
                    );
                    self.range(
                        choice.minutes,
                        1,
                        MAX_MINUTES,
                        &at_choice("minutes"),
                        "a choice's minutes",
                    );
                    for (r, fact) in choice.reveals.iter().enumerate() {
                        let mut path = at_choice("reveals").to_vec();
                        path.push(Step::Index(r));
                        self.unknown_fact(fact, &path);
                    }
                    for (r, condition) in choice.requires.iter().enumerate() {
                        let mut path = at_choice("requires").to_vec();
                        path.push(Step::Index(r));
                        let mut argument = path.clone();
                        argument.push(Step::Index(0));
                        match condition {
                            Condition::Knows(fact) | Condition::DoesNotKnow(fact) => {
                                self.unknown_fact(fact, &argument)
                            }
                            Condition::Visited(node) | Condition::NotVisited(node) => {
                                self.unknown_node(node, &argument)
                            }
                            Condition::TrustAtLeast(n) | Condition::TrustBelow(n) => {
                                self.range(*n, 0, 101, &argument, "a trust condition")
                            }
                            Condition::MinutesLeft(n) => {
                                self.range(*n, 0, MAX_MINUTES, &argument, "a minutes condition")
                            }
                        }
                    }
                    if choice.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                        let location = self.here(&at_choice("say"));
                        self.push(
                            self.problem(Code::MissingNote, "choice has no coaching `note`")
                                .at(location)
                                .label("the debrief has nothing to teach here")
                                .hint("add `note: \"..\"` saying why this move helps or hurts"),
                        );
                    }
                }
            }
            if let Some(branches) = &node.chance {
                for (b, branch) in branches.iter().enumerate() {
                    let branch_path = [nodes, key, Step::Field("chance"), Step::Index(b)];
                    let mut to = branch_path.to_vec();
                    to.push(Step::Field("to"));
                    self.unknown_node(&branch.to, &to);
                    let mut weight = branch_path.to_vec();
                    weight.push(Step::Field("weight"));
                    self.range(branch.weight, 0, 1_000_000, &weight, "a branch's weight");
                }
                if branches.iter().all(|b| b.weight <= 0) {
                    let location = self.here_field_name(&[nodes, key], "chance");
                    let message = if branches.is_empty() {
                        "`chance` has no branches"
                    } else {
                        "every branch of `chance` has weight 0"
                    };
                    self.push(
                        self.problem(Code::EmptyChance, format!("{message} at node \"{id}\""))
                            .at(location)
                            .label("the buyer could go nowhere from here")
                            .hint("give at least one branch a positive weight, such as `(weight: 1, to: \"..\")`"),
                    );
                }
            }
            if let Some(next) = &node.next {
                self.unknown_node(next, &at("next"));
            }
        }
    }

    fn check_way_count(&mut self, index: usize, id: &str, node: &Node) {
        let present: Vec<&str> = [
            node.choices.as_ref().map(|_| "choices"),
            node.chance.as_ref().map(|_| "chance"),
            node.next.as_ref().map(|_| "next"),
            node.end.as_ref().map(|_| "end"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let path = self.node_path(index);
        match present.as_slice() {
            [] => {
                let location = self.node_key(index);
                self.push(
                    self.problem(Code::NoWayOn, format!("node \"{id}\" has no way on"))
                        .at(location)
                        .label("the call would stop here")
                        .hint("add one of `choices`, `chance`, `next` or `end`"),
                );
            }
            ["choices"] if node.choices.as_ref().is_some_and(Vec::is_empty) => {
                let location = self.here_field_name(&path, "choices");
                self.push(
                    self.problem(
                        Code::NoWayOn,
                        format!("node \"{id}\" has an empty choice list"),
                    )
                    .at(location)
                    .label("the rep would have nothing to say")
                    .hint("add a choice, or end the call here with `end: ..`"),
                );
            }
            [_] => {}
            [_, _, ..] => {
                // Point at whichever way on comes second in the file.
                let mut located: Vec<Location> = present
                    .iter()
                    .filter_map(|field| self.here_field_name(&path, field))
                    .collect();
                located.sort_by_key(|l| (l.line, l.column));
                let location = located.into_iter().nth(1);
                self.push(
                    self.problem(
                        Code::SeveralWaysOn,
                        format!(
                            "node \"{id}\" has more than one way on ({})",
                            present.join(", ")
                        ),
                    )
                    .at(location)
                    .label("a node has exactly one way on")
                    .hint("keep one; to branch, use `choices` (the rep) or `chance` (the buyer)"),
                );
            }
        }
    }

    /// The edges that resolve to known nodes, for the graph checks.
    fn resolved_edges(&self) -> Vec<(u32, u32, Edge)> {
        let mut edges = Vec::new();
        for (i, (_, node)) in self.file.nodes.iter().enumerate() {
            let from = i as u32;
            let mut add = |to: &str, edge| {
                if let Some(&to) = self.node_index.get(to) {
                    edges.push((from, to, edge));
                }
            };
            for (p, choice) in node.choices.iter().flatten().enumerate() {
                add(&choice.to, Edge::Choice(p as u32));
            }
            for (p, branch) in node.chance.iter().flatten().enumerate() {
                if branch.weight > 0 {
                    add(&branch.to, Edge::Chance(p as u32));
                }
            }
            if let Some(next) = &node.next {
                add(next, Edge::Next);
            }
        }
        edges
    }

    fn check_graph(&mut self) {
        let file = self.file;
        let Some(&start) = self.node_index.get(file.start.as_str()) else {
            return;
        };
        let graph = CallGraph::new(file.nodes.len(), self.resolved_edges());
        let reachable = graph.reachable_from(start);
        let endings: Vec<u32> = file
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, (_, n))| n.end.is_some())
            .map(|(i, _)| i as u32)
            .collect();
        let reaches_end = graph.reaching(endings.iter().copied());
        for (i, (id, _)) in file.nodes.iter().enumerate() {
            if self.node_occurrence[i] > 0 {
                continue;
            }
            if !reachable[i] {
                let location = self.node_key(i);
                self.push(
                    self.problem(Code::UnreachableNode, format!("node \"{id}\" is never reached"))
                        .at(location)
                        .label("no path from `start` leads here")
                        .hint("point a choice's `to`, a `next` or a `chance` branch here, or remove the node"),
                );
            } else if !reaches_end[i] {
                let location = self.node_key(i);
                self.push(
                    self.problem(
                        Code::NoEndingReachable,
                        format!("no ending can be reached from node \"{id}\""),
                    )
                    .at(location)
                    .label("a call that gets here can never end")
                    .hint("lead at least one way from here to a node with `end: ..`"),
                );
            }
        }
        for buyer_loop in graph.automatic_loops() {
            let first = buyer_loop[0] as usize;
            let names: Vec<String> = buyer_loop
                .iter()
                .map(|&n| format!("\"{}\"", file.nodes.0[n as usize].0))
                .collect();
            let location = self.node_key(first);
            self.push(
                self.problem(Code::BuyerLoop, format!("the buyer can go round {} forever", names.join(" -> ")))
                    .at(location)
                    .label("a loop of `next`/`chance` turns with no choice in it")
                    .hint("only the rep's choices spend minutes: put a `choices` node in the loop, or end it"),
            );
        }
        // Facts that no reachable line or choice reveals.
        let mut revealed = vec![false; file.facts.len()];
        for (i, (_, node)) in file.nodes.iter().enumerate() {
            if !reachable[i] {
                continue;
            }
            let choice_reveals = node.choices.iter().flatten().flat_map(|c| c.reveals.iter());
            for fact in node.reveals.iter().chain(choice_reveals) {
                if let Some(&f) = self.fact_index.get(fact.as_str()) {
                    revealed[f as usize] = true;
                }
            }
        }
        for (i, (id, _)) in file.facts.iter().enumerate() {
            if self.fact_occurrence[i] == 0 && !revealed[self.fact_index[id] as usize] {
                let location = self.here(&[Step::Field("facts"), Step::Key(id, 0)]);
                self.push(
                    self.problem(Code::FactNeverRevealed, format!("fact \"{id}\" is never revealed"))
                        .at(location)
                        .label("no reachable line or choice reveals it")
                        .hint("add it to a reachable node's or choice's `reveals`, or remove it (reps could never score it)"),
                );
            }
        }
        // A right call must be reachable.
        let right = if file.deal.winnable {
            Outcome::Advance
        } else {
            Outcome::QualifiedOut
        };
        let has_right_ending = file
            .nodes
            .iter()
            .enumerate()
            .any(|(i, (_, n))| reachable[i] && n.end == Some(right));
        if !has_right_ending {
            let (what, right_name) = right_call(file.deal.winnable);
            let location = self.here(&[Step::Field("deal"), Step::Field("winnable")]);
            self.push(
                self.problem(
                    Code::NoRightCall,
                    format!("no reachable ending is the right call: this deal {what}"),
                )
                .at(location)
                .label(format!("so some path must end in `{right_name}`"))
                .hint(format!(
                    "add a reachable node with `end: {right_name}`, or correct `winnable`"
                )),
            );
        }
    }

    /// Error when some reachable situation could hide every choice of a node at once. Facts and
    /// visits that are certain (every path reveals or passes them) or impossible (no path does)
    /// on arrival are taken into account, so a condition the story guarantees is not flagged.
    fn check_hidden_choices(&mut self) {
        let file = self.file;
        let Some(&start) = self.node_index.get(file.start.as_str()) else {
            return;
        };
        if self.diagnostics.iter().any(|d| {
            matches!(
                d.code,
                Code::UnknownNode | Code::UnknownFact | Code::DuplicateId
            )
        }) {
            return;
        }
        // Without a single condition no choice can be hidden; skip the data flow.
        let any_condition = file
            .nodes
            .iter()
            .any(|(_, n)| n.choices.iter().flatten().any(|c| !c.requires.is_empty()));
        if !any_condition {
            return;
        }
        let flow = Flow::compute(self, start);
        let mut problems = Vec::new();
        for (i, (id, node)) in file.nodes.iter().enumerate() {
            let Some(choices) = &node.choices else {
                continue;
            };
            // A choice without conditions is always offered: nothing to work out.
            if choices.is_empty()
                || !flow.reached[i]
                || choices.iter().any(|c| c.requires.is_empty())
            {
                continue;
            }
            let conditions: Vec<Vec<Cond>> = choices
                .iter()
                .map(|c| {
                    c.requires
                        .iter()
                        .map(|r| self.resolve_condition(r))
                        .collect()
                })
                .collect();
            if all_can_be_hidden(&conditions, &flow, i as u32) {
                problems.push((i, id));
            }
        }
        for (i, id) in problems {
            let path = self.node_path(i);
            let location = self.here_field_name(&path, "choices");
            self.push(
                self.problem(Code::AllChoicesHidden, format!("every choice at node \"{id}\" can be hidden at once"))
                    .at(location)
                    .label("the rep could be left with nothing to say")
                    .hint("add a choice without `requires`, or pair a condition with its opposite (Knows/DoesNotKnow, TrustAtLeast/TrustBelow)"),
            );
        }
    }

    fn resolve_condition(&self, condition: &Condition) -> Cond {
        let fact = |id: &str| self.fact_index[id];
        let node = |id: &str| self.node_index[id];
        match condition {
            Condition::Knows(f) => Cond::Knows(fact(f)),
            Condition::DoesNotKnow(f) => Cond::DoesNotKnow(fact(f)),
            Condition::TrustAtLeast(n) => Cond::TrustAtLeast(*n as i32),
            Condition::TrustBelow(n) => Cond::TrustBelow(*n as i32),
            Condition::MinutesLeft(n) => Cond::MinutesLeft(*n as i32),
            Condition::Visited(n) => Cond::Visited(node(n)),
            Condition::NotVisited(n) => Cond::NotVisited(node(n)),
        }
    }

    /// Builds the playable form. Only called on a file without errors, so every id resolves.
    fn compile(&self) -> ScenarioData {
        let file = self.file;
        let fact = |id: &str| self.fact_index[id];
        let node = |id: &str| self.node_index[id];
        let facts: Vec<FactData> = file
            .facts
            .iter()
            .map(|(id, f)| FactData {
                id: id.to_string(),
                kind: f.kind,
                text: f.text.clone(),
                weight: f.weight as u32,
            })
            .collect();
        let mut visit_slot = vec![NO_SLOT; file.nodes.len()];
        let mut visit_slots = 0;
        let mut fact_refs = Vec::new();
        let mut conditions = Vec::new();
        let mut choices = Vec::new();
        let mut branches = Vec::new();
        let mut nodes = Vec::with_capacity(file.nodes.len());
        let refs = |ids: &[String], fact_refs: &mut Vec<u32>| {
            let start = fact_refs.len() as u32;
            fact_refs.extend(ids.iter().map(|id| fact(id)));
            start..fact_refs.len() as u32
        };
        for (id, n) in file.nodes.iter() {
            let reveals = refs(&n.reveals, &mut fact_refs);
            let way = if let Some(list) = &n.choices {
                let first = choices.len() as u32;
                for c in list {
                    let requires_start = conditions.len() as u32;
                    for r in &c.requires {
                        let cond = self.resolve_condition(r);
                        if let Cond::Visited(target) | Cond::NotVisited(target) = cond
                            && visit_slot[target as usize] == NO_SLOT
                        {
                            visit_slot[target as usize] = visit_slots;
                            visit_slots += 1;
                        }
                        conditions.push(cond);
                    }
                    let requires = requires_start..conditions.len() as u32;
                    let reveals = refs(&c.reveals, &mut fact_refs);
                    choices.push(ChoiceData {
                        say: c.say.clone(),
                        move_kind: c.move_kind,
                        to: node(&c.to),
                        trust: c.trust as i32,
                        minutes: c.minutes as u32,
                        requires,
                        reveals,
                        note: c.note.clone().filter(|n| !n.trim().is_empty()),
                    });
                }
                Way::Choices(first..choices.len() as u32)
            } else if let Some(list) = &n.chance {
                let first = branches.len() as u32;
                branches.extend(list.iter().map(|b| BranchData {
                    weight: b.weight as u32,
                    to: node(&b.to),
                }));
                let total = list.iter().map(|b| b.weight as u32).sum();
                Way::Chance {
                    branches: first..branches.len() as u32,
                    total,
                }
            } else if let Some(next) = &n.next {
                Way::Next(node(next))
            } else {
                Way::End(n.end.unwrap_or(Outcome::Continuation))
            };
            nodes.push(NodeData {
                id: id.to_string(),
                line: n.line.clone(),
                way,
                reveals,
                trust: n.trust as i32,
            });
        }
        let weight_of = |pain: bool| -> u32 {
            facts
                .iter()
                .filter(|f| (f.kind == FactKind::Pain) == pain)
                .map(|f| f.weight)
                .sum()
        };
        let (pain_weight, qualification_weight) = (weight_of(true), weight_of(false));
        ScenarioData {
            id: file.id.clone(),
            title: file.title.clone(),
            brief: file.brief.clone(),
            difficulty: file.difficulty,
            tags: file.tags.clone(),
            minutes: file.minutes as u32,
            pass_mark: file.pass_mark.map(|m| m as u32),
            buyer: BuyerInfo {
                name: file.buyer.name.clone(),
                role: file.buyer.role.clone(),
                company: file.buyer.company.clone(),
                persona: file.buyer.persona.clone(),
                portrait: file.buyer.portrait.clone(),
                trust: file.buyer.trust as u8,
            },
            winnable: file.deal.winnable,
            deal_value: file.deal.value,
            weights: file
                .rubric
                .as_ref()
                .map_or_else(Weights::default, |r| Weights {
                    qualification: r.qualification as u32,
                    discovery: r.discovery as u32,
                    rapport: r.rapport as u32,
                    velocity: r.velocity as u32,
                }),
            path: self.source.path.clone(),
            revision: self.source.revision.clone(),
            source_text: Arc::from(self.source.text.as_str()),
            facts,
            nodes,
            choices,
            branches,
            conditions,
            fact_refs,
            start: self.node_index[file.start.as_str()],
            fastest_right_minutes: file.minutes as u32,
            visit_slot,
            visit_slots,
            qualification_weight,
            pain_weight,
        }
    }
}

/// A fixed-width bit set for the data flow: inline up to 128 bits (the session's bit set), so
/// the flow's many copies of a node's sets do not each allocate.
#[derive(Clone, PartialEq, Eq)]
struct Bits(crate::session::Bits);

impl Bits {
    fn empty(len: usize) -> Bits {
        Bits(crate::session::Bits::zeros(len.div_ceil(64)))
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Intersects in place; whether anything changed.
    fn and_with(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            changed |= *a & b != *a;
            *a &= b;
        }
        changed
    }

    /// Unites in place; whether anything changed.
    fn or_with(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            changed |= *a | b != *a;
            *a |= b;
        }
        changed
    }
}

/// What is certain or possible at each node once its own line has been said (forward data
/// flow: "certain" intersects over incoming paths, "possible" unites them). Visits are tracked
/// only for the nodes a condition names, so memory grows with nodes times facts, not nodes squared.
struct Flow {
    reached: Vec<bool>,
    certain_facts: Vec<Bits>,
    possible_facts: Vec<Bits>,
    certain_visits: Vec<Bits>,
    possible_visits: Vec<Bits>,
    /// For each node, its slot among the nodes conditions name.
    slot: Vec<Option<usize>>,
}

impl Flow {
    fn compute(checker: &Checker, start: u32) -> Flow {
        let file = checker.file;
        let (n, f) = (file.nodes.len(), file.facts.len());
        let fact = |id: &String| checker.fact_index[id.as_str()] as usize;
        let node = |id: &String| checker.node_index[id.as_str()] as usize;
        let mut slot = vec![None; n];
        let mut slots = 0;
        for (_, n) in file.nodes.iter() {
            for choice in n.choices.iter().flatten() {
                for condition in &choice.requires {
                    if let Condition::Visited(id) | Condition::NotVisited(id) = condition
                        && slot[node(id)].is_none()
                    {
                        slot[node(id)] = Some(slots);
                        slots += 1;
                    }
                }
            }
        }
        let mut own_reveals: Vec<Bits> = Vec::with_capacity(n);
        let mut edges: Vec<Vec<(usize, Bits)>> = Vec::with_capacity(n);
        for (_, n) in file.nodes.iter() {
            let mut reveals = Bits::empty(f);
            n.reveals.iter().for_each(|id| reveals.set(fact(id)));
            own_reveals.push(reveals);
            let mut out = Vec::new();
            for choice in n.choices.iter().flatten() {
                let mut reveals = Bits::empty(f);
                choice.reveals.iter().for_each(|id| reveals.set(fact(id)));
                out.push((node(&choice.to), reveals));
            }
            for branch in n.chance.iter().flatten().filter(|b| b.weight > 0) {
                out.push((node(&branch.to), Bits::empty(f)));
            }
            if let Some(next) = &n.next {
                out.push((node(next), Bits::empty(f)));
            }
            edges.push(out);
        }
        // Arrival sets; a node is processed again whenever what arrives at it changes, and each
        // set only shrinks (certain) or grows (possible), so this ends.
        let mut reached = vec![false; n];
        let mut certain_facts = vec![Bits::empty(f); n];
        let mut possible_facts = vec![Bits::empty(f); n];
        let mut certain_visits = vec![Bits::empty(slots); n];
        let mut possible_visits = vec![Bits::empty(slots); n];
        let start = start as usize;
        reached[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        let mut queued = vec![false; n];
        queued[start] = true;
        while let Some(from) = queue.pop_front() {
            queued[from] = false;
            let mut at_certain = certain_facts[from].clone();
            at_certain.or_with(&own_reveals[from]);
            let mut at_possible = possible_facts[from].clone();
            at_possible.or_with(&own_reveals[from]);
            let mut at_certain_visits = certain_visits[from].clone();
            let mut at_possible_visits = possible_visits[from].clone();
            if let Some(s) = slot[from] {
                at_certain_visits.set(s);
                at_possible_visits.set(s);
            }
            for (to, reveals) in &edges[from] {
                let to = *to;
                let mut out_certain = at_certain.clone();
                out_certain.or_with(reveals);
                let mut out_possible = at_possible.clone();
                out_possible.or_with(reveals);
                let changed = if !reached[to] {
                    reached[to] = true;
                    certain_facts[to] = out_certain;
                    possible_facts[to] = out_possible;
                    certain_visits[to] = at_certain_visits.clone();
                    possible_visits[to] = at_possible_visits.clone();
                    true
                } else {
                    let mut changed = certain_facts[to].and_with(&out_certain);
                    changed |= possible_facts[to].or_with(&out_possible);
                    changed |= certain_visits[to].and_with(&at_certain_visits);
                    changed |= possible_visits[to].or_with(&at_possible_visits);
                    changed
                };
                if changed && !queued[to] {
                    queued[to] = true;
                    queue.push_back(to);
                }
            }
        }
        // From "on arrival" to "at the node": its own line has been said and it is visited.
        for i in 0..n {
            certain_facts[i].or_with(&own_reveals[i]);
            possible_facts[i].or_with(&own_reveals[i]);
            if let Some(s) = slot[i] {
                certain_visits[i].set(s);
                possible_visits[i].set(s);
            }
        }
        Flow {
            reached,
            certain_facts,
            possible_facts,
            certain_visits,
            possible_visits,
            slot,
        }
    }
}

/// Whether some state at `node` makes at least one condition of every choice false.
fn all_can_be_hidden(choices: &[Vec<Cond>], flow: &Flow, node: u32) -> bool {
    let node = node as usize;
    let visited =
        |v: u32, sets: &Vec<Bits>| flow.slot[v as usize].is_some_and(|s| sets[node].get(s));
    let certain = |c: &Cond| match *c {
        Cond::Knows(f) => flow.certain_facts[node].get(f as usize),
        Cond::DoesNotKnow(f) => !flow.possible_facts[node].get(f as usize),
        Cond::Visited(v) => visited(v, &flow.certain_visits),
        Cond::NotVisited(v) => !visited(v, &flow.possible_visits),
        Cond::TrustAtLeast(n) => n <= 0,
        Cond::TrustBelow(n) => n > 100,
        // At a choice the clock has at least a minute left.
        Cond::MinutesLeft(n) => n <= 1,
    };
    // For each choice, the conditions that could be false here.
    let mut falsifiable: Vec<Vec<Cond>> = Vec::with_capacity(choices.len());
    for conditions in choices {
        let open: Vec<Cond> = conditions.iter().copied().filter(|c| !certain(c)).collect();
        if open.is_empty() {
            return false; // this choice is always offered here
        }
        falsifiable.push(open);
    }
    // Try combinations of one false condition per choice, up to a bound; beyond it, assume the
    // author knows what they are doing rather than report a problem we cannot show.
    let mut picks = vec![0usize; falsifiable.len()];
    for _ in 0..4096 {
        if consistent(falsifiable.iter().zip(&picks).map(|(open, &p)| open[p])) {
            return true;
        }
        let mut k = 0;
        loop {
            if k == picks.len() {
                return false;
            }
            picks[k] += 1;
            if picks[k] < falsifiable[k].len() {
                break;
            }
            picks[k] = 0;
            k += 1;
        }
    }
    false
}

/// Whether the conditions can all be false at once.
fn consistent(falsified: impl Iterator<Item = Cond>) -> bool {
    let (mut trust_low, mut trust_high, mut minutes_high) = (0i32, 100i32, i32::MAX);
    let mut facts: HashMap<u32, bool> = HashMap::default();
    let mut visits: HashMap<u32, bool> = HashMap::default();
    let require = |map: &mut HashMap<u32, bool>, key: u32, value: bool| {
        *map.entry(key).or_insert(value) == value
    };
    for condition in falsified {
        let ok = match condition {
            Cond::Knows(f) => require(&mut facts, f, false),
            Cond::DoesNotKnow(f) => require(&mut facts, f, true),
            Cond::Visited(v) => require(&mut visits, v, false),
            Cond::NotVisited(v) => require(&mut visits, v, true),
            Cond::TrustAtLeast(n) => {
                trust_high = trust_high.min(n - 1);
                true
            }
            Cond::TrustBelow(n) => {
                trust_low = trust_low.max(n);
                true
            }
            Cond::MinutesLeft(n) => {
                minutes_high = minutes_high.min(n - 1);
                true
            }
        };
        if !ok {
            return false;
        }
    }
    trust_low <= trust_high && minutes_high >= 1
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn to_kebab_case(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
