//! The campaign file format (`NAME.campaign.ron`), as serde types named as docs/format.md names
//! them: what a manager writes to link calls of one deal. Ids stay strings and numbers stay as
//! written, so the campaign checker can say what is wrong with them.

use crate::engine::format::Outcome;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Campaign", deny_unknown_fields)]
pub struct CampaignFile {
    pub id: String,
    pub title: String,
    pub brief: String,
    pub calls: Vec<CallFile>,
}

/// One call of the campaign: a scenario of the library, and what it takes from the calls before.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Call", deny_unknown_fields)]
pub struct CallFile {
    /// The scenario's id.
    pub scenario: String,
    /// Earlier outcomes this call needs; without them the campaign ends before it.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Facts the rep keeps from earlier calls, when they learned them there.
    #[serde(default)]
    pub carry: Vec<String>,
    /// Whether the buyer's trust at the end of the call before is where this one starts
    /// (otherwise the scenario's own `buyer.trust`).
    #[serde(default = "carried_by_default")]
    pub carry_trust: bool,
    /// What chance can bring between the call before and this one.
    #[serde(default)]
    pub between: Vec<Happening>,
}

fn carried_by_default() -> bool {
    true
}

/// An earlier call's outcome that a call needs.
#[derive(Debug, Clone, Deserialize)]
pub enum Requirement {
    /// `Ended("scenario-id", Advance)`: that call ended this way.
    Ended(String, Outcome),
}

/// One of the things chance can bring between two calls, drawn by weight.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Happening", deny_unknown_fields)]
pub struct Happening {
    pub weight: i64,
    /// What the rep is told before the call, such as "Marta has been moved to flu prep".
    pub say: String,
    /// A change to the carried trust.
    #[serde(default)]
    pub trust: i64,
    /// Carried facts that stop being true (the champion left).
    #[serde(default)]
    pub forgets: Vec<String>,
}
