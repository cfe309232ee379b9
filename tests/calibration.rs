//! The calibration suite: pairs of calls through the shipped scenarios, each ranked as an
//! experienced sales coach would rank them, with the reason (`shared/spec/scoring.md`, "Experts
//! agree with the ranking"); and properties every shipped call must have for its score to be
//! trusted: the place of a choice on screen earns nothing, best play always makes the right call,
//! a wrong call never passes, and a call the rep left is never scored or praised.
//!
//! Paths name choices by the start of their words, so the order choices are shown in (drawn from
//! the seed) cannot break them; where a path passes the buyer's luck, the test finds a seed with
//! that luck and says which.

use dealsim::engine::check::Difficulty;
use dealsim::engine::debrief::Debrief;
use dealsim::{Outcome, Scenario, Scores, Session, check_path};
use std::path::Path;
use std::sync::OnceLock;

fn shipped() -> &'static [(Scenario, Difficulty)] {
    static SHIPPED: OnceLock<Vec<(Scenario, Difficulty)>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".scenario.ron"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                let report = check_path(path);
                let scenario = report
                    .scenario
                    .unwrap_or_else(|| panic!("{} does not check", path.display()));
                (scenario, report.difficulty.expect("measured"))
            })
            .collect()
    })
}

fn scenario(id: &str) -> &'static Scenario {
    &shipped()
        .iter()
        .find(|(s, _)| s.id == id)
        .unwrap_or_else(|| panic!("no shipped scenario {id}"))
        .0
}

/// Plays `path` (each step the start of a choice's words) on the first seed whose luck lets the
/// whole path be played and, when `through` names a node, passes it.
fn play(id: &str, path: &[&str], through: Option<&str>) -> Session {
    let scenario = scenario(id);
    let mut last_problem = String::new();
    'seeds: for seed in 0..400 {
        let mut session = Session::new(scenario, seed);
        let mut visited = vec![session.node_id().to_string()];
        for step in path {
            let found: Vec<usize> = session
                .offered()
                .filter(|o| o.say.starts_with(step))
                .map(|o| o.index)
                .collect();
            match found.as_slice() {
                [index] => {
                    session.choose(*index).unwrap();
                    visited.extend(
                        session
                            .transcript()
                            .filter_map(|e| match e {
                                dealsim::Entry::Buyer { node_id, .. } => Some(node_id.to_string()),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    );
                }
                [] => {
                    last_problem = format!(
                        "\"{step}\" is not offered at {} (offered: {:?})",
                        session.node_id(),
                        session.offered().map(|o| o.say).collect::<Vec<_>>()
                    );
                    continue 'seeds;
                }
                _ => panic!(
                    "\"{step}\" names more than one choice at {}",
                    session.node_id()
                ),
            }
        }
        if through.is_some_and(|node| !visited.iter().any(|v| v == node)) {
            last_problem = format!("the path does not pass {}", through.unwrap_or_default());
            continue;
        }
        assert!(
            session.is_over(),
            "{id}: the path leaves the call unfinished"
        );
        return session;
    }
    panic!("{id}: no seed plays the path: {last_problem}");
}

fn scores(session: &Session) -> Scores {
    session.scores().expect("a finished call is scored")
}

/// One ranking: the better call must score above the worse one.
struct Pair {
    scenario: &'static str,
    better: &'static [&'static str],
    worse: &'static [&'static str],
    /// A chance node each path must pass, when the ranking is about a particular luck.
    through: (Option<&'static str>, Option<&'static str>),
    reason: &'static str,
}

const FERNWAY_TEXTBOOK: &[&str] = &[
    "I'll be quick",
    "How much ends up unsold",
    "What does that add up to",
    "If you halved that",
    "Is this your call",
    "Makes sense. What would you want",
    "So: cut the",
];

const HARBOR_TEXTBOOK: &[&str] = &[
    "We can, but first",
    "Who else feels it",
    "And across the group",
    "If no-shows came down",
    "If we can show that",
    "Where would the money come from",
    "So you need IT's review",
];

const BRIGHTLINE_QUICK_OUT: &[&str] = &[
    "Glad it helped",
    "Is there a project",
    "Who would you mention it to",
    "Is there budget",
    "Then this isn't a fit",
];

