//! Reports an owner acts on: figures for any range of business days of a branch, compared with
//! the period of the same length just before; where the money comes from and when; what sells;
//! stock; how full the play areas are; day closings; and forecasts of the next two weeks.
//!
//! Money figures read the per-hour sums of [`rollup`] (kept with every sale), so a year of a busy
//! store answers from a few thousand rows. Days are business days in the branch time zone.

pub mod closings;
pub mod courtesies;
pub mod customers;
pub mod figures;
pub mod forecast;
pub mod items;
pub mod rollup;
mod summary;
pub mod utilisation;
pub mod visitors;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::branches;
use crate::error::Result;

pub use summary::{summary, ByType, Summary};

/// A branch and an inclusive range of its business days.
#[derive(Debug, Clone)]
pub struct Period {
    pub branch_id: String,
    pub branch_name: String,
    pub tz: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Fails with not-found when the branch does not exist.
    pub fn new(
        conn: &Connection,
        branch_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Period> {
        let b = branches::get(conn, branch_id)?;
        Ok(Period {
            tz: crate::clock::parse_tz("timezone", &b.timezone)?,
            branch_id: b.id,
            branch_name: b.name,
            from,
            to,
        })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The same number of days, ending the day before this period starts.
    pub fn previous(&self) -> Period {
        let to = self.from - Duration::days(1);
        Period {
            from: to - Duration::days(self.days() - 1),
            to,
            ..self.clone()
        }
    }

    /// Every day of the period, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }

    pub fn info(&self) -> PeriodInfo {
        PeriodInfo {
            branch_id: self.branch_id.clone(),
            branch_name: self.branch_name.clone(),
            timezone: self.tz.name().to_string(),
            from: self.from.to_string(),
            to: self.to.to_string(),
            days: self.days(),
        }
    }

    pub(crate) fn bounds(&self) -> (String, String) {
        (self.from.to_string(), self.to.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodInfo {
    pub branch_id: String,
    pub branch_name: String,
    pub timezone: String,
    pub from: String,
    pub to: String,
    pub days: i64,
}

/// A figure now and in the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Delta {
    pub current: i64,
    pub previous: i64,
    /// current − previous.
    pub change: i64,
    /// Change over previous in percent, one decimal; absent when previous is zero.
    pub percent: Option<f64>,
}

impl Delta {
    pub fn new(current: i64, previous: i64) -> Delta {
        let percent = (previous != 0).then(|| {
            let tenths = ((current - previous) as f64 * 1000.0 / previous.abs() as f64).round();
            tenths / 10.0
        });
        Delta {
            current,
            previous,
            change: current - previous,
            percent,
        }
    }
}

/// Rounds a non-negative ratio of integers half up (ticket averages in centavos).
pub(crate) fn div_round(num: i64, den: i64) -> i64 {
    if den == 0 {
        0
    } else {
        (num + den / 2) / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_round_to_a_tenth_and_skip_a_zero_base() {
        assert_eq!(Delta::new(150, 100).percent, Some(50.0));
        assert_eq!(Delta::new(100, 300).percent, Some(-66.7));
        assert_eq!(Delta::new(5, 0).percent, None);
        assert_eq!(Delta::new(5, 0).change, 5);
    }

    #[test]
    fn previous_period_has_the_same_length_and_ends_the_day_before() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
        let p = Period {
            branch_id: "b".into(),
            branch_name: "B".into(),
            tz: chrono_tz::America::Mexico_City,
            from: d("2026-03-01"),
            to: d("2026-03-07"),
        };
        let q = p.previous();
        assert_eq!((q.from, q.to), (d("2026-02-22"), d("2026-02-28")));
        assert_eq!(p.each_day().count(), 7);
    }
}
