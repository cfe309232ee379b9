//! Choice lists whose choices could all be hidden at once, by a forward data flow over what is
//! certain and what is possible at each node.

use super::Checker;
use crate::engine::format::Condition;
use crate::engine::format::diagnostic::Code;
use crate::engine::model::Cond;
use rustc_hash::FxHashMap as HashMap;

impl<'a> Checker<'a> {
    /// Error when some reachable situation could hide every choice of a node at once. Facts and
    /// visits that are certain (every path reveals or passes them) or impossible (no path does)
    /// on arrival are taken into account, so a condition the story guarantees is not flagged.
    pub(super) fn check_hidden_choices(&mut self) {
        let file = self.file;
        let Some(&start) = self.node_index.get(file.start.as_str()) else {
            return;
        };
        if self.diagnostics.iter().any(|d| {
            matches!(
                d.code,
                Code::UnknownNode | Code::UnknownFact | Code::DuplicateId
            )
        }) {
            return;
        }
        // Without a single condition no choice can be hidden; skip the data flow.
        let any_condition = file
            .nodes
            .iter()
            .any(|(_, n)| n.choices.iter().flatten().any(|c| !c.requires.is_empty()));
        if !any_condition {
            return;
        }
        let flow = Flow::compute(self, start);
        let mut problems = Vec::new();
        for (i, (id, node)) in file.nodes.iter().enumerate() {
            let Some(choices) = &node.choices else {
                continue;
            };
            // A choice without conditions is always offered: nothing to work out.
            if choices.is_empty()
                || !flow.reached[i]
                || choices.iter().any(|c| c.requires.is_empty())
            {
                continue;
            }
            let conditions: Vec<Vec<Cond>> = choices
                .iter()
                .map(|c| {
                    c.requires
                        .iter()
                        .map(|r| self.resolve_condition(r))
                        .collect()
                })
                .collect();
            if all_can_be_hidden(&conditions, &flow, i as u32) {
                problems.push((i, id));
            }
        }
        for (i, id) in problems {
            let path = self.node_path(i);
            let location = self.here_field_name(&path, "choices");
            self.push(
                self.problem(Code::AllChoicesHidden, format!("every choice at node \"{id}\" can be hidden at once"))
                    .at(location)
                    .label("the rep could be left with nothing to say")
                    .hint("add a choice without `requires`, or pair a condition with its opposite (Knows/DoesNotKnow, TrustAtLeast/TrustBelow)"),
            );
        }
    }
}

/// A fixed-width bit set for the data flow: inline up to 128 bits (the session's bit set), so
/// the flow's many copies of a node's sets do not each allocate.
#[derive(Clone, PartialEq, Eq)]
struct Bits(crate::engine::bits::Bits);

impl Bits {
    fn empty(len: usize) -> Bits {
        Bits(crate::engine::bits::Bits::zeros(len.div_ceil(64)))
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Intersects in place; whether anything changed.
    fn and_with(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            changed |= *a & b != *a;
            *a &= b;
        }
        changed
    }

    /// Unites in place; whether anything changed.
    fn or_with(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            changed |= *a | b != *a;
            *a |= b;
        }
        changed
    }
}

/// What is certain or possible at each node once its own line has been said (forward data
/// flow: "certain" intersects over incoming paths, "possible" unites them). Visits are tracked
/// only for the nodes a condition names, so memory grows with nodes times facts, not nodes squared.
pub(super) struct Flow {
    pub(super) reached: Vec<bool>,
    certain_facts: Vec<Bits>,
    possible_facts: Vec<Bits>,
    certain_visits: Vec<Bits>,
    possible_visits: Vec<Bits>,
    /// For each node, its slot among the nodes conditions name.
    slot: Vec<Option<usize>>,
}

impl Flow {
    /// Whether every path to `node` has revealed `fact` once the node's line is said.
    pub(super) fn certain_fact(&self, node: usize, fact: usize) -> bool {
        self.certain_facts[node].get(fact)
    }

