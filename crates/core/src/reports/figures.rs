//! Money figures: revenue, sales, ticket average, by type and payment method; per day for
//! charts; by weekday and hour for the heatmap; and the dashboard that puts the headline
//! figures and their previous-period comparison in one answer.

use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::summary::ByType;
use super::{div_round, visitors, Delta, Period, PeriodInfo};
use crate::day_close::ByMethod;
use crate::error::Result;

/// Sums of a period. Money is net of discounts and of refunds (on the day the money went back):
/// `revenue_cents` = `gross_cents` − `discounts_cents` − `refunds_cents`, and so are the types
/// and methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figures {
    pub revenue_cents: i64,
    /// Sales at list price, before discounts and refunds.
    pub gross_cents: i64,
    /// Discounts given on the period's sales.
    pub discounts_cents: i64,
    /// Money given back in the period.
    pub refunds_cents: i64,
    pub sales_count: i64,
    /// Revenue over sales, rounded half up to the centavo.
    pub ticket_average_cents: i64,
    pub by_type: ByType,
    /// Money received by method, cash net of the change handed back.
    pub by_method: ByMethod,
    /// Children checked in (play timers started), by local calendar day.
    pub checkins: i64,
}

/// One business day's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayFigures {
    pub day: String,
    /// Net of the day's discounts and refunds, like [`Figures`].
    pub revenue_cents: i64,
    pub gross_cents: i64,
    pub discounts_cents: i64,
    pub refunds_cents: i64,
    pub sales_count: i64,
    pub by_type: ByType,
    pub by_method: ByMethod,
    pub checkins: i64,
}

const SUMS: &str = "COALESCE(SUM(sales_count), 0),
    COALESCE(SUM(revenue_cents), 0) - COALESCE(SUM(refunds_cents), 0),
    COALESCE(SUM(services_cents), 0) - COALESCE(SUM(refund_services_cents), 0),
    COALESCE(SUM(products_cents), 0) - COALESCE(SUM(refund_products_cents), 0),
    COALESCE(SUM(packages_cents), 0) - COALESCE(SUM(refund_packages_cents), 0),
    COALESCE(SUM(cash_cents), 0) - COALESCE(SUM(change_cents), 0) - COALESCE(SUM(refund_cash_cents), 0),
    COALESCE(SUM(card_cents), 0) - COALESCE(SUM(refund_card_cents), 0),
    COALESCE(SUM(transfer_cents), 0) - COALESCE(SUM(refund_transfer_cents), 0),
    COALESCE(SUM(refunds_cents), 0),
    COALESCE(SUM(gross_cents), 0),
    COALESCE(SUM(discounts_cents), 0)";

type Row = (i64, i64, ByType, ByMethod, i64, (i64, i64));

fn sums_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Row> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        ByType {
            services_cents: r.get(at + 2)?,
            products_cents: r.get(at + 3)?,
            packages_cents: r.get(at + 4)?,
        },
        ByMethod {
            cash_cents: r.get(at + 5)?,
            card_cents: r.get(at + 6)?,
            transfer_cents: r.get(at + 7)?,
        },
        r.get(at + 8)?,
        (r.get(at + 9)?, r.get(at + 10)?),
    ))
}

pub fn figures(conn: &Connection, period: &Period) -> Result<Figures> {
    let checkins = visitors::checkins_total(conn, period)?;
    figures_with_checkins(conn, period, checkins)
}

/// As [`figures`], with the check-ins already counted (the dashboard sums its daily series
/// instead of reading the timers twice).
fn figures_with_checkins(conn: &Connection, period: &Period, checkins: i64) -> Result<Figures> {
    let (f, t) = period.bounds();
    let (sales_count, revenue_cents, by_type, by_method, refunds_cents, (gross_cents, discounts_cents)) = conn.query_row(
        &format!("SELECT {SUMS} FROM report_hourly WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3"),
        params![period.branch_id, f, t],
        |r| sums_row(r, 0),
    )?;
    Ok(Figures {
        revenue_cents,
        gross_cents,
        discounts_cents,
        refunds_cents,
        sales_count,
        ticket_average_cents: div_round(revenue_cents, sales_count),
        by_type,
        by_method,
        checkins,
    })
}

/// Every day of the period, days without sales included as zeros.
pub fn daily(conn: &Connection, period: &Period) -> Result<Vec<DayFigures>> {
    let (f, t) = period.bounds();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT business_day, {SUMS} FROM report_hourly
         WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3 GROUP BY business_day"
    ))?;
    let mut by_day = std::collections::HashMap::new();
    for row in stmt.query_map(params![period.branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, sums_row(r, 1)?))
    })? {
        let (day, sums) = row?;
        by_day.insert(day, sums);
    }
    let checkins = visitors::checkins_daily(conn, period)?;
    Ok(checkins
        .into_iter()
        .map(|(day, checkins)| {
            let day = day.to_string();
            let (
                sales_count,
                revenue_cents,
                by_type,
                by_method,
                refunds_cents,
                (gross_cents, discounts_cents),
            ) = by_day.remove(&day).unwrap_or_default();
            DayFigures {
                day,
                revenue_cents,
                gross_cents,
                discounts_cents,
                refunds_cents,
                sales_count,
                by_type,
                by_method,
                checkins,
            }
        })
        .collect())
}

