//! Problems found in scenario files, with stable codes, rendered the way rustc shows an error.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether a problem stops the scenario from being played.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A stable code for each kind of problem. Codes are part of the contract with managers (they are
/// searchable in the README), so a code is never reused for a different problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The file is not valid RON.
    Syntax,
    /// A field the format does not have.
    UnknownField,
    /// A `to`, `next`, `chance`, `start` or `Visited` that names no node.
    UnknownNode,
    /// A `reveals` or `Knows` that names no fact.
    UnknownFact,
    /// Two nodes, two facts or two scenarios with the same id.
    DuplicateId,
    /// A node with no `choices`, `chance`, `next` or `end`.
    NoWayOn,
    /// A node with more than one of `choices`, `chance`, `next`, `end`.
    SeveralWaysOn,
    /// A node from which no ending can be reached.
    NoEndingReachable,
    /// A `chance` list that is empty or whose weights are all zero.
    EmptyChance,
    /// A choice list whose choices can all be hidden by their conditions at once.
    AllChoicesHidden,
    /// A fact that no reachable line or choice reveals.
    FactNeverRevealed,
    /// No reachable ending is the right call for this deal.
    NoRightCall,
    /// A number outside the range the format allows.
    OutOfRange,
    /// A field is missing, or a value has the wrong type.
    WrongValue,
    /// The scenario id is not kebab-case.
    BadId,
    /// A loop of `next` and `chance` nodes that the buyer could go round forever.
    BuyerLoop,
    /// Empty text where the rep or the buyer says something.
    EmptyText,
    /// The file cannot be read as a scenario (missing, binary, empty, too large, wrong extension).
    Unreadable,
    /// A choice with no coaching `note`: the debrief has nothing to teach there.
    MissingNote,
    /// A node that no path from `start` reaches.
    UnreachableNode,
    /// A choice whose conditions no path can meet where it stands (its gate never opens).
    NeverOffered,
    /// Best play does not always make the right call (chance, or a clock too short).
    BestPlayMissesRightCall,
    /// The pass mark is above the best score a right call can reach: nobody could pass.
    PassMarkUnreachable,
    /// Past one of the format's limits (`format::limits`): too many nodes, choices, branches,
    /// or too long an id or text.
    TooLarge,
    /// The declared difficulty disagrees with the difficulty measured by best and random play.
    DifficultyDisagrees,
    /// A file in a scenarios folder that looks like a scenario but is not named
    /// `*.scenario.ron`, so it is not loaded (`call.ron`, `call.scenario.ron.txt`).
    LooksLikeScenario,
    /// A choice quotes a figure only a fact holds, where some path has not revealed the fact.
    SaysWhatWasNotHeard,
    /// A `next` list whose last branch has conditions, or a `chance` whose every branch has
    /// them: the buyer could go nowhere.
    NoFallbackBranch,
    /// A campaign names a scenario the library does not have.
    UnknownScenario,
    /// A campaign carries a fact the call does not have, or that no earlier call has.
    FactNotCarried,
    /// A campaign call needs an outcome no run can give it (a later call, an outcome the call
    /// cannot end with, or two calls that need different outcomes of the same call).
    UnmeetableRequirement,
}

