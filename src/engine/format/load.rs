//! Reading scenario files from disk and parsing them, with a clear problem for every bad input:
//! a missing path, a folder with no scenarios, a wrong extension, an empty, binary or huge file,
//! and RON that does not parse or does not match the format.

use crate::engine::format::ScenarioFile;
use crate::engine::format::diagnostic::{Code, Diagnostic, did_you_mean, shown_name};
use crate::engine::format::locate::SourceText;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Scenario files end with this; anything else given by name is refused.
pub const SCENARIO_EXTENSION: &str = ".scenario.ron";

/// A hand-written call is a few hundred lines and a generated 100,000-node one about 20 MiB;
/// anything larger is a mistake, not a scenario.
pub use super::limits::MAX_FILE_BYTES;

/// A scenario file's text as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// A hash of the file's bytes: the scenario revision that a session records, so that it can
    /// be replayed against exactly the text it was played on.
    pub revision: String,
}

impl SourceFile {
    /// A source that did not come from disk (tests, generated scenarios, the window's assets).
    pub fn from_text(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        SourceFile {
            path: path.into(),
            revision: revision_of(text.as_bytes()),
            text,
        }
    }
}

/// The revision of a file: the first 16 bytes of its SHA-256, in hex.
pub fn revision_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What is wrong with a path given to check, by kind (callers act on the kind, people read the
/// diagnostic).
#[derive(Debug, Clone)]
pub struct PathProblem {
    pub kind: PathProblemKind,
    pub diagnostic: Diagnostic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblemKind {
    /// Nothing is there, or it cannot be opened.
    Missing,
    /// A folder whose list of files cannot be read.
    UnreadableFolder,
    /// A folder without a single `*.scenario.ron`.
    NoScenarios,
    /// A file in a folder that looks like a scenario but is not named like one (a warning).
    LooksLikeScenario,
}

/// Expands the paths given on a command line: files are taken as they are (and must be scenario
/// files), folders are searched recursively for `*.scenario.ron`. Returned in a stable order.
pub fn collect_paths(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut problem = |kind, diagnostic| problems.push(PathProblem { kind, diagnostic });
    for input in inputs {
        match fs::metadata(input) {
            Err(error) => problem(
                PathProblemKind::Missing,
                Diagnostic::new(
                    Code::Unreadable,
                    input,
                    format!("cannot open this path: {}", plain_io_error(&error)),
                )
                .hint("check the spelling; paths are relative to the folder you run dealsim from"),
            ),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                let mut look_alikes = Vec::new();
                let walked = walk(input, &mut files, &mut look_alikes);
                for path in look_alikes {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let stem = name
                        .split(".scenario")
                        .next()
                        .unwrap_or(&name)
                        .trim_end_matches(".ron");
                    problem(
                        PathProblemKind::LooksLikeScenario,
                        Diagnostic::new(
                            Code::LooksLikeScenario,
                            &path,
                            format!("this looks like a scenario, but only files named NAME{SCENARIO_EXTENSION} are loaded"),
                        )
                        .hint(format!("rename it to {stem}{SCENARIO_EXTENSION} (some systems hide the real ending: check the file's properties), or move it out of the folder")),
                    );
                }
                if let Err(error) = walked {
                    problem(
                        PathProblemKind::UnreadableFolder,
                        Diagnostic::new(
                            Code::Unreadable,
                            input,
                            format!("cannot read this folder: {}", plain_io_error(&error)),
                        ),
                    );
                } else if files.len() == before {
                    problem(
                        PathProblemKind::NoScenarios,
                        Diagnostic::new(
                            Code::Unreadable,
                            input,
                            "this folder has no scenario files",
                        )
                        .hint(format!("scenario files are named NAME{SCENARIO_EXTENSION}")),
                    );
                }
            }
            Ok(_) => files.push(input.clone()),
        }
    }
    (files, problems)
}

fn walk(
    folder: &Path,
    files: &mut Vec<PathBuf>,
    look_alikes: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(folder)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, files, look_alikes)?;
        } else if is_scenario_path(&path) {
            files.push(path);
        } else if looks_like_scenario(&path) {
            look_alikes.push(path);
        }
    }
    Ok(())
}

/// A name a scenario gets by mistake: saved as `.ron`, or given a second ending by an editor
/// (`call.scenario.ron.txt`). Other files (notes, tests, campaigns) are left alone.
fn looks_like_scenario(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_lowercase();
    let other_kind = [".tests.ron", ".campaign.ron"]
        .iter()
        .any(|kind| name.ends_with(kind));
    !other_kind
        && !name.starts_with('.')
        && (name.ends_with(".ron") || name.contains(".scenario.") || name.ends_with(".scenario"))
}

pub fn is_scenario_path(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(SCENARIO_EXTENSION) && n.len() > SCENARIO_EXTENSION.len())
}

fn plain_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

