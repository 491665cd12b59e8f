//! Daily revenue and visitors for the next two weeks: additive Holt-Winters with a weekly season
//! (level, trend and a 7-day pattern, each smoothed exponentially). Its smoothing constants are
//! chosen per series by the smallest one-step-ahead error over the history. Beside every
//! forecast sits a backtest: the same procedure run on the history minus its last days, scored
//! against what really happened (MAE and MAPE), so the owner sees how far to trust it.
//!
//! Little data is said, not hidden: under two weeks of history there is no forecast; under four
//! the backtest covers only the last week and the answer is marked `limited`.

use chrono::{Duration, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::utilisation::{self, DailyCapacity};
use super::{figures, Period};
use crate::error::Result;

pub const HORIZON: usize = 14;
pub const SEASON: usize = 7;
/// Below this many days of history no forecast is made.
pub const MIN_HISTORY_DAYS: usize = 14;
/// From this many days on the backtest holds out a whole horizon.
pub const FULL_HISTORY_DAYS: usize = 28;
/// History beyond a year adds little to a weekly model and costs time.
pub const MAX_HISTORY_DAYS: i64 = 364;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
}

struct State {
    level: f64,
    trend: f64,
    season: [f64; SEASON],
    /// Index into `season` for the next day.
    next: usize,
}

impl State {
    fn predict(&self, h: usize) -> Vec<f64> {
        (1..=h)
            .map(|k| {
                let s = self.season[(self.next + k - 1) % SEASON];
                (self.level + k as f64 * self.trend + s).max(0.0)
            })
            .collect()
    }
}

/// Runs the smoother over `y` (at least one season long); returns the final state and the sum
/// of squared one-step-ahead errors after the first season.
fn run(y: &[f64], p: Params) -> (State, f64) {
    let first: f64 = y[..SEASON].iter().sum::<f64>() / SEASON as f64;
    let trend = if y.len() >= 2 * SEASON {
        let second: f64 = y[SEASON..2 * SEASON].iter().sum::<f64>() / SEASON as f64;
        (second - first) / SEASON as f64
    } else {
        0.0
    };
    let mut season = [0.0; SEASON];
    for (i, s) in season.iter_mut().enumerate() {
        *s = y[i] - first;
    }
    let mut st = State {
        level: first,
        trend,
        season,
        next: 0,
    };
    let mut sse = 0.0;
    for (t, &obs) in y.iter().enumerate().skip(SEASON) {
        let i = t % SEASON;
        let s = st.season[i];
        let predicted = st.level + st.trend + s;
        sse += (obs - predicted).powi(2);
        let level = p.alpha * (obs - s) + (1.0 - p.alpha) * (st.level + st.trend);
        st.trend = p.beta * (level - st.level) + (1.0 - p.beta) * st.trend;
        st.season[i] = p.gamma * (obs - level) + (1.0 - p.gamma) * s;
        st.level = level;
    }
    st.next = y.len() % SEASON;
    (st, sse)
}

/// The constants with the smallest one-step error over `y`.
fn choose(y: &[f64]) -> Params {
    const ALPHAS: [f64; 6] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7];
    // Too little history to tell a trend from noise: keep it flat.
    let betas: &[f64] = if y.len() >= 3 * SEASON {
        &[0.0, 0.02, 0.05, 0.1]
    } else {
        &[0.0]
    };
    const GAMMAS: [f64; 5] = [0.05, 0.1, 0.2, 0.3, 0.5];
    let mut best = (
        f64::INFINITY,
        Params {
            alpha: 0.2,
            beta: 0.0,
            gamma: 0.1,
        },
    );
    for &alpha in &ALPHAS {
        for &beta in betas {
            for &gamma in &GAMMAS {
                let p = Params { alpha, beta, gamma };
                let (_, sse) = run(y, p);
                if sse < best.0 {
                    best = (sse, p);
                }
            }
        }
    }
    best.1
}