/// Revenue in detail: totals now and before, and every day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevenueReport {
    pub period: PeriodInfo,
    pub previous_period: PeriodInfo,
    pub totals: Figures,
    pub previous: Figures,
    pub days: Vec<DayFigures>,
}

pub fn revenue(conn: &Connection, period: &Period) -> Result<RevenueReport> {
    let prev = period.previous();
    let days = daily(conn, period)?;
    Ok(RevenueReport {
        period: period.info(),
        previous_period: prev.info(),
        totals: figures_with_checkins(conn, period, days.iter().map(|d| d.checkins).sum())?,
        previous: figures(conn, &prev)?,
        days,
    })
}

/// The first screen: headline figures compared with the previous period, a day-by-day line,
/// and what needs attention now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub period: PeriodInfo,
    pub previous_period: PeriodInfo,
    pub current: Figures,
    pub previous: Figures,
    pub revenue: Delta,
    pub sales_count: Delta,
    pub ticket_average: Delta,
    pub checkins: Delta,
    pub days: Vec<DayFigures>,
    /// Stock on hand valued at cost (all branches share the catalogue's stock).
    pub inventory_value_cents: i64,
    pub low_stock_count: i64,
    pub active_timers: i64,
}

pub fn dashboard(conn: &Connection, period: &Period) -> Result<Dashboard> {
    let prev = period.previous();
    let days = daily(conn, period)?;
    let current = figures_with_checkins(conn, period, days.iter().map(|d| d.checkins).sum())?;
    let previous = figures(conn, &prev)?;
    let (inventory_value_cents, low_stock_count): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN stock > 0 THEN stock * cost_cents END), 0),
                COUNT(CASE WHEN stock <= low_stock_threshold THEN 1 END)
         FROM products WHERE active = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let active_timers: i64 = conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE branch_id = ?1 AND state IN ('running', 'paused', 'expired')",
        [&period.branch_id],
        |r| r.get(0),
    )?;
    Ok(Dashboard {
        period: period.info(),
        previous_period: prev.info(),
        revenue: Delta::new(current.revenue_cents, previous.revenue_cents),
        sales_count: Delta::new(current.sales_count, previous.sales_count),
        ticket_average: Delta::new(current.ticket_average_cents, previous.ticket_average_cents),
        checkins: Delta::new(current.checkins, previous.checkins),
        current,
        previous,
        days,
        inventory_value_cents,
        low_stock_count,
        active_timers,
    })
}

/// Sales by weekday and local hour.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Heatmap {
    pub period: PeriodInfo,
    /// `sales[weekday][hour]`, weekday 0 = Monday … 6 = Sunday, hour 0–23 on the branch clock.
    pub sales: Vec<Vec<i64>>,
    /// `revenue_cents[weekday][hour]`.
    pub revenue_cents: Vec<Vec<i64>>,
    /// How many of each weekday the period holds (to turn sums into averages).
    pub weekdays_in_period: Vec<i64>,
    /// The busiest cell by sales, absent without sales.
    pub peak: Option<HeatCell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct HeatCell {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    pub hour: u8,
}

pub fn heatmap(conn: &Connection, period: &Period) -> Result<Heatmap> {
    use chrono::Datelike;
    let (f, t) = period.bounds();
    let mut sales = vec![vec![0i64; 24]; 7];
    let mut revenue = vec![vec![0i64; 24]; 7];
    let mut stmt = conn.prepare_cached(
        "SELECT (CAST(strftime('%w', business_day) AS INTEGER) + 6) % 7, hour,
                SUM(sales_count), SUM(revenue_cents) - SUM(refunds_cents)
         FROM report_hourly WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3
         GROUP BY 1, 2",
    )?;
    for row in stmt.query_map(params![period.branch_id, f, t], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })? {
        let (w, h, n, rev) = row?;
        if let (Ok(w), Ok(h)) = (usize::try_from(w), usize::try_from(h)) {
            if w < 7 && h < 24 {
                sales[w][h] = n;
                revenue[w][h] = rev;
            }
        }
    }
    let mut weekdays = vec![0i64; 7];
    for d in period.each_day() {
        weekdays[d.weekday().num_days_from_monday() as usize] += 1;
    }
    let mut peak = None;
    let mut best = 0;
    for (w, row) in sales.iter().enumerate() {
        for (h, n) in row.iter().enumerate() {
            if *n > best {
                best = *n;
                peak = Some(HeatCell {
                    weekday: w as u8,
                    hour: h as u8,
                });
            }
        }
    }
    Ok(Heatmap {
        period: period.info(),
        sales,
        revenue_cents: revenue,
        weekdays_in_period: weekdays,
        peak,
    })
}
