//! The checked scenario, compiled for play: ids resolved to indices once, conditions and reveals
//! in flat arrays, so that offering and taking a choice never allocates or looks up a string.
//!
//! Indices never leave the crate: everything public speaks in the ids from the file.

use crate::engine::format::{Difficulty, FactKind, Move, Outcome};
use std::any::Any;
use std::ops::{Deref, Range};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A checked scenario, cheap to clone (it is shared, not copied).
#[derive(Debug, Clone)]
pub struct Scenario(pub(crate) Arc<ScenarioData>);

impl Deref for Scenario {
    type Target = ScenarioData;
    fn deref(&self) -> &ScenarioData {
        &self.0
    }
}

#[derive(Debug)]
pub struct ScenarioData {
    pub id: String,
    pub title: String,
    pub brief: String,
    pub difficulty: Difficulty,
    pub tags: Vec<String>,
    /// The buyer's time budget for the call.
    pub minutes: u32,
    pub pass_mark: Option<u32>,
    pub buyer: BuyerInfo,
    pub winnable: bool,
    pub deal_value: i64,
    pub weights: Weights,
    /// Where the scenario was read from, and a hash of its bytes.
    pub path: PathBuf,
    pub revision: String,
    /// The file's text, kept so a stored session can be replayed against the exact revision it
    /// was played on, even after the file changes.
    pub source_text: Arc<str>,
    pub(crate) facts: Vec<FactData>,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) choices: Vec<ChoiceData>,
    pub(crate) branches: Vec<BranchData>,
    pub(crate) conditions: Vec<Cond>,
    /// Fact indices referenced by nodes' and choices' `reveals`.
    pub(crate) fact_refs: Vec<u32>,
    pub(crate) start: u32,
    /// The minutes of the fastest right call, the yardstick for velocity.
    pub(crate) fastest_right_minutes: u32,
    /// For each node, its slot among the nodes that `Visited`/`NotVisited` ask about, or `NO_SLOT`.
    pub(crate) visit_slot: Vec<u32>,
    pub(crate) visit_slots: u32,
    pub(crate) qualification_weight: u32,
    pub(crate) pain_weight: u32,
    /// How many of the basic kinds (`FactKind::BASICS`) the call has facts of.
    pub(crate) basics_present: u8,
    /// The longest choice list, for the order buffer a session allocates once.
    pub(crate) max_choices: u32,
    /// What later layers work out from the call once and every session of it shares (the
    /// search's table of the fastest right call, which velocity is measured with).
    pub(crate) derived: Derived,
    /// When the call is played in a campaign: the campaign, the run and what was carried into
    /// it. `None` for a call played on its own.
    pub campaign: Option<CampaignCall>,
    /// Facts the rep knows before the first line (carried from earlier calls of a campaign).
    /// Every session and every search of the call starts from them, so best play, velocity and
    /// the score bounds measure the call the rep actually plays.
    pub(crate) known_at_start: Vec<u32>,
}

/// A call's place in a campaign run, and the state the run carried into it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CampaignCall {
    /// The campaign's id and title.
    pub campaign: String,
    pub campaign_title: String,
    /// The run: one rep's way through the campaign, shared by its calls' records, and the seed
    /// its calls' seeds and happenings are drawn from (`campaign::run::run_draws`).
    pub run: String,
    pub run_seed: u64,
    /// The call's place in the campaign (0 is the first) and how many calls it has.
    pub call: u32,
    pub calls: u32,
    /// The buyer's trust at the first line, and the facts the rep knows then.
    pub trust: u8,
    pub knows: Vec<String>,
    /// What happened between the calls (a chance event), as told to the rep before the call.
    pub between: Option<String>,
}

/// A slot for what later layers derive from a call once. The model does not know their types
/// (that would point the dependencies the wrong way), so the slot holds any shared value.
#[derive(Default)]
pub(crate) struct Derived(pub OnceLock<Arc<dyn Any + Send + Sync>>);

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(set)"
        } else {
            "Derived(empty)"
        })
    }
}

