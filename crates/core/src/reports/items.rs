//! What sells (top items of a period, with the previous period beside them) and what is on the
//! shelves (inventory value, low stock, and how many days the stock lasts at the period's pace).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Period, PeriodInfo};
use crate::error::Result;
use crate::sales::ItemKind;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TopItem {
    pub kind: ItemKind,
    pub item_id: String,
    pub name: String,
    pub quantity: i64,
    pub revenue_cents: i64,
    /// Share of the listed kinds' revenue in percent, one decimal.
    pub share_percent: f64,
    pub previous_quantity: i64,
    pub previous_revenue_cents: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopItems {
    pub period: PeriodInfo,
    pub items: Vec<TopItem>,
    /// Revenue of every item of the listed kinds (not only the top ones).
    pub revenue_cents: i64,
}

fn kind_str(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Product => "product",
        ItemKind::Service => "service",
        // The report's rows keep parties with the packages.
        ItemKind::Package | ItemKind::Booking => "package",
    }
}

fn parse_kind(s: &str) -> ItemKind {
    match s {
        "service" => ItemKind::Service,
        "package" => ItemKind::Package,
        _ => ItemKind::Product,
    }
}

type Sold = HashMap<(String, String), (String, i64, i64)>;

/// Quantity and revenue per (kind, item) over the period; `kind` None = all kinds.
fn sold(conn: &Connection, period: &Period, kind: Option<ItemKind>) -> Result<Sold> {
    let (f, t) = period.bounds();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, item_id, MAX(name), SUM(quantity) - SUM(refunded_quantity),
                SUM(revenue_cents) - SUM(refunded_cents) FROM report_items_daily
         WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR kind = ?4)
         GROUP BY kind, item_id",
    )?;
    let mut out = HashMap::new();
    for row in stmt.query_map(params![period.branch_id, f, t, kind.map(kind_str)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })? {
        let (k, id, name, q, rev) = row?;
        out.insert((k, id), (name, q, rev));
    }
    Ok(out)
}

/// The best sellers by revenue (ties: more units, then name), at most `limit`.
pub fn top_items(
    conn: &Connection,
    period: &Period,
    kind: Option<ItemKind>,
    limit: usize,
) -> Result<TopItems> {
    let now = sold(conn, period, kind)?;
    let before = sold(conn, &period.previous(), kind)?;
    let total: i64 = now.values().map(|v| v.2).sum();
    let mut items: Vec<TopItem> = now
        .into_iter()
        .map(|((k, id), (name, quantity, revenue_cents))| {
            let (pq, pr) = before
                .get(&(k.clone(), id.clone()))
                .map(|v| (v.1, v.2))
                .unwrap_or((0, 0));
            TopItem {
                kind: parse_kind(&k),
                item_id: id,
                name,
                quantity,
                revenue_cents,
                share_percent: if total > 0 {
                    (revenue_cents as f64 * 1000.0 / total as f64).round() / 10.0
                } else {
                    0.0
                },
                previous_quantity: pq,
                previous_revenue_cents: pr,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        b.revenue_cents
            .cmp(&a.revenue_cents)
            .then(b.quantity.cmp(&a.quantity))
            .then(a.name.cmp(&b.name))
    });
    items.truncate(limit);
    Ok(TopItems {
        period: period.info(),
        items,
        revenue_cents: total,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InventoryRow {
    pub product_id: String,
    pub name: String,
    pub category: String,
    pub stock: i64,
    pub low_stock_threshold: i64,
    pub cost_cents: i64,
    pub price_cents: i64,
    /// Stock (when positive) × cost.
    pub value_cents: i64,
    pub low: bool,
    /// Units sold in the period (this branch).
    pub sold: i64,
    /// Days the stock lasts at the period's average daily sales; absent when nothing sold.
    pub days_of_cover: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inventory {
    pub period: PeriodInfo,
    /// Stock on hand valued at cost.
    pub value_cents: i64,
    /// Stock on hand valued at sale price.
    pub retail_value_cents: i64,
    pub units: i64,
    pub low_stock_count: i64,
    pub out_of_stock_count: i64,
    /// Active products, low stock first, then by name.
    pub products: Vec<InventoryRow>,
}

pub fn inventory(conn: &Connection, period: &Period) -> Result<Inventory> {
    let sold = sold(conn, period, Some(ItemKind::Product))?;
    // Packages move stock too: count their product units by the package recipe.
    let (f, t) = period.bounds();
    let mut via_packages: HashMap<String, i64> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT pi.product_id, SUM((d.quantity - d.refunded_quantity) * pi.quantity) FROM report_items_daily d
         JOIN package_items pi ON pi.package_id = d.item_id AND pi.product_id IS NOT NULL
         WHERE d.branch_id = ?1 AND d.business_day BETWEEN ?2 AND ?3 AND d.kind = 'package'
         GROUP BY pi.product_id",
    )?;
    for row in stmt.query_map(params![period.branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (id, q) = row?;
        via_packages.insert(id, q);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, category, stock, low_stock_threshold, cost_cents, price_cents
         FROM products WHERE active = 1
         ORDER BY stock <= low_stock_threshold DESC, name",
    )?;
    let days = period.days().max(1) as f64;
    let mut products = Vec::new();
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })? {
        let (product_id, name, category, stock, threshold, cost, price) = row?;
        let units_sold = sold
            .get(&("product".to_string(), product_id.clone()))
            .map(|v| v.1)
            .unwrap_or(0)
            + via_packages.get(&product_id).copied().unwrap_or(0);
        products.push(InventoryRow {
            value_cents: stock.max(0) * cost,
            low: stock <= threshold,
            sold: units_sold,
            days_of_cover: (units_sold > 0)
                .then(|| (stock.max(0) as f64 * days / units_sold as f64 * 10.0).round() / 10.0),
            product_id,
            name,
            category,
            stock,
            low_stock_threshold: threshold,
            cost_cents: cost,
            price_cents: price,
        });
    }
    Ok(Inventory {
        period: period.info(),
        value_cents: products.iter().map(|p| p.value_cents).sum(),
        retail_value_cents: products
            .iter()
            .map(|p| p.stock.max(0) * p.price_cents)
            .sum(),
        units: products.iter().map(|p| p.stock.max(0)).sum(),
        low_stock_count: products.iter().filter(|p| p.low).count() as i64,
        out_of_stock_count: products.iter().filter(|p| p.stock <= 0).count() as i64,
        products,
    })
}
