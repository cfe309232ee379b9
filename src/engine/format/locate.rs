//! Finds where each value of a RON file stands, so that a problem found after parsing (a dangling
//! `to`, an unreachable node) points at the right line and column, not just at the file.
//!
//! serde and ron know the structure but forget positions once a value is built. This is a small,
//! forgiving parser that keeps only structure and byte ranges. It runs on text that ron already
//! accepted, so it never needs to explain a syntax error; when it cannot follow something it
//! gives up quietly and the problem is reported without a caret.

use crate::engine::format::diagnostic::Location;
use std::collections::HashMap;
use std::ops::Range;

/// A source text with its line starts, to turn byte offsets into lines and columns.
pub struct SourceText<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// The last column worked out, as (byte offset, column): problems come in file order, so
    /// the next column on the same line is counted on from there. Without it, 20,000 problems
    /// on one 3 MB line counted 60 billion characters.
    last_column: std::cell::Cell<(usize, usize)>,
}

impl<'a> SourceText<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceText {
            text,
            line_starts,
            last_column: std::cell::Cell::new((0, 1)),
        }
    }

    /// The 1-based column of `offset` on the line starting at `line_start`.
    fn column_of(&self, line_start: usize, offset: usize) -> usize {
        let (last, column) = self.last_column.get();
        let column = if last >= line_start && last <= offset {
            column + count_chars(&self.text[last..offset])
        } else {
            count_chars(&self.text[line_start..offset]) + 1
        };
        self.last_column.set((offset, column));
        column
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The location of a byte range; the caret stops at the end of the first line. Offsets
    /// inside a character (a `€` is three bytes) are moved to its start, and a long line is cut
    /// to an excerpt around the caret (see `Location::excerpt_from`).
    pub fn location(&self, span: Range<usize>) -> Location {
        let start = self
            .text
            .floor_char_boundary(span.start.min(self.text.len()));
        let line_index = self.line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = self.line_starts[line_index];
        // The next line's start is known: no scan along a long line for its end.
        let line_end = self
            .line_starts
            .get(line_index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line_text = self.text[line_start..line_end].trim_end_matches('\r');
        let column = self.column_of(line_start, start);
        // The caret never runs past the excerpt, so a span over a long line is not counted
        // whole.
        let end = self.text.ceil_char_boundary(
            span.end
                .clamp(start, line_start + line_text.len())
                .min(start + 4 * EXCERPT_BYTES),
        );
        let width = count_chars(&self.text[start..end]).max(1);
        // The excerpt: the whole line when it is short, else a window that starts a little
        // before the caret, so a 50 MB one-line file prints a line, not 50 MB.
        let (excerpt_from, excerpt) = if line_text.len() <= EXCERPT_BYTES {
            (1, line_text)
        } else {
            let before = self.text[line_start..start]
                .char_indices()
                .rev()
                .take(EXCERPT_BEFORE)
                .last()
                .map_or(start, |(i, _)| line_start + i);
            let after = self
                .text
                .floor_char_boundary((before + EXCERPT_BYTES).min(line_start + line_text.len()));
            let from = column - count_chars(&self.text[before..start]);
            (from, &self.text[before..after])
        };
        Location {
            line: line_index + 1,
            column,
            // The caret stops where the excerpt does.
            width: width
                .min(count_chars(excerpt).saturating_sub(column - excerpt_from))
                .max(1),
            line_text: excerpt.to_string(),
            excerpt_from,
            line_cut: excerpt.len() < line_text.len(),
        }
    }

    /// The location of a 1-based line and column as ron reports them.
    pub fn location_of_line_column(&self, line: usize, column: usize) -> Location {
        let offset = self.offset_of_line_column(line, column);
        self.location(offset..offset + 1)
    }

    /// The byte offset of a 1-based line and column as ron reports them.
    pub fn offset_of_line_column(&self, line: usize, column: usize) -> usize {
        let line_index = line.clamp(1, self.line_starts.len()) - 1;
        let line_start = self.line_starts[line_index];
        let rest = &self.text[line_start..];
        line_start
            + rest
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i)
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: usize) -> &'a str {
        let line_index = line.clamp(1, self.line_starts.len()) - 1;
        let line_start = self.line_starts[line_index];
        let rest = &self.text[line_start..];
        rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r')
    }
}