impl Code {
    /// The code as shown, such as `E0003`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::UnknownField => "E0002",
            Code::UnknownNode => "E0003",
            Code::UnknownFact => "E0004",
            Code::DuplicateId => "E0005",
            Code::NoWayOn => "E0006",
            Code::SeveralWaysOn => "E0007",
            Code::NoEndingReachable => "E0008",
            Code::EmptyChance => "E0009",
            Code::AllChoicesHidden => "E0010",
            Code::FactNeverRevealed => "E0011",
            Code::NoRightCall => "E0012",
            Code::OutOfRange => "E0013",
            Code::WrongValue => "E0014",
            Code::BadId => "E0015",
            Code::BuyerLoop => "E0016",
            Code::EmptyText => "E0017",
            Code::Unreadable => "E0018",
            Code::PassMarkUnreachable => "E0019",
            Code::TooLarge => "E0020",
            Code::NoFallbackBranch => "E0021",
            Code::UnknownScenario => "E0022",
            Code::FactNotCarried => "E0023",
            Code::UnmeetableRequirement => "E0024",
            Code::MissingNote => "W0001",
            Code::UnreachableNode => "W0002",
            Code::NeverOffered => "W0003",
            Code::BestPlayMissesRightCall => "W0004",
            Code::DifficultyDisagrees => "W0005",
            Code::LooksLikeScenario => "W0006",
            Code::SaysWhatWasNotHeard => "W0007",
        }
    }

    /// Every problem is an error except the ones that still leave a playable call.
    pub fn severity(self) -> Severity {
        match self {
            Code::MissingNote
            | Code::UnreachableNode
            | Code::NeverOffered
            | Code::BestPlayMissesRightCall
            | Code::DifficultyDisagrees
            | Code::LooksLikeScenario
            | Code::SaysWhatWasNotHeard => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a problem is: a line and a range of columns on it, with that line's text for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column of the first character, counted in characters.
    pub column: usize,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
    /// The source line without its line break, or, for a long line, an excerpt of it.
    pub line_text: String,
    /// The column (1-based, in characters) where `line_text` starts: 1 for a whole line.
    pub excerpt_from: usize,
    /// Whether the line goes on after `line_text`.
    pub line_cut: bool,
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: PathBuf,
    /// `None` when the problem concerns the whole file (it could not be read, say). Boxed to
    /// keep `Result<_, Diagnostic>` small.
    pub location: Option<Box<Location>>,
    /// One line saying what is wrong, such as `unknown node "cost"`.
    pub message: String,
    /// A short label under the caret.
    pub label: Option<String>,
    /// How to fix it, such as "did you mean `costs`?".
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            file: file.to_path_buf(),
            location: None,
            message: bounded(message.into()),
            label: None,
            hint: None,
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location.map(Box::new);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key that puts problems in file order, file-wide problems first.
    pub fn file_order(&self) -> (usize, usize) {
        self.location
            .as_ref()
            .map_or((0, 0), |l| (l.line, l.column))
    }

    /// Renders the problem as rustc does: header, arrow with file:line:column, the source line
    /// with a caret, and the hint.
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let (kind, kind_color) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut out = String::new();
        out.push_str(&paint(kind_color, &format!("{kind}[{}]", self.code)));
        out.push_str(&paint("1", &format!(": {}", self.message)));
        out.push('\n');
        let file = self.file.display();
        match &self.location {
            None => {
                out.push_str(&format!("  {} {file}\n", paint("1;34", "-->")));
            }
            Some(loc) => {
                let gutter = loc.line.to_string().len();
                let pad = " ".repeat(gutter);
                let bar = paint("1;34", "|");
                out.push_str(&format!(
                    "{pad}{} {file}:{}:{}\n",
                    paint("1;34", "-->"),
                    loc.line,
                    loc.column
                ));
                out.push_str(&format!("{pad} {bar}\n"));
                // Control characters (a stray escape sequence in a file) are shown as spaces,
                // so the line cannot move the terminal's cursor or change its colours.
                let shown: String = loc
                    .line_text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                let (lead, trail) = (
                    if loc.excerpt_from > 1 { "…" } else { "" },
                    if loc.line_cut { "…" } else { "" },
                );
                out.push_str(&format!(
                    "{} {bar} {lead}{shown}{trail}\n",
                    paint("1;34", &loc.line.to_string()),
                ));
                let caret_at = loc.column.saturating_sub(loc.excerpt_from) + lead.chars().count();
                let carets = "^".repeat(loc.width.max(1));
                let label = self
                    .label
                    .as_deref()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{pad} {bar} {}{}\n",
                    " ".repeat(caret_at),
                    paint(kind_color, &format!("{carets}{label}"))
                ));
            }
        }
        if let Some(hint) = &self.hint {
            let pad = self
                .location
                .as_ref()
                .map_or(1, |l| l.line.to_string().len());
            out.push_str(&format!(
                "{} {} {hint}\n",
                " ".repeat(pad),
                paint("1;34", "= help:")
            ));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    Suggester::new().did_you_mean(found, candidates)
}

/// Names longer than this are not matched against candidates (no one mistypes a 65-character
/// id into another), and are shortened in messages (`shown_name`).
pub const LONGEST_SUGGESTED: usize = 64;

