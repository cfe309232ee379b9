//! A call drawn as far as a file with errors allows: read with the forgiving reader that locates
//! diagnostics (not the checker), each node with its id and line, an arrow for every `to:` and
//! `next:` in it, and a red box for each id that no node has. The manager sees the map while the
//! file is broken, and where it is broken.

use crate::engine::format::locate::{self, Node, SourceText, Step, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Every string under a `to:` or `next:` field inside `node`, in file order.
fn targets(node: &Node, found: &mut Vec<String>) {
    match &node.value {
        Value::Group { fields, items, .. } => {
            for field in fields {
                if matches!(field.name.as_str(), "to" | "next")
                    && let Value::Str(target) = &field.value.value
                {
                    found.push(target.clone());
                }
                targets(&field.value, found);
            }
            for item in items {
                targets(item, found);
            }
        }
        Value::List(items) => {
            for item in items {
                targets(item, found);
            }
        }
        Value::Map(entries, _) => {
            for (_, value) in entries {
                targets(value, found);
            }
        }
        Value::Str(_) | Value::Atom(_) => {}
    }
}

fn string_field(node: &Node, name: &str) -> Option<String> {
    match &node.find(&[Step::Field(name)])?.value {
        Value::Str(text) => Some(text.clone()),
        Value::Atom(text) => Some(text.clone()),
        _ => None,
    }
}

/// DOT for a file that does not check; `marks` are the problems' codes by line. `None` when
/// the text cannot be read as a call at all (then only the messages can help).
pub fn sketch(source: &str, marks: &HashMap<usize, Vec<String>>) -> Option<String> {
    let root = locate::parse(source)?;
    let nodes = root.find(&[Step::Field("nodes")])?;
    let Value::Map(entries, _) = &nodes.value else {
        return None;
    };
    let text = SourceText::new(source);
    let start = string_field(&root, "start");
    let ids: BTreeSet<String> = entries
        .iter()
        .filter_map(|(key, _)| match &key.value {
            Value::Str(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let mut out = String::from("digraph \"sketch\" {\n  rankdir=LR;\n");
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut edges = String::new();
    for (key, value) in entries {
        let Value::Str(id) = &key.value else {
            continue;
        };
        let (first, last) = (
            text.line_of(key.span.start),
            text.line_of(value.span.end.saturating_sub(1)),
        );
        let codes: Vec<String> = (first..=last)
            .filter_map(|line| marks.get(&line))
            .flatten()
            .cloned()
            .collect();
        let line = string_field(value, "line").unwrap_or_default();
        let ending = string_field(value, "end")
            .map(|outcome| format!("END: {outcome}\\n"))
            .unwrap_or_default();
        let is_start = start.as_deref() == Some(id.as_str());
        let mut attributes = vec![format!(
            "label=\"{}{}{ending}{}\\n{}\"",
            if codes.is_empty() {
                String::new()
            } else {
                format!("ERROR: {}\\n", escape(&codes.join(", ")))
            },
            if is_start { "START\\n" } else { "" },
            escape(id),
            escape(&crate::engine::text::shorten(&line, 40))
        )];
        attributes.push("shape=box".into());
        if !codes.is_empty() {
            attributes.push("color=\"#c62828\", penwidth=3".into());
        } else if is_start {
            attributes.push("penwidth=3, color=\"#0b7a75\"".into());
        }
        let _ = writeln!(out, "  \"{}\" [{}];", escape(id), attributes.join(", "));
        let mut found = Vec::new();
        targets(value, &mut found);
        let mut seen = BTreeSet::new();
        for target in found {
            if !seen.insert(target.clone()) {
                continue;
            }
            if !ids.contains(&target) {
                missing.insert(target.clone());
            }
            let _ = writeln!(edges, "  \"{}\" -> \"{}\";", escape(id), escape(&target));
        }
    }
    for target in &missing {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"NO SUCH NODE\\n{}\", shape=box, style=filled, fillcolor=\"#ffcdd2\", color=\"#c62828\", penwidth=3];",
            escape(target),
            escape(target)
        );
    }
    if let Some(start) = &start
        && !ids.contains(start)
    {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"START is NO SUCH NODE\\n{}\", shape=box, style=filled, fillcolor=\"#ffcdd2\", color=\"#c62828\", penwidth=3];",
            escape(start),
            escape(start)
        );
    }
    out.push_str(&edges);
    out.push_str("}\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_link_is_drawn_as_a_missing_node_and_the_node_is_marked() {
        let source = r#"(
    id: "x", title: "X", start: "open",
    nodes: {
        "open": (line: "Hello?", choices: [
            (say: "Hi", move: Rapport, to: "gut-fell"),
            (say: "Bye", move: WalkAway, to: "end"),
        ]),
        "end": (line: "Bye.", end: Lost),
    },
)"#;
        let marks = HashMap::from([(5, vec!["E0003".to_string()])]);
        let dot = sketch(source, &marks).expect("drawn");
        assert!(dot.contains("\"open\" -> \"gut-fell\""), "{dot}");
        assert!(dot.contains("NO SUCH NODE\\ngut-fell"), "{dot}");
        assert!(dot.contains("ERROR: E0003"), "{dot}");
        assert!(dot.contains("START\\nopen"), "{dot}");
        assert!(dot.contains("END: Lost"), "{dot}");
        assert_eq!(sketch("(((", &marks), None);
    }
}