/// Forecasts `h` days after `y` (which must hold at least one season).
pub fn holt_winters(y: &[f64], h: usize) -> (Vec<f64>, Params) {
    let p = choose(y);
    (run(y, p).0.predict(h), p)
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BacktestPoint {
    pub day: String,
    pub actual: i64,
    pub predicted: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Backtest {
    /// Days held out at the end of the history.
    pub days: usize,
    /// Mean absolute error, in the series' unit (centavos or visitors), one decimal.
    pub mae: f64,
    /// Mean absolute percentage error over held-out days with a non-zero actual, one decimal.
    pub mape_percent: Option<f64>,
    pub points: Vec<BacktestPoint>,
}

/// Scores the method on the last `holdout` days of `y` (which start at `first_day`).
pub fn backtest(y: &[f64], first_day: NaiveDate, holdout: usize) -> Backtest {
    let train = &y[..y.len() - holdout];
    let (pred, _) = holt_winters(train, holdout);
    let mut abs = 0.0;
    let mut pct = Vec::new();
    let mut points = Vec::with_capacity(holdout);
    for (k, p) in pred.iter().enumerate() {
        let t = train.len() + k;
        let actual = y[t];
        let e = (actual - p.round()).abs();
        abs += e;
        if actual > 0.0 {
            pct.push(e / actual);
        }
        points.push(BacktestPoint {
            day: (first_day + Duration::days(t as i64)).to_string(),
            actual: actual.round() as i64,
            predicted: p.round() as i64,
        });
    }
    let one = |v: f64| (v * 10.0).round() / 10.0;
    Backtest {
        days: holdout,
        mae: one(abs / holdout as f64),
        mape_percent: (!pct.is_empty())
            .then(|| one(pct.iter().sum::<f64>() / pct.len() as f64 * 100.0)),
        points,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForecastStatus {
    Ok,
    /// Two to four weeks of history: forecast made, backtest over one week only.
    Limited,
    /// Under two weeks of history: no forecast.
    NotEnoughData,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ForecastPoint {
    pub day: String,
    pub value: i64,
    /// value ∓ 1.28 × the backtest's root mean square error (about an 80 % range), floor 0.
    pub low: i64,
    pub high: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SeriesForecast {
    pub status: ForecastStatus,
    pub history_days: usize,
    pub message: String,
    pub params: Option<Params>,
    pub points: Vec<ForecastPoint>,
    pub backtest: Option<Backtest>,
}

/// Forecasts the `HORIZON` days after a daily series that starts at `first_day`: the seam any
/// daily figure (revenue, check-ins, camera visitors) goes through.
pub fn forecast_daily(series: &[i64], first_day: NaiveDate) -> SeriesForecast {
    let n = series.len();
    if n < MIN_HISTORY_DAYS {
        return SeriesForecast {
            status: ForecastStatus::NotEnoughData,
            history_days: n,
            message: format!(
                "Hay {n} días de historia; el pronóstico necesita al menos {MIN_HISTORY_DAYS}."
            ),
            params: None,
            points: Vec::new(),
            backtest: None,
        };
    }
    let y: Vec<f64> = series.iter().map(|v| *v as f64).collect();
    let (status, holdout) = if n >= FULL_HISTORY_DAYS {
        (ForecastStatus::Ok, HORIZON)
    } else {
        (ForecastStatus::Limited, SEASON)
    };
    let bt = backtest(&y, first_day, holdout);
    let rmse = (bt
        .points
        .iter()
        .map(|p| ((p.actual - p.predicted) as f64).powi(2))
        .sum::<f64>()
        / holdout as f64)
        .sqrt();
    let (pred, params) = holt_winters(&y, HORIZON);
    let start = first_day + Duration::days(n as i64);
    let points = pred
        .iter()
        .enumerate()
        .map(|(k, v)| ForecastPoint {
            day: (start + Duration::days(k as i64)).to_string(),
            value: v.round() as i64,
            low: (v - 1.28 * rmse).max(0.0).round() as i64,
            high: (v + 1.28 * rmse).round() as i64,
        })
        .collect();
    let message = match status {
        ForecastStatus::Limited => format!(
            "Solo {n} días de historia: pronóstico orientativo, probado contra la última semana."
        ),
        _ => format!("Probado contra los últimos {holdout} días reales."),
    };
    SeriesForecast {
        status,
        history_days: n,
        message,
        params: Some(params),
        points,
        backtest: Some(bt),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CapacityWarning {
    pub day: String,
    pub visitors: i64,
    pub capacity: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastReport {
    pub branch_id: String,
    /// The first forecast day (today in the branch); history ends the day before.
    pub from: String,
    pub history_from: Option<String>,
    /// Revenue in centavos per business day.
    pub revenue: SeriesForecast,
    /// Visitors per day, counted as check-ins (see `reports::visitors`).
    pub visitors: SeriesForecast,
    pub capacity: Option<DailyCapacity>,
    /// Forecast days whose visitors exceed the daily capacity.
    pub warnings: Vec<CapacityWarning>,
}

/// Forecasts from `today` on, learning from up to a year of days before it.
pub fn forecast(
    conn: &Connection,
    branch_id: &str,
    today: NaiveDate,
    open_hours: i64,
) -> Result<ForecastReport> {
    let yesterday = today - Duration::days(1);
    let first: Option<String> = conn.query_row(
        "SELECT MIN(business_day) FROM report_hourly WHERE branch_id = ?1 AND business_day < ?2",
        rusqlite::params![branch_id, today.to_string()],
        |r| r.get(0),
    )?;
    let earliest = today - Duration::days(MAX_HISTORY_DAYS);
    let history_from = first
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .map(|d| d.max(earliest));
    let period = Period::new(
        conn,
        branch_id,
        history_from.unwrap_or(today),
        yesterday.max(history_from.unwrap_or(today)),
    )?;
    let days = match history_from {
        Some(_) => figures::daily(conn, &period)?,
        None => Vec::new(),
    };
    let start = history_from.unwrap_or(today);
    let revenue: Vec<i64> = days.iter().map(|d| d.revenue_cents).collect();
    let visits: Vec<i64> = days.iter().map(|d| d.checkins).collect();
    let revenue = forecast_daily(&revenue, start);
    let visitors = forecast_daily(&visits, start);
    let capacity = utilisation::daily_capacity(conn, &period, open_hours)?;
    let warnings = match &capacity {
        Some(c) => visitors
            .points
            .iter()
            .filter(|p| p.value > c.checkins)
            .map(|p| CapacityWarning {
                day: p.day.clone(),
                visitors: p.value,
                capacity: c.checkins,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(ForecastReport {
        branch_id: branch_id.to_string(),
        from: today.to_string(),
        history_from: history_from.map(|d| d.to_string()),
        revenue,
        visitors,
        capacity,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
    }

    /// A weekly pattern (quiet Monday to busy Saturday) with ±3 % deterministic noise: the
    /// forecast of the 14 days after 10 weeks must stay within 5 % of the true pattern, and the
    /// backtest must say so.
    #[test]
    fn recovers_a_weekly_pattern_within_five_percent() {
        let pattern = [
            40_000.0, 35_000.0, 38_000.0, 45_000.0, 70_000.0, 120_000.0, 110_000.0,
        ];
        let mut seed: u64 = 7;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.06
        };
        let series: Vec<i64> = (0..70)
            .map(|t| (pattern[t % 7] * (1.0 + noise())).round() as i64)
            .collect();
        let f = forecast_daily(&series, day("2026-01-05"));
        assert_eq!(f.status, ForecastStatus::Ok);
        assert_eq!(f.points.len(), HORIZON);
        assert_eq!(
            f.points[0].day, "2026-03-16",
            "forecast starts the day after the history"
        );
        for (k, p) in f.points.iter().enumerate() {
            let truth = pattern[(70 + k) % 7];
            let err = (p.value as f64 - truth).abs() / truth;
            assert!(
                err < 0.05,
                "day {k}: {} vs {truth} ({:.1} %)",
                p.value,
                err * 100.0
            );
            assert!(p.low <= p.value && p.value <= p.high);
        }
        let bt = f.backtest.expect("backtest");
        assert_eq!(bt.days, 14);
        assert!(
            bt.mape_percent.expect("mape") < 5.0,
            "backtest MAPE {:?}",
            bt.mape_percent
        );
    }

    #[test]
    fn follows_a_trend_on_top_of_the_week() {
        let pattern = [10.0, 8.0, 9.0, 11.0, 20.0, 35.0, 30.0];
        let series: Vec<i64> = (0..84)
            .map(|t| (pattern[t % 7] + t as f64 * 0.25).round() as i64)
            .collect();
        let f = forecast_daily(&series, day("2026-01-05"));
        for (k, p) in f.points.iter().enumerate() {
            let truth = pattern[(84 + k) % 7] + (84 + k) as f64 * 0.25;
            assert!(
                (p.value as f64 - truth).abs() <= 3.0,
                "day {k}: {} vs {truth}",
                p.value
            );
        }
    }

    #[test]
    fn says_when_history_is_too_short() {
        let f = forecast_daily(&[5; 13], day("2026-01-01"));
        assert_eq!(f.status, ForecastStatus::NotEnoughData);
        assert!(f.points.is_empty() && f.backtest.is_none());
        let f = forecast_daily(&[5; 20], day("2026-01-01"));
        assert_eq!(f.status, ForecastStatus::Limited);
        assert_eq!(f.backtest.as_ref().map(|b| b.days), Some(7));
        assert!(
            f.points.iter().all(|p| p.value == 5),
            "a flat series forecasts flat"
        );
        assert_eq!(f.backtest.map(|b| b.mae), Some(0.0));
    }
}
