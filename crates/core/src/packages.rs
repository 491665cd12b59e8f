//! Packages: services and products bundled at one price (e.g. a birthday package).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tax::IvaRate;
use crate::tx::Tx;
use crate::{products, services, validate};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Package {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub active: bool,
    pub items: Vec<PackageItem>,
    pub created_at: String,
    pub updated_at: String,
    /// IVA included in the price: `16` (default), `0` or `exento`.
    #[serde(default)]
    pub iva_rate: IvaRate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PackageItem {
    pub product_id: Option<String>,
    pub service_id: Option<String>,
    pub quantity: i64,
    /// The product's or service's name (read-only).
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PackageItemInput {
    pub product_id: Option<String>,
    pub service_id: Option<String>,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PackageInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub items: Option<Vec<PackageItemInput>>,
    pub iva_rate: Option<IvaRate>,
}

const MAX_ITEMS: usize = 50;

pub fn get(conn: &Connection, id: &str) -> Result<Package> {
    let head = conn
        .query_row(
            "SELECT id, name, description, price_cents, active, created_at, updated_at, iva_rate
             FROM packages WHERE id = ?1",
            [id],
            |r| {
                Ok(Package {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    description: r.get(2)?,
                    price_cents: r.get(3)?,
                    active: r.get(4)?,
                    items: Vec::new(),
                    created_at: clock::to_rfc3339(r.get(5)?),
                    updated_at: clock::to_rfc3339(r.get(6)?),
                    iva_rate: IvaRate::from_db(&r.get::<_, String>(7)?),
                })
            },
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("paquete", id))?;
    Ok(Package {
        items: items(conn, id)?,
        ..head
    })
}

fn items(conn: &Connection, package_id: &str) -> Result<Vec<PackageItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.product_id, i.service_id, i.quantity, COALESCE(p.name, s.name, '')
         FROM package_items i
         LEFT JOIN products p ON p.id = i.product_id
         LEFT JOIN services s ON s.id = i.service_id
         WHERE i.package_id = ?1 ORDER BY i.position",
    )?;
    let rows = stmt.query_map([package_id], |r| {
        Ok(PackageItem {
            product_id: r.get(0)?,
            service_id: r.get(1)?,
            quantity: r.get(2)?,
            name: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn list(conn: &Connection, include_inactive: bool) -> Result<Vec<Package>> {
    let ids: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM packages WHERE (?1 OR active = 1) ORDER BY price_cents, name",
        )?;
        let rows = stmt.query_map([include_inactive], |r| r.get(0))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    ids.iter().map(|id| get(conn, id)).collect()
}

fn check(conn: &Connection, input: &PackageInput) -> Result<()> {
    if let Some(v) = &input.name {
        validate::name("name", v)?;
    }
    if let Some(v) = &input.description {
        validate::text("description", v)?;
    }
    if let Some(v) = input.price_cents {
        validate::amount("price_cents", v)?;
    }
    if let Some(list) = &input.items {
        if list.is_empty() || list.len() > MAX_ITEMS {
            return Err(CoreError::validation(
                "items",
                format!("un paquete lleva de 1 a {MAX_ITEMS} artículos"),
            ));
        }
        for (i, item) in list.iter().enumerate() {
            let field = format!("items[{i}]");
            validate::quantity(&format!("{field}.quantity"), item.quantity)?;
            match (&item.product_id, &item.service_id) {
                (Some(p), None) => {
                    validate::id(&format!("{field}.product_id"), p)?;
                    products::get(conn, p).map_err(|_| {
                        CoreError::validation(
                            format!("{field}.product_id"),
                            "el producto no existe",
                        )
                    })?;
                }
                (None, Some(s)) => {
                    validate::id(&format!("{field}.service_id"), s)?;
                    services::get(conn, s).map_err(|_| {
                        CoreError::validation(
                            format!("{field}.service_id"),
                            "el servicio no existe",
                        )
                    })?;
                }
                _ => {
                    return Err(CoreError::validation(
                        field,
                        "cada artículo lleva product_id o service_id (uno solo)",
                    ))
                }
            }
        }
    }
    Ok(())
}

fn write_items(tx: &Tx<'_>, id: &str, list: &[PackageItemInput]) -> Result<()> {
    tx.conn
        .execute("DELETE FROM package_items WHERE package_id = ?1", [id])?;
    for (pos, item) in list.iter().enumerate() {
        tx.conn.execute(
            "INSERT INTO package_items (package_id, position, product_id, service_id, quantity) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, pos as i64, item.product_id, item.service_id, item.quantity],
        )?;
    }
    Ok(())
}

pub fn create(tx: &Tx<'_>, input: &PackageInput) -> Result<Package> {
    check(tx.conn, input)?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let price = input
        .price_cents
        .ok_or_else(|| CoreError::validation("price_cents", "el precio es obligatorio"))?;
    let list = input
        .items
        .as_ref()
        .ok_or_else(|| CoreError::validation("items", "un paquete lleva de 1 a 50 artículos"))?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO packages (id, name, description, price_cents, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            id,
            name,
            input.description.as_deref().unwrap_or("").trim(),
            price,
            input.active.unwrap_or(true),
            tx.now()
        ],
    )?;
    write_items(tx, &id, list)?;
    crate::tax::set_rate(tx.conn, "packages", &id, input.iva_rate.unwrap_or_default())?;
    let created = get(tx.conn, &id)?;
    tx.event("package.created", "package", &id, &created)?;
    Ok(created)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &PackageInput) -> Result<Package> {
    check(tx.conn, input)?;
    let before = get(tx.conn, id)?;
    crate::overrides::check_local_edit(tx.conn, "package", id, input.price_cents, input.active)?;
    tx.conn.execute(
        "UPDATE packages SET name = ?2, description = ?3, price_cents = ?4, active = ?5, updated_at = ?6 WHERE id = ?1",
        params![
            id,
            input.name.as_deref().map(str::trim).unwrap_or(&before.name),
            input.description.as_deref().map(str::trim).unwrap_or(&before.description),
            input.price_cents.unwrap_or(before.price_cents),
            input.active.unwrap_or(before.active),
            tx.now()
        ],
    )?;
    if let Some(list) = &input.items {
        write_items(tx, id, list)?;
    }
    if let Some(rate) = input.iva_rate {
        crate::tax::set_rate(tx.conn, "packages", id, rate)?;
    }
    let after = get(tx.conn, id)?;
    tx.event("package.updated", "package", id, &after)?;
    Ok(after)
}

pub fn deactivate(tx: &Tx<'_>, id: &str) -> Result<Package> {
    update(
        tx,
        id,
        &PackageInput {
            active: Some(false),
            ..Default::default()
        },
    )
}
