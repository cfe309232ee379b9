//! The scenario file format, version 1, as serde types named exactly as the spec names them.
//!
//! These types are what a manager writes. They keep ids as strings and numbers as written, so the
//! checker can say what is wrong with them; `model` holds the checked, index-based form that is
//! played.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct ScenarioFile {
    pub id: String,
    pub title: String,
    pub brief: String,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub tags: Vec<String>,
    pub minutes: i64,
    #[serde(default)]
    pub pass_mark: Option<i64>,
    pub buyer: Buyer,
    pub deal: Deal,
    pub facts: Entries<Fact>,
    /// Facts a campaign may carry into this call from an earlier one: the checker also tries
    /// the call with them known, so a choice that needs one is not reported as never offered.
    #[serde(default)]
    pub carried: Vec<String>,
    #[serde(default)]
    pub rubric: Option<Rubric>,
    pub start: String,
    pub nodes: Entries<Node>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    pub name: String,
    pub role: String,
    pub company: String,
    pub persona: String,
    #[serde(default)]
    pub portrait: Option<String>,
    pub trust: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// The truth the rep has to find out: is this deal worth pursuing?
    pub winnable: bool,
    pub value: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub kind: FactKind,
    pub text: String,
    #[serde(default = "one")]
    pub weight: i64,
}

fn one() -> i64 {
    1
}

/// BANT and MEDDPICC: what a good rep finds out on a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum FactKind {
    Pain,
    Budget,
    Authority,
    Need,
    Timeline,
    Champion,
    Competition,
    DecisionProcess,
    Metrics,
}

impl FactKind {
    /// The basics of qualifying an advance: who signs, the money and the timing. An advance is
    /// only as strong as how many of these the rep knows (see `score`).
    pub const BASICS: [FactKind; 3] = [FactKind::Authority, FactKind::Budget, FactKind::Timeline];

    /// Kinds that can give a reason to walk away from a deal (a champion or a metric cannot).
    pub fn can_disqualify(self) -> bool {
        !matches!(
            self,
            FactKind::Pain | FactKind::Champion | FactKind::Metrics
        )
    }

    pub const ALL: [FactKind; 9] = [
        FactKind::Pain,
        FactKind::Budget,
        FactKind::Authority,
        FactKind::Need,
        FactKind::Timeline,
        FactKind::Champion,
        FactKind::Competition,
        FactKind::DecisionProcess,
        FactKind::Metrics,
    ];

    /// Every kind but `Pain` counts toward qualification.
    pub fn is_qualification(self) -> bool {
        self != FactKind::Pain
    }

