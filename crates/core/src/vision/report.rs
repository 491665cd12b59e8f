//! The visitors report: visitor figures for a range of business days, beside the check-ins and
//! sales of the same days, so an owner sees how many passers-by became customers.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::aggregate::{self, VisitSpan, VisitorFigures};
use super::{shifts, statuses, VisionStatus};
use crate::error::Result;
use crate::{branches, clock, day_close};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorsReport {
    pub from: String,
    pub to: String,
    pub timezone: String,
    pub figures: VisitorFigures,
    /// Children checked in (play timers started or scheduled, not cancelled) in the same days.
    pub check_ins: i64,
    pub sales_count: i64,
    pub revenue_cents: i64,
    /// Check-ins over visitors (0.25 = one in four); absent when nobody was counted.
    pub conversion: Option<f64>,
    /// Each camera's latest status.
    pub cameras: Vec<VisionStatus>,
}

pub fn visitors(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<VisitorsReport> {
    let tz = branches::timezone(conn, branch_id)?;
    let start = clock::day_start_ms(from, tz);
    let end = clock::day_start_ms(to.succ_opt().unwrap_or(to), tz);
    let mut stmt = conn.prepare_cached(
        "SELECT started_at, dwell_ms FROM vision_visits WHERE branch_id = ?1 AND started_at >= ?2 AND started_at < ?3",
    )?;
    let visits = stmt
        .query_map(params![branch_id, start, end], |r| {
            Ok(VisitSpan {
                started_at: r.get(0)?,
                dwell_ms: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let figures = aggregate::aggregate(&visits, tz, &shifts::spans(conn, branch_id)?);
    let check_ins: i64 = conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE branch_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND state <> 'cancelled'",
        params![branch_id, start, end],
        |r| r.get(0),
    )?;
    let (_, sales_count, revenue_cents) = day_close::takings(conn, branch_id, from, to)?;
    let conversion = (figures.visitors > 0).then(|| check_ins as f64 / figures.visitors as f64);
    Ok(VisitorsReport {
        from: from.to_string(),
        to: to.to_string(),
        timezone: tz.name().to_string(),
        figures,
        check_ins,
        sales_count,
        revenue_cents,
        conversion,
        cameras: statuses(conn, branch_id)?,
    })
}