/// Finds "did you mean" hints within a budget of work for a whole file, so that a file with
/// 20,000 unknown ids among 20,000 known ones gets its hints for the first few hundred and is
/// still checked in well under a second, instead of in minutes.
pub struct Suggester {
    /// Character comparisons left (each candidate costs the product of the two lengths).
    budget: std::cell::Cell<u64>,
}

impl Default for Suggester {
    fn default() -> Self {
        Self::new()
    }
}

impl Suggester {
    /// About a tenth of a second of comparisons.
    pub const BUDGET: u64 = 40_000_000;

    pub fn new() -> Self {
        Suggester {
            budget: std::cell::Cell::new(Self::BUDGET),
        }
    }

    /// "did you mean `x`?" for the closest candidate (see `closest`).
    pub fn did_you_mean<'a>(
        &self,
        found: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<String> {
        self.closest(found, candidates)
            .map(|name| format!("did you mean `{name}`?"))
    }

    /// The closest candidate to a misspelt name, if one is close enough to be a likely typo;
    /// on a tie, the first in alphabetical order, whatever order the candidates come in.
    pub fn closest<'a>(
        &self,
        found: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let found_chars = found.chars().count();
        if found_chars == 0 || found_chars > LONGEST_SUGGESTED {
            return None;
        }
        let found_lower = found.to_lowercase();
        let mut best: Option<(usize, &str)> = None;
        for candidate in candidates {
            let candidate_chars = candidate.chars().count();
            // Short names allow one edit ("cost" finds "costs"), longer ones two ("mood" finds
            // "move"), very long ones one per four characters; "x" finds nothing far from it.
            let longest = found_chars.max(candidate_chars);
            let allowed = match longest {
                0..=3 => 1,
                4..=8 => 2,
                n => n / 4,
            };
            // The edit distance is at least the difference in length: most candidates stop here.
            if found_chars.abs_diff(candidate_chars) > allowed
                || candidate_chars > LONGEST_SUGGESTED
            {
                continue;
            }
            let cost = (found_chars * candidate_chars) as u64;
            let left = self.budget.get();
            if left < cost {
                self.budget.set(0);
                break;
            }
            self.budget.set(left - cost);
            let distance = strsim::levenshtein(&found_lower, &candidate.to_lowercase());
            let better = match best {
                None => true,
                Some((d, name)) => distance < d || (distance == d && candidate < name),
            };
            if distance <= allowed && better {
                best = Some((distance, candidate));
            }
        }
        best.map(|(_, name)| name)
    }
}

/// The longest message kept whole: a message quotes names from the file, and a file can hold a
/// megabyte-long one.
const LONGEST_MESSAGE: usize = 400;

fn bounded(message: String) -> String {
    if message.len() <= LONGEST_MESSAGE {
        return message;
    }
    let cut = message.floor_char_boundary(LONGEST_MESSAGE);
    format!("{}… (message cut)", &message[..cut])
}

/// A name from the file as a message shows it: whole when it is short, else its start and its
/// length, so that a 1 MB id makes a one-line message.
pub fn shown_name(name: &str) -> String {
    let chars = name.chars().count();
    if chars <= LONGEST_SUGGESTED {
        return name.to_string();
    }
    let start: String = name.chars().take(40).collect();
    format!("{start}… ({chars} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        assert_eq!(
            did_you_mean("cost", ["costs", "booking"]).as_deref(),
            Some("did you mean `costs`?")
        );
        assert_eq!(did_you_mean("zzz", ["costs", "booking"]), None);
    }

    #[test]
    fn a_rendered_error_has_location_source_line_caret_and_hint() {
        let diagnostic = Diagnostic::new(
            Code::UnknownNode,
            Path::new("a.scenario.ron"),
            "unknown node \"cost\"",
        )
        .at(Some(Location {
            line: 12,
            column: 25,
            width: 6,
            line_text: "                    to: \"cost\",".into(),
            excerpt_from: 1,
            line_cut: false,
        }))
        .label("no node has this id")
        .hint("did you mean `costs`?");
        let text = diagnostic.render(false);
        assert_eq!(
            text,
            "error[E0003]: unknown node \"cost\"\n  --> a.scenario.ron:12:25\n   |\n12 |                     to: \"cost\",\n   |                         ^^^^^^ no node has this id\n   = help: did you mean `costs`?\n"
        );
    }
}
