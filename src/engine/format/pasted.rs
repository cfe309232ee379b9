//! What managers paste: recognising, where a syntax error falls, text that came from a word
//! processor, a spreadsheet or a web page (curly quotes, non-breaking spaces, `160,000`, `75%`,
//! `12€`, `#` comments, a quote inside dialogue, a missing closing quote), so the message says
//! what to type instead of what the parser expected.

use std::ops::Range;

/// A recognised paste: where it is, and what to tell the manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub hint: String,
}

const CURLY_QUOTES: [char; 8] = ['“', '”', '„', '‟', '‘', '’', '«', '»'];

/// Spaces that look like a space but are not one to the parser.
fn is_odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '¥' | '₹' | '₩' | '₽' | '¢')
}

/// What the text at `at` (the byte where the parser gave up) most likely is, if it is one of
/// the things managers paste; `None` leaves the parser's own message.
pub fn recognise(text: &str, at: usize) -> Option<Pasted> {
    let at = text.floor_char_boundary(at.min(text.len()));
    // The parser may stop on the space before what it rejects.
    let at = at + (text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len());
    let here = text[at..].chars().next();
    if let Some(c) = here {
        if CURLY_QUOTES.contains(&c) {
            return Some(Pasted {
                span: at..at + c.len_utf8(),
                message: format!("syntax error: a curly quote `{c}` where a straight quote `\"` must be"),
                label: "a curly quote, as a word processor types it".into(),
                hint: "type the quotes around text as straight quotes \" (curly quotes inside the text are fine); a plain text editor keeps them straight".into(),
            });
        }
        if is_odd_space(c) {
            return Some(Pasted {
                span: at..at + c.len_utf8(),
                message: format!(
                    "syntax error: an invisible character (U+{:04X}, {}) where an ordinary space must be",
                    c as u32,
                    if c == '\u{a0}' {
                        "a non-breaking space"
                    } else {
                        "a special space"
                    }
                ),
                label: "here, pasted from a word processor or a web page".into(),
                hint: "delete the space here and type an ordinary one".into(),
            });
        }
        if c == '#' {
            return Some(Pasted {
                span: at..at + 1,
                message: "syntax error: `#` does not start a comment".into(),
                label: "not a comment".into(),
                hint: "start a comment with // (the rest of the line is then ignored)".into(),
            });
        }
    }
    if let Some(number) = number_shape(text, at) {
        return Some(number);
    }
    quote_trouble(text, at)
}

/// A number written the way people write numbers in documents: `160,000`, `40.5`, `75%`,
/// `12€`, `$24000`, `90k`.
fn number_shape(text: &str, at: usize) -> Option<Pasted> {
    let part_of_number =
        |c: char| c.is_ascii_digit() || matches!(c, ',' | '.' | '%' | 'k' | 'K') || is_currency(c);
    // The parser stops on the character it rejects or just after the token; look at both.
    let probe = if text[at..].chars().next().is_some_and(part_of_number) {
        at
    } else {
        let before = text[..at].chars().next_back()?;
        if !part_of_number(before) {
            return None;
        }
        at - before.len_utf8()
    };
    let start = text[..probe]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| part_of_number(c))
        .last()
        .map_or(probe, |(i, _)| i);
    let end = text[probe..]
        .char_indices()
        .find(|&(_, c)| !part_of_number(c))
        .map_or(text.len(), |(i, _)| probe + i);
    // Trailing commas and points end a sentence or a field, not a number.
    let token = text[start..end].trim_end_matches([',', '.']);
    let token = token.trim_start_matches([',', '.']);
    let start = start + text[start..end].find(token)?;
    let span = start..start + token.len();
    if !token.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = token.chars().filter(char::is_ascii_digit).collect();
    let plain_number = |label: String, message: &str, hint: &str| {
        Some(Pasted {
            span: span.clone(),
            message: format!("syntax error: {message}"),
            label,
            hint: hint.into(),
        })
    };
    if token.contains('%') {
        let whole = token.split('%').next().unwrap_or_default();
        return plain_number(
            format!("write {whole}"),
            &format!("`{token}` is not a number the format reads"),
            "trust, pass marks and rubric weights are plain numbers from 0 to 100, without %",
        );
    }
    if token.chars().any(is_currency) {
        let amount = token.trim_matches(|c: char| is_currency(c) || c == ' ');
        let amount: String = amount.chars().filter(|c| c.is_ascii_digit()).collect();
        return plain_number(
            format!("write {amount}"),
            &format!("`{token}`: write amounts without a currency sign"),
            "a deal's value is a whole number in the buyer's currency, with no sign or separators",
        );
    }
    if token.ends_with(['k', 'K']) && token[..token.len() - 1].chars().all(|c| c.is_ascii_digit()) {
        return plain_number(
            format!("write {digits}000"),
            &format!("`{token}`: write the number in full"),
            "numbers are written in digits only",
        );
    }
    let groups: Vec<&str> = token.split([',', '.']).collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    if thousands && (token.contains(',') || groups.len() > 2) {
        return plain_number(
            format!("write {digits}"),
            &format!("`{token}`: write numbers without thousands separators"),
            "write the digits only, with no commas, points or spaces inside a number",
        );
    }
    if groups.len() == 2 && token.contains('.') {
        let whole: u64 = groups[0].parse().ok()?;
        return plain_number(
            format!("write {whole} or {}", whole + 1),
            &format!("`{token}`: numbers in a scenario are whole numbers"),
            "minutes, trust, weights, pass marks and values are whole numbers",
        );
    }
    None
}

