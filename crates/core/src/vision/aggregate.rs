//! Visitor figures from visits: how many, when (hour of the local day, shift), and how long they
//! stayed. Pure functions, shared by the hub's report and the vision runner's live counts.

use chrono::{TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::shifts::ShiftSpan;
use crate::clock::Millis;

/// One visit as the figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitSpan {
    pub started_at: Millis,
    pub dwell_ms: i64,
}

/// Upper bounds (exclusive) of the dwell buckets, with their labels; the last is open.
pub const DWELL_BUCKETS: [(&str, i64); 6] = [
    ("<10 s", 10_000),
    ("10–30 s", 30_000),
    ("30 s–1 min", 60_000),
    ("1–3 min", 180_000),
    ("3–10 min", 600_000),
    ("≥10 min", i64::MAX),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DwellBucket {
    pub label: String,
    pub min_ms: i64,
    /// Exclusive; absent for the last, open bucket.
    pub max_ms: Option<i64>,
    pub visitors: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HourCount {
    /// Hour of the local day, 0–23.
    pub hour: u32,
    pub visitors: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ShiftCount {
    pub name: String,
    pub start: String,
    pub end: String,
    pub visitors: i64,
    pub average_dwell_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VisitorFigures {
    /// Distinct people seen (each visit is one person passing once).
    pub visitors: i64,
    pub total_dwell_ms: i64,
    /// Rounded half up to the millisecond; 0 with no visitors.
    pub average_dwell_ms: i64,
    pub median_dwell_ms: i64,
    /// 24 entries, by the local hour the visit started in.
    pub by_hour: Vec<HourCount>,
    /// By the shift the visit started in, in the branch's shift order.
    pub by_shift: Vec<ShiftCount>,
    /// Visits that started outside every shift (e.g. before opening).
    pub outside_shifts: i64,
    pub dwell: Vec<DwellBucket>,
}

fn average(sum: i64, n: i64) -> i64 {
    if n > 0 {
        (sum + n / 2) / n
    } else {
        0
    }
}

/// The local minute of the day (0–1439) at which an instant falls.
pub fn local_minute(ms: Millis, tz: Tz) -> u32 {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => {
            let local = t.with_timezone(&tz);
            local.hour() * 60 + local.minute()
        }
        None => 0,
    }
}

pub fn aggregate(visits: &[VisitSpan], tz: Tz, shifts: &[ShiftSpan]) -> VisitorFigures {
    let mut by_hour = vec![0i64; 24];
    let mut shift_counts = vec![(0i64, 0i64); shifts.len()];
    let mut outside_shifts = 0;
    let mut dwell_counts = [0i64; DWELL_BUCKETS.len()];
    let mut dwells: Vec<i64> = Vec::with_capacity(visits.len());
    for v in visits {
        let minute = local_minute(v.started_at, tz);
        by_hour[(minute / 60) as usize] += 1;
        match shifts.iter().position(|s| s.contains(minute)) {
            Some(i) => {
                shift_counts[i].0 += 1;
                shift_counts[i].1 += v.dwell_ms;
            }
            None => outside_shifts += 1,
        }
        let bucket = DWELL_BUCKETS
            .iter()
            .position(|(_, upper)| v.dwell_ms < *upper)
            .unwrap_or(DWELL_BUCKETS.len() - 1);
        dwell_counts[bucket] += 1;
        dwells.push(v.dwell_ms);
    }
    dwells.sort_unstable();
    let n = dwells.len() as i64;
    let total: i64 = dwells.iter().sum();
    let median = match dwells.len() {
        0 => 0,
        len if len % 2 == 1 => dwells[len / 2],
        len => average(dwells[len / 2 - 1] + dwells[len / 2], 2),
    };
    let mut lower = 0;
    let dwell = DWELL_BUCKETS
        .iter()
        .zip(dwell_counts)
        .map(|((label, upper), visitors)| {
            let b = DwellBucket {
                label: (*label).to_string(),
                min_ms: lower,
                max_ms: (*upper != i64::MAX).then_some(*upper),
                visitors,
            };
            lower = *upper;
            b
        })
        .collect();
    VisitorFigures {
        visitors: n,
        total_dwell_ms: total,
        average_dwell_ms: average(total, n),
        median_dwell_ms: median,
        by_hour: by_hour
            .into_iter()
            .enumerate()
            .map(|(h, visitors)| HourCount {
                hour: h as u32,
                visitors,
            })
            .collect(),
        by_shift: shifts
            .iter()
            .zip(shift_counts)
            .map(|(s, (count, sum))| {
                let shift = s.to_shift();
                ShiftCount {
                    name: shift.name,
                    start: shift.start,
                    end: shift.end,
                    visitors: count,
                    average_dwell_ms: average(sum, count),
                }
            })
            .collect(),
        outside_shifts,
        dwell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_rfc3339;
    use crate::vision::shifts::default_spans;

    fn at(s: &str, dwell_ms: i64) -> VisitSpan {
        VisitSpan {
            started_at: parse_rfc3339("t", s).expect("time"),
            dwell_ms,
        }
    }

    #[test]
    fn visits_fall_in_the_local_hour_and_shift_of_their_start() {
        let tz: Tz = "America/Mexico_City".parse().expect("zone");
        let visits = [
            at("2026-11-22T15:10:00Z", 5_000),   // 09:10 local, morning
            at("2026-11-22T19:59:59Z", 45_000),  // 13:59 local, morning
            at("2026-11-22T20:00:00Z", 120_000), // 14:00 local, afternoon
            at("2026-11-23T03:30:00Z", 700_000), // 21:30 local, night
            at("2026-11-22T13:00:00Z", 20_000),  // 07:00 local, before opening
        ];
        let f = aggregate(&visits, tz, &default_spans());
        assert_eq!(f.visitors, 5);
        assert_eq!(f.by_hour[9].visitors, 1);
        assert_eq!(f.by_hour[13].visitors, 1);
        assert_eq!(f.by_hour[14].visitors, 1);
        assert_eq!(f.by_hour[21].visitors, 1);
        assert_eq!(f.by_hour[7].visitors, 1);
        let shifts: Vec<(String, i64)> = f
            .by_shift
            .iter()
            .map(|s| (s.name.clone(), s.visitors))
            .collect();
        assert_eq!(
            shifts,
            [
                ("mañana".into(), 2),
                ("tarde".into(), 1),
                ("noche".into(), 1)
            ]
        );
        assert_eq!(f.by_shift[0].average_dwell_ms, 25_000);
        assert_eq!(f.outside_shifts, 1);
        let buckets: Vec<i64> = f.dwell.iter().map(|b| b.visitors).collect();
        assert_eq!(buckets, [1, 1, 1, 1, 0, 1]);
        assert_eq!(f.total_dwell_ms, 890_000);
        assert_eq!(f.average_dwell_ms, 178_000);
        assert_eq!(f.median_dwell_ms, 45_000);
        assert_eq!(f.dwell[5].max_ms, None);
    }

    #[test]
    fn no_visits_give_zeroes_not_a_division_by_zero() {
        let f = aggregate(&[], chrono_tz::UTC, &default_spans());
        assert_eq!(
            (f.visitors, f.average_dwell_ms, f.median_dwell_ms),
            (0, 0, 0)
        );
        assert_eq!(f.by_hour.len(), 24);
    }
}
