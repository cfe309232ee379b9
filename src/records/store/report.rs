//! A rep's trend and the per-rep report: mean, best, latest and least-squares trend per dimension.

use super::error::failed;
use super::sessions::{Filter, Status, where_clause};
use super::{Result, Store};
use crate::engine::norms::Measures;
use crate::engine::score::{Dimension, Scores};
use crate::records::clock::{self, Millis};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// One dimension of one rep, over the sessions a filter selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionSummary {
    pub rep: String,
    /// `None` is the overall score.
    pub dimension: Option<Dimension>,
    pub count: u32,
    pub mean: f64,
    pub best: u8,
    pub latest: u8,
    /// Least-squares slope, in points per session; `None` under three sessions.
    pub trend: Option<f64>,
    /// The mean and trend of the skill measure (`engine::norms`), over the sessions on calls
    /// that test this dimension: like with like, whatever mix of easy and hard calls.
    pub measured: u32,
    pub measure_mean: Option<f64>,
    pub measure_trend: Option<f64>,
}

/// One finished session's scores, in time order, for a rep's trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendPoint {
    pub session_id: i64,
    pub started_at: Millis,
    pub scores: Scores,
    /// The scores placed between random and best play on that call (`engine::norms`).
    pub measures: Measures,
}

/// Least-squares slope of the values against their position, in points per session; `None`
/// under three values (the trends of `report` and of a rep's brief).
pub fn slope(values: &[f64]) -> Option<f64> {
    if values.len() < 3 {
        return None;
    }
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut numerator, mut denominator) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        numerator += dx * (y - mean_y);
        denominator += dx * dx;
    }
    Some(numerator / denominator)
}

