//! The report sums (migration 0004): per branch, business day and local hour, and per item per
//! day. A sale adds its share inside its own transaction ([`add_sale`]); [`rebuild`] recomputes
//! everything from the raw rows (stores that had sales before the sums existed, and tests that
//! prove the two agree). Sales are never edited: a refund is a record of its own, added to the
//! refund columns of the day and hour it was made ([`add_refund`]), so adding is all either needs.

use std::collections::BTreeMap;

use chrono::Timelike;
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// One sale's (or many sales') share of one hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct HourSums {
    sales: i64,
    revenue: i64,
    services: i64,
    products: i64,
    packages: i64,
    cash: i64,
    card: i64,
    transfer: i64,
    change: i64,
    gross: i64,
    discounts: i64,
}

impl HourSums {
    fn add(&mut self, o: &HourSums) {
        self.sales += o.sales;
        self.gross += o.gross;
        self.discounts += o.discounts;
        self.revenue += o.revenue;
        self.services += o.services;
        self.products += o.products;
        self.packages += o.packages;
        self.cash += o.cash;
        self.card += o.card;
        self.transfer += o.transfer;
        self.change += o.change;
    }
}

fn local_hour(ms: i64, tz: Tz) -> i64 {
    use chrono::TimeZone;
    match chrono::Utc.timestamp_millis_opt(ms).single() {
        Some(t) => i64::from(t.with_timezone(&tz).hour()),
        None => 0,
    }
}

/// Each sale of `branch_id` (only `sale_id` when given) with its sums by kind and method.
fn sale_sums(
    conn: &Connection,
    branch_id: &str,
    sale_id: Option<&str>,
    tz: Tz,
) -> Result<BTreeMap<(String, i64), HourSums>> {
    // Two statements rather than `?2 IS NULL OR s.id = ?2`, which would make SQLite scan every
    // sale for each new one.
    let filter = match sale_id {
        Some(_) => "s.id = ?2",
        None => "s.branch_id = ?1 AND ?2 IS NULL",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.business_day, s.created_at, s.total_cents, s.change_cents,
           (SELECT COALESCE(SUM(CASE WHEN kind = 'service' THEN total_cents END), 0) FROM sale_items WHERE sale_id = s.id),
           (SELECT COALESCE(SUM(CASE WHEN kind = 'product' THEN total_cents END), 0) FROM sale_items WHERE sale_id = s.id),
           (SELECT COALESCE(SUM(CASE WHEN kind IN ('package', 'booking') THEN total_cents END), 0) FROM sale_items WHERE sale_id = s.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'cash' THEN amount_cents END), 0) FROM sale_payments WHERE sale_id = s.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'card' THEN amount_cents END), 0) FROM sale_payments WHERE sale_id = s.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'transfer' THEN amount_cents END), 0) FROM sale_payments WHERE sale_id = s.id),
           COALESCE(s.gross_cents, s.total_cents), s.discount_cents
         FROM sales s WHERE s.branch_id = ?1 AND {filter}"
    ))?;
    let mut out: BTreeMap<(String, i64), HourSums> = BTreeMap::new();
    let rows = stmt.query_map(params![branch_id, sale_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            HourSums {
                sales: 1,
                revenue: r.get(2)?,
                change: r.get(3)?,
                services: r.get(4)?,
                products: r.get(5)?,
                packages: r.get(6)?,
                cash: r.get(7)?,
                card: r.get(8)?,
                transfer: r.get(9)?,
                gross: r.get(10)?,
                discounts: r.get(11)?,
            },
        ))
    })?;
    for row in rows {
        let (day, at, sums) = row?;
        out.entry((day, local_hour(at, tz))).or_default().add(&sums);
    }
    Ok(out)
}

