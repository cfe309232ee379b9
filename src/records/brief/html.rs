//! The brief as one self-contained web page a trainer can print or send before the 1:1: the same
//! content as the text, with the skill measures drawn as an SVG chart and the scenarios as a
//! grid. No script, no font or image from the network.

use super::{Brief, SeriesPoint};
use crate::engine::norms::EXPLANATION;
use crate::engine::score::Dimension;
use crate::records::clock;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Colours that stay apart on white and with common colour-vision deficiencies.
fn colour(dimension: Option<Dimension>) -> &'static str {
    match dimension {
        Some(Dimension::Qualification) => "#1f6fd1",
        Some(Dimension::Discovery) => "#0f8f83",
        Some(Dimension::Rapport) => "#b07d00",
        Some(Dimension::Velocity) => "#9b4fd6",
        None => "#222222",
    }
}

fn label(dimension: Option<Dimension>) -> &'static str {
    dimension.map_or("Overall", Dimension::label)
}

/// The skill measures of every finished call, one line per dimension, between random play (0)
/// and best play (100).
fn chart(series: &[SeriesPoint]) -> String {
    let (width, height, left, right, top, bottom) = (900.0, 300.0, 120.0, 150.0, 16.0, 36.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let (low, high) = (-50.0, 150.0);
    let x = |i: usize| {
        if series.len() < 2 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (series.len() - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h * (high - v.clamp(low, high)) / (high - low);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Skill measures per finished call\">\n"
    );
    for (value, text) in [(0.0, "random play"), (100.0, "best play")] {
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#555\">{value:.0} {text}</text>\n",
            left + plot_w,
            left - 6.0,
            y(value) + 4.0,
            y0 = y(value)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">finished calls, oldest first ({} to {})</text>\n",
        left + plot_w / 2.0,
        height - 8.0,
        series.first().map_or(String::new(), |p| clock::date(p.started_at)),
        series.last().map_or(String::new(), |p| clock::date(p.started_at)),
    ));
    for (row, dimension) in Dimension::ALL_AND_OVERALL.into_iter().enumerate() {
        let points: Vec<String> = series
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.measures
                    .of(dimension)
                    .map(|v| format!("{:.1},{:.1}", x(i), y(v)))
            })
            .collect();
        let stroke = if dimension.is_none() { 3.0 } else { 1.8 };
        if points.len() > 1 {
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{stroke}\" points=\"{}\"/>\n",
                colour(dimension),
                points.join(" ")
            ));
        }
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
            svg.push_str(&format!(
                "<circle cx=\"{px}\" cy=\"{py}\" r=\"3\" fill=\"{}\"/>\n",
                colour(dimension)
            ));
        }
        let legend_y = top + 14.0 + row as f64 * 20.0;
        svg.push_str(&format!(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{legend_y}\" y2=\"{legend_y}\" stroke=\"{}\" stroke-width=\"{stroke}\"/><text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#222\">{}</text>\n",
            width - right + 16.0,
            width - right + 40.0,
            colour(dimension),
            width - right + 46.0,
            legend_y + 4.0,
            label(dimension)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

impl Brief {
    /// The brief as a self-contained web page, to print or send before the 1:1.
    pub fn render_html(&self) -> String {
        let mut body = String::new();
        // The text's sections, each under its own heading; the skills get a table and a chart,
        // the scenarios a grid.
        let text = self.render_text();
        let mut blocks = text.split("\n\n");
        if let Some(title) = blocks.next() {
            body.push_str(&format!("<h1>{}</h1>\n", escape(title.trim())));
        }
        for block in blocks {
            let block = block.trim_end();
            if block.starts_with("Skills:") {
                body.push_str(&self.skills_html());
            } else if block.starts_with("By scenario") {
                body.push_str(&self.scenarios_html());
            } else if !block.is_empty() {
                body.push_str(&format!("<pre>{}</pre>\n", escape(block)));
            }
        }
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Brief: {}</title>\n<style>body {{ font-family: Helvetica, Arial, sans-serif; margin: 32px; max-width: 980px; color: #222; }} pre {{ font-family: inherit; white-space: pre-wrap; font-size: 15px; }} table {{ border-collapse: collapse; margin: 8px 0 16px; }} th, td {{ padding: 4px 12px; text-align: left; border-bottom: 1px solid #ddd; font-size: 15px; }} td.n {{ text-align: right; }} .note {{ color: #555; font-size: 14px; }}</style></head><body>\n{body}</body></html>\n",
            escape(&self.rep)
        )
    }

    fn skills_html(&self) -> String {
        let mut out = String::from("<h2>Skills</h2>\n");
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(EXPLANATION)));
        out.push_str("<table><tr><th>Skill</th><th>Skill measure</th><th>Trend</th><th>Mean score</th><th>Ceiling</th><th></th></tr>\n");
        let figure = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        for skill in &self.skills {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td><td>{}</td></tr>\n",
                skill.dimension.label(),
                figure(skill.measure),
                skill
                    .measure_trend
                    .map_or("-".to_string(), |t| format!("{t:+.1} per call")),
                skill.mean,
                skill.ceiling,
                if skill.ceiling - skill.mean < 5.0 {
                    "at its ceiling: not a focus"
                } else {
                    ""
                }
            ));
        }
        out.push_str("</table>\n");
        if !self.series.is_empty() {
            out.push_str(&chart(&self.series));
        }
        out
    }

    fn scenarios_html(&self) -> String {
        let mut out = String::from(
            "<h2>By scenario</h2>\n<table><tr><th>Scenario</th><th>Calls</th><th>Right calls</th><th>Skill measure, first to last</th><th>Trend</th></tr>\n",
        );
        let figure = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        for line in &self.by_scenario {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} of {}</td><td class=\"n\">{} to {}</td><td class=\"n\">{}</td></tr>\n",
                escape(&line.title),
                line.finished,
                line.right_calls,
                line.finished,
                figure(line.first_measure),
                figure(line.last_measure),
                line.measure_trend
                    .map_or("-".to_string(), |t| format!("{t:+.1} per call"))
            ));
        }
        out.push_str("</table>\n");
        out
    }
}