const NORTHWIND_QUALIFIED: &[&str] = &[
    "Fair question. How do routes",
    "How often do trucks come back empty",
    "What happens to drivers",
    "Between the churn and the empty miles",
    "If you cut empty miles",
    "Yes: how do decisions",
    "Is there budget set aside",
    "Then the renewal date matters",
    "When does the RouteMax renewal",
    "Then let's start the pilot Monday",
];

const ORBIT_QUICK_OUT: &[&str] = &[
    "Tell me about the spreadsheets",
    "If you fixed this, who would sign off",
    "Is there budget for this",
    "What would the freeze depend on",
    "Then I'd rather not take your time",
];

const COBALT_PLAN: &[&str] = &[
    "Last time you said phishing",
    "What did the numbers show",
    "Has a real phish ever got through",
    "If a regulator heard",
    "If you walked into the next audit",
    "Who would sign off on a programme",
    "Is budget approved",
    "How does a new vendor get approved",
    "When does the programme need to be running",
    "So with a 60-day review",
];

const PAIRS: &[Pair] = &[
    // fernway-bakery: a ten-minute call with the owner.
    Pair {
        scenario: "fernway-bakery",
        better: FERNWAY_TEXTBOOK,
        worse: &[
            "We help bakeries cut waste",
            "Then one question",
            "What does that add up to",
            "If you halved that",
            "Is this your call",
            "Makes sense. What would you want",
            "So: cut the",
        ],
        through: (None, None),
        reason: "discovery before the pitch beats a pitch and a recovery",
    },
    Pair {
        scenario: "fernway-bakery",
        better: FERNWAY_TEXTBOOK,
        worse: &[
            "I'll be quick",
            "How much ends up unsold",
            "What does that add up to",
            "If you halved that",
            "Is this your call",
            "Makes sense. What would you want",
            "Great, I'll email you the pricing",
        ],
        through: (None, None),
        reason: "a dated next step beats \"I'll email you\" when the step was on the table",
    },
    Pair {
        scenario: "fernway-bakery",
        better: FERNWAY_TEXTBOOK,
        worse: &[
            "I'll be quick",
            "How much ends up unsold",
            "What does that add up to",
            "Let's get you set up this week",
            "Of course. How would you and Ana decide",
            "Makes sense. What would you want",
            "So: cut the",
        ],
        through: (None, None),
        reason: "qualifying before asking for the business beats a premature close and a recovery",
    },
    Pair {
        scenario: "fernway-bakery",
        better: &[
            "I'll be quick",
            "How much ends up unsold",
            "What does that add up to",
            "Is this your decision",
            "Makes sense. What would you want",
            "So: cut the",
        ],
        worse: &[
            "We help bakeries cut waste",
            "Our app integrates",
            "No problem, sounds like it's not for you",
        ],
        through: (None, None),
        reason: "a qualified advance beats walking away from a real deal after two pitches",
    },
    Pair {
        scenario: "fernway-bakery",
        better: &[
            "I'll be quick",
            "How much ends up unsold",
            "Who does the ordering",
            "Between the waste and the 4am starts",
            "If you halved that",
            "Is this your call",
            "Makes sense. What would you want",
            "So: cut the",
        ],
        worse: &[
            "I'll be quick",
            "How much ends up unsold",
            "We can cut that in half",
            "Plans start at $199",
        ],
        through: (None, None),
        reason: "finding both pains and sizing them beats a price with no value behind it",
    },
    // harbor-discovery: SPIN discovery with a numbers-first director.
    Pair {
        scenario: "harbor-discovery",
        better: HARBOR_TEXTBOOK,
        worse: &[
            "Yes! Our reminders",
            "Fair. What have you tried",
            "Who else is affected",
            "And across the group",
            "If no-shows came down",
            "If we can show that",
            "Where would the money come from",
            "So you need IT's review",
        ],
        through: (None, None),
        reason: "discovery before the pitch beats a pitch and a recovery",
    },
    Pair {
        scenario: "harbor-discovery",
        better: HARBOR_TEXTBOOK,
        worse: &[
            "We can, but first",
            "Who else feels it",
            "And across the group",
            "If no-shows came down",
            "If we can show that",
            "Where would the money come from",
            "I'll send a proposal",
        ],
        through: (None, None),
        reason: "a dated meeting with the signer and IT beats a proposal by email",
    },
    Pair {
        scenario: "harbor-discovery",
        better: HARBOR_TEXTBOOK,
        worse: &[
            "We can, but first",
            "Our automated texts fix exactly that",
            "Two-way texting",
            "That sounds painful",
            "Understood. Setting integration aside",
            "If no-shows came down",
            "If we can show that",
            "Where would the money come from",
            "So you need IT's review",
        ],
        through: (None, None),
        reason: "sizing the pain beats a feature dump, even one the rep recovers from",
    },
    Pair {
        scenario: "harbor-discovery",
        better: HARBOR_TEXTBOOK,
        worse: &[
            "Yes! Our reminders",
            "We have case studies",
            "It sounds like the timing isn't right",
        ],
        through: (None, None),
        reason: "a qualified advance beats walking away from a buyer with a real deadline",
    },
    Pair {
        scenario: "harbor-discovery",
        better: &[
            "We can, but first",
            "Who else feels it",
            "And across the group",
            "Who besides you would sign off",
            "Where would the money come from",
            "So you need IT's review",
        ],
        worse: &[
            "We can, but first",
            "Who else feels it",
            "And across the group",
            "Great, then our platform pays",
            "Just you to start",
        ],
        through: (None, None),
        reason: "finding the signer and the money beats pushing for a demo with no one who signs",
    },
    // brightline-whitepaper: a keen lead who cannot buy.
    Pair {
        scenario: "brightline-whitepaper",
        better: BRIGHTLINE_QUICK_OUT,
        worse: &["Great! Our platform", "No problem, I'll book a demo"],
        through: (None, None),
        reason: "a quick, kind qualify-out beats a demo for someone who cannot buy",
    },
    Pair {
        scenario: "brightline-whitepaper",
        better: BRIGHTLINE_QUICK_OUT,
        worse: &[
            "Glad it helped",
            "What makes the reporting a mess",
            "What does that cost you",
            "If those Fridays were gone",
            "Who would have to agree",
            "Is there budget",
            "Then this isn't a fit",
        ],
        through: (None, None),
        reason: "walking away early beats the same walk-away after a long discovery of a deal that cannot close",
    },
    Pair {
        scenario: "brightline-whitepaper",
        better: BRIGHTLINE_QUICK_OUT,
        worse: &[
            "Glad it helped",
            "Is there a project",
            "Who would you mention it to",
            "Is there budget",
            "Let's run a pilot anyway",
        ],
        through: (None, None),
        reason: "walking away beats a free pilot with no buyer and no budget (happy ears)",
    },
    Pair {
        scenario: "brightline-whitepaper",
        better: BRIGHTLINE_QUICK_OUT,
        worse: &[
            "Glad it helped",
            "What makes the reporting a mess",
            "What does that cost you",
            "If those Fridays were gone",
            "Let's get you a trial this week",
            "Let's start it anyway",
        ],
        through: (None, None),
        reason: "a clear walk-away beats a trial that drifts into a continuation",
    },
    Pair {
        scenario: "brightline-whitepaper",
        better: &[
            "Great! Our platform",
            "Thanks for saying so. Who is?",
            "Is there budget",
            "Then this isn't a fit",
        ],
        worse: &["Great! Our platform", "No problem, I'll book a demo"],
        through: (None, None),
        reason: "after a bad start, recovering to a qualify-out beats booking the demo anyway",
    },
    // northwind-incumbent: displacing an incumbent; the incumbent may phone (chance).
    Pair {
        scenario: "northwind-incumbent",
        better: NORTHWIND_QUALIFIED,
        worse: &[
            "Fair question. How do routes",
            "How often do trucks come back empty",
            "What do those empty miles cost",
            "Let's set up a demo with Luis",
            "You mentioned the empty miles",
            "When does the RouteMax renewal",
            "Then let's start the pilot Monday",
        ],
        through: (Some("back"), None),
        reason: "a pilot agreed knowing who signs and the budget beats one set up with the dispatcher alone",
    },
    Pair {
        scenario: "northwind-incumbent",
        better: NORTHWIND_QUALIFIED,
        worse: &[
            "We beat RouteMax by 30%",
            "Fair. Where does RouteMax fall short",
            "What happens to drivers",
            "Between the churn and the empty miles",
            "If you cut empty miles",
            "Yes: how do decisions",
            "Is there budget set aside",
            "Then the renewal date matters",
            "When does the RouteMax renewal",
            "Then let's start the pilot Monday",
        ],
        through: (Some("back"), Some("back")),
        reason: "discovery before the pitch beats a benchmark pitch and a recovery",
    },
    Pair {
        scenario: "northwind-incumbent",
        better: &[
            "Fair question. How do routes",
            "How often do trucks come back empty",
            "What do those empty miles cost",
            "If you cut empty miles",
            "Twenty percent off a tool",
            "Who signs off, and how would you judge",
            "Is there budget set aside",
            "Then the renewal date matters",
            "When does the RouteMax renewal",
            "Then let's start the pilot Monday",
        ],
        worse: &[
            "Fair question. How do routes",
            "How often do trucks come back empty",
            "What do those empty miles cost",
            "If you cut empty miles",
            "We'll beat their price by 30%",
            "I'll send pricing today",
        ],
        through: (Some("competitor-call"), Some("competitor-call")),
        reason: "reframing the incumbent's discount on value beats a price war that ends in a proposal",
    },
    Pair {
        scenario: "northwind-incumbent",
        better: NORTHWIND_QUALIFIED,
        worse: &[
            "We beat RouteMax by 30%",
            "Our AI routing is genuinely different",
            "Sounds like you're set with RouteMax",
        ],
        through: (Some("back"), None),
        reason: "a qualified pilot beats walking away from a real pain after two pitches",
    },
    Pair {
        scenario: "northwind-incumbent",
        better: NORTHWIND_QUALIFIED,
        worse: &[
            "Fair question. How do routes",
            "How often do trucks come back empty",
            "What do those empty miles cost",
            "If you cut empty miles",
            "Yes: how do decisions",
            "Let's get Alan on a call this week",
            "I'll send a deck you can forward",
        ],
        through: (Some("back"), Some("back")),
        reason: "a dated pilot beats a deck to forward when a concrete step was on the table",
    },
    // orbit-acquisition: a champion at a company being acquired.
    Pair {
        scenario: "orbit-acquisition",
        better: ORBIT_QUICK_OUT,
        worse: &["You'll love it. Let me book a full demo", "Tuesday it is"],
        through: (None, None),
        reason: "qualifying out of a frozen deal beats booking a demo with a champion who cannot buy",
    },
    Pair {
        scenario: "orbit-acquisition",
        better: ORBIT_QUICK_OUT,
        worse: &[
            "Tell me about the spreadsheets",
            "That's exactly what we fix",
            "Shall we start a free pilot this week",
        ],
        through: (None, None),
        reason: "a walk-away with a reason beats a free pilot for a company about to be absorbed",
    },
    Pair {
        scenario: "orbit-acquisition",
        better: ORBIT_QUICK_OUT,
        worse: &[
            "Tell me about the spreadsheets",
            "If you fixed this, who would sign off",
            "Is there budget for this",
            "Let's plan a demo for when it thaws",
        ],
        through: (None, None),
        reason: "walking away kindly beats a vague demo \"when it thaws\"",
    },
    // cobalt-bank-ciso: MEDDPICC with a CISO.
    Pair {
        scenario: "cobalt-bank-ciso",
        better: COBALT_PLAN,
        worse: &[
            "Our platform cut click rates",
            "Fair. How are your own simulation numbers",
            "Has a real phish ever got through",
            "If a regulator heard",
            "If you walked into the next audit",
            "Who would sign off on a programme",
            "Is budget approved",
            "How does a new vendor get approved",
            "When does the programme need to be running",
            "So with a 60-day review",
        ],
        through: (Some("pager-fine"), Some("pager-fine")),
        reason: "discovery before the pitch beats other banks' numbers and a recovery",
    },
    Pair {
        scenario: "cobalt-bank-ciso",
        better: COBALT_PLAN,
        worse: &[
            "Last time you said phishing",
            "What did the numbers show",
            "Has a real phish ever got through",
            "If a regulator heard",
            "If you walked into the next audit",
            "Who would sign off on a programme",
            "Is budget approved",
            "Great, then let's start a pilot next week",
            "Fair. Who owns the budget",
            "How does a new vendor get approved",
            "I'll send our standard security pack",
        ],
        through: (Some("pager-fine"), Some("pager-fine")),
        reason: "a plan worked back from the audit with the signer beats a security pack and \"we'll see\"",
    },
    Pair {
        scenario: "cobalt-bank-ciso",
        better: COBALT_PLAN,
        worse: &[
            "Our platform cut click rates",
            "Our AI personalises every simulation",
            "Maybe we're not a fit right now",
        ],
        through: (Some("pager-fine"), None),
        reason: "a qualified plan beats walking away from a bank with a finding, a budget and a deadline",
    },
    Pair {
        scenario: "harbor-coo-demo",
        better: HARBOR_DEMO_DISCOVERED,
        worse: &[
            "What would you need to see",
            "Then here is how we get you under 10%",
            "Priya, what would IT need",
            "We have a certified",
            "Because a pilot",
            "Then here's the plan",
        ],
        through: (None, None),
        reason: "sizing what the target is worth before the demo beats a demo aimed at the target",
    },
    Pair {
        scenario: "harbor-coo-demo",
        better: HARBOR_DEMO_DISCOVERED,
        worse: &[
            "Let me walk you through the platform",
            "What would you need to see",
            "What happens if December",
            "And if you hit 10%",
            "Priya, what would IT need",
            "We have a certified",
            "Because a pilot",
            "Then here's the plan",
        ],
        through: (None, None),
        reason: "discovery first beats a product tour and a recovery, even to the same plan",
    },
    Pair {
        scenario: "harbor-negotiation",
        better: &[
            "Before we talk price",
            "What did the no-shows cost",
            "So at $84k",
            "Then let's trade",
            "Fair question",
        ],
        worse: &[
            "Understood. We can do 25%",
            "No. The price reflects",
            "What did the no-shows cost",
            "So at $84k",
            "Then let's trade",
            "Fair question",
        ],
        through: (None, None),
        reason: "holding the price and trading beats caving first and recovering to the same trade",
    },
];

