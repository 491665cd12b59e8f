//! Visitors per day. Today a visitor is a check-in: a play timer that started (not cancelled,
//! not still waiting for its scheduled start), counted on the branch's local calendar day of its
//! start. Camera counts of people walking in will be another daily series of the same shape;
//! [`VisitorSource`] and [`daily`] are the seam where it plugs in, and the forecast takes any
//! daily series.

use chrono::{Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::Period;
use crate::clock;
use crate::error::Result;

/// Where a visitor count comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitorSource {
    /// Play timers started (children checked in).
    Checkins,
}

/// One count per day of the period, in order (days without visitors count zero).
pub fn daily(
    conn: &Connection,
    period: &Period,
    source: VisitorSource,
) -> Result<Vec<(NaiveDate, i64)>> {
    match source {
        VisitorSource::Checkins => checkins_daily(conn, period),
    }
}

/// Check-ins per local day. Reads only the timers index (branch, start, state) and buckets by
/// the UTC instants at which each local day starts, so no per-row time-zone arithmetic.
pub fn checkins_daily(conn: &Connection, period: &Period) -> Result<Vec<(NaiveDate, i64)>> {
    let days: Vec<NaiveDate> = period.each_day().collect();
    let mut starts: Vec<i64> = days
        .iter()
        .map(|d| clock::day_start_ms(*d, period.tz))
        .collect();
    let end = clock::day_start_ms(period.to + Duration::days(1), period.tz);
    starts.push(end);
    let mut counts = vec![0i64; days.len()];
    let mut stmt = conn.prepare_cached(
        "SELECT starts_at FROM timers WHERE branch_id = ?1 AND starts_at >= ?2 AND starts_at < ?3
           AND state NOT IN ('cancelled', 'scheduled')",
    )?;
    let rows = stmt.query_map(params![period.branch_id, starts[0], end], |r| {
        r.get::<_, i64>(0)
    })?;
    for at in rows {
        let at = at?;
        // The last day start at or before `at`.
        let i = starts.partition_point(|s| *s <= at);
        if i >= 1 && i <= days.len() {
            counts[i - 1] += 1;
        }
    }
    Ok(days.into_iter().zip(counts).collect())
}

/// Check-ins over the whole period.
pub fn checkins_total(conn: &Connection, period: &Period) -> Result<i64> {
    let from = clock::day_start_ms(period.from, period.tz);
    let to = clock::day_start_ms(period.to + Duration::days(1), period.tz);
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE branch_id = ?1 AND starts_at >= ?2 AND starts_at < ?3
           AND state NOT IN ('cancelled', 'scheduled')",
        params![period.branch_id, from, to],
        |r| r.get(0),
    )?)
}