/// The mean of the values; `None` for none.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl Store {
    /// A rep's finished sessions in time order (the trend chart).
    pub fn trend(&self, rep: &str, scenario: Option<&str>) -> Result<Vec<TrendPoint>> {
        let run = || -> rusqlite::Result<Vec<(TrendPoint, i64)>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT s.id, s.started_at, s.qualification, s.discovery, s.rapport, s.velocity,
                    s.overall, s.passed, s.revision_id
                 FROM sessions s
                 WHERE s.status = 'finished' AND s.rep_id = {}
                    AND (?2 IS NULL OR s.scenario_id = ?2)
                 ORDER BY s.started_at, s.id",
                super::reps::REP_OF_KEY_1
            ))?;

            statement
                .query_map(params![super::reps::rep_key(rep), scenario], |r| {
                    Ok((
                        TrendPoint {
                            session_id: r.get(0)?,
                            started_at: r.get(1)?,
                            scores: Scores {
                                qualification: r.get::<_, i64>(2)? as u8,
                                discovery: r.get::<_, i64>(3)? as u8,
                                rapport: r.get::<_, i64>(4)? as u8,
                                velocity: r.get::<_, i64>(5)? as u8,
                                overall: r.get::<_, i64>(6)? as u8,
                                passed: r.get(7)?,
                            },
                            measures: Measures::default(),
                        },
                        r.get::<_, i64>(8)?,
                    ))
                })?
                .collect()
        };
        let rows: Vec<(TrendPoint, i64)> =
            run().map_err(|e| failed(&self.path, "read the rep's trend", e))?;
        rows.into_iter()
            .map(|(mut point, revision)| {
                point.measures = self
                    .measures_of(revision, &point.scores)?
                    .unwrap_or_default();
                Ok(point)
            })
            .collect()
    }

    /// Per rep and dimension (and overall): count, mean, best, latest and trend over the
    /// finished sessions the filter selects. Over all time (for everyone, a rep or a team) each
    /// rep's report is kept and used again while none of their finished sessions has changed
    /// (`rep_totals.changes`), so the report reads one row per rep; a rep whose sessions
    /// changed is worked out again from their sessions.
    pub fn report(&self, filter: &Filter) -> Result<Vec<DimensionSummary>> {
        let over_all_time = filter.since.is_none()
            && filter.until.is_none()
            && filter.scenario.is_none()
            && filter.outcome.is_none()
            && matches!(filter.status, None | Some(Status::Finished));
        if !over_all_time {
            return self.summarise(filter, None);
        }
        let (mut clauses, values) = super::sessions::rep_clauses(filter, "t.rep_id");
        clauses.push("t.n > 0".to_string());
        let sql = format!(
            "SELECT t.rep_id, r.name, t.changes, c.version, c.changes, c.report
             FROM rep_totals t JOIN reps r ON r.id = t.rep_id
                LEFT JOIN rep_reports c ON c.rep_id = t.rep_id
             WHERE {} ORDER BY r.name",
            clauses.join(" AND ")
        );
        type Kept = (i64, String, i64, Option<i64>, Option<i64>, Option<String>);
        let run = || -> rusqlite::Result<Vec<Kept>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect()
        };
        let reps = run().map_err(|e| failed(&self.path, "read the kept reports", e))?;
        let version = super::norms::stored_version();
        let mut out = Vec::new();
        for (rep_id, name, changes, kept_version, kept_changes, kept) in reps {
            let still_true = kept_version == Some(version) && kept_changes == Some(changes);
            let kept: Option<Vec<DimensionSummary>> = kept
                .filter(|_| still_true)
                .and_then(|text| serde_json::from_str(&text).ok());
            let mut rows = match kept {
                Some(rows) => rows,
                None => {
                    let rows = self.summarise(&Filter::default(), Some(rep_id))?;
                    // A cache: a database that cannot be written works it out again next time.
                    let _ = self.conn.execute(
                        "INSERT OR REPLACE INTO rep_reports (rep_id, version, changes, report)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![rep_id, version, changes, super::json(&rows)],
                    );
                    rows
                }
            };
            for row in &mut rows {
                row.rep = name.clone();
            }
            out.extend(rows);
        }
        Ok(out)
    }

    /// The report worked out from the finished sessions the filter selects (of one rep, by row
    /// id, with `rep_id`).
    fn summarise(&self, filter: &Filter, rep_id: Option<i64>) -> Result<Vec<DimensionSummary>> {
        let mut filter = filter.clone();
        filter.status = Some(Status::Finished);
        let now = clock::now_ms();
        let (mut clause, mut values) = where_clause(&filter, now);
        if let Some(rep_id) = rep_id {
            clause.push_str(" AND s.rep_id = ?");
            values.push(rep_id.into());
        }
        let sql = format!(
            "SELECT r.name, s.qualification, s.discovery, s.rapport, s.velocity, s.overall,
                s.revision_id
             FROM sessions s JOIN reps r ON r.id = s.rep_id {clause}
             ORDER BY r.name, s.started_at, s.id"
        );
        let run = || -> rusqlite::Result<Vec<(String, [u8; 5], i64)>> {
            let mut statement = self.conn.prepare_cached(&sql)?;

            statement
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    let mut scores = [0u8; 5];
                    for (i, score) in scores.iter_mut().enumerate() {
                        *score = r.get::<_, i64>(i + 1)? as u8;
                    }
                    Ok((r.get(0)?, scores, r.get(6)?))
                })?
                .collect()
        };
        let rows = run().map_err(|e| failed(&self.path, "build the report", e))?;
        let mut measures = Vec::with_capacity(rows.len());
        for (_, s, revision) in &rows {
            let scores = Scores {
                qualification: s[0],
                discovery: s[1],
                rapport: s[2],
                velocity: s[3],
                overall: s[4],
                passed: None,
            };
            measures.push(self.measures_of(*revision, &scores)?.unwrap_or_default());
        }
        let dimensions = Dimension::ALL_AND_OVERALL;
        let mut out = Vec::new();
        let mut start = 0;
        for group in rows.chunk_by(|a, b| a.0 == b.0) {
            let group_measures = &measures[start..start + group.len()];
            start += group.len();
            for (column, dimension) in dimensions.iter().enumerate() {
                let values: Vec<f64> = group.iter().map(|(_, s, _)| f64::from(s[column])).collect();
                let measured: Vec<f64> = group_measures
                    .iter()
                    .filter_map(|m| m.of(*dimension))
                    .collect();
                out.push(DimensionSummary {
                    rep: group[0].0.clone(),
                    dimension: *dimension,
                    count: values.len() as u32,
                    mean: values.iter().sum::<f64>() / values.len() as f64,
                    best: group.iter().map(|(_, s, _)| s[column]).max().unwrap_or(0),
                    latest: group.last().map_or(0, |(_, s, _)| s[column]),
                    trend: slope(&values),
                    measured: measured.len() as u32,
                    measure_mean: mean(&measured),
                    measure_trend: slope(&measured),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slope_needs_three_points_and_follows_the_line() {
        assert_eq!(slope(&[1.0, 2.0]), None);
        assert_eq!(slope(&[10.0, 20.0, 30.0]), Some(10.0));
        assert_eq!(slope(&[50.0, 50.0, 50.0, 50.0]), Some(0.0));
    }
}