fn add_hours(
    conn: &Connection,
    branch_id: &str,
    sums: &BTreeMap<(String, i64), HourSums>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO report_hourly (branch_id, business_day, hour, sales_count, revenue_cents,
             services_cents, products_cents, packages_cents, cash_cents, card_cents, transfer_cents, change_cents,
             gross_cents, discounts_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (branch_id, business_day, hour) DO UPDATE SET
             sales_count = sales_count + excluded.sales_count,
             gross_cents = gross_cents + excluded.gross_cents,
             discounts_cents = discounts_cents + excluded.discounts_cents,
             revenue_cents = revenue_cents + excluded.revenue_cents,
             services_cents = services_cents + excluded.services_cents,
             products_cents = products_cents + excluded.products_cents,
             packages_cents = packages_cents + excluded.packages_cents,
             cash_cents = cash_cents + excluded.cash_cents,
             card_cents = card_cents + excluded.card_cents,
             transfer_cents = transfer_cents + excluded.transfer_cents,
             change_cents = change_cents + excluded.change_cents",
    )?;
    for ((day, hour), s) in sums {
        stmt.execute(params![
            branch_id,
            day,
            hour,
            s.sales,
            s.revenue,
            s.services,
            s.products,
            s.packages,
            s.cash,
            s.card,
            s.transfer,
            s.change,
            s.gross,
            s.discounts
        ])?;
    }
    Ok(())
}

fn add_items(conn: &Connection, branch_id: &str, sale_id: Option<&str>) -> Result<()> {
    let filter = match sale_id {
        Some(_) => "s.id = ?2",
        None => "?2 IS NULL",
    };
    conn.prepare_cached(&format!(
        "INSERT INTO report_items_daily (branch_id, business_day, kind, item_id, name, quantity, revenue_cents)
         SELECT s.branch_id, s.business_day, CASE WHEN i.kind = 'booking' THEN 'package' ELSE i.kind END, CASE WHEN i.kind = 'booking' THEN 'parties' WHEN i.extra IS NULL THEN COALESCE(i.product_id, i.service_id, i.package_id) ELSE 'extra-time' END,
                MAX(CASE WHEN i.kind = 'booking' THEN 'Fiestas' WHEN i.extra IS NULL THEN i.name ELSE 'Tiempo extra' END), SUM(i.quantity), SUM(i.total_cents)
         FROM sales s JOIN sale_items i ON i.sale_id = s.id
         WHERE s.branch_id = ?1 AND {filter}
         GROUP BY s.branch_id, s.business_day, CASE WHEN i.kind = 'booking' THEN 'package' ELSE i.kind END, CASE WHEN i.kind = 'booking' THEN 'parties' WHEN i.extra IS NULL THEN COALESCE(i.product_id, i.service_id, i.package_id) ELSE 'extra-time' END
         ON CONFLICT (branch_id, business_day, kind, item_id) DO UPDATE SET
             name = excluded.name,
             quantity = quantity + excluded.quantity,
             revenue_cents = revenue_cents + excluded.revenue_cents"
    ))?
    .execute(params![branch_id, sale_id])?;
    Ok(())
}

/// Adds one just-written sale to the sums; call inside the sale's transaction.
pub fn add_sale(conn: &Connection, branch_id: &str, sale_id: &str) -> Result<()> {
    let tz = crate::branches::timezone(conn, branch_id)?;
    add_hours(
        conn,
        branch_id,
        &sale_sums(conn, branch_id, Some(sale_id), tz)?,
    )?;
    add_items(conn, branch_id, Some(sale_id))
}

