//! Play time given away: free extensions and waived overtime, who gave them, who authorised
//! them and why. Read from the event log, which records each with its reason.

use rusqlite::params;
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Period, PeriodInfo};
use crate::clock;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CourtesyKind {
    /// Time added without a sale.
    FreeExtension,
    /// Overtime that was due and not charged.
    WaivedOvertime,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Courtesy {
    pub at: String,
    pub kind: CourtesyKind,
    pub timer_id: String,
    pub child_name: String,
    pub service_name: String,
    /// Minutes given (a free extension) or played past the end (waived overtime).
    pub minutes: i64,
    /// What the overtime would have cost (waived overtime, or overtime a free extension
    /// swallowed); 0 for time added before the end.
    pub value_cents: i64,
    pub reason: String,
    /// The clerk who gave it.
    pub user_id: Option<String>,
    /// The super_admin whose PIN authorised it, when it was not theirs.
    pub authorized_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtesiesReport {
    pub period: PeriodInfo,
    /// Oldest first.
    pub items: Vec<Courtesy>,
    pub free_extension_minutes: i64,
    pub waived_overtime_cents: i64,
}

pub fn courtesies(conn: &Connection, period: &Period) -> Result<CourtesiesReport> {
    let from = clock::day_start_ms(period.from, period.tz);
    let to = clock::day_start_ms(period.to.succ_opt().unwrap_or(period.to), period.tz);
    let mut stmt = conn.prepare_cached(
        "SELECT created_at, type, entity_id, user_id,
                json_extract(payload, '$.service_name'),
                json_extract(payload, '$.added_minutes'),
                json_extract(payload, '$.overtime_minutes'),
                COALESCE(json_extract(payload, '$.overtime_waived_cents'), 0),
                COALESCE(json_extract(payload, '$.reason'), json_extract(payload, '$.waive_reason'), ''),
                json_extract(payload, '$.authorized_by'),
                json_extract(payload, '$.child_name')
         FROM events
         WHERE branch_id = ?1 AND created_at >= ?2 AND created_at < ?3
           AND ((type = 'timer.extended' AND json_extract(payload, '$.free') = 1)
             OR (type = 'timer.finished' AND json_extract(payload, '$.overtime_waived_cents') > 0))
         ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![period.branch_id, from, to], |r| {
        let kind: String = r.get(1)?;
        let free = kind == "timer.extended";
        Ok(Courtesy {
            at: clock::to_rfc3339(r.get(0)?),
            kind: if free {
                CourtesyKind::FreeExtension
            } else {
                CourtesyKind::WaivedOvertime
            },
            timer_id: r.get(2)?,
            user_id: r.get(3)?,
            service_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            minutes: if free {
                r.get::<_, Option<i64>>(5)?.unwrap_or(0)
            } else {
                r.get::<_, Option<i64>>(6)?.unwrap_or(0)
            },
            value_cents: r.get(7)?,
            reason: r.get(8)?,
            authorized_by: r.get(9)?,
            child_name: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        })
    })?;
    let items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CourtesiesReport {
        period: period.info(),
        free_extension_minutes: items
            .iter()
            .filter(|c| c.kind == CourtesyKind::FreeExtension)
            .map(|c| c.minutes)
            .sum(),
        waived_overtime_cents: items.iter().map(|c| c.value_cents).sum(),
        items,
    })
}
