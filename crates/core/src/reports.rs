//! Summary figures for a range of business days: what an owner checks first.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use crate::day_close::ByMethod;
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
    pub revenue_cents: i64,
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
    let (count, revenue, change): (i64, i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(total_cents), 0), COALESCE(SUM(change_cents), 0)
         FROM sales WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3",
        params![branch_id, f, t],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
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
            "service" => by_type.services_cents = sum,
            "package" => by_type.packages_cents = sum,
            _ => by_type.products_cents = sum,
        }
    }
    let mut by_method = ByMethod::default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
         WHERE s.branch_id = ?1 AND s.business_day BETWEEN ?2 AND ?3 GROUP BY p.method",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (method, sum) = row?;
        match method.as_str() {
            "cash" => by_method.cash_cents = sum - change,
            "card" => by_method.card_cents = sum,
            _ => by_method.transfer_cents = sum,
        }
    }
    if by_method.cash_cents == 0 && change != 0 {
        by_method.cash_cents = -change;
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
    Ok(Summary {
        from: f,
        to: t,
        revenue_cents: revenue,
        sales_count: count,
        ticket_average_cents,
        by_type,
        by_method,
        inventory_value_cents,
        low_stock: products::low_stock(conn)?,
        active_timers,
    })
}