/// The COO's demo with the stakes and their worth asked before IT and the plan.
const HARBOR_DEMO_DISCOVERED: &[&str] = &[
    "What would you need to see",
    "What happens if December",
    "And if you hit 10%",
    "Priya, what would IT need",
    "We have a certified",
    "Because a pilot",
    "Then here's the plan",
];

#[test]
fn a_coach_would_rank_each_pair_the_way_the_scores_do() {
    let mut failures = Vec::new();
    for pair in PAIRS {
        let better = play(pair.scenario, pair.better, pair.through.0);
        let worse = play(pair.scenario, pair.worse, pair.through.1);
        let (b, w) = (scores(&better), scores(&worse));
        eprintln!(
            "{:<22} better {:>3} {:?}  worse {:>3} {:?}  {}",
            pair.scenario,
            b.overall,
            (b.qualification, b.discovery, b.rapport, b.velocity),
            w.overall,
            (w.qualification, w.discovery, w.rapport, w.velocity),
            pair.reason
        );
        if b.overall <= w.overall {
            failures.push(format!(
                "{}: {} (better {} {:?}, worse {} {:?})",
                pair.scenario,
                pair.reason,
                b.overall,
                better.outcome(),
                w.overall,
                worse.outcome()
            ));
        }
    }
    assert!(PAIRS.len() >= 25, "the suite keeps at least 25 rankings");
    assert!(
        failures.is_empty(),
        "{} of {} rankings are wrong:\n{}",
        failures.len(),
        PAIRS.len(),
        failures.join("\n")
    );
}

