//! Several problems per run from a parser that stops at the first: after a misspelt field or
//! value with a likely correction, or a missing field, the text is corrected in memory and parsed
//! again, so a manager sees every such problem of the file at once, each at its place in the
//! file as written.

use super::ScenarioFile;
use super::diagnostic::{Diagnostic, Suggester};
use super::load::{SourceFile, ron_diagnostic, word_column};
use super::locate::SourceText;
use ron::error::{Position, SpannedError};

/// At most this many problems come from one run of the parser's rounds.
const MOST_ROUNDS: usize = 20;

/// All rounds together read at most this many bytes, so a huge file gets fewer rounds.
const MOST_BYTES_READ: usize = 256 * 1024 * 1024;

/// One correction made to the text: on `line`, from character `column`, `removed` characters
/// became `added` ones. Corrections never add or remove a line, so only columns need mapping.
#[derive(Debug, Clone, Copy)]
struct Correction {
    line: usize,
    column: usize,
    removed: usize,
    added: usize,
}

/// Parses a source as format version 1, with every misspelt or missing field and value found
/// in one run (up to `MOST_ROUNDS`); a syntax error ends the rounds.
pub fn parse(source: &SourceFile) -> Result<ScenarioFile, Vec<Diagnostic>> {
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let rounds = (MOST_BYTES_READ / source.text.len().max(1)).clamp(1, MOST_ROUNDS);
    let mut text = std::borrow::Cow::Borrowed(source.text.as_str());
    let mut corrections: Vec<Correction> = Vec::new();
    let mut found: Vec<Diagnostic> = Vec::new();
    for _ in 0..rounds {
        let error = match options.from_str::<ScenarioFile>(&text) {
            Ok(file) if found.is_empty() => return Ok(file),
            Ok(_) => return Err(found),
            Err(error) => error,
        };
        let Some(as_written) = map_back(&error, &corrections) else {
            // The problem is in a correction of ours (the corrected name was already set,
            // say): it only follows from a problem already reported.
            return Err(found);
        };
        found.push(ron_diagnostic(source, &as_written));
        match correct(&text, &error) {
            Some((corrected, correction)) => {
                text = std::borrow::Cow::Owned(corrected);
                corrections.push(correction);
            }
            None => return Err(found),
        }
    }
    Err(found)
}

/// Where a position in the corrected text is in the text as written; `None` inside a
/// correction.
fn map_back(error: &SpannedError, corrections: &[Correction]) -> Option<SpannedError> {
    let map = |position: Position| -> Option<Position> {
        let mut column = position.col;
        for c in corrections.iter().rev() {
            if c.line != position.line || column < c.column {
                continue;
            }
            if column < c.column + c.added {
                return None;
            }
            column = column + c.removed - c.added;
        }
        Some(Position {
            line: position.line,
            col: column,
        })
    };
    let start = map(error.span.start)?;
    let end = map(error.span.end).unwrap_or(start);
    let mut as_written = error.clone();
    as_written.span.start = start;
    as_written.span.end = end;
    Some(as_written)
}

/// The text with the problem at `error` corrected, if it has a likely correction.
fn correct(text: &str, error: &SpannedError) -> Option<(String, Correction)> {
    use ron::Error as E;
    let lines = SourceText::new(text);
    match &error.code {
        E::NoSuchStructField {
            expected, found, ..
        }
        | E::NoSuchEnumVariant {
            expected, found, ..
        } => {
            let name = Suggester::new().closest(found, expected.iter().copied())?;
            let column = word_column(lines.line(error.span.start.line), error, found)?;
            let at = lines.offset_of_line_column(error.span.start.line, column);
            let mut corrected = String::with_capacity(text.len() + name.len());
            corrected.push_str(&text[..at]);
            corrected.push_str(name);
            corrected.push_str(&text[at + found.len()..]);
            Some((
                corrected,
                Correction {
                    line: error.span.start.line,
                    column,
                    removed: found.chars().count(),
                    added: name.chars().count(),
                },
            ))
        }
        E::MissingStructField { field, .. } => {
            let value = placeholder(field)?;
            let at = lines.offset_of_line_column(error.span.start.line, error.span.start.col);
            if !text[at..].starts_with(')') {
                return None;
            }
            let before = text[..at].trim_end();
            let separator = if before.ends_with(',') || before.ends_with('(') {
                ""
            } else {
                ", "
            };
            let inserted = format!("{separator}{field}: {value}");
            let mut corrected = String::with_capacity(text.len() + inserted.len());
            corrected.push_str(&text[..at]);
            corrected.push_str(&inserted);
            corrected.push_str(&text[at..]);
            Some((
                corrected,
                Correction {
                    line: error.span.start.line,
                    column: error.span.start.col,
                    removed: 0,
                    added: inserted.chars().count(),
                },
            ))
        }
        _ => None,
    }
}