/// Adds refunds (one, or all of the branch's) to the sums of the day and hour they were made.
fn add_refunds(conn: &Connection, branch_id: &str, refund_id: Option<&str>, tz: Tz) -> Result<()> {
    let filter = match refund_id {
        Some(_) => "r.id = ?2",
        None => "r.branch_id = ?1 AND ?2 IS NULL",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.business_day, r.created_at, r.total_cents,
           (SELECT COALESCE(SUM(CASE WHEN si.kind = 'service' THEN ri.total_cents END), 0)
              FROM refund_items ri JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
              WHERE ri.refund_id = r.id),
           (SELECT COALESCE(SUM(CASE WHEN si.kind = 'product' THEN ri.total_cents END), 0)
              FROM refund_items ri JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
              WHERE ri.refund_id = r.id),
           (SELECT COALESCE(SUM(CASE WHEN si.kind IN ('package', 'booking') THEN ri.total_cents END), 0)
              FROM refund_items ri JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
              WHERE ri.refund_id = r.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'cash' THEN amount_cents END), 0) FROM refund_payments WHERE refund_id = r.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'card' THEN amount_cents END), 0) FROM refund_payments WHERE refund_id = r.id),
           (SELECT COALESCE(SUM(CASE WHEN method = 'transfer' THEN amount_cents END), 0) FROM refund_payments WHERE refund_id = r.id)
         FROM refunds r WHERE r.branch_id = ?1 AND {filter}"
    ))?;
    let rows = stmt
        .query_map(params![branch_id, refund_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                [
                    r.get::<_, i64>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ],
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut hourly = conn.prepare_cached(
        "INSERT INTO report_hourly (branch_id, business_day, hour, sales_count, revenue_cents,
             services_cents, products_cents, packages_cents, cash_cents, card_cents, transfer_cents, change_cents,
             refunds_count, refunds_cents, refund_services_cents, refund_products_cents,
             refund_packages_cents, refund_cash_cents, refund_card_cents, refund_transfer_cents)
         VALUES (?1, ?2, ?3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (branch_id, business_day, hour) DO UPDATE SET
             refunds_count = refunds_count + 1,
             refunds_cents = refunds_cents + excluded.refunds_cents,
             refund_services_cents = refund_services_cents + excluded.refund_services_cents,
             refund_products_cents = refund_products_cents + excluded.refund_products_cents,
             refund_packages_cents = refund_packages_cents + excluded.refund_packages_cents,
             refund_cash_cents = refund_cash_cents + excluded.refund_cash_cents,
             refund_card_cents = refund_card_cents + excluded.refund_card_cents,
             refund_transfer_cents = refund_transfer_cents + excluded.refund_transfer_cents",
    )?;
    for (day, at, c) in rows {
        hourly.execute(params![
            branch_id,
            day,
            local_hour(at, tz),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6]
        ])?;
    }
    conn.prepare_cached(&format!(
        "INSERT INTO report_items_daily (branch_id, business_day, kind, item_id, name, quantity,
                                         revenue_cents, refunded_quantity, refunded_cents)
         SELECT r.branch_id, r.business_day, CASE WHEN si.kind = 'booking' THEN 'package' ELSE si.kind END, CASE WHEN si.kind = 'booking' THEN 'parties' WHEN si.extra IS NULL THEN COALESCE(si.product_id, si.service_id, si.package_id) ELSE 'extra-time' END,
                MAX(CASE WHEN si.kind = 'booking' THEN 'Fiestas' WHEN si.extra IS NULL THEN si.name ELSE 'Tiempo extra' END), 0, 0, SUM(ri.quantity), SUM(ri.total_cents)
         FROM refunds r JOIN refund_items ri ON ri.refund_id = r.id
         JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
         WHERE r.branch_id = ?1 AND {filter}
         GROUP BY r.branch_id, r.business_day, CASE WHEN si.kind = 'booking' THEN 'package' ELSE si.kind END, CASE WHEN si.kind = 'booking' THEN 'parties' WHEN si.extra IS NULL THEN COALESCE(si.product_id, si.service_id, si.package_id) ELSE 'extra-time' END
         ON CONFLICT (branch_id, business_day, kind, item_id) DO UPDATE SET
             refunded_quantity = refunded_quantity + excluded.refunded_quantity,
             refunded_cents = refunded_cents + excluded.refunded_cents"
    ))?
    .execute(params![branch_id, refund_id])?;
    Ok(())
}

/// Adds one just-written refund to the sums; call inside the refund's transaction.
pub fn add_refund(conn: &Connection, branch_id: &str, refund_id: &str) -> Result<()> {
    let tz = crate::branches::timezone(conn, branch_id)?;
    add_refunds(conn, branch_id, Some(refund_id), tz)
}

/// Recomputes every branch's sums from the raw sales.
pub fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM report_hourly", [])?;
    conn.execute("DELETE FROM report_items_daily", [])?;
    let branches: Vec<String> = conn
        .prepare("SELECT DISTINCT branch_id FROM sales")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for b in branches {
        let tz = crate::branches::timezone(conn, &b)?;
        add_hours(conn, &b, &sale_sums(conn, &b, None, tz)?)?;
        add_items(conn, &b, None)?;
        add_refunds(conn, &b, None, tz)?;
    }
    Ok(())
}

/// At start: sums stores whose sales predate the sums (see migration 0004), once.
pub fn rebuild_if_stale(conn: &Connection) -> Result<bool> {
    let state: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'report_rollup'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if state.as_deref() != Some("stale") {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = rebuild(conn).and_then(|_| {
        conn.execute(
            "UPDATE meta SET value = 'built' WHERE key = 'report_rollup'",
            [],
        )?;
        Ok(())
    });
    match done {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "report sums built from the existing sales"
            );
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(true)
}
