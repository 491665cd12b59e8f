//! Writing a remote catalogue record into the current-state tables. The payload is the whole
//! record as its author saw it after the edit (record-level last-writer-wins), checked with the
//! same rules as a local edit. A product's stock is never taken from a remote record: stock is
//! counted per branch, through its own ledger.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;

use crate::clock::Millis;
use crate::error::{CoreError, Result};
use crate::products::MAX_STOCK;
use crate::services::MAX_DURATION_MINUTES;
use crate::validate;

fn parse<T: for<'de> Deserialize<'de>>(payload: &serde_json::Value) -> Result<T> {
    T::deserialize(payload)
        .map_err(|e| CoreError::validation("payload", format!("registro remoto inválido: {e}")))
}

fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
struct RemoteProduct {
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    price_cents: i64,
    #[serde(default)]
    cost_cents: i64,
    #[serde(default)]
    low_stock_threshold: i64,
    #[serde(default)]
    barcode: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default = "default_true")]
    active: bool,
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Upserts a product; answers its image URL when it has one, for the image cache.
pub(super) fn product(
    conn: &Connection,
    id: &str,
    payload: &serde_json::Value,
    at: Millis,
) -> Result<Option<String>> {
    let p: RemoteProduct = parse(payload)?;
    let name = validate::name("name", &p.name)?;
    let category = validate::short("category", &p.category)?;
    let description = validate::text("description", &p.description)?;
    validate::amount("price_cents", p.price_cents)?;
    validate::amount("cost_cents", p.cost_cents)?;
    validate::non_negative("low_stock_threshold", p.low_stock_threshold, MAX_STOCK)?;
    let image_url = nonempty(p.image_url);
    // A barcode already used here by another product stays with that one: the remote record
    // is applied without it rather than refused whole.
    let mut barcode = nonempty(p.barcode);
    if let Some(code) = &barcode {
        let taken: Option<String> = conn
            .query_row(
                "SELECT id FROM products WHERE barcode = ?1 AND id <> ?2",
                params![code, id],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            barcode = None;
        }
    }
    let changed = conn.execute(
        "UPDATE products SET name = ?2, category = ?3, description = ?4, price_cents = ?5, cost_cents = ?6,
                low_stock_threshold = ?7, barcode = ?8, image_url = ?9, active = ?10, updated_at = ?11
         WHERE id = ?1",
        params![
            id,
            name,
            category,
            description,
            p.price_cents,
            p.cost_cents,
            p.low_stock_threshold,
            barcode,
            image_url,
            p.active,
            at
        ],
    )?;
    if changed == 0 {
        conn.execute(
            "INSERT INTO products (id, name, category, description, price_cents, cost_cents, stock,
                                   low_stock_threshold, barcode, image_url, active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                id,
                name,
                category,
                description,
                p.price_cents,
                p.cost_cents,
                p.low_stock_threshold,
                barcode,
                image_url,
                p.active,
                at
            ],
        )?;
    }
    Ok(image_url)
}

#[derive(Deserialize)]
struct RemoteService {
    name: String,
    #[serde(default)]
    description: String,
    duration_minutes: i64,
    price_cents: i64,
    #[serde(default)]
    capacity: i64,
    #[serde(default = "default_true")]
    active: bool,
}

pub(super) fn service(
    conn: &Connection,
    id: &str,
    payload: &serde_json::Value,
    at: Millis,
) -> Result<()> {
    let s: RemoteService = parse(payload)?;
    let name = validate::name("name", &s.name)?;
    let description = validate::text("description", &s.description)?;
    if !(1..=MAX_DURATION_MINUTES).contains(&s.duration_minutes) {
        return Err(CoreError::validation(
            "duration_minutes",
            "duración fuera de rango",
        ));
    }
    validate::amount("price_cents", s.price_cents)?;
    validate::non_negative("capacity", s.capacity, 100_000)?;
    conn.execute(
        "INSERT INTO services (id, name, description, duration_minutes, price_cents, capacity, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
            duration_minutes = excluded.duration_minutes, price_cents = excluded.price_cents,
            capacity = excluded.capacity, active = excluded.active, updated_at = excluded.updated_at",
        params![id, name, description, s.duration_minutes, s.price_cents, s.capacity, s.active, at],
    )?;
    Ok(())
}

#[derive(Deserialize)]
struct RemotePackageItem {
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default)]
    service_id: Option<String>,
    quantity: i64,
}

#[derive(Deserialize)]
struct RemotePackage {
    name: String,
    #[serde(default)]
    description: String,
    price_cents: i64,
    #[serde(default = "default_true")]
    active: bool,
    #[serde(default)]
    items: Vec<RemotePackageItem>,
}

pub(super) fn package(
    conn: &Connection,
    id: &str,
    payload: &serde_json::Value,
    at: Millis,
) -> Result<()> {
    let p: RemotePackage = parse(payload)?;
    let name = validate::name("name", &p.name)?;
    let description = validate::text("description", &p.description)?;
    validate::amount("price_cents", p.price_cents)?;
    if p.items.is_empty() || p.items.len() > 50 {
        return Err(CoreError::validation(
            "items",
            "un paquete lleva de 1 a 50 artículos",
        ));
    }
    conn.execute(
        "INSERT INTO packages (id, name, description, price_cents, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
            price_cents = excluded.price_cents, active = excluded.active, updated_at = excluded.updated_at",
        params![id, name, description, p.price_cents, p.active, at],
    )?;
    conn.execute("DELETE FROM package_items WHERE package_id = ?1", [id])?;
    for (pos, item) in p.items.iter().enumerate() {
        validate::quantity(&format!("items[{pos}].quantity"), item.quantity)?;
        // A reference this store does not know fails the foreign key and refuses the event.
        conn.execute(
            "INSERT INTO package_items (package_id, position, product_id, service_id, quantity) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, pos as i64, item.product_id, item.service_id, item.quantity],
        )?;
    }
    Ok(())
}
