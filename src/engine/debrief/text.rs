//! The debrief as text, for the terminal and for `dealsim replay`: spoken to the rep about their
//! own call, with no internal ids, every buyer line, and the formula for each score at the end.

use super::{Debrief, FactReport};
use crate::engine::session::EndReason;
use std::fmt::Write as _;

impl Debrief {
    /// The debrief as text, for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "== Debrief: {} ==", self.scenario_title);
        if self.abandoned() {
            let _ = writeln!(
                out,
                "You left the call after {} turn{}: it is not scored. This deal called for {}; below is the call so far and what good looks like.",
                self.turns.len(),
                if self.turns.len() == 1 { "" } else { "s" },
                self.right_outcome.label()
            );
        } else {
            let verdict = if self.right_call {
                "the right call"
            } else {
                "not the right call"
            };
            let reason = match self.end_reason {
                EndReason::OutOfTime => " (the buyer's time ran out)",
                EndReason::NothingToSay => " (no choice was open)",
                EndReason::BuyerLoop => " (the buyer went round in circles)",
                EndReason::Ending | EndReason::Abandoned => "",
            };
            let _ = writeln!(
                out,
                "Outcome: {}{reason}, {verdict} (this deal called for {}).",
                self.outcome.label(),
                self.right_outcome.label()
            );
        }
        if let Some(scores) = self.scores {
            let pass = match (scores.passed, self.pass_mark) {
                (Some(true), Some(mark)) => format!("  PASSED (pass mark {mark})"),
                (Some(false), Some(mark)) if !self.right_call => {
                    format!("  not passed (pass mark {mark}; passing needs the right call)")
                }
                (Some(false), Some(mark)) => format!("  not passed (pass mark {mark})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "Overall: {}/100{pass}", scores.overall);
        }
        for d in &self.dimensions {
            let Some(score) = d.score else { continue };
            let bar = "#".repeat(usize::from(score) / 5);
            let _ = writeln!(
                out,
                "  {:<14}{:>3}  {:<20}  (weight {})",
                d.dimension.label(),
                score,
                bar,
                d.weight
            );
            for why in &d.why {
                let _ = writeln!(out, "      {why}");
            }
        }
        if !self.abandoned() {
            let _ = writeln!(
                out,
                "Minutes: {} used, {} of them on choices that added to the fastest right call still open.",
                self.minutes_used, self.wasted_minutes
            );
        }
        let _ = writeln!(
            out,
            "Questions: {} of {} moves ({:.0}%).",
            self.questions,
            self.turns.len(),
            100.0 * self.question_share
        );
        if !self.carried_in.is_empty() {
            let _ = writeln!(
                out,
                "\nKnown from earlier calls ({}):",
                self.carried_in.len()
            );
            for f in &self.carried_in {
                let _ = writeln!(out, "  = [{}] {}", f.kind.label(), f.text);
            }
        }
        let _ = writeln!(out, "\nFacts uncovered ({}):", self.uncovered.len());
        for f in &self.uncovered {
            let when = f
                .learned_at_turn
                .map_or("in the opening".to_string(), |t| format!("turn {}", t + 1));
            let _ = writeln!(out, "  + [{}] {} ({when})", f.kind.label(), f.text);
        }
        let _ = writeln!(
            out,
            "Facts missed that the best path found ({}):",
            self.missed.len()
        );
        for f in &self.missed {
            write_missed(&mut out, f);
        }
        if !self.left.is_empty() {
            let _ = writeln!(
                out,
                "Facts even the best path leaves on this call ({}):",
                self.left.len()
            );
            for f in &self.left {
                let _ = writeln!(out, "  . [{}] {}", f.kind.label(), f.text);
            }
        }
        let _ = writeln!(out, "\nYour call:");
        for (i, t) in self.turns.iter().enumerate() {
            for line in &t.buyer_lines {
                let trust = if line.trust_change != 0 {
                    format!("  (trust {:+})", line.trust_change)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "      Buyer: \"{}\"{trust}", line.text);
            }
            let marker = if Some(i) == self.left_best_path_at {
                "  <-- left the best path here"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:>2}. You [{}]: \"{}\"{marker}",
                i + 1,
                t.move_kind.label(),
                t.say
            );
            if let Some(note) = &t.note {
                let _ = writeln!(out, "      Coach: {note}");
            }
            if !t.effects.is_empty() {
                let effects: Vec<String> = t.effects.iter().map(|e| e.describe()).collect();
                let _ = writeln!(out, "      Effect: {}", effects.join("; "));
            }
            for hidden in &t.hidden {
                let _ = writeln!(
                    out,
                    "      Not open to you here: \"{}\" ({})",
                    hidden.say, hidden.because
                );
            }
            if let Some(lost) = t
                .points_lost
                .filter(|l| *l >= crate::engine::search::MEANINGFUL_LOSS)
            {
                let _ = writeln!(
                    out,
                    "      Cost: about {lost:.0} points of your best possible score."
                );
            }
            if let Some(best) = &t.best_choice {
                let _ = writeln!(out, "      Better: \"{best}\"");
            }
        }
        for line in &self.closing {
            let _ = writeln!(out, "      Buyer: \"{}\"", line.text);
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
                    for line in &step.buyer_lines {
                        let _ = writeln!(out, "      Buyer: \"{line}\"");
                    }
                    let _ = writeln!(
                        out,
                        "  {:>2}. Best [{}]: \"{}\"",
                        i + 1,
                        step.move_kind.label(),
                        step.say
                    );
                }
                for line in &best.closing {
                    let _ = writeln!(out, "      Buyer: \"{line}\"");
                }
                match (self.left_best_path_at, self.abandoned()) {
                    (Some(turn), _) => {
                        let _ = writeln!(
                            out,
                            "You first gave up a meaningful part of your score at turn {}.",
                            turn + 1
                        );
                    }
                    (None, false) => {
                        let _ = writeln!(
                            out,
                            "No choice of yours gave up a meaningful part of your score."
                        );
                    }
                    (None, true) => {}
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
        if !self.abandoned() {
            let _ = writeln!(out, "\nHow each score is worked out:");
            for d in &self.dimensions {
                let _ = writeln!(out, "  {}: {}", d.dimension.label(), d.explanation);
            }
        }
        let _ = writeln!(
            out,
            "\nReplay: seed {}, scenario revision {}, scoring version {}.",
            self.seed, self.revision, self.scoring_version
        );
        out
    }
}

fn write_missed(out: &mut String, f: &FactReport) {
    let _ = writeln!(out, "  - [{}] {}", f.kind.label(), f.text);
    if let Some(source) = f.sources.first() {
        let _ = match &source.choice {
            Some(say) => writeln!(out, "      you could have asked: \"{say}\""),
            None => writeln!(
                out,
                "      the buyer says it in reply, as: \"{}\"",
                source.line
            ),
        };
    }
}