    pub fn label(self) -> &'static str {
        match self {
            FactKind::Pain => "Pain",
            FactKind::Budget => "Budget",
            FactKind::Authority => "Authority",
            FactKind::Need => "Need",
            FactKind::Timeline => "Timeline",
            FactKind::Champion => "Champion",
            FactKind::Competition => "Competition",
            FactKind::DecisionProcess => "Decision process",
            FactKind::Metrics => "Metrics",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub qualification: i64,
    pub discovery: i64,
    pub rapport: i64,
    pub velocity: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub line: String,
    /// Other ways the buyer says the line; each session says one of `line` and these, drawn
    /// from its seed, so a call played again is not learnt by heart.
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub choices: Option<Vec<Choice>>,
    #[serde(default)]
    pub chance: Option<Vec<Branch>>,
    #[serde(default)]
    pub next: Option<Next>,
    #[serde(default)]
    pub end: Option<Outcome>,
    #[serde(default)]
    pub reveals: Vec<String>,
    #[serde(default)]
    pub trust: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// An id of the author's, so that records and tests can name the choice whatever its place
    /// in the list; without one, a choice is named by its node and its place (`open/2`).
    #[serde(default)]
    pub id: Option<String>,
    pub say: String,
    #[serde(rename = "move")]
    pub move_kind: Move,
    pub to: String,
    #[serde(default)]
    pub trust: i64,
    #[serde(default = "one")]
    pub minutes: i64,
    #[serde(default)]
    pub requires: Vec<Condition>,
    #[serde(default)]
    pub reveals: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub weight: i64,
    pub to: String,
    /// Conditions that must all hold for the branch to be in the draw: the buyer's luck
    /// depends on the call so far ("she only brings the CFO in if she trusts you").
    #[serde(default)]
    pub requires: Vec<Condition>,
}

/// Where the buyer goes after a node's line: one node (`next: "pricing"`), or a list of
/// branches, the first whose `requires` all hold taken (`next: [(to: "names-budget",
/// requires: [TrustAtLeast(60)]), (to: "deflects")]`); the last branch has no conditions, so
/// the buyer always goes somewhere.
#[derive(Debug, Clone)]
pub enum Next {
    To(String),
    Branches(Vec<NextBranch>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextBranch {
    pub to: String,
    #[serde(default)]
    pub requires: Vec<Condition>,
}

impl Next {
    /// Every node the buyer may go to, in the file's order.
    pub fn targets(&self) -> Vec<&str> {
        match self {
            Next::To(to) => vec![to.as_str()],
            Next::Branches(branches) => branches.iter().map(|b| b.to.as_str()).collect(),
        }
    }

    /// The branches, a single `next: "node"` as one branch without conditions.
    pub fn branches(&self) -> Vec<(&str, &[Condition])> {
        match self {
            Next::To(to) => vec![(to.as_str(), &[][..])],
            Next::Branches(branches) => branches
                .iter()
                .map(|b| (b.to.as_str(), b.requires.as_slice()))
                .collect(),
        }
    }
}

// A string or a list, read directly (not as an untagged enum) so that a misspelt field inside
// a branch is reported as such, at its place, rather than as "matches no variant".
impl<'de> Deserialize<'de> for Next {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NextVisitor;
        impl<'de> serde::de::Visitor<'de> for NextVisitor {
            type Value = Next;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a node id in quotes, or a list of `(to: \"..\", requires: [..])`")
            }
            fn visit_str<E: serde::de::Error>(self, to: &str) -> Result<Next, E> {
                Ok(Next::To(to.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, to: String) -> Result<Next, E> {
                Ok(Next::To(to))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Next, A::Error> {
                let mut branches = Vec::new();
                while let Some(branch) = seq.next_element::<NextBranch>()? {
                    branches.push(branch);
                }
                Ok(Next::Branches(branches))
            }
        }
        deserializer.deserialize_any(NextVisitor)
    }
}

/// What kind of move a choice is: the SPIN question types, then the rest of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Move {
    Rapport,
    Situation,
    Problem,
    Implication,
    NeedPayoff,
    Qualify,
    Pitch,
    Close,
    Summarize,
    QualifyOut,
}

impl Move {
    /// Questions stand in for listening (the talk-to-listen ratio of a choice-based call).
    pub fn is_question(self) -> bool {
        matches!(
            self,
            Move::Situation | Move::Problem | Move::Implication | Move::NeedPayoff | Move::Qualify
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Move::Rapport => "Rapport",
            Move::Situation => "Situation",
            Move::Problem => "Problem",
            Move::Implication => "Implication",
            Move::NeedPayoff => "Need-payoff",
            Move::Qualify => "Qualify",
            Move::Pitch => "Pitch",
            Move::Close => "Close",
            Move::Summarize => "Summarize",
            Move::QualifyOut => "Qualify out",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum Condition {
    Knows(String),
    DoesNotKnow(String),
    TrustAtLeast(i64),
    TrustBelow(i64),
    MinutesLeft(i64),
    Visited(String),
    NotVisited(String),
}

/// How a call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Outcome {
    /// A concrete next step is agreed.
    Advance,
    /// A vague "send me something".
    Continuation,
    /// The buyer ends it.
    Lost,
    /// The rep walks away on purpose.
    QualifiedOut,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Advance,
        Outcome::Continuation,
        Outcome::Lost,
        Outcome::QualifiedOut,
    ];

    /// `Advance` is right for a winnable deal, `QualifiedOut` for one that cannot close.
    pub fn is_right_call(self, winnable: bool) -> bool {
        matches!(
            (self, winnable),
            (Outcome::Advance, true) | (Outcome::QualifiedOut, false)
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Advance => "Advance",
            Outcome::Continuation => "Continuation",
            Outcome::Lost => "Lost",
            Outcome::QualifiedOut => "Qualified out",
        }
    }
}

/// A RON map read in file order with duplicate keys kept, so that the checker can report a
/// duplicate id instead of silently keeping the last one.
#[derive(Debug, Clone)]
pub struct Entries<V>(pub Vec<(String, V)>);

impl<V> Entries<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from ids to entries, such as { \"id\": (..) }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}
