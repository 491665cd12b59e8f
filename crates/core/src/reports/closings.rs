//! Day closings over a period: each day's expected and counted money with the differences, the
//! sums of shortages and overages, and the days that had sales but were never closed.

use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Period, PeriodInfo};
use crate::day_close::{self, DayClosing};
use crate::error::Result;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosingsReport {
    pub period: PeriodInfo,
    /// Newest first.
    pub items: Vec<DayClosing>,
    /// Sum of every closing's difference (negative = money missing overall).
    pub total_difference_cents: i64,
    /// Sum of the negative differences (≤ 0).
    pub shortage_cents: i64,
    /// Sum of the positive differences (≥ 0).
    pub overage_cents: i64,
    pub days_short: i64,
    pub days_over: i64,
    /// Business days with sales and no closing, oldest first.
    pub unclosed_days: Vec<String>,
}

pub fn closings(conn: &Connection, period: &Period) -> Result<ClosingsReport> {
    let items = day_close::list(conn, &period.branch_id, period.from, period.to)?;
    let (f, t) = period.bounds();
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT h.business_day FROM report_hourly h
         WHERE h.branch_id = ?1 AND h.business_day BETWEEN ?2 AND ?3 AND h.sales_count > 0
           AND NOT EXISTS (SELECT 1 FROM day_closings c
                           WHERE c.branch_id = h.branch_id AND c.business_day = h.business_day)
         ORDER BY h.business_day",
    )?;
    let unclosed_days = stmt
        .query_map(params![period.branch_id, f, t], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let diffs = || items.iter().map(|c| c.current_difference_cents());
    Ok(ClosingsReport {
        period: period.info(),
        total_difference_cents: diffs().sum(),
        shortage_cents: diffs().filter(|d| *d < 0).sum(),
        overage_cents: diffs().filter(|d| *d > 0).sum(),
        days_short: diffs().filter(|d| *d < 0).count() as i64,
        days_over: diffs().filter(|d| *d > 0).count() as i64,
        unclosed_days,
        items,
    })
}