/// Reads a scenario file, refusing what cannot be one before trying to parse it.
pub fn read_source(path: &Path) -> Result<SourceFile, Diagnostic> {
    let unreadable = |message: String| Diagnostic::new(Code::Unreadable, path, message);
    if !is_scenario_path(path) {
        return Err(unreadable("not a scenario file".into())
            .hint(format!("scenario files are named NAME{SCENARIO_EXTENSION}")));
    }
    let meta = fs::metadata(path)
        .map_err(|e| unreadable(format!("cannot open this file: {}", plain_io_error(&e))))?;
    if meta.is_dir() {
        return Err(unreadable("this is a folder, not a scenario file".into()));
    }
    // A device (a link to /dev/zero) would be read until memory ran out, and a named pipe
    // would wait forever for a writer: only regular files are opened.
    if !meta.is_file() {
        return Err(unreadable(
            "this is not a regular file (a device, a named pipe or a socket)".into(),
        )
        .hint("scenario files are plain text files"));
    }
    let too_large = |bytes: u64| {
        unreadable(format!(
            "file is {:.1} MiB; a scenario file may be at most {} MiB",
            bytes as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        ))
        .hint("split the call into several scenarios")
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // The limit holds while reading too, in case the file grows after its size was read.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .and_then(|file| {
            use std::io::Read;
            file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
        })
        .map_err(|e| unreadable(format!("cannot read this file: {}", plain_io_error(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    source_from_bytes(path, bytes)
}

/// `source_from_bytes` for bytes read by someone else (the window's asset reader), with the
/// size limit applied.
pub fn source_within_limit(path: &Path, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            Code::Unreadable,
            path,
            format!(
                "file is {:.1} MiB; a scenario file may be at most {} MiB",
                bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .hint("split the call into several scenarios"));
    }
    source_from_bytes(path, bytes)
}

/// Checks that bytes are text a manager wrote: not empty, not binary, valid UTF-8.
pub fn source_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    let unreadable = |message: String| Diagnostic::new(Code::Unreadable, path, message);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable("file is empty".into())
            .hint("a scenario starts with `Scenario(`; see the format in the README"));
    }
    let revision = revision_of(&bytes);
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            let offset = text.find('\0').unwrap_or(0);
            let source = SourceText::new(&text);
            Err(
                unreadable("file is binary, not text (it contains a NUL byte)".into())
                    .at(Some(source.location(offset..offset + 1)))
                    .hint("save the scenario as plain UTF-8 text"),
            )
        }
        Ok(text) => Ok(SourceFile {
            path: path.to_path_buf(),
            text: text.trim_start_matches('\u{feff}').to_string(),
            revision,
        }),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let text = String::from_utf8_lossy(&bytes[..offset]).into_owned();
            let line = text.matches('\n').count() + 1;
            Err(unreadable(format!(
                "file is not UTF-8 text (invalid byte at line {line}, byte {offset})"
            ))
            .hint("save the scenario as plain UTF-8 text"))
        }
    }
}

/// Parses a source as format version 1, with every misspelt or missing field and value found
/// in one run (see `rounds`).
pub fn parse(source: &SourceFile) -> Result<ScenarioFile, Vec<Diagnostic>> {
    super::rounds::parse(source)
}

