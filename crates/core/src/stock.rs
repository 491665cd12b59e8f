//! The stock ledger: every unit in or out is a movement row; a product's `stock` column is the
//! running sum, updated in the same transaction.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::products::{self, Product, MAX_STOCK};
use crate::tx::Tx;
use crate::validate;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockMovement {
    pub id: String,
    pub product_id: String,
    pub delta: i64,
    pub stock_after: i64,
    pub reason: String,
    pub sale_id: Option<String>,
    pub user_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StockAdjustment {
    /// Units added (positive) or removed (negative).
    pub delta: i64,
    /// Why: "compra", "merma", "conteo físico"…
    pub reason: String,
}

/// What a movement did to the product, so the caller can tell the live feed.
#[derive(Debug, Clone)]
pub struct StockChange {
    pub product: Product,
    /// True when this movement took the product from above its threshold to at or below it.
    pub crossed_low: bool,
}

/// Applies a movement. Refuses to go below zero unless the branch allows negative stock.
pub fn record(
    tx: &Tx<'_>,
    product_id: &str,
    delta: i64,
    reason: &str,
    sale_id: Option<&str>,
) -> Result<StockChange> {
    let before = products::get(tx.conn, product_id)?;
    // Range checks, not `abs()`: `i64::MIN.abs()` overflows (a panic in debug builds, a negative
    // "absolute value" that passes the bound in release ones).
    let after = before
        .stock
        .checked_add(delta)
        .filter(|s| (-MAX_STOCK..=MAX_STOCK).contains(s))
        .ok_or_else(|| {
            CoreError::validation("delta", "el inventario resultante es demasiado grande")
        })?;
    if after < 0 && !allows_negative(tx.conn, tx.branch_id())? {
        return Err(CoreError::InsufficientStock {
            field: "quantity".into(),
            message: format!(
                "no hay suficiente inventario de «{}»: quedan {}, se piden {}",
                before.name,
                before.stock,
                delta.unsigned_abs()
            ),
        });
    }
    tx.conn.execute(
        "UPDATE products SET stock = ?2, updated_at = ?3 WHERE id = ?1",
        params![product_id, after, tx.now()],
    )?;
    let movement_id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO stock_movements (id, product_id, delta, stock_after, reason, sale_id, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![movement_id, product_id, delta, after, reason, sale_id, tx.actor().user_id, tx.now()],
    )?;
    let product = products::get(tx.conn, product_id)?;
    let crossed_low = !before.low_stock && product.low_stock;
    tx.event(
        "stock.moved",
        "product",
        product_id,
        &serde_json::json!({
            "movement_id": movement_id, "delta": delta, "stock_after": after,
            "reason": reason, "sale_id": sale_id, "crossed_low": crossed_low,
        }),
    )?;
    Ok(StockChange {
        product,
        crossed_low,
    })
}

/// An admin's adjustment (purchase, shrinkage, physical count).
pub fn adjust(tx: &Tx<'_>, product_id: &str, adj: &StockAdjustment) -> Result<StockChange> {
    if adj.delta == 0 || !(-MAX_STOCK..=MAX_STOCK).contains(&adj.delta) {
        return Err(CoreError::validation(
            "delta",
            format!("el ajuste debe ser distinto de cero y de a lo más {MAX_STOCK} unidades"),
        ));
    }
    let reason = validate::name("reason", &adj.reason)?;
    record(tx, product_id, adj.delta, &reason, None)
}

fn allows_negative(conn: &Connection, branch_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT allow_negative_stock FROM branches WHERE id = ?1",
        [branch_id],
        |r| r.get(0),
    )?)
}

pub fn movements(conn: &Connection, product_id: &str, limit: i64) -> Result<Vec<StockMovement>> {
    products::get(conn, product_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, product_id, delta, stock_after, reason, sale_id, user_id, created_at
         FROM stock_movements WHERE product_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![product_id, limit], |r| {
        Ok(StockMovement {
            id: r.get(0)?,
            product_id: r.get(1)?,
            delta: r.get(2)?,
            stock_after: r.get(3)?,
            reason: r.get(4)?,
            sale_id: r.get(5)?,
            user_id: r.get(6)?,
            created_at: clock::to_rfc3339(r.get(7)?),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// True when every product's stock equals the sum of its movements (the ledger is the truth).
pub fn ledger_balances(conn: &Connection) -> Result<bool> {
    let mismatches: i64 = conn.query_row(
        "SELECT COUNT(*) FROM products p
         WHERE p.stock <> COALESCE((SELECT SUM(delta) FROM stock_movements m WHERE m.product_id = p.id), 0)",
        [],
        |r| r.get(0),
    )?;
    Ok(mismatches == 0)
}
