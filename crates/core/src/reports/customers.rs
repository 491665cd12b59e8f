//! Customers: families new and returning, how often they come, the children's birthdays this
//! month (a reason to call), and how many visiting families accepted the current consent.

use chrono::Datelike;
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Period, PeriodInfo};
use crate::clock;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VisitBucket {
    /// Visits in the period: 1, 2, 3, or 4 meaning four or more.
    pub visits: i64,
    pub families: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Birthday {
    pub family_id: String,
    pub child_id: String,
    pub name: String,
    pub birth_date: String,
    /// The age they turn this year.
    pub turns: i64,
    /// The first guardian, to invite them.
    pub guardian_name: String,
    pub guardian_phone: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomersReport {
    pub period: PeriodInfo,
    /// Families with at least one check-in ticket in the period.
    pub families_visited: i64,
    /// Of those, the ones whose first visit ever was in the period.
    pub new_families: i64,
    pub returning_families: i64,
    /// Their check-in tickets.
    pub family_visits: i64,
    /// Check-in tickets with no family (walk-ins).
    pub walk_in_visits: i64,
    pub visits_per_family: Vec<VisitBucket>,
    /// Birthdays in the month of the period's last day.
    pub birthdays: Vec<Birthday>,
    /// Visiting families that accepted this branch's current consent.
    pub consent_current: i64,
    /// Percent of visiting families (0 when none visited).
    pub consent_coverage_percent: i64,
}

pub fn customers(conn: &Connection, period: &Period) -> Result<CustomersReport> {
    let branch_id = period.branch_id.as_str();
    let from = clock::day_start_ms(period.from, period.tz);
    let to = clock::day_start_ms(period.to.succ_opt().unwrap_or(period.to), period.tz);
    let mut stmt = conn.prepare_cached(
        "SELECT s.family_id, COUNT(*),
                (SELECT MIN(created_at) FROM sales f WHERE f.family_id = s.family_id) < ?1
         FROM sales s WHERE s.family_id IS NOT NULL AND s.created_at >= ?1 AND s.created_at < ?2
         GROUP BY s.family_id",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let walk_in_visits: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sales s WHERE s.family_id IS NULL AND s.pickup_code IS NOT NULL
           AND s.created_at >= ?1 AND s.created_at < ?2",
        params![from, to],
        |r| r.get(0),
    )?;
    let mut buckets = [0i64; 4];
    let mut consent_current = 0;
    let current: Option<i64> = conn.query_row(
        "SELECT MAX(version) FROM consent_versions WHERE branch_id = ?1",
        [branch_id],
        |r| r.get(0),
    )?;
    for (fid, visits, _) in &rows {
        buckets[(*visits).clamp(1, 4) as usize - 1] += 1;
        let accepted: Option<i64> = conn.query_row(
            "SELECT MAX(version) FROM consent_acceptances WHERE family_id = ?1 AND branch_id = ?2",
            params![fid, branch_id],
            |r| r.get(0),
        )?;
        if current.is_some_and(|c| accepted.is_some_and(|a| a >= c)) {
            consent_current += 1;
        }
    }
    let month = period.to.month();
    let year = period.to.year();
    let mut stmt = conn.prepare_cached(
        "SELECT c.family_id, c.id, c.name, c.birth_date, f.guardians FROM family_children c
         JOIN families f ON f.id = c.family_id
         WHERE c.active = 1 AND f.erased_at IS NULL AND c.birth_date IS NOT NULL
           AND CAST(substr(c.birth_date, 6, 2) AS INTEGER) = ?1
         ORDER BY substr(c.birth_date, 9, 2), c.name",
    )?;
    let birthdays = stmt
        .query_map([month], |r| {
            let date: String = r.get(3)?;
            let guardians: String = r.get(4)?;
            let first: Option<crate::families::Guardian> =
                serde_json::from_str::<Vec<crate::families::Guardian>>(&guardians)
                    .ok()
                    .and_then(|g| g.into_iter().next());
            let born: i64 = date
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(year as i64);
            Ok(Birthday {
                family_id: r.get(0)?,
                child_id: r.get(1)?,
                name: r.get(2)?,
                turns: year as i64 - born,
                birth_date: date,
                guardian_name: first.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
                guardian_phone: first.map(|g| g.phone).unwrap_or_default(),
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let visited = rows.len() as i64;
    let new_families = rows.iter().filter(|r| !r.2).count() as i64;
    Ok(CustomersReport {
        period: period.info(),
        families_visited: visited,
        new_families,
        returning_families: visited - new_families,
        family_visits: rows.iter().map(|r| r.1).sum(),
        walk_in_visits,
        visits_per_family: buckets
            .iter()
            .enumerate()
            .map(|(i, n)| VisitBucket {
                visits: i as i64 + 1,
                families: *n,
            })
            .collect(),
        birthdays,
        consent_current,
        consent_coverage_percent: if visited == 0 {
            0
        } else {
            consent_current * 100 / visited
        },
    })
}
