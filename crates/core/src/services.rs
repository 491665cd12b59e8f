//! Services: play time sold by duration (e.g. "1 hora de juego"), with a capacity for reports.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tax::IvaRate;
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
    /// Extra time (extensions and overtime) is sold in blocks of this many minutes; 0: this
    /// service sells no extra time.
    pub extra_block_minutes: i64,
    /// The price of one block of extra time.
    pub extra_block_price_cents: i64,
    /// Overtime up to this many minutes is not charged.
    pub grace_minutes: i64,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    /// IVA included in the price (and in its extra time): `16` (default), `0` or `exento`.
    #[serde(default)]
    pub iva_rate: IvaRate,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ServiceInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i64>,
    pub price_cents: Option<i64>,
    pub capacity: Option<i64>,
    pub extra_block_minutes: Option<i64>,
    pub extra_block_price_cents: Option<i64>,
    pub grace_minutes: Option<i64>,
    pub active: Option<bool>,
    pub iva_rate: Option<IvaRate>,
}

/// A whole day: longer play time is certainly a typing mistake.
pub const MAX_DURATION_MINUTES: i64 = 24 * 60;
pub const MAX_EXTRA_BLOCK_MINUTES: i64 = 12 * 60;
pub const MAX_GRACE_MINUTES: i64 = 120;

const COLUMNS: &str =
    "id, name, description, duration_minutes, price_cents, capacity, active, created_at, \
     updated_at, extra_block_minutes, extra_block_price_cents, grace_minutes, iva_rate";

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
        extra_block_minutes: r.get(9)?,
        extra_block_price_cents: r.get(10)?,
        grace_minutes: r.get(11)?,
        iva_rate: IvaRate::from_db(&r.get::<_, String>(12)?),
    })
}

/// A length as people say it: 480 → "8 h", 90 → "1 h 30 min", 30 → "30 min".
pub fn spoken_length(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
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
    if let Some(v) = input.extra_block_minutes {
        validate::non_negative("extra_block_minutes", v, MAX_EXTRA_BLOCK_MINUTES)?;
    }
    if let Some(v) = input.extra_block_price_cents {
        validate::amount("extra_block_price_cents", v)?;
    }
    if let Some(v) = input.grace_minutes {
        validate::non_negative("grace_minutes", v, MAX_GRACE_MINUTES)?;
    }
    Ok(())
}

/// A block of extra time sold for a price of 0 would give time away unseen: a service either
/// prices its blocks or sells none.
fn check_extra(block_minutes: i64, block_price_cents: i64) -> Result<()> {
    if block_minutes > 0 && block_price_cents == 0 {
        return Err(CoreError::validation(
            "extra_block_price_cents",
            "el tiempo extra necesita un precio (o bloques de 0 minutos para no venderlo)",
        ));
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
    let block = input.extra_block_minutes.unwrap_or(0);
    let block_price = input.extra_block_price_cents.unwrap_or(0);
    check_extra(block, block_price)?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO services (id, name, description, duration_minutes, price_cents, capacity, active, created_at, updated_at,
                              extra_block_minutes, extra_block_price_cents, grace_minutes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
        params![
            id,
            name,
            input.description.as_deref().unwrap_or("").trim(),
            duration,
            price,
            input.capacity.unwrap_or(0),
            input.active.unwrap_or(true),
            tx.now(),
            block,
            block_price,
            input.grace_minutes.unwrap_or(0)
        ],
    )?;
    crate::tax::set_rate(tx.conn, "services", &id, input.iva_rate.unwrap_or_default())?;
    let created = get(tx.conn, &id)?;
    tx.event("service.created", "service", &id, &created)?;
    Ok(created)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &ServiceInput) -> Result<Service> {
    check(input)?;
    let before = get(tx.conn, id)?;
    crate::overrides::check_local_edit(tx.conn, "service", id, input.price_cents, input.active)?;
    let block = input
        .extra_block_minutes
        .unwrap_or(before.extra_block_minutes);
    let block_price = input
        .extra_block_price_cents
        .unwrap_or(before.extra_block_price_cents);
    check_extra(block, block_price)?;
    tx.conn.execute(
        "UPDATE services SET name = ?2, description = ?3, duration_minutes = ?4, price_cents = ?5,
                capacity = ?6, active = ?7, updated_at = ?8, extra_block_minutes = ?9,
                extra_block_price_cents = ?10, grace_minutes = ?11 WHERE id = ?1",
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
            tx.now(),
            block,
            block_price,
            input.grace_minutes.unwrap_or(before.grace_minutes)
        ],
    )?;
    if let Some(rate) = input.iva_rate {
        crate::tax::set_rate(tx.conn, "services", id, rate)?;
    }
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

#[cfg(test)]
mod length_tests {
    use super::spoken_length;

    #[test]
    fn lengths_read_as_people_say_them() {
        for (minutes, said) in [
            (30, "30 min"),
            (60, "1 h"),
            (90, "1 h 30 min"),
            (120, "2 h"),
            (480, "8 h"),
            (5, "5 min"),
        ] {
            assert_eq!(spoken_length(minutes), said);
        }
    }
}
