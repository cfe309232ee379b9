//! Continuity: the rep must not say what they have not heard. A choice that quotes a figure
//! only a fact holds ("18%", "$60k", "4am") while some path reaches it without that fact is
//! a warning (W0007), since the rep would be speaking of something the buyer never said.

use super::Checker;
use super::hidden::Flow;
use crate::engine::format::Condition;
use crate::engine::format::diagnostic::Code;
use crate::engine::format::locate::Step;

/// The figures in a text: digits with what is written around them (`$60k`, `18%`, `4am`,
/// `$4,000`), lowercased; bare one-digit numbers say too little to tell facts apart.
fn figures(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut start = i;
        if start > 0 && matches!(chars[start - 1], '$' | '€' | '£') {
            start -= 1;
        }
        let mut end = i;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (matches!(chars[end], ',' | '.')
                    && chars.get(end + 1).is_some_and(char::is_ascii_digit)))
        {
            end += 1;
        }
        let rest: String = chars[end..]
            .iter()
            .take(2)
            .collect::<String>()
            .to_lowercase();
        if chars.get(end) == Some(&'%') || chars.get(end).is_some_and(|c| *c == 'k' || *c == 'K') {
            end += 1;
        } else if rest == "am" || rest == "pm" {
            end += 2;
        }
        let figure: String = chars[start..end].iter().collect::<String>().to_lowercase();
        let digits = figure.chars().filter(char::is_ascii_digit).count();
        if digits >= 2 || figure.len() > digits {
            found.push(figure);
        }
        i = end.max(i + 1);
    }
    found
}

impl<'a> Checker<'a> {
    pub(super) fn check_continuity(&mut self) {
        let file = self.file;
        let Some(&start) = self.node_index.get(file.start.as_str()) else {
            return;
        };
        // Each fact's figures, kept only where a single fact holds the figure.
        let mut owner: std::collections::HashMap<String, Option<usize>> = Default::default();
        for (f, (_, fact)) in file.facts.iter().enumerate() {
            for figure in figures(&fact.text) {
                owner
                    .entry(figure)
                    .and_modify(|o| {
                        if *o != Some(f) {
                            *o = None;
                        }
                    })
                    .or_insert(Some(f));
            }
        }
        if owner.values().all(Option::is_none) {
            return;
        }
        let flow = Flow::compute(self, start);
        let mut problems = Vec::new();
        for (i, (node_id, node)) in file.nodes.iter().enumerate() {
            if !flow.reached[i] {
                continue;
            }
            // What the buyer says on arriving is heard before the rep speaks: with variants,
            // only what every wording says.
            let mut heard = figures(&node.line);
            for variant in &node.variants {
                let said = figures(variant);
                heard.retain(|figure| said.contains(figure));
            }
            for (c, choice) in node.choices.iter().flatten().enumerate() {
                for figure in figures(&choice.say) {
                    let Some(Some(f)) = owner.get(&figure) else {
                        continue;
                    };
                    let fact_id = file.facts.0[*f].0.as_str();
                    let known = flow.certain_fact(i, *f)
                        || heard.contains(&figure)
                        || choice.reveals.iter().any(|r| r == fact_id)
                        || choice
                            .requires
                            .iter()
                            .any(|r| matches!(r, Condition::Knows(k) if k == fact_id));
                    if !known {
                        problems.push((i, c, node_id.to_string(), figure, fact_id.to_string()));
                    }
                }
            }
        }
        for (i, c, node_id, figure, fact_id) in problems {
            let mut path = self.node_path(i).to_vec();
            path.push(Step::Field("choices"));
            path.push(Step::Index(c));
            path.push(Step::Field("say"));
            let location = self.here(&path);
            self.push(
                self.problem(
                    Code::SaysWhatWasNotHeard,
                    format!(
                        "at \"{node_id}\" the rep says \"{figure}\", which only fact \"{fact_id}\" holds, but some path reaches here without it"
                    ),
                )
                .at(location)
                .label("the rep may not have heard this yet")
                .hint(format!(
                    "reword the choice, add `requires: [Knows(\"{fact_id}\")]`, or have the buyer say it on every way here"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::figures;

    #[test]
    fn figures_are_numbers_with_their_units() {
        assert_eq!(
            figures("Cut the $4,000 of waste and the 4am starts: 18% and $60k, in 2 weeks."),
            ["$4,000", "4am", "18%", "$60k"]
        );
        assert!(figures("Tuesday at 10").contains(&"10".to_string()));
        assert!(figures("one 3").is_empty());
    }
}
