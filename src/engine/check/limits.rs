//! The format's limits (`format::limits`) checked before anything else is built from a file:
//! counts of nodes, facts, choices and branches, and lengths of ids and texts. A file past a
//! limit gets an error that names the limit, where it is broken.

use super::Checker;
use crate::engine::format::diagnostic::{Code, shown_name};
use crate::engine::format::limits::*;
use crate::engine::format::locate::Step;

impl<'a> Checker<'a> {
    /// Reports every limit the file breaks; `false` when the file is too large for the other
    /// checks to be worth running (more nodes or facts than the format allows).
    pub(super) fn check_limits(&mut self) -> bool {
        let file = self.file;
        let mut within = true;
        for (count, limit, field, what) in [
            (file.nodes.len(), MAX_NODES, "nodes", "nodes"),
            (file.facts.len(), MAX_FACTS, "facts", "facts"),
            (file.tags.len(), MAX_TAGS, "tags", "tags"),
        ] {
            if count > limit {
                within &= field == "tags";
                let location = self.here(&[Step::Field(field)]);
                self.push(
                    self.problem(
                        Code::TooLarge,
                        format!("the call has {count} {what}; a scenario may have at most {limit}"),
                    )
                    .at(location)
                    .label("too many")
                    .hint(
                        "split the call into several scenarios (see the limits in docs/format.md)",
                    ),
                );
            }
        }
        if !within {
            return false;
        }
        self.id_length(&file.id, &[Step::Field("id")], "the scenario id");
        self.text_length(&file.title, &[Step::Field("title")], "the title");
        self.text_length(&file.brief, &[Step::Field("brief")], "the brief");
        self.text_length(
            &file.buyer.persona,
            &[Step::Field("buyer"), Step::Field("persona")],
            "the buyer's persona",
        );
        for (i, (id, fact)) in file.facts.iter().enumerate() {
            let key = Step::Key(id, self.fact_occurrence[i]);
            let value = Step::Value(id, self.fact_occurrence[i]);
            self.id_length(id, &[Step::Field("facts"), key], "a fact id");
            self.text_length(
                &fact.text,
                &[Step::Field("facts"), value, Step::Field("text")],
                "a fact's text",
            );
        }
        for (i, (id, node)) in file.nodes.iter().enumerate() {
            let [nodes, value] = self.node_path(i);
            let key = Step::Key(id, self.node_occurrence[i]);
            self.id_length(id, &[nodes, key], "a node id");
            self.text_length(
                &node.line,
                &[nodes, value, Step::Field("line")],
                "a buyer's line",
            );
            self.count(
                node.variants.len(),
                MAX_LIST,
                &[nodes, value, Step::Field("variants")],
                "a line's variants",
            );
            for (v, variant) in node.variants.iter().enumerate() {
                self.text_length(
                    variant,
                    &[nodes, value, Step::Field("variants"), Step::Index(v)],
                    "a variant of a buyer's line",
                );
            }
            self.count(
                node.reveals.len(),
                MAX_LIST,
                &[nodes, value, Step::Field("reveals")],
                "facts revealed by one line",
            );
            if let Some(choices) = &node.choices {
                self.count(
                    choices.len(),
                    MAX_CHOICES,
                    &[nodes, value, Step::Field("choices")],
                    "choices at one node",
                );
                for (c, choice) in choices.iter().enumerate() {
                    let at = |field| {
                        [
                            nodes,
                            value,
                            Step::Field("choices"),
                            Step::Index(c),
                            Step::Field(field),
                        ]
                    };
                    self.text_length(&choice.say, &at("say"), "a rep's line");
                    if let Some(note) = &choice.note {
                        self.text_length(note, &at("note"), "a coaching note");
                    }
                    if let Some(choice_id) = &choice.id {
                        self.id_length(choice_id, &at("id"), "a choice id");
                    }
                    self.count(
                        choice.requires.len(),
                        MAX_LIST,
                        &at("requires"),
                        "conditions on one choice",
                    );
                    self.count(
                        choice.reveals.len(),
                        MAX_LIST,
                        &at("reveals"),
                        "facts revealed by one choice",
                    );
                }
            }
            if let Some(branches) = &node.chance {
                self.count(
                    branches.len(),
                    MAX_BRANCHES,
                    &[nodes, value, Step::Field("chance")],
                    "branches of one chance turn",
                );
            }
            if let Some(crate::engine::format::Next::Branches(branches)) = &node.next {
                self.count(
                    branches.len(),
                    MAX_BRANCHES,
                    &[nodes, value, Step::Field("next")],
                    "branches of one `next` list",
                );
            }
        }
        true
    }

    fn count(&mut self, count: usize, limit: usize, path: &[Step<'_>], what: &str) {
        if count > limit {
            let location = self.here(path);
            self.push(
                self.problem(
                    Code::TooLarge,
                    format!("{count} {what}; at most {limit} are allowed"),
                )
                .at(location)
                .label("too many")
                .hint("split this into several nodes (see the limits in docs/format.md)"),
            );
        }
    }

    fn id_length(&mut self, id: &str, path: &[Step<'_>], what: &str) {
        let chars = id.chars().count();
        if chars > MAX_ID_CHARS {
            let location = self.here(path);
            self.push(
                self.problem(
                    Code::TooLarge,
                    format!("{what} \"{}\" is {chars} characters long; ids may have at most {MAX_ID_CHARS}", shown_name(id)),
                )
                .at(location)
                .label("too long")
                .hint("use a short id such as \"budget-question\""),
            );
        }
    }

    fn text_length(&mut self, text: &str, path: &[Step<'_>], what: &str) {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            let location = self.here(path);
            self.push(
                self.problem(
                    Code::TooLarge,
                    format!("{what} is {chars} characters long; a text may have at most {MAX_TEXT_CHARS}"),
                )
                .at(location)
                .label("too long")
                .hint("shorten it: a buyer or a rep says a few sentences at a time"),
            );
        }
    }
}
