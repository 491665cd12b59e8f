//! Services: play time sold by duration (e.g. "1 hora de juego"), with a capacity for reports.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tx::Tx;
use crate::validate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub description: String,
    pub duration_minutes: i64,
    pub price_cents: i64,
    /// Children at once (0 = unlimited).
    pub capacity: i64,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ServiceInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i64>,
    pub price_cents: Option<i64>,
    pub capacity: Option<i64>,
    pub active: Option<bool>,
}

/// A whole day: longer play time is certainly a typing mistake.
pub const MAX_DURATION_MINUTES: i64 = 24 * 60;

const COLUMNS: &str = "id, name, description, duration_minutes, price_cents, capacity, active, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        duration_minutes: r.get(3)?,
        price_cents: r.get(4)?,
        capacity: r.get(5)?,
        active: r.get(6)?,
        created_at: clock::to_rfc3339(r.get(7)?),
        updated_at: clock::to_rfc3339(r.get(8)?),
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<Service> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM services WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("servicio", id))
}

pub fn list(conn: &Connection, include_inactive: bool) -> Result<Vec<Service>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM services WHERE (?1 OR active = 1) ORDER BY duration_minutes, name"
    ))?;
    let rows = stmt.query_map([include_inactive], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn check(input: &ServiceInput) -> Result<()> {
    if let Some(v) = &input.name {
        validate::name("name", v)?;
    }
    if let Some(v) = &input.description {
        validate::text("description", v)?;
    }
    if let Some(v) = input.duration_minutes {
        if !(1..=MAX_DURATION_MINUTES).contains(&v) {
            return Err(CoreError::validation(
                "duration_minutes",
                format!("la duración debe estar entre 1 y {MAX_DURATION_MINUTES} minutos"),
            ));
        }
    }
    if let Some(v) = input.price_cents {
        validate::amount("price_cents", v)?;
    }
    if let Some(v) = input.capacity {
        validate::non_negative("capacity", v, 100_000)?;
    }
    Ok(())
}

pub fn create(tx: &Tx<'_>, input: &ServiceInput) -> Result<Service> {
    check(input)?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let duration = input
        .duration_minutes
        .ok_or_else(|| CoreError::validation("duration_minutes", "la duración es obligatoria"))?;
    let price = input
        .price_cents
        .ok_or_else(|| CoreError::validation("price_cents", "el precio es obligatorio"))?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO services (id, name, description, duration_minutes, price_cents, capacity, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            id,
            name,
            input.description.as_deref().unwrap_or("").trim(),
            duration,
            price,
            input.capacity.unwrap_or(0),
            input.active.unwrap_or(true),
            tx.now()
        ],
    )?;
    let created = get(tx.conn, &id)?;
    tx.event("service.created", "service", &id, &created)?;
    Ok(created)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &ServiceInput) -> Result<Service> {
    check(input)?;
    let before = get(tx.conn, id)?;
    tx.conn.execute(
        "UPDATE services SET name = ?2, description = ?3, duration_minutes = ?4, price_cents = ?5,
                capacity = ?6, active = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            id,
            input.name.as_deref().map(str::trim).unwrap_or(&before.name),
            input
                .description
                .as_deref()
                .map(str::trim)
                .unwrap_or(&before.description),
            input.duration_minutes.unwrap_or(before.duration_minutes),
            input.price_cents.unwrap_or(before.price_cents),
            input.capacity.unwrap_or(before.capacity),
            input.active.unwrap_or(before.active),
            tx.now()
        ],
    )?;
    let after = get(tx.conn, id)?;
    tx.event("service.updated", "service", id, &after)?;
    Ok(after)
}

pub fn deactivate(tx: &Tx<'_>, id: &str) -> Result<Service> {
    update(
        tx,
        id,
        &ServiceInput {
            active: Some(false),
            ..Default::default()
        },
    )
}