#[test]
fn the_better_call_of_each_pair_passes_and_a_wrong_call_never_does() {
    for pair in PAIRS {
        let better = play(pair.scenario, pair.better, pair.through.0);
        let worse = play(pair.scenario, pair.worse, pair.through.1);
        let right = |s: &Session| s.outcome().unwrap().is_right_call(s.scenario().winnable);
        assert!(right(&better), "{}: {}", pair.scenario, pair.reason);
        if better.scenario().pass_mark.is_some() {
            assert_eq!(
                scores(&better).passed,
                Some(true),
                "{}: the better call should pass ({})",
                pair.scenario,
                pair.reason
            );
        }
        if !right(&worse) {
            assert_ne!(
                scores(&worse).passed,
                Some(true),
                "{}: a wrong call passed ({})",
                pair.scenario,
                pair.reason
            );
        }
    }
}

/// Plays a call where the player always picks the offered choice at `pick(count)`.
fn fixed_position_pass_rate(scenario: &Scenario, runs: u64, pick: impl Fn(usize) -> usize) -> f64 {
    let mut passed = 0;
    for seed in 0..runs {
        let mut session = Session::new(scenario, seed * 7919 + 11);
        while !session.is_over() {
            let count = session.offered().count();
            session.choose_offered(pick(count)).unwrap();
        }
        passed += u64::from(session.scores().and_then(|s| s.passed) == Some(true));
    }
    passed as f64 / runs as f64
}

