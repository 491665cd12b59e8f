//! Products sold at reception and the kid bar: price, cost, stock and its low-stock alert.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::stock;
use crate::tax::IvaRate;
use crate::tx::Tx;
use crate::validate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub price_cents: i64,
    pub cost_cents: i64,
    pub stock: i64,
    pub low_stock_threshold: i64,
    pub barcode: Option<String>,
    pub image_url: Option<String>,
    pub active: bool,
    /// True when stock is at or below the threshold.
    pub low_stock: bool,
    pub created_at: String,
    pub updated_at: String,
    /// IVA included in the price: `16` (default), `0` or `exento`.
    #[serde(default)]
    pub iva_rate: IvaRate,
}

/// Fields to create a product, or to change some of them (absent = unchanged; an empty
/// `barcode` or `image_url` clears it). `stock` sets the opening stock on create only: later
/// changes go through stock adjustments so the ledger explains every unit.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProductInput {
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub cost_cents: Option<i64>,
    pub stock: Option<i64>,
    pub low_stock_threshold: Option<i64>,
    pub barcode: Option<String>,
    pub image_url: Option<String>,
    pub active: Option<bool>,
    pub iva_rate: Option<IvaRate>,
}

pub const MAX_STOCK: i64 = 1_000_000;

pub(crate) const COLUMNS: &str =
    "id, name, category, description, price_cents, cost_cents, stock, \
     low_stock_threshold, barcode, image_url, active, created_at, updated_at, iva_rate";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    let stock: i64 = r.get(6)?;
    let threshold: i64 = r.get(7)?;
    Ok(Product {
        id: r.get(0)?,
        name: r.get(1)?,
        category: r.get(2)?,
        description: r.get(3)?,
        price_cents: r.get(4)?,
        cost_cents: r.get(5)?,
        stock,
        low_stock_threshold: threshold,
        barcode: r.get(8)?,
        image_url: r.get(9)?,
        active: r.get(10)?,
        low_stock: stock <= threshold,
        created_at: clock::to_rfc3339(r.get(11)?),
        updated_at: clock::to_rfc3339(r.get(12)?),
        iva_rate: IvaRate::from_db(&r.get::<_, String>(13)?),
    })
}

/// Whether any product (active or not) shows the picture at `url`.
pub fn uses_image_url(conn: &Connection, url: &str) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM products WHERE image_url = ?1",
        [url],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn get(conn: &Connection, id: &str) -> Result<Product> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM products WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("producto", id))
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub query: Option<String>,
    pub category: Option<String>,
    pub include_inactive: bool,
}

pub fn list(conn: &Connection, f: &ProductFilter) -> Result<Vec<Product>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM products
         WHERE (?1 OR active = 1)
           AND (?2 IS NULL OR category = ?2)
           AND (?3 IS NULL OR name LIKE '%' || ?3 || '%' ESCAPE '\\' OR barcode = ?4)
         ORDER BY category, name"
    ))?;
    let like = f.query.as_deref().map(escape_like);
    let rows = stmt.query_map(
        params![f.include_inactive, f.category, like, f.query],
        from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn low_stock(conn: &Connection) -> Result<Vec<Product>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM products WHERE active = 1 AND stock <= low_stock_threshold ORDER BY stock, name"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn optional_text(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => Err(CoreError::validation(
            field,
            format!("es demasiado largo (máximo {max} caracteres)"),
        )),
        Some(s) if s.chars().any(char::is_control) => Err(CoreError::validation(
            field,
            "contiene caracteres no permitidos",
        )),
        Some(s) => Ok(Some(s.to_string())),
    }
}

fn check(input: &ProductInput) -> Result<()> {
    if let Some(v) = &input.name {
        validate::name("name", v)?;
    }
    if let Some(v) = &input.category {
        validate::short("category", v)?;
    }
    if let Some(v) = &input.description {
        validate::text("description", v)?;
    }
    if let Some(v) = input.price_cents {
        validate::amount("price_cents", v)?;
    }
    if let Some(v) = input.cost_cents {
        validate::amount("cost_cents", v)?;
    }
    if let Some(v) = input.low_stock_threshold {
        validate::non_negative("low_stock_threshold", v, MAX_STOCK)?;
    }
    optional_text("barcode", input.barcode.as_deref(), 64)?;
    optional_text("image_url", input.image_url.as_deref(), 1_000)?;
    Ok(())
}

