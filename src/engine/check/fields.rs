//! The checks of a file's fields: ids defined once, the header, facts and nodes, numbers in
//! range, text where someone speaks, known ids (with "did you mean"), and one way on per node.

use super::Checker;
use super::MAX_MINUTES;
use crate::engine::format::diagnostic::{Code, Location, shown_name};
use crate::engine::format::locate::Step;
use crate::engine::format::{Condition, Next, Node};
use rustc_hash::FxHashMap as HashMap;

impl<'a> Checker<'a> {
    pub(super) fn index_ids(&mut self) {
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
                    self.problem(
                        Code::DuplicateId,
                        format!("node \"{}\" is defined twice", shown_name(id)),
                    )
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
                    self.problem(
                        Code::DuplicateId,
                        format!("fact \"{}\" is defined twice", shown_name(id)),
                    )
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

    pub(super) fn check_header(&mut self) {
        let file = self.file;
        if !is_kebab_case(&file.id) {
            let location = self.here(&[Step::Field("id")]);
            self.push(
                self.problem(
                    Code::BadId,
                    format!("scenario id \"{}\" is not kebab-case", shown_name(&file.id)),
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
        if let Some(portrait) = &file.buyer.portrait
            && let Some(why) = crate::engine::format::portrait::portrait_problem(portrait)
        {
            let location = self.here(&[Step::Field("buyer"), Step::Field("portrait")]);
            self.push(
                self.problem(
                    Code::WrongValue,
                    format!("the portrait \"{}\" cannot be loaded: {why}", shown_name(portrait)),
                )
                .at(location)
                .label("not a plain path to an image in assets/")
                .hint("write a path inside the assets folder, such as \"portraits/marta.png\", or leave `portrait` out for initials"),
            );
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
            // Compared one by one: a sum of weights as written can overflow.
            if [
                rubric.qualification,
                rubric.discovery,
                rubric.rapport,
                rubric.velocity,
            ]
            .iter()
            .all(|weight| *weight <= 0)
            {
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
            let hint = self
                .suggester
                .did_you_mean(&file.start, self.node_index.keys().copied());
            self.push(
                self.problem(
                    Code::UnknownNode,
                    format!("unknown node \"{}\"", shown_name(&file.start)),
                )
                .at(location)
                .label("`start` must name a node")
                .maybe_hint(hint.or_else(|| {
                    Some("add this node under `nodes`, or name an existing one".into())
                })),
            );
        }
    }

    pub(super) fn check_facts(&mut self) {
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
        for (n, id) in file.carried.iter().enumerate() {
            self.unknown_fact(id, &[Step::Field("carried"), Step::Index(n)]);
        }
    }

    fn unknown_fact(&mut self, id: &str, path: &[Step<'_>]) {
        if !self.fact_index.contains_key(id) {
            self.unknown_id(
                Code::UnknownFact,
                "fact",
                id,
                false,
                path,
                "add it under `facts`, or name an existing fact",
            );
        }
    }

    fn unknown_node(&mut self, id: &str, path: &[Step<'_>]) {
        if !self.node_index.contains_key(id) {
            self.unknown_id(
                Code::UnknownNode,
                "node",
                id,
                true,
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
        among_nodes: bool,
        path: &[Step<'_>],
        fallback: &str,
    ) {
        let location = self.here(path);
        let index = if among_nodes {
            &self.node_index
        } else {
            &self.fact_index
        };
        let hint = self
            .suggester
            .did_you_mean(id, index.keys().copied())
            .unwrap_or_else(|| fallback.into());
        self.push(
            self.problem(code, format!("unknown {what} \"{}\"", shown_name(id)))
                .at(location)
                .label(format!("no {what} has this id"))
                .hint(hint),
        );
    }

    pub(super) fn check_nodes(&mut self) {
        let file = self.file;
        for (i, (id, node)) in file.nodes.iter().enumerate() {
            let [nodes, key] = self.node_path(i);
            let at = |field: &'static str| [nodes, key, Step::Field(field)];
            self.not_empty(&node.line, &at("line"), "buyer's line");
            for (v, variant) in node.variants.iter().enumerate() {
                self.not_empty(
                    variant,
                    &[nodes, key, Step::Field("variants"), Step::Index(v)],
                    "variant of the buyer's line",
                );
            }
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
                    self.check_conditions(&choice.requires, &at_choice("requires"));
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
                    self.check_branch(&branch_path, &branch.to, &branch.requires);
                    let mut weight = branch_path.to_vec();
                    weight.push(Step::Field("weight"));
                    self.range(
                        branch.weight,
                        0,
                        crate::engine::format::limits::MAX_BRANCH_WEIGHT,
                        &weight,
                        "a branch's weight",
                    );
                }
                if !branches.is_empty()
                    && branches
                        .iter()
                        .all(|b| b.weight <= 0 || !b.requires.is_empty())
                    && branches.iter().any(|b| b.weight > 0)
                {
                    let location = self.here_field_name(&[nodes, key], "chance");
                    self.push(
                        self.problem(
                            Code::NoFallbackBranch,
                            format!("every branch of `chance` at node \"{id}\" has conditions"),
                        )
                        .at(location)
                        .label("when none holds, the buyer could go nowhere")
                        .hint("leave at least one branch with a positive weight and no `requires`: where the buyer goes otherwise"),
                    );
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
            match &node.next {
                Some(Next::To(next)) => self.unknown_node(next, &at("next")),
                Some(Next::Branches(branches)) => {
                    for (b, branch) in branches.iter().enumerate() {
                        let branch_path = [nodes, key, Step::Field("next"), Step::Index(b)];
                        self.check_branch(&branch_path, &branch.to, &branch.requires);
                    }
                    if branches.last().is_none_or(|b| !b.requires.is_empty()) {
                        let location = self.here_field_name(&[nodes, key], "next");
                        let message = if branches.is_empty() {
                            format!("`next` at node \"{id}\" is an empty list")
                        } else {
                            format!("the last branch of `next` at node \"{id}\" has conditions")
                        };
                        self.push(
                            self.problem(Code::NoFallbackBranch, message)
                                .at(location)
                                .label("when no branch's conditions hold, the buyer could go nowhere")
                                .hint("end the list with a branch without `requires`, such as `(to: \"..\")`: where the buyer goes otherwise"),
                        );
                    }
                }
                None => {}
            }
        }
    }

    /// A buyer's branch (`chance` or a `next` list) at `path`: its `to` and its `requires`.
    fn check_branch(&mut self, path: &[Step<'_>], to: &str, requires: &[Condition]) {
        let mut to_path = path.to_vec();
        to_path.push(Step::Field("to"));
        self.unknown_node(to, &to_path);
        let mut requires_path = path.to_vec();
        requires_path.push(Step::Field("requires"));
        self.check_conditions(requires, &requires_path);
    }

    /// A list of conditions (a choice's or a branch's `requires`): known ids, numbers in range.
    fn check_conditions(&mut self, requires: &[Condition], path: &[Step<'_>]) {
        for (r, condition) in requires.iter().enumerate() {
            let mut argument = path.to_vec();
            argument.push(Step::Index(r));
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
}

pub(crate) fn is_kebab_case(id: &str) -> bool {
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