pub(crate) const NO_SLOT: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct BuyerInfo {
    pub name: String,
    pub role: String,
    pub company: String,
    pub persona: String,
    pub portrait: Option<String>,
    pub trust: u8,
}

/// The rubric: how much each dimension counts toward the overall score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    pub qualification: u32,
    pub discovery: u32,
    pub rapport: u32,
    pub velocity: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            qualification: 35,
            discovery: 35,
            rapport: 15,
            velocity: 15,
        }
    }
}

/// A fact the buyer knows and a good rep uncovers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactData {
    pub id: String,
    pub kind: FactKind,
    pub text: String,
    pub weight: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct NodeData {
    pub id: String,
    pub line: String,
    /// Other wordings of `line` (`variant` 1 and up).
    pub variants: Vec<String>,
    pub way: Way,
    pub reveals: Range<u32>,
    pub trust: i32,
}

impl NodeData {
    /// The line as said with `variant` (0 is `line`).
    pub fn said(&self, variant: u8) -> &str {
        match variant {
            0 => &self.line,
            v => self
                .variants
                .get(usize::from(v) - 1)
                .map_or(self.line.as_str(), String::as_str),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Way {
    Choices(Range<u32>),
    /// The buyer's luck: a branch drawn by weight among those whose conditions hold (`total`
    /// is every branch's weight; when some branch has conditions, `conditional`, the open
    /// branches' weights are summed from the state instead).
    Chance {
        branches: Range<u32>,
        total: u32,
        conditional: bool,
    },
    Next(u32),
    /// `next` as a list: the first branch whose conditions hold.
    NextIf(Range<u32>),
    End(Outcome),
}

#[derive(Debug, Clone)]
pub(crate) struct ChoiceData {
    /// The author's id for the choice, if it has one.
    pub id: Option<String>,
    pub say: String,
    pub move_kind: Move,
    pub to: u32,
    pub trust: i32,
    pub minutes: u32,
    pub requires: Range<u32>,
    pub reveals: Range<u32>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct BranchData {
    pub weight: u32,
    pub to: u32,
    /// Conditions that must all hold for the branch to be open (a range of the scenario's
    /// conditions, as for choices).
    pub requires: Range<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cond {
    Knows(u32),
    DoesNotKnow(u32),
    TrustAtLeast(i32),
    TrustBelow(i32),
    MinutesLeft(i32),
    Visited(u32),
    NotVisited(u32),
}

pub(crate) fn range_usize(range: &Range<u32>) -> Range<usize> {
    range.start as usize..range.end as usize
}

impl ScenarioData {
    pub fn facts(&self) -> &[FactData] {
        &self.facts
    }

    pub fn fact(&self, id: &str) -> Option<&FactData> {
        self.facts.iter().find(|f| f.id == id)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn choice_count(&self) -> usize {
        self.choices.len()
    }

    /// Node ids in file order.
    pub fn node_ids(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.id.as_str())
    }

    pub fn start_id(&self) -> &str {
        &self.nodes[self.start as usize].id
    }

    /// The buyer's line at a node.
    pub fn line_of(&self, node_id: &str) -> Option<&str> {
        self.node_index(node_id)
            .map(|i| self.nodes[i as usize].line.as_str())
    }

    /// Whether the buyer's luck can change the call (it has a `chance` node).
    pub fn has_chance(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| matches!(n.way, Way::Chance { .. }))
    }

    /// The minutes of the fastest call that ends the right way, every chance turn in the rep's
    /// favour.
    pub fn fastest_right_minutes(&self) -> u32 {
        self.fastest_right_minutes
    }

    pub(crate) fn node_index(&self, node_id: &str) -> Option<u32> {
        self.nodes
            .iter()
            .position(|n| n.id == node_id)
            .map(|i| i as u32)
    }

    pub(crate) fn node_choices(&self, node: u32) -> &[ChoiceData] {
        match &self.nodes[node as usize].way {
            Way::Choices(range) => &self.choices[range_usize(range)],
            _ => &[],
        }
    }

    pub(crate) fn first_choice(&self, node: u32) -> u32 {
        match &self.nodes[node as usize].way {
            Way::Choices(range) => range.start,
            _ => 0,
        }
    }

    /// A choice's stable name: the author's id, or the node's id and the choice's place in the
    /// file (`open/2`), which no shuffling on screen changes.
    pub fn choice_id(&self, node_id: &str, position: usize) -> Option<String> {
        let node = self.node_index(node_id)?;
        let choice = self.node_choices(node).get(position)?;
        Some(
            choice
                .id
                .clone()
                .unwrap_or_else(|| format!("{node_id}/{}", position + 1)),
        )
    }

    /// The place in its node's list of the choice with this stable name (see `choice_id`), or of
    /// the choice whose words are exactly these.
    pub fn choice_position(&self, node_id: &str, name: &str) -> Option<usize> {
        let node = self.node_index(node_id)?;
        let choices = self.node_choices(node);
        choices
            .iter()
            .position(|c| c.id.as_deref() == Some(name))
            .or_else(|| {
                let place = name.strip_prefix(node_id)?.strip_prefix('/')?;
                let place: usize = place.parse().ok()?;
                (1..=choices.len()).contains(&place).then(|| place - 1)
            })
            .or_else(|| choices.iter().position(|c| c.say == name))
    }

    pub(crate) fn conditions_of(&self, choice: &ChoiceData) -> &[Cond] {
        &self.conditions[range_usize(&choice.requires)]
    }

    pub(crate) fn conditions_of_branch(&self, branch: &BranchData) -> &[Cond] {
        &self.conditions[range_usize(&branch.requires)]
    }

    /// Whether where the buyer goes from a node depends on the call so far: a `next` list, or
    /// a `chance` with a conditional branch.
    pub(crate) fn branches_have_conditions(&self, node: u32) -> bool {
        match &self.nodes[node as usize].way {
            Way::NextIf(_) => true,
            Way::Chance { conditional, .. } => *conditional,
            _ => false,
        }
    }

    pub(crate) fn refs(&self, range: &Range<u32>) -> &[u32] {
        &self.fact_refs[range_usize(range)]
    }

    pub(crate) fn facts_words(&self) -> usize {
        self.facts.len().div_ceil(64)
    }

    /// A copy of the call with another starting state, for a campaign: the buyer's trust at the
    /// first line and the facts the rep knows then. What is derived from the call (the yardstick)
    /// is not copied: another start has other states, and is worked out again.
    pub(crate) fn starting_with(
        &self,
        trust: u8,
        known: Vec<u32>,
        campaign: Option<CampaignCall>,
    ) -> ScenarioData {
        ScenarioData {
            id: self.id.clone(),
            title: self.title.clone(),
            brief: self.brief.clone(),
            difficulty: self.difficulty,
            tags: self.tags.clone(),
            minutes: self.minutes,
            pass_mark: self.pass_mark,
            buyer: BuyerInfo {
                trust,
                ..self.buyer.clone()
            },
            winnable: self.winnable,
            deal_value: self.deal_value,
            weights: self.weights,
            path: self.path.clone(),
            revision: self.revision.clone(),
            source_text: self.source_text.clone(),
            facts: self.facts.clone(),
            nodes: self.nodes.clone(),
            choices: self.choices.clone(),
            branches: self.branches.clone(),
            conditions: self.conditions.clone(),
            fact_refs: self.fact_refs.clone(),
            start: self.start,
            fastest_right_minutes: self.fastest_right_minutes,
            visit_slot: self.visit_slot.clone(),
            visit_slots: self.visit_slots,
            qualification_weight: self.qualification_weight,
            pain_weight: self.pain_weight,
            basics_present: self.basics_present,
            max_choices: self.max_choices,
            derived: Derived::default(),
            campaign,
            known_at_start: known,
        }
    }
}