fn barcode_taken(conn: &Connection, barcode: Option<&str>, except: &str) -> Result<()> {
    let Some(code) = barcode else { return Ok(()) };
    let other: Option<String> = conn
        .query_row(
            "SELECT name FROM products WHERE barcode = ?1 AND id <> ?2",
            params![code, except],
            |r| r.get(0),
        )
        .optional()?;
    match other {
        Some(name) => Err(CoreError::Conflict {
            code: "conflict",
            message: format!("el código de barras {code} ya es de «{name}»"),
            field: Some("barcode".into()),
        }),
        None => Ok(()),
    }
}

pub fn create(tx: &Tx<'_>, input: &ProductInput) -> Result<Product> {
    check(input)?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let price = input
        .price_cents
        .ok_or_else(|| CoreError::validation("price_cents", "el precio es obligatorio"))?;
    let opening = validate::non_negative("stock", input.stock.unwrap_or(0), MAX_STOCK)?;
    let barcode = optional_text("barcode", input.barcode.as_deref(), 64)?;
    barcode_taken(tx.conn, barcode.as_deref(), "")?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO products (id, name, category, description, price_cents, cost_cents, stock,
                               low_stock_threshold, barcode, image_url, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            id,
            name,
            input.category.as_deref().unwrap_or("").trim(),
            input.description.as_deref().unwrap_or("").trim(),
            price,
            input.cost_cents.unwrap_or(0),
            input.low_stock_threshold.unwrap_or(0),
            barcode,
            optional_text("image_url", input.image_url.as_deref(), 1_000)?,
            input.active.unwrap_or(true),
            tx.now()
        ],
    )?;
    crate::tax::set_rate(tx.conn, "products", &id, input.iva_rate.unwrap_or_default())?;
    let created = get(tx.conn, &id)?;
    tx.event("product.created", "product", &id, &created)?;
    if opening != 0 {
        stock::record(tx, &id, opening, "opening", None)?;
    }
    get(tx.conn, &id)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &ProductInput) -> Result<Product> {
    check(input)?;
    if input.stock.is_some() {
        return Err(CoreError::validation(
            "stock",
            "el inventario se cambia con un ajuste de inventario, no editando el producto",
        ));
    }
    let before = get(tx.conn, id)?;
    crate::overrides::check_local_edit(tx.conn, "product", id, input.price_cents, input.active)?;
    let barcode = match &input.barcode {
        Some(b) => optional_text("barcode", Some(b), 64)?,
        None => before.barcode.clone(),
    };
    barcode_taken(tx.conn, barcode.as_deref(), id)?;
    let image_url = match &input.image_url {
        Some(u) => optional_text("image_url", Some(u), 1_000)?,
        None => before.image_url.clone(),
    };
    tx.conn.execute(
        "UPDATE products SET name = ?2, category = ?3, description = ?4, price_cents = ?5, cost_cents = ?6,
                low_stock_threshold = ?7, barcode = ?8, image_url = ?9, active = ?10, updated_at = ?11
         WHERE id = ?1",
        params![
            id,
            input.name.as_deref().map(str::trim).unwrap_or(&before.name),
            input.category.as_deref().map(str::trim).unwrap_or(&before.category),
            input.description.as_deref().map(str::trim).unwrap_or(&before.description),
            input.price_cents.unwrap_or(before.price_cents),
            input.cost_cents.unwrap_or(before.cost_cents),
            input.low_stock_threshold.unwrap_or(before.low_stock_threshold),
            barcode,
            image_url,
            input.active.unwrap_or(before.active),
            tx.now()
        ],
    )?;
    if let Some(rate) = input.iva_rate {
        crate::tax::set_rate(tx.conn, "products", id, rate)?;
    }
    let after = get(tx.conn, id)?;
    tx.event("product.updated", "product", id, &after)?;
    Ok(after)
}

/// Products are deactivated, never deleted: past sales and the ledger keep pointing at them.
pub fn deactivate(tx: &Tx<'_>, id: &str) -> Result<Product> {
    update(
        tx,
        id,
        &ProductInput {
            active: Some(false),
            ..Default::default()
        },
    )
}