#[test]
fn pressing_the_same_key_every_time_passes_no_more_often_than_choosing_at_random() {
    let runs = 2000;
    for (scenario, _) in shipped() {
        if scenario.pass_mark.is_none() {
            continue;
        }
        let random = {
            let mut passed = 0;
            let mut state = 99u64;
            for seed in 0..runs {
                let mut session = Session::new(scenario, seed * 7919 + 11);
                while !session.is_over() {
                    let count = session.offered().count() as u64;
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    session
                        .choose_offered(((state >> 33) % count) as usize)
                        .unwrap();
                }
                passed += u64::from(session.scores().and_then(|s| s.passed) == Some(true));
            }
            passed as f64 / runs as f64
        };
        // Three standard errors of the difference of two rates from `runs` calls each.
        let margin = 3.0 * (2.0 * random.max(0.01) * (1.0 - random) / runs as f64).sqrt();
        for (name, pick) in [
            ("always 1", &(|_: usize| 0usize) as &dyn Fn(usize) -> usize),
            ("always last", &(|count: usize| count - 1)),
        ] {
            let rate = fixed_position_pass_rate(scenario, runs, pick);
            assert!(
                rate <= random + margin,
                "{}: {name} passes {:.1}% of calls, random play {:.1}%",
                scenario.id,
                100.0 * rate,
                100.0 * random
            );
        }
    }
}

