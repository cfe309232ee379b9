//! The debrief as text, for the terminal and for `dealsim replay`.

use super::Debrief;
use crate::engine::session::EndReason;
use std::fmt::Write as _;

impl Debrief {
    /// The debrief as text, for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let verdict = if self.right_call {
            "the right call"
        } else {
            "not the right call"
        };
        let reason = match self.end_reason {
            EndReason::Ending => String::new(),
            EndReason::OutOfTime => " (the buyer's time ran out)".into(),
            EndReason::NothingToSay => " (no choice was open)".into(),
            EndReason::BuyerLoop => " (the buyer went round in circles)".into(),
            EndReason::Abandoned => " (abandoned)".into(),
        };
        let _ = writeln!(out, "== Debrief: {} ==", self.scenario_title);
        let _ = writeln!(
            out,
            "Outcome: {}{reason}, {verdict} (this deal called for {}).",
            self.outcome.label(),
            self.right_outcome.label()
        );
        let pass = match (self.scores.passed, self.pass_mark) {
            (Some(true), Some(mark)) => format!("  PASSED (pass mark {mark})"),
            (Some(false), Some(mark)) => format!("  not passed (pass mark {mark})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "Overall: {}/100{pass}", self.scores.overall);
        for d in &self.dimensions {
            let bar = "#".repeat(usize::from(d.score) / 5);
            let _ = writeln!(
                out,
                "  {:<14}{:>3}  {:<20}  (weight {})",
                d.dimension.label(),
                d.score,
                bar,
                d.weight
            );
            let _ = writeln!(out, "      {}", d.explanation);
        }
        let _ = writeln!(
            out,
            "Minutes: {} used; the fastest right call takes {}.",
            self.minutes_used, self.fastest_right_minutes
        );
        let _ = writeln!(
            out,
            "Questions: {} of {} moves ({:.0}%).",
            self.questions,
            self.turns.len(),
            100.0 * self.question_share
        );
        let _ = writeln!(out, "\nFacts uncovered ({}):", self.uncovered.len());
        for f in &self.uncovered {
            let when = f
                .learned_at_turn
                .map_or("in the opening".to_string(), |t| format!("turn {}", t + 1));
            let _ = writeln!(out, "  + [{}] {} ({when})", f.kind.label(), f.text);
        }
        let _ = writeln!(out, "Facts missed ({}):", self.missed.len());
        for f in &self.missed {
            let _ = writeln!(out, "  - [{}] {}", f.kind.label(), f.text);
            if let Some(source) = f.sources.first() {
                match &source.choice {
                    Some(say) => {
                        let _ = writeln!(
                            out,
                            "      you could have asked at \"{}\": \"{say}\"",
                            source.node_id
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "      the buyer says it at \"{}\": \"{}\"",
                            source.node_id, source.line
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "\nYour call:");
        for (i, t) in self.turns.iter().enumerate() {
            let marker = if Some(i) == self.left_best_path_at {
                "  <-- left the best path here"
            } else {
                ""
            };
            let _ = writeln!(out, "  {:>2}. Buyer: \"{}\"", i + 1, t.buyer_line);
            let _ = writeln!(
                out,
                "      You [{}]: \"{}\"{marker}",
                t.move_kind.label(),
                t.say
            );
            if let Some(note) = &t.note {
                let _ = writeln!(out, "      Coach: {note}");
            }
            if !t.effects.is_empty() {
                let _ = writeln!(out, "      Effect: {}", t.effects.join("; "));
            }
            if let Some(lost) = t.points_lost.filter(|l| *l >= 0.5) {
                let _ = writeln!(
                    out,
                    "      Cost: about {lost:.0} points of your best possible score."
                );
            }
            if let Some(best) = &t.best_choice {
                let _ = writeln!(out, "      Better: \"{best}\"");
            }
        }
        match &self.best_path {
            Some(best) => {
                let _ = writeln!(
                    out,
                    "\nWhat good looks like (best path, {} with the same luck, scoring {}; {:.0} expected on average):",
                    best.outcome.label(),
                    best.scores.overall,
                    best.expected_score
                );
                for (i, step) in best.steps.iter().enumerate() {
                    let _ = writeln!(out, "  {:>2}. Buyer: \"{}\"", i + 1, step.buyer_line);
                    if let (Some(say), Some(m)) = (&step.say, step.move_kind) {
                        let _ = writeln!(out, "      Best [{}]: \"{say}\"", m.label());
                    }
                }
                match self.left_best_path_at {
                    Some(turn) => {
                        let _ = writeln!(out, "You left the best path at turn {}.", turn + 1);
                    }
                    None => {
                        let _ = writeln!(out, "You never left the best path.");
                    }
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "\n(The best path could not be computed: the call is too large to search.)"
                );
            }
        }
        if !self.recognitions.is_empty() {
            let _ = writeln!(out, "\nWell done:");
            for r in &self.recognitions {
                let _ = writeln!(out, "  * {}: {}", r.title, r.detail);
            }
        }
        let _ = writeln!(
            out,
            "\nReplay: seed {}, scenario revision {}.",
            self.seed, self.revision
        );
        out
    }
}