/// Lines longer than this many bytes are shown as an excerpt, starting this many characters
/// before the caret.
const EXCERPT_BYTES: usize = 160;
const EXCERPT_BEFORE: usize = 60;

/// Characters in a text, counted fast (a column on a 50 MB line is counted for every problem
/// on it): every byte that does not continue a character starts one.
fn count_chars(text: &str) -> usize {
    text.bytes().filter(|b| (b & 0xC0) != 0x80).count()
}

/// A parsed value with the byte range it covers.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    /// A string, already unescaped.
    Str(String),
    /// A number, boolean, character or bare identifier (a unit enum variant).
    Atom(String),
    /// `Name(..)` or `(..)`: named fields or positional items.
    Group {
        name: Option<String>,
        fields: Vec<Field>,
        items: Vec<Node>,
    },
    /// `{ key: value, .. }` in file order, duplicates kept, with the positions of each string
    /// key so that finding an entry does not scan the map (a file can have 100,000 nodes).
    Map(Vec<(Node, Node)>, HashMap<String, Vec<usize>>),
    /// `[ .., .. ]`
    List(Vec<Node>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub name_span: Range<usize>,
    pub value: Node,
}

/// One step of a path from the root to a value.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A named field of a struct.
    Field(&'a str),
    /// The value under a string key of a map; `usize` is which occurrence (0 for the first).
    Value(&'a str, usize),
    /// The string key itself.
    Key(&'a str, usize),
    /// The n-th item of a list or of a tuple-like group.
    Index(usize),
}

impl Node {
    /// Follows a path; `Some(..)` wrappers are looked through, as `implicit_some` allows either.
    pub fn find(&self, path: &[Step<'_>]) -> Option<&Node> {
        let mut node = self.unwrap_some();
        for step in path {
            node = match (step, &node.value) {
                (Step::Field(name), Value::Group { fields, .. }) => {
                    &fields.iter().find(|f| f.name == *name)?.value
                }
                (Step::Value(key, nth), Value::Map(entries, by_key)) => {
                    &entries[*by_key.get(*key)?.get(*nth)?].1
                }
                (Step::Key(key, nth), Value::Map(entries, by_key)) => {
                    &entries[*by_key.get(*key)?.get(*nth)?].0
                }
                (Step::Index(i), Value::List(items)) => items.get(*i)?,
                (Step::Index(i), Value::Group { items, .. }) => items.get(*i)?,
                _ => return None,
            }
            .unwrap_some();
        }
        Some(node)
    }

    /// The byte range of a field's name, for problems about the field rather than its value.
    pub fn field_name_span(&self, name: &str) -> Option<Range<usize>> {
        match &self.value {
            Value::Group { fields, .. } => fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.name_span.clone()),
            _ => None,
        }
    }

    fn unwrap_some(&self) -> &Node {
        match &self.value {
            Value::Group {
                name: Some(name),
                items,
                fields,
            } if name == "Some" && items.len() == 1 && fields.is_empty() => items[0].unwrap_some(),
            _ => self,
        }
    }
}

/// Parses RON text into located values; `None` where it cannot follow the text.
pub fn parse(text: &str) -> Option<Node> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_trivia();
    while parser.text[parser.pos..].starts_with("#!") {
        parser.skip_attribute()?;
        parser.skip_trivia();
    }
    parser.value()
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, wanted: char) -> bool {
        if self.peek() == Some(wanted) {
            self.pos += wanted.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_trivia(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            if let Some(c) = rest.chars().next().filter(|c| c.is_whitespace()) {
                self.pos += c.len_utf8();
            } else if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if rest.starts_with("/*") {
                self.skip_block_comment();
            } else {
                return;
            }
        }
    }

    fn skip_block_comment(&mut self) {
        // RON block comments nest.
        let mut depth = 0usize;
        while self.pos < self.text.len() {
            let rest = &self.text[self.pos..];
            if rest.starts_with("/*") {
                depth += 1;
                self.pos += 2;
            } else if rest.starts_with("*/") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.bump();
            }
        }
    }

    fn skip_attribute(&mut self) -> Option<()> {
        let close = self.text[self.pos..].find(']')?;
        self.pos += close + 1;
        Some(())
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_trivia();
        let start = self.pos;
        let rest = &self.text[self.pos..];
        let c = self.peek()?;
        let value = if c == '"' {
            Value::Str(self.string()?)
        } else if rest.starts_with("r\"") || rest.starts_with("r#") {
            Value::Str(self.raw_string()?)
        } else if rest.starts_with("b\"") {
            self.pos += 1;
            Value::Str(self.string()?)
        } else if c == '\'' {
            self.char_literal()?;
            Value::Atom(self.text[start..self.pos].to_string())
        } else if c == '[' {
            self.pos += 1;
            Value::List(self.sequence(']')?)
        } else if c == '{' {
            self.pos += 1;
            let entries = self.map()?;
            let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
            for (index, (key, _)) in entries.iter().enumerate() {
                if let Value::Str(key) = &key.value {
                    by_key.entry(key.clone()).or_default().push(index);
                }
            }
            Value::Map(entries, by_key)
        } else if c == '(' {
            self.pos += 1;
            self.group(None)?
        } else if c.is_alphabetic() || c == '_' {
            let name = self.identifier();
            let after_name = self.pos;
            self.skip_trivia();
            if self.eat('(') {
                self.group(Some(name))?
            } else {
                self.pos = after_name;
                Value::Atom(name)
            }
        } else if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') {
            self.bump();
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
            {
                self.bump();
            }
            Value::Atom(self.text[start..self.pos].to_string())
        } else {
            return None;
        };
        Some(Node {
            span: start..self.pos,
            value,
        })
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        if self.text[self.pos..].starts_with("r#") {
            self.pos += 2;
        }
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        self.text[start..self.pos]
            .trim_start_matches("r#")
            .to_string()
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat('"') {
            return None;
        }
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => match self.bump()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'u' => {
                        // \u{XXXX}
                        if !self.eat('{') {
                            return None;
                        }
                        let close = self.text[self.pos..].find('}')?;
                        let hex = &self.text[self.pos..self.pos + close];
                        self.pos += close + 1;
                        out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                    }
                    'x' => {
                        let hex = self.text.get(self.pos..self.pos + 2)?;
                        self.pos += 2;
                        out.push(char::from(u8::from_str_radix(hex, 16).ok()?));
                    }
                    '\n' => {
                        // A backslash before a line break continues the string.
                        while self.peek().is_some_and(char::is_whitespace) {
                            self.bump();
                        }
                    }
                    other => out.push(other),
                },
                other => out.push(other),
            }
        }
    }

    fn raw_string(&mut self) -> Option<String> {
        self.pos += 1; // r
        let hashes = self.text[self.pos..]
            .chars()
            .take_while(|&c| c == '#')
            .count();
        self.pos += hashes;
        if !self.eat('"') {
            return None;
        }
        let closing = format!("\"{}", "#".repeat(hashes));
        let end = self.text[self.pos..].find(&closing)?;
        let content = self.text[self.pos..self.pos + end].to_string();
        self.pos += end + closing.len();
        Some(content)
    }

    fn char_literal(&mut self) -> Option<()> {
        self.bump(); // opening quote
        if self.bump()? == '\\' {
            self.bump()?;
        }
        while self.peek()? != '\'' {
            self.bump();
        }
        self.bump();
        Some(())
    }

    fn sequence(&mut self, close: char) -> Option<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.value()?);
            self.skip_trivia();
            if !self.eat(',') {
                self.skip_trivia();
                return self.eat(close).then_some(items);
            }
        }
    }

    fn map(&mut self) -> Option<Vec<(Node, Node)>> {
        let mut entries = Vec::new();
        loop {
            self.skip_trivia();
            if self.eat('}') {
                return Some(entries);
            }
            let key = self.value()?;
            self.skip_trivia();
            if !self.eat(':') {
                return None;
            }
            let value = self.value()?;
            entries.push((key, value));
            self.skip_trivia();
            if !self.eat(',') {
                self.skip_trivia();
                return self.eat('}').then_some(entries);
            }
        }
    }

    /// The inside of `( .. )`: named fields when it starts with `name:`, positional items otherwise.
    fn group(&mut self, name: Option<String>) -> Option<Value> {
        self.skip_trivia();
        let checkpoint = self.pos;
        let is_struct = self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') && {
            self.identifier();
            self.skip_trivia();
            let colon = self.peek() == Some(':') && !self.text[self.pos..].starts_with("::");
            self.pos = checkpoint;
            colon
        };
        if !is_struct {
            let items = self.sequence(')')?;
            return Some(Value::Group {
                name,
                fields: Vec::new(),
                items,
            });
        }
        let mut fields = Vec::new();
        loop {
            self.skip_trivia();
            if self.eat(')') {
                break;
            }
            let name_start = self.pos;
            let field_name = self.identifier();
            let name_span = name_start..self.pos;
            self.skip_trivia();
            if !self.eat(':') {
                return None;
            }
            let value = self.value()?;
            fields.push(Field {
                name: field_name,
                name_span,
                value,
            });
            self.skip_trivia();
            if !self.eat(',') {
                self.skip_trivia();
                if !self.eat(')') {
                    return None;
                }
                break;
            }
        }
        Some(Value::Group {
            name,
            fields,
            items: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r##"#![enable(implicit_some)]
// a comment with "quotes" and ( brackets
Scenario(
    id: "x", /* block /* nested */ */
    pass_mark: Some(70),
    nodes: {
        "a": (line: "Hi \"there\"", choices: [(say: "s", move: Pitch, to: "b", requires: [Knows("f")])]),
        "a": (line: r#"raw "text""#, end: Lost),
    },
)"##;

    #[test]
    fn paths_reach_fields_map_values_duplicate_keys_and_items() {
        let root = parse(TEXT).expect("parses");
        let source = SourceText::new(TEXT);
        let to = root
            .find(&[
                Step::Field("nodes"),
                Step::Value("a", 0),
                Step::Field("choices"),
                Step::Index(0),
                Step::Field("to"),
            ])
            .expect("to is found");
        let location = source.location(to.span.clone());
        assert_eq!((location.line, location.column, location.width), (7, 75, 3));

        let second_key = root
            .find(&[Step::Field("nodes"), Step::Key("a", 1)])
            .expect("second key");
        assert_eq!(source.location(second_key.span.clone()).line, 8);

        let fact = root
            .find(&[
                Step::Field("nodes"),
                Step::Value("a", 0),
                Step::Field("choices"),
                Step::Index(0),
                Step::Field("requires"),
                Step::Index(0),
                Step::Index(0),
            ])
            .expect("condition argument");
        assert!(matches!(&fact.value, Value::Str(s) if s == "f"));

        let pass_mark = root
            .find(&[Step::Field("pass_mark")])
            .expect("Some is looked through");
        assert!(matches!(&pass_mark.value, Value::Atom(a) if a == "70"));
    }

    #[test]
    fn a_line_and_column_from_ron_maps_to_the_same_place() {
        let source = SourceText::new("ab\ncdé f\n");
        let location = source.location_of_line_column(2, 5);
        assert_eq!(
            (location.line, location.column, location.line_text.as_str()),
            (2, 5, "cdé f")
        );
    }
}