#[test]
fn best_play_makes_the_right_call_every_time_on_every_shipped_call() {
    for (scenario, difficulty) in shipped() {
        assert!(
            (difficulty.best_right_call_share - 1.0).abs() < 1e-9,
            "{}: best play makes the right call {:.1}% of the time",
            scenario.id,
            100.0 * difficulty.best_right_call_share
        );
    }
}

#[test]
fn a_call_the_rep_left_is_never_scored_or_praised() {
    for (scenario, _) in shipped() {
        for seed in 0..30u64 {
            let mut session = Session::new(scenario, seed);
            for turn in 0..(seed % 5) {
                if session.is_over() {
                    break;
                }
                let count = session.offered().count();
                session
                    .choose_offered((seed + turn) as usize % count)
                    .unwrap();
            }
            if session.is_over() {
                continue;
            }
            session.abandon();
            assert_eq!(session.scores(), None, "{} seed {seed}", scenario.id);
            let debrief = Debrief::of(&session);
            assert!(debrief.scores.is_none());
            assert!(
                debrief.recognitions.is_empty(),
                "{:?}",
                debrief.recognitions
            );
            assert!(!debrief.render_text().contains("never left"));
            assert!(debrief.dimensions.iter().all(|d| d.score.is_none()));
        }
    }
}

#[test]
fn the_check_and_the_debrief_agree_to_the_point() {
    for (scenario, difficulty) in shipped() {
        // Without chance, the best path's score is the best expected score.
        let debrief = Debrief::of(&Session::new(scenario, 1));
        let best = debrief.best_path.expect("searchable");
        if !scenario.has_chance() {
            assert_eq!(
                f64::from(best.scores.overall),
                difficulty.best_expected_score.round(),
                "{}",
                scenario.id
            );
        }
        assert!(f64::from(best.scores.overall) <= difficulty.highest_score.round());
    }
}

#[test]
fn an_unqualified_advance_is_a_weak_advance() {
    let qualified = play("northwind-incumbent", NORTHWIND_QUALIFIED, Some("back"));
    let unqualified = play(
        "northwind-incumbent",
        &[
            "Fair question. How do routes",
            "How often do trucks come back empty",
            "What do those empty miles cost",
            "Let's set up a demo with Luis",
            "You mentioned the empty miles",
            "When does the RouteMax renewal",
            "Then let's start the pilot Monday",
        ],
        None,
    );
    assert_eq!(unqualified.outcome(), Some(Outcome::Advance));
    let (q, u) = (scores(&qualified), scores(&unqualified));
    assert!(
        q.qualification >= u.qualification + 25,
        "qualified {} against unqualified {}",
        q.qualification,
        u.qualification
    );
}