/// A string the manager meant to end earlier: a missing closing quote (the text runs on to the
/// next `"` lines later) or a `"` inside dialogue that ends the text in the middle.
fn quote_trouble(text: &str, at: usize) -> Option<Pasted> {
    let (last, open) = strings_before(text, at);
    if let Some(start) = open {
        return Some(missing_quote(text, start, None));
    }
    let last = last?;
    // What follows the closing quote: a word or another quote means the text went on.
    let after = text[last.end..].trim_start_matches([' ', '\t']);
    let runs_on = after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '"' || c == '\'');
    if !runs_on || last.end > at + 1 {
        return None;
    }
    if text[last.start..last.end].contains('\n') {
        return Some(missing_quote(text, last.start, Some(last.end)));
    }
    let quote = last.end - 1;
    Some(Pasted {
        span: quote..quote + 1,
        message: "syntax error: a `\"` inside the text ends it early".into(),
        label: "the text ends at this quote".into(),
        hint: "write a quote inside text as \\\" (so \"calling\" becomes \\\"calling\\\"), or use single quotes 'calling'".into(),
    })
}

fn missing_quote(text: &str, start: usize, closed_at: Option<usize>) -> Pasted {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let first_line = &text[start..line_end];
    let runs_to = match closed_at {
        Some(end) => format!(
            "this text has no closing quote, so it runs on to line {}",
            text[..end].matches('\n').count() + 1
        ),
        None => "this text has no closing quote".into(),
    };
    let curly = first_line
        .chars()
        .skip(1)
        .find(|c| CURLY_QUOTES.contains(c));
    Pasted {
        span: start..line_end,
        message: "syntax error: text without its closing quote".into(),
        label: runs_to,
        hint: match curly {
            Some(c) => format!(
                "the text ends with a curly quote `{c}` from a word processor: type a straight \" instead"
            ),
            None => "end the text with \" on the same line".into(),
        },
    }
}

/// A string literal's bytes, quotes included.
struct Literal {
    start: usize,
    end: usize,
}

/// The last string literal that ends before `at`, and the start of one still open at `at`.
/// One pass over the bytes (quotes, backslashes, slashes and line breaks are ASCII, so no byte
/// of them is inside a character); comments and raw strings are skipped as the parser does.
fn strings_before(text: &str, at: usize) -> (Option<Literal>, Option<usize>) {
    let bytes = &text.as_bytes()[..at.min(text.len())];
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = bytes[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) =>
            {
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                let open = i + 1 + hashes;
                if bytes.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let mut closing = vec![b'"'];
                closing.extend(std::iter::repeat_n(b'#', hashes));
                match bytes[open + 1..]
                    .windows(closing.len())
                    .position(|w| w == closing.as_slice())
                {
                    Some(p) => {
                        let end = open + 1 + p + closing.len();
                        last = Some(Literal { start: i, end });
                        i = end;
                    }
                    None => return (last, Some(i)),
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return (last, Some(start)),
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            last = Some(Literal { start, end: i });
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            _ => i += 1,
        }
    }
    (last, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, marker: &str) -> Option<Pasted> {
        let offset = text.find(marker).expect("marker in text");
        recognise(text, offset)
    }

    #[test]
    fn numbers_as_documents_write_them() {
        let p = at("value: 160,000)", "000").unwrap();
        assert_eq!(p.label, "write 160000");
        assert_eq!(&"value: 160,000)"[p.span], "160,000");
        assert_eq!(at("minutes: 40.5,", ".5").unwrap().label, "write 40 or 41");
        assert_eq!(at("trust: 75%,", "%").unwrap().label, "write 75");
        assert_eq!(at("value: 12€)", "€").unwrap().label, "write 12");
        assert_eq!(at("value: $24000)", "$").unwrap().label, "write 24000");
        assert_eq!(at("value: 90k)", "k").unwrap().label, "write 90000");
        assert_eq!(
            at("value: 1.250.000)", ".250").unwrap().label,
            "write 1250000"
        );
    }

    #[test]
    fn word_processor_characters() {
        let curly = at("title: “Acme”,", "“").unwrap();
        assert!(curly.message.contains("curly quote"));
        let nbsp = at("minutes:\u{a0}10,", "\u{a0}").unwrap();
        assert!(nbsp.message.contains("U+00A0"), "{}", nbsp.message);
        assert!(at("# a note\n", "#").unwrap().hint.contains("//"));
        let before = at("title: “Acme”,", " “").unwrap();
        assert_eq!(
            before.span.start,
            "title: ".len(),
            "on the quote, not the space"
        );
    }

    #[test]
    fn a_quote_inside_dialogue_and_a_missing_closing_quote() {
        let text = "line: \"Thanks for \"calling\" back.\",";
        let inner = at(text, "calling").unwrap();
        assert_eq!(inner.span, 18..19, "on the quote that ends the text");
        assert!(inner.hint.contains("\\\""));

        let text = "brief: \"An enquiry.,\n    tags: [\"logistics\", \"smb\"],";
        let missing = at(text, "logistics").unwrap();
        assert_eq!(
            missing.span.start, 7,
            "at the opening quote of the unclosed text"
        );
        assert!(missing.label.contains("line 2"), "{}", missing.label);

        let text = "id: \"acme”,\n title: \"Acme\",";
        let curly_end = at(text, "Acme\"").unwrap();
        assert!(curly_end.hint.contains("curly"), "{}", curly_end.hint);

        assert_eq!(at("line: \"fine\",\n next: x", "x"), None);
        assert_eq!(at("// \"quoted\" in a comment\nnext: x", "x"), None);
    }

    #[test]
    fn an_unclosed_string_at_the_end_of_the_file() {
        let text = "title: \"Acme";
        let p = recognise(text, text.len()).unwrap();
        assert_eq!(p.span.start, 7);
    }
}