/// A value of the right type for a field the manager left out, so the rounds can go on; the
/// file has already failed, so it is never played.
fn placeholder(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" | "title" | "brief" | "name" | "role" | "company" | "persona" | "text" | "say"
        | "to" | "line" | "start" => "\"\"",
        "minutes" | "trust" | "value" | "weight" | "qualification" | "discovery" | "rapport"
        | "velocity" => "0",
        "difficulty" => "Beginner",
        "kind" => "Pain",
        "move" => "Pitch",
        "winnable" => "true",
        "facts" | "nodes" => "{}",
        "buyer" => "(name: \"\", role: \"\", company: \"\", persona: \"\", trust: 0)",
        "deal" => "(winnable: true, value: 0)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::diagnostic::Code;

    fn problems(text: &str) -> Vec<Diagnostic> {
        parse(&SourceFile::from_text("rounds.scenario.ron", text)).expect_err("broken")
    }

    fn shipped() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/fernway-bakery.scenario.ron"
        ))
        .unwrap()
    }

    #[test]
    fn every_misspelt_and_missing_field_in_one_run_at_its_place() {
        let text = shipped()
            .replacen("    minutes:", "    minutse:", 1)
            .replacen("move: Situation", "move: Situatoin", 1)
            .replacen("role:", "rolle:", 1)
            .replacen("        persona:", "        // persona:", 1);
        let found = problems(&text);
        let summary: Vec<(Code, String)> =
            found.iter().map(|d| (d.code, d.message.clone())).collect();
        assert_eq!(found.len(), 4, "{summary:#?}");
        for (diagnostic, word) in found
            .iter()
            .zip(["minutse", "rolle", "persona", "Situatoin"])
        {
            let location = diagnostic.location.as_ref().expect("located");
            let line = text.lines().nth(location.line - 1).unwrap();
            if word == "persona" {
                assert!(diagnostic.message.contains("missing field `persona`"));
                continue;
            }
            let at: String = line
                .chars()
                .skip(location.column - 1)
                .take(word.len())
                .collect();
            assert_eq!(
                at, word,
                "the caret is on the word as written: {summary:#?}"
            );
        }
    }

    #[test]
    fn two_typos_on_one_line_keep_their_columns() {
        let text = shipped().replacen(
            "deal: (winnable: true, value: 7200)",
            "deal: (winable: true, valeu: 7200)",
            1,
        );
        let found = problems(&text);
        let columns: Vec<usize> = found
            .iter()
            .map(|d| d.location.as_ref().unwrap().column)
            .collect();
        let line = text.lines().find(|l| l.contains("winable")).unwrap();
        let expected = [
            line.find("winable").unwrap() + 1,
            line.find("valeu").unwrap() + 1,
        ];
        assert_eq!(columns[..2], expected, "{found:#?}");
    }

    #[test]
    fn a_syntax_error_ends_the_rounds_and_a_clean_file_parses() {
        let text = shipped().replacen("    minutes:", "    minutse:", 1);
        let text = text.replacen("role: \"Owner\"", "role: Owner", 1);
        assert_eq!(problems(&text).len(), 2);
        assert!(parse(&SourceFile::from_text("ok.scenario.ron", shipped())).is_ok());
    }
}