pub(crate) fn ron_diagnostic(source: &SourceFile, error: &ron::error::SpannedError) -> Diagnostic {
    use ron::Error as E;
    let text = SourceText::new(&source.text);
    let start = error.span.start;
    let mut location = text.location_of_line_column(start.line, start.col);
    let diagnostic = |code: Code, message: String| Diagnostic::new(code, &source.path, message);
    let outer = |outer: &Option<String>| {
        // The format's own words where the type's name is not one (`docs/format.md`).
        outer
            .as_deref()
            .map(|o| match o {
                "NextBranch" => " in a branch of `next`".to_string(),
                "Branch" => " in a branch of `chance`".to_string(),
                "Call" => " in a call of the campaign".to_string(),
                "Happening" => " in a happening of `between`".to_string(),
                o => format!(" in `{o}`"),
            })
            .unwrap_or_default()
    };
    let one_of = |expected: &[&str]| {
        format!(
            "expected one of {}",
            expected
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    // A name ron does not know (a field, an enum value): caret on it, and the nearest known name.
    let mut unknown_name = |code: Code,
                            what: &str,
                            found: &str,
                            expected: &[&str],
                            o: &Option<String>,
                            label: &str| {
        point_at_word(&text, &mut location, error, found);
        diagnostic(
            code,
            format!("unknown {what} `{}`{}", shown_name(found), outer(o)),
        )
        .label(label)
        .hint(did_you_mean(found, expected.iter().copied()).unwrap_or_else(|| one_of(expected)))
    };
    // A syntax error where a manager pasted something from a document: say what to type.
    let named = matches!(
        error.code,
        E::NoSuchStructField { .. }
            | E::NoSuchEnumVariant { .. }
            | E::MissingStructField { .. }
            | E::DuplicateStructField { .. }
            | E::ExpectedDifferentStructName { .. }
    );
    if !named
        && let Some(pasted) = super::pasted::recognise(
            &source.text,
            text.offset_of_line_column(start.line, start.col),
        )
    {
        return diagnostic(Code::Syntax, pasted.message)
            .label(pasted.label)
            .hint(pasted.hint)
            .at(Some(text.location(pasted.span)));
    }
    let result = match &error.code {
        E::NoSuchStructField {
            expected,
            found,
            outer: o,
        } => unknown_name(
            Code::UnknownField,
            "field",
            found,
            expected,
            o,
            "the format has no such field",
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer: o,
        } => unknown_name(
            Code::WrongValue,
            "value",
            found,
            expected,
            o,
            "not one of the allowed values",
        ),
        E::MissingStructField { field, outer: o } => diagnostic(
            Code::WrongValue,
            format!("missing field `{field}`{}", outer(o)),
        )
        .label(format!("`{field}` must be set before this"))
        .hint(format!(
            "add `{field}: ..` here; docs/format.md lists every field"
        )),
        E::DuplicateStructField { field, outer: o } => {
            point_at_word(&text, &mut location, error, field);
            diagnostic(
                Code::DuplicateId,
                format!("field `{field}` is set twice{}", outer(o)),
            )
            .label("second setting")
            .hint("keep one of the two")
        }
        E::InvalidValueForType { expected, found } => diagnostic(
            Code::WrongValue,
            format!("expected {expected} but found {found}"),
        ),
        E::ExpectedDifferentStructName { expected, found } => diagnostic(
            Code::WrongValue,
            format!("expected `{expected}(` but found `{found}(`"),
        )
        .hint(format!("a scenario file starts with `{expected}(`")),
        E::Message(message) => diagnostic(Code::WrongValue, message.clone()),
        E::IntegerOutOfBounds => diagnostic(Code::OutOfRange, "number is far too large".into()),
        E::ExpectedComma => {
            // Like rustc, point just after the item that is missing its comma.
            if let Some(after) = end_of_previous_item(&source.text, &text, start.line, start.col) {
                location = after;
            }
            diagnostic(Code::Syntax, "syntax error: expected `,`".into())
                .label("expected `,` after this")
                .maybe_hint(syntax_hint(&error.code))
        }
        other => {
            // Like the pasted cases: the caret goes on what was rejected, not the space before.
            let offset = text.offset_of_line_column(start.line, start.col);
            let skipped = source.text[offset..].len()
                - source.text[offset..].trim_start_matches([' ', '\t']).len();
            if skipped > 0 {
                location = text.location(offset + skipped..offset + skipped + 1);
            }
            diagnostic(
                Code::Syntax,
                format!("syntax error: {}", lower_first(&other.to_string())),
            )
            .maybe_hint(syntax_hint(other))
        }
    };
    result.at(Some(location))
}

/// ron puts the position after a name it rejects; move the caret back onto the name itself.
fn point_at_word(
    text: &SourceText,
    location: &mut crate::engine::format::diagnostic::Location,
    error: &ron::error::SpannedError,
    word: &str,
) {
    let line = error.span.start.line;
    if let Some(column) = word_column(text.line(line), error, word) {
        *location = text.location_of_line_column(line, column);
        location.width = word.chars().count().max(1);
    }
}

/// The 1-based column of `word` on `line`, where ron stopped just after reading it.
pub(super) fn word_column(
    line: &str,
    error: &ron::error::SpannedError,
    word: &str,
) -> Option<usize> {
    let end_column = error.span.end.col.max(error.span.start.col);
    let upto: String = line.chars().take(end_column.saturating_sub(1)).collect();
    let byte = upto.rfind(word)?;
    Some(upto[..byte].chars().count() + 1)
}

/// The position just after the last character before `line:column` that is not white space
/// or part of a line comment.
fn end_of_previous_item(
    raw: &str,
    text: &SourceText,
    line: usize,
    column: usize,
) -> Option<crate::engine::format::diagnostic::Location> {
    let lines: Vec<&str> = raw.lines().collect();
    let mut line_index = line.checked_sub(1)?;
    let mut upto: String = lines
        .get(line_index)?
        .chars()
        .take(column.saturating_sub(1))
        .collect();
    loop {
        let code = upto
            .find("//")
            .map_or(upto.as_str(), |i| &upto[..i])
            .trim_end();
        if !code.is_empty() {
            let column = code.chars().count() + 1;
            let mut location = text.location_of_line_column(line_index + 1, column);
            location.column = column;
            location.width = 1;
            return Some(location);
        }
        line_index = line_index.checked_sub(1)?;
        upto = lines.get(line_index)?.to_string();
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn syntax_hint(error: &ron::Error) -> Option<String> {
    use ron::Error as E;
    Some(match error {
        E::ExpectedComma => "separate fields and items with commas".into(),
        E::ExpectedStringEnd => "a string is missing its closing `\"`".into(),
        E::Eof => "the file ends early: is a `)`, `]` or `}` missing?".into(),
        E::ExpectedMapColon => "write map entries as `\"id\": (..)`".into(),
        E::TrailingCharacters => "there is text after the scenario's closing `)`".into(),
        E::UnclosedBlockComment => "a `/*` comment is never closed with `*/`".into(),
        E::ExpectedString => "ids and text are written in double quotes".into(),
        _ => return None,
    })
}
