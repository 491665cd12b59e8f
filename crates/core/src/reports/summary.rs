//! Summary figures for a range of business days: what an owner checks first.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use crate::day_close::{self, ByMethod};
use crate::error::Result;
use crate::products::{self, Product};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ByType {
    pub services_cents: i64,
    pub products_cents: i64,
    pub packages_cents: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub from: String,
    pub to: String,
    /// Net of the refunds made in the period.
    pub revenue_cents: i64,
    /// Money given back in the period (on the days it went back).
    pub refunds_cents: i64,
    /// The period's sales at list price, and the discounts given on them: revenue = gross −
    /// discounts − refunds.
    #[serde(default)]
    pub gross_cents: i64,
    #[serde(default)]
    pub discounts_cents: i64,
    pub sales_count: i64,
    /// Revenue over sales, rounded half up to the centavo.
    pub ticket_average_cents: i64,
    pub by_type: ByType,
    /// Money received by method, net of cash change.
    pub by_method: ByMethod,
    /// Stock on hand valued at cost.
    pub inventory_value_cents: i64,
    pub low_stock: Vec<Product>,
    pub active_timers: i64,
}

pub fn summary(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Summary> {
    let (f, t) = (from.to_string(), to.to_string());
    let (by_method, count, revenue) = day_close::takings(conn, branch_id, from, to)?;
    let mut by_type = ByType::default();
    let mut stmt = conn.prepare_cached(
        "SELECT i.kind, SUM(i.total_cents) FROM sale_items i JOIN sales s ON s.id = i.sale_id
         WHERE s.branch_id = ?1 AND s.business_day BETWEEN ?2 AND ?3 GROUP BY i.kind",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (kind, sum) = row?;
        match kind.as_str() {
            "service" => by_type.services_cents += sum,
            // A party's deposit and balance count as a package: the party is one.
            "package" | "booking" => by_type.packages_cents += sum,
            _ => by_type.products_cents += sum,
        }
    }
    // Net of what was refunded in the period (by the refund's business day).
    let mut stmt = conn.prepare_cached(
        "SELECT i.kind, SUM(ri.total_cents) FROM refund_items ri JOIN refunds r ON r.id = ri.refund_id
         JOIN sale_items i ON i.sale_id = ri.sale_id AND i.position = ri.sale_position
         WHERE r.branch_id = ?1 AND r.business_day BETWEEN ?2 AND ?3 GROUP BY i.kind",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (kind, sum) = row?;
        match kind.as_str() {
            "service" => by_type.services_cents -= sum,
            "package" | "booking" => by_type.packages_cents -= sum,
            _ => by_type.products_cents -= sum,
        }
    }
    let inventory_value_cents: i64 = conn.query_row(
        "SELECT COALESCE(SUM(stock * cost_cents), 0) FROM products WHERE active = 1 AND stock > 0",
        [],
        |r| r.get(0),
    )?;
    let active_timers: i64 = conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE state IN ('running', 'paused', 'expired')",
        [],
        |r| r.get(0),
    )?;
    let ticket_average_cents = if count > 0 {
        (revenue + count / 2) / count
    } else {
        0
    };
    let (gross_cents, discounts_cents): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(COALESCE(gross_cents, total_cents)), 0), COALESCE(SUM(discount_cents), 0)
         FROM sales WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3",
        params![branch_id, f, t],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Summary {
        from: f,
        to: t,
        revenue_cents: revenue,
        refunds_cents: day_close::refunds(conn, branch_id, from, to)?.1,
        gross_cents,
        discounts_cents,
        sales_count: count,
        ticket_average_cents,
        by_type,
        by_method,
        inventory_value_cents,
        low_stock: products::low_stock(conn)?,
        active_timers,
    })
}