    pub(super) fn compute(checker: &Checker, start: u32) -> Flow {
        let file = checker.file;
        let (n, f) = (file.nodes.len(), file.facts.len());
        let fact = |id: &str| checker.fact_index[id] as usize;
        let node = |id: &str| checker.node_index[id] as usize;
        let mut slot = vec![None; n];
        let mut slots = 0;
        for (_, n) in file.nodes.iter() {
            for choice in n.choices.iter().flatten() {
                for condition in &choice.requires {
                    if let Condition::Visited(id) | Condition::NotVisited(id) = condition
                        && slot[node(id)].is_none()
                    {
                        slot[node(id)] = Some(slots);
                        slots += 1;
                    }
                }
            }
        }
        let mut own_reveals: Vec<Bits> = Vec::with_capacity(n);
        let mut edges: Vec<Vec<(usize, Bits)>> = Vec::with_capacity(n);
        for (_, n) in file.nodes.iter() {
            let mut reveals = Bits::empty(f);
            n.reveals.iter().for_each(|id| reveals.set(fact(id)));
            own_reveals.push(reveals);
            let mut out = Vec::new();
            for choice in n.choices.iter().flatten() {
                let mut reveals = Bits::empty(f);
                choice.reveals.iter().for_each(|id| reveals.set(fact(id)));
                out.push((node(&choice.to), reveals));
            }
            for branch in n.chance.iter().flatten().filter(|b| b.weight > 0) {
                out.push((node(&branch.to), Bits::empty(f)));
            }
            for to in n.next.iter().flat_map(|next| next.targets()) {
                out.push((node(to), Bits::empty(f)));
            }
            edges.push(out);
        }
        // Arrival sets; a node is processed again whenever what arrives at it changes, and each
        // set only shrinks (certain) or grows (possible), so this ends.
        let mut reached = vec![false; n];
        let mut certain_facts = vec![Bits::empty(f); n];
        let mut possible_facts = vec![Bits::empty(f); n];
        let mut certain_visits = vec![Bits::empty(slots); n];
        let mut possible_visits = vec![Bits::empty(slots); n];
        let start = start as usize;
        reached[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        let mut queued = vec![false; n];
        queued[start] = true;
        while let Some(from) = queue.pop_front() {
            queued[from] = false;
            let mut at_certain = certain_facts[from].clone();
            at_certain.or_with(&own_reveals[from]);
            let mut at_possible = possible_facts[from].clone();
            at_possible.or_with(&own_reveals[from]);
            let mut at_certain_visits = certain_visits[from].clone();
            let mut at_possible_visits = possible_visits[from].clone();
            if let Some(s) = slot[from] {
                at_certain_visits.set(s);
                at_possible_visits.set(s);
            }
            for (to, reveals) in &edges[from] {
                let to = *to;
                let mut out_certain = at_certain.clone();
                out_certain.or_with(reveals);
                let mut out_possible = at_possible.clone();
                out_possible.or_with(reveals);
                let changed = if !reached[to] {
                    reached[to] = true;
                    certain_facts[to] = out_certain;
                    possible_facts[to] = out_possible;
                    certain_visits[to] = at_certain_visits.clone();
                    possible_visits[to] = at_possible_visits.clone();
                    true
                } else {
                    let mut changed = certain_facts[to].and_with(&out_certain);
                    changed |= possible_facts[to].or_with(&out_possible);
                    changed |= certain_visits[to].and_with(&at_certain_visits);
                    changed |= possible_visits[to].or_with(&at_possible_visits);
                    changed
                };
                if changed && !queued[to] {
                    queued[to] = true;
                    queue.push_back(to);
                }
            }
        }
        // From "on arrival" to "at the node": its own line has been said and it is visited.
        for i in 0..n {
            certain_facts[i].or_with(&own_reveals[i]);
            possible_facts[i].or_with(&own_reveals[i]);
            if let Some(s) = slot[i] {
                certain_visits[i].set(s);
                possible_visits[i].set(s);
            }
        }
        Flow {
            reached,
            certain_facts,
            possible_facts,
            certain_visits,
            possible_visits,
            slot,
        }
    }
}

/// Whether some state at `node` makes at least one condition of every choice false.
fn all_can_be_hidden(choices: &[Vec<Cond>], flow: &Flow, node: u32) -> bool {
    let node = node as usize;
    let visited =
        |v: u32, sets: &Vec<Bits>| flow.slot[v as usize].is_some_and(|s| sets[node].get(s));
    let certain = |c: &Cond| match *c {
        Cond::Knows(f) => flow.certain_facts[node].get(f as usize),
        Cond::DoesNotKnow(f) => !flow.possible_facts[node].get(f as usize),
        Cond::Visited(v) => visited(v, &flow.certain_visits),
        Cond::NotVisited(v) => !visited(v, &flow.possible_visits),
        Cond::TrustAtLeast(n) => n <= 0,
        Cond::TrustBelow(n) => n > 100,
        // At a choice the clock has at least a minute left.
        Cond::MinutesLeft(n) => n <= 1,
    };
    // For each choice, the conditions that could be false here.
    let mut falsifiable: Vec<Vec<Cond>> = Vec::with_capacity(choices.len());
    for conditions in choices {
        let open: Vec<Cond> = conditions.iter().copied().filter(|c| !certain(c)).collect();
        if open.is_empty() {
            return false; // this choice is always offered here
        }
        falsifiable.push(open);
    }
    // Try combinations of one false condition per choice, up to a bound; beyond it, assume the
    // author knows what they are doing rather than report a problem we cannot show.
    let mut picks = vec![0usize; falsifiable.len()];
    for _ in 0..4096 {
        if consistent(falsifiable.iter().zip(&picks).map(|(open, &p)| open[p])) {
            return true;
        }
        let mut k = 0;
        loop {
            if k == picks.len() {
                return false;
            }
            picks[k] += 1;
            if picks[k] < falsifiable[k].len() {
                break;
            }
            picks[k] = 0;
            k += 1;
        }
    }
    false
}

/// Whether the conditions can all be false at once.
fn consistent(falsified: impl Iterator<Item = Cond>) -> bool {
    let (mut trust_low, mut trust_high, mut minutes_high) = (0i32, 100i32, i32::MAX);
    let mut facts: HashMap<u32, bool> = HashMap::default();
    let mut visits: HashMap<u32, bool> = HashMap::default();
    let require = |map: &mut HashMap<u32, bool>, key: u32, value: bool| {
        *map.entry(key).or_insert(value) == value
    };
    for condition in falsified {
        let ok = match condition {
            Cond::Knows(f) => require(&mut facts, f, false),
            Cond::DoesNotKnow(f) => require(&mut facts, f, true),
            Cond::Visited(v) => require(&mut visits, v, false),
            Cond::NotVisited(v) => require(&mut visits, v, true),
            Cond::TrustAtLeast(n) => {
                trust_high = trust_high.min(n - 1);
                true
            }
            Cond::TrustBelow(n) => {
                trust_low = trust_low.max(n);
                true
            }
            Cond::MinutesLeft(n) => {
                minutes_high = minutes_high.min(n - 1);
                true
            }
        };
        if !ok {
            return false;
        }
    }
    trust_low <= trust_high && minutes_high >= 1
}
