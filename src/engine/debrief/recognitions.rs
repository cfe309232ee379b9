//! Recognitions: the good behaviour a debrief names, so that a rep hears what to keep doing. A
//! call the rep left earns none.

use super::{Debrief, Recognition, RecognitionKind};
use crate::engine::format::{FactKind, Move, Outcome};
use crate::engine::model::ScenarioData;
use crate::engine::session::Session;

pub(super) fn recognitions(d: &Debrief, session: &Session, moves: &[Move]) -> Vec<Recognition> {
    let s: &ScenarioData = session.scenario();
    let mut found = Vec::new();
    let mut add = |kind, title: &str, detail: String| {
        found.push(Recognition {
            kind,
            title: title.into(),
            detail,
        })
    };
    if d.right_call && d.outcome == Outcome::QualifiedOut {
        add(
            RecognitionKind::RightQualifyOut,
            "Walked away at the right time",
            format!(
                "This deal could not close, and you qualified out after {} minutes instead of filling the pipeline with it.",
                d.minutes_used
            ),
        );
    } else if d.right_call {
        add(
            RecognitionKind::RightAdvance,
            "A concrete next step",
            "You ended a real deal with an agreed next step, not a vague \"send me something\"."
                .into(),
        );
    }
    let spin = [
        Move::Situation,
        Move::Problem,
        Move::Implication,
        Move::NeedPayoff,
    ];
    let mut next = 0;
    for m in moves {
        if next < spin.len() && *m == spin[next] {
            next += 1;
        }
    }
    if next == spin.len() {
        add(RecognitionKind::FullSpin, "Full SPIN sequence", "Situation, Problem, Implication, then Need-payoff: you turned an implied need into an explicit one.".into());
    }
    let pitched = moves.contains(&Move::Pitch);
    if pitched && session.core().tally.pitches_before_pain == 0 {
        add(
            RecognitionKind::PainBeforePitch,
            "Pain before pitch",
            "You only pitched once you knew what hurt.".into(),
        );
    }
    let not_found = || d.missed.iter().chain(&d.left);
    if s.pain_weight > 0 && !not_found().any(|f| f.kind == FactKind::Pain) {
        add(
            RecognitionKind::AllPainsFound,
            "Every pain found",
            "You uncovered every pain the buyer had.".into(),
        );
    }
    if s.qualification_weight > 0 && !not_found().any(|f| f.kind.is_qualification()) {
        add(
            RecognitionKind::FullyQualified,
            "Fully qualified",
            "You uncovered every qualifying fact: budget, authority, timeline and the rest.".into(),
        );
    }
    if d.best_path.is_some() && d.left_best_path_at.is_none() && d.right_call {
        add(
            RecognitionKind::FollowedBestPath,
            "On the best path",
            "No choice you made gave up a meaningful part of your best possible score.".into(),
        );
    }
    if moves.len() >= 4 && d.question_share >= 0.5 {
        add(
            RecognitionKind::Listener,
            "You listened",
            format!(
                "{:.0}% of your moves were questions; reps on won calls talk less than half the time.",
                100.0 * d.question_share
            ),
        );
    }
    if let Some(scores) = d.scores
        && scores.passed == Some(true)
    {
        add(
            RecognitionKind::Passed,
            "Passed",
            format!(
                "{} against a pass mark of {}.",
                scores.overall,
                d.pass_mark.unwrap_or(0)
            ),
        );
    }
    if i32::from(session.trust()) - i32::from(s.buyer.trust) >= 20 {
        add(
            RecognitionKind::TrustBuilt,
            "Trust earned",
            format!(
                "The buyer's trust rose from {} to {}.",
                s.buyer.trust,
                session.trust()
            ),
        );
    }
    found
}
