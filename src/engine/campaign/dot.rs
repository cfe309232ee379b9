//! A campaign drawn as a map (DOT): its calls left to right, each arrow labelled with what the
//! next call needs and what it carries, chance between the calls written out with its odds, and
//! where a run stops when a call does not give what the next one needs.

use super::Campaign;
use crate::engine::model::Scenario;
use std::fmt::Write as _;

/// DOT text of a campaign; `library` gives the calls' titles (a call not in it is shown by id).
pub fn campaign_dot(campaign: &Campaign, library: &[Scenario]) -> String {
    let quote = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", quote(&campaign.id));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  node [shape=box, fontname=\"Helvetica\"];");
    for (n, call) in campaign.calls.iter().enumerate() {
        let scenario = library.iter().find(|s| s.id == call.scenario);
        let title = scenario.map_or(call.scenario.as_str(), |s| s.title.as_str());
        let buyer = scenario
            .map(|s| format!("\\n{}, {}", quote(&s.buyer.name), quote(&s.buyer.role)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  call{n} [label=\"{}. {}{buyer}\"];",
            n + 1,
            quote(title)
        );
    }
    let _ = writeln!(
        out,
        "  advanced [label=\"the deal went the whole way\", style=filled, fillcolor=\"#c8e6c9\"];"
    );
    for (n, call) in campaign.calls.iter().enumerate().skip(1) {
        let label = arrow_lines(call);
        // Each line quoted alone, then joined by DOT's own line break.
        let label: Vec<String> = label.iter().map(|line| quote(line)).collect();
        let _ = writeln!(
            out,
            "  call{} -> call{n} [label=\"{}\"];",
            n - 1,
            label.join("\\n")
        );
        if !call.requires.is_empty() {
            let _ = writeln!(
                out,
                "  stop{n} [label=\"otherwise the run stops before call {}\", style=dashed];",
                n + 1
            );
            let _ = writeln!(out, "  call{} -> stop{n} [style=dashed];", n - 1);
        }
    }
    if let Some(last) = campaign.calls.len().checked_sub(1) {
        let _ = writeln!(
            out,
            "  call{last} -> advanced [label=\"if it ends Advance\"];"
        );
    }
    out.push_str("}\n");
    out
}

/// The campaign as an SVG drawing, top to bottom: a campaign is a chain of calls, so it is laid
/// out directly (a box per call, the arrow between two calls with what it needs, carries and
/// what chance can bring beside it, a dashed box where a run can stop), without a graph layout.
pub fn campaign_svg(campaign: &Campaign, library: &[Scenario]) -> String {
    const BOX_W: i32 = 460;
    const BOX_H: i32 = 46;
    const LINE: i32 = 17;
    const LEFT: i32 = 20;
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut body = String::new();
    let mut y = 20;
    let mut widest = LEFT + BOX_W + 20;
    let text = |body: &mut String, x: i32, y: i32, weight: &str, content: &str| {
        let _ = writeln!(
            body,
            r##"<text x="{x}" y="{y}" font-family="Helvetica, Arial, sans-serif" font-size="13" font-weight="{weight}" fill="#1b1f2a">{}</text>"##,
            escape(content)
        );
    };
    for (n, call) in campaign.calls.iter().enumerate() {
        if n > 0 {
            let lines = arrow_lines(call);
            let height = (lines.len() as i32 * LINE + 16).max(44);
            let x = LEFT + 40;
            let _ = writeln!(
                body,
                r##"<line x1="{x}" y1="{y}" x2="{x}" y2="{}" stroke="#1b1f2a" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                y + height - 4
            );
            for (i, line) in lines.iter().enumerate() {
                text(&mut body, x + 16, y + 18 + i as i32 * LINE, "normal", line);
                widest = widest.max(x + 16 + 7 * line.chars().count() as i32);
            }
            y += height;
        }
        let scenario = library.iter().find(|s| s.id == call.scenario);
        let title = scenario.map_or(call.scenario.as_str(), |s| s.title.as_str());
        let _ = writeln!(
            body,
            r##"<rect x="{LEFT}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#eef2fb" stroke="#1b1f2a"/>"##
        );
        text(
            &mut body,
            LEFT + 12,
            y + 19,
            "bold",
            &format!("{}. {title}", n + 1),
        );
        if let Some(s) = scenario {
            text(
                &mut body,
                LEFT + 12,
                y + 37,
                "normal",
                &format!("{}, {} ({})", s.buyer.name, s.buyer.role, s.id),
            );
        }
        // Where a run stops when this call does not give what the next one needs.
        if campaign
            .calls
            .get(n + 1)
            .is_some_and(|next| !next.requires.is_empty())
        {
            let x = LEFT + BOX_W + 40;
            let _ = writeln!(
                body,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1f2a" stroke-dasharray="5,4" marker-end="url(#arrow)"/>"##,
                LEFT + BOX_W,
                y + BOX_H / 2,
                x - 4,
                y + BOX_H / 2
            );
            let _ = writeln!(
                body,
                r##"<rect x="{x}" y="{}" width="300" height="30" rx="6" fill="none" stroke="#1b1f2a" stroke-dasharray="5,4"/>"##,
                y + BOX_H / 2 - 15
            );
            text(
                &mut body,
                x + 10,
                y + BOX_H / 2 + 5,
                "normal",
                &format!("otherwise the run stops before call {}", n + 2),
            );
            widest = widest.max(x + 320);
        }
        y += BOX_H;
    }
    // The end of a run that went the whole way.
    let x = LEFT + 40;
    let _ = writeln!(
        body,
        r##"<line x1="{x}" y1="{y}" x2="{x}" y2="{}" stroke="#1b1f2a" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
        y + 36
    );
    text(&mut body, x + 16, y + 22, "normal", "if it ends Advance");
    y += 40;
    let _ = writeln!(
        body,
        r##"<rect x="{LEFT}" y="{y}" width="{BOX_W}" height="30" rx="6" fill="#c8e6c9" stroke="#1b1f2a"/>"##
    );
    text(
        &mut body,
        LEFT + 12,
        y + 20,
        "bold",
        "the deal went the whole way",
    );
    y += 50;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{widest}" height="{y}" viewBox="0 0 {widest} {y}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1b1f2a"/></marker></defs>
<rect width="100%" height="100%" fill="#ffffff"/>
{body}</svg>
"##
    )
}

/// What the arrow into a call says: its requirements, trust, carried facts and chance.
pub fn arrow_lines(call: &super::CallPlan) -> Vec<String> {
    let mut lines = Vec::new();
    for (id, outcome) in &call.requires {
        lines.push(format!("if {id} ended {}", outcome.label()));
    }
    lines.push(if call.carry_trust {
        "the buyer's trust carries on".to_string()
    } else {
        "the buyer starts from their own trust".to_string()
    });
    if !call.carry.is_empty() {
        lines.push(format!(
            "the rep keeps what they learnt of: {}",
            call.carry.join(", ")
        ));
    }
    let total: u32 = call.between.iter().map(|h| h.weight).sum();
    for happening in &call.between {
        // Rounded to the nearest percent (a total of 0 is refused by the checker).
        let share = (100 * happening.weight + total / 2)
            .checked_div(total)
            .unwrap_or(0);
        let mut effects = Vec::new();
        if happening.trust != 0 {
            effects.push(format!("trust {:+}", happening.trust));
        }
        if !happening.forgets.is_empty() {
            effects.push(format!("forgets {}", happening.forgets.join(", ")));
        }
        lines.push(format!(
            "{share}% chance: {}{}",
            happening.say,
            if effects.is_empty() {
                String::new()
            } else {
                format!(" ({})", effects.join("; "))
            }
        ));
    }
    lines
}
