//! How full the play areas were. A service's capacity is how many children may play in it at
//! once; over a period it can hold `capacity × open hours × days` child-minutes, and its
//! utilisation is the child-minutes of play time that started in the period (extensions
//! included) over that. Opening hours are not in the catalogue, so callers pass them
//! ([`DEFAULT_OPEN_HOURS`] when unknown).

use std::collections::HashMap;

use chrono::Duration;
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Period, PeriodInfo};
use crate::clock;
use crate::error::Result;

/// Opening hours assumed when the caller gives none (10:00–20:00).
pub const DEFAULT_OPEN_HOURS: i64 = 10;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceUse {
    pub service_id: String,
    pub name: String,
    /// Children at once; 0 = no limit set.
    pub capacity: i64,
    pub sessions: i64,
    pub played_minutes: i64,
    /// capacity × open hours × 60 × days; absent without a capacity.
    pub capacity_minutes: Option<i64>,
    /// played over capacity minutes in percent, one decimal.
    pub utilisation_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Utilisation {
    pub period: PeriodInfo,
    pub open_hours: i64,
    pub services: Vec<ServiceUse>,
    pub sessions: i64,
    pub played_minutes: i64,
    /// Sum of the capacity minutes of the services that have a capacity.
    pub capacity_minutes: Option<i64>,
    /// Played minutes of services with a capacity over their capacity minutes.
    pub utilisation_percent: Option<f64>,
}

fn percent(part: i64, whole: i64) -> f64 {
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// Play time started in the period per service: (sessions, minutes).
fn played(conn: &Connection, period: &Period) -> Result<HashMap<Option<String>, (i64, i64)>> {
    let from = clock::day_start_ms(period.from, period.tz);
    let to = clock::day_start_ms(period.to + Duration::days(1), period.tz);
    let mut stmt = conn.prepare_cached(
        "SELECT service_id, COUNT(*), COALESCE(SUM(duration_ms), 0) / 60000 FROM timers
         WHERE branch_id = ?1 AND starts_at >= ?2 AND starts_at < ?3
           AND state NOT IN ('cancelled', 'scheduled')
         GROUP BY service_id",
    )?;
    let mut out = HashMap::new();
    for row in stmt.query_map(params![period.branch_id, from, to], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (id, n, minutes) = row?;
        out.insert(id, (n, minutes));
    }
    Ok(out)
}

pub fn utilisation(conn: &Connection, period: &Period, open_hours: i64) -> Result<Utilisation> {
    let mut played = played(conn, period)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, capacity FROM services WHERE active = 1 OR id IN
           (SELECT DISTINCT service_id FROM timers WHERE branch_id = ?1 AND service_id IS NOT NULL) ORDER BY name",
    )?;
    let minutes_open = open_hours * 60 * period.days();
    let mut services = Vec::new();
    for row in stmt.query_map([&period.branch_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (service_id, name, capacity) = row?;
        let (sessions, played_minutes) = played.remove(&Some(service_id.clone())).unwrap_or((0, 0));
        let capacity_minutes = (capacity > 0).then_some(capacity * minutes_open);
        services.push(ServiceUse {
            utilisation_percent: capacity_minutes.map(|c| percent(played_minutes, c)),
            service_id,
            name,
            capacity,
            sessions,
            played_minutes,
            capacity_minutes,
        });
    }
    // Timers whose service is gone from the list (none in practice) still count in totals.
    let (rest_n, rest_m) = played.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    let with_cap: Vec<&ServiceUse> = services.iter().filter(|s| s.capacity > 0).collect();
    let capacity_minutes = (!with_cap.is_empty()).then(|| {
        with_cap
            .iter()
            .filter_map(|s| s.capacity_minutes)
            .sum::<i64>()
    });
    let played_with_cap: i64 = with_cap.iter().map(|s| s.played_minutes).sum();
    Ok(Utilisation {
        period: period.info(),
        open_hours,
        sessions: services.iter().map(|s| s.sessions).sum::<i64>() + rest_n,
        played_minutes: services.iter().map(|s| s.played_minutes).sum::<i64>() + rest_m,
        utilisation_percent: capacity_minutes.map(|c| percent(played_with_cap, c)),
        capacity_minutes,
        services,
    })
}

/// How many check-ins a day can take, and how that was worked out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DailyCapacity {
    pub checkins: i64,
    /// In words, for the screen.
    pub basis: String,
}

/// Check-ins a day can take when open `open_hours`: with a branch capacity (children at once),
/// that capacity times the opening minutes over the average stay of the last 8 weeks (60 min
/// without history); otherwise the sum over services with a capacity of capacity × how many
/// sessions of their length fit in a day. None when nothing has a capacity.
pub fn daily_capacity(
    conn: &Connection,
    period: &Period,
    open_hours: i64,
) -> Result<Option<DailyCapacity>> {
    let branch_capacity: i64 = conn.query_row(
        "SELECT capacity FROM branches WHERE id = ?1",
        [&period.branch_id],
        |r| r.get(0),
    )?;
    let open_minutes = open_hours * 60;
    if branch_capacity > 0 {
        let since = clock::day_start_ms(period.to - Duration::days(56), period.tz);
        let avg_ms: Option<f64> = conn.query_row(
            "SELECT AVG(duration_ms) FROM timers WHERE branch_id = ?1 AND starts_at >= ?2
               AND state NOT IN ('cancelled', 'scheduled')",
            params![period.branch_id, since],
            |r| r.get(0),
        )?;
        let stay = avg_ms
            .map(|ms| (ms / 60_000.0).round() as i64)
            .filter(|m| *m > 0)
            .unwrap_or(60);
        return Ok(Some(DailyCapacity {
            checkins: branch_capacity * open_minutes / stay,
            basis: format!(
                "{branch_capacity} niños a la vez × {open_hours} h abiertas ÷ estancia media de {stay} min"
            ),
        }));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT capacity, duration_minutes FROM services WHERE active = 1 AND capacity > 0",
    )?;
    let mut total = 0;
    let mut any = false;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (cap, minutes) = row?;
        any = true;
        total += cap * (open_minutes / minutes.max(1));
    }
    Ok(any.then(|| DailyCapacity {
        checkins: total,
        basis: format!("suma de capacidad × turnos por servicio en {open_hours} h abiertas"),
    }))
}
