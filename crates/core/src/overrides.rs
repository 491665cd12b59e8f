//! A branch's own price or availability for a catalogue record, set centrally in the cloud.
//!
//! The catalogue is the organisation's: every branch applies the same records. The owner may
//! give one branch another price for a product, service or package, or take it off sale there;
//! that arrives through the catalogue feed as a `catalog_override` record naming the branch. The
//! store keeps only its own branch's overrides:
//! - the record's row holds what applies here (the override over the organisation's values), so
//!   sales, menus and screens need nothing new;
//! - the organisation's values are kept beside it (`base_*`), follow later central edits, come
//!   back when the override is removed, and are what this store's own catalogue events carry, so
//!   a local edit (a new name) never spreads this branch's price to the others;
//! - a local change of an overridden price or availability is refused: it is set centrally.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Millis;
use crate::error::{CoreError, Result};
use crate::{ids, validate};

/// The catalogue entity of override records in the feed.
pub const ENTITY: &str = "catalog_override";

fn table(entity: &str) -> Option<&'static str> {
    match entity {
        "product" => Some("products"),
        "service" => Some("services"),
        "package" => Some("packages"),
        _ => None,
    }
}

/// An override record, as the cloud keeps and sends it: `price_cents` and `active` absent (null)
/// mean "as the organisation"; both absent remove the override.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogOverride {
    pub branch_id: String,
    pub entity: String,
    pub entity_id: String,
    #[serde(default)]
    pub price_cents: Option<i64>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// The feed's id of the override of `entity`/`entity_id` at `branch_id`.
pub fn record_id(branch_id: &str, entity: &str, entity_id: &str) -> String {
    format!("{branch_id}:{entity}:{entity_id}")
}

/// The override record's id is `branch:entity:id` with each part valid.
pub fn is_valid_record_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split(':').collect();
    matches!(parts.as_slice(), [b, e, i] if ids::is_valid(b) && table(e).is_some() && ids::is_valid(i))
}

/// Applies an override record from the feed (another branch's is ignored).
pub fn apply_remote(
    conn: &Connection,
    record_id: &str,
    payload: &serde_json::Value,
    at: Millis,
) -> Result<()> {
    let o = CatalogOverride::deserialize(payload)
        .map_err(|e| CoreError::validation("payload", format!("registro remoto inválido: {e}")))?;
    if record_id != record_id_of(&o) {
        return Err(CoreError::validation(
            "entity_id",
            "el id no corresponde a la sucursal y el registro",
        ));
    }
    let Some(table) = table(&o.entity) else {
        return Err(CoreError::validation(
            "entity",
            "producto, servicio o paquete",
        ));
    };
    if let Some(p) = o.price_cents {
        validate::amount("price_cents", p)?;
    }
    let mine: Option<String> = crate::sync::link(conn)?.map(|l| l.cloud_branch_id);
    if mine.as_deref() != Some(o.branch_id.as_str()) {
        return Ok(());
    }
    let current: Option<(i64, bool)> = conn
        .query_row(
            &format!("SELECT price_cents, active FROM {table} WHERE id = ?1"),
            [&o.entity_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let base: Option<(Option<i64>, Option<bool>)> = conn
        .query_row(
            "SELECT base_price_cents, base_active FROM catalog_overrides WHERE entity = ?1 AND entity_id = ?2",
            params![o.entity, o.entity_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // The organisation's values: kept from before, or the row's own until now.
    let (base_price, base_active) = match (base, current) {
        (Some((p, a)), cur) => (p.or(cur.map(|c| c.0)), a.or(cur.map(|c| c.1))),
        (None, Some((p, a))) => (Some(p), Some(a)),
        (None, None) => (None, None),
    };
    if o.price_cents.is_none() && o.active.is_none() {
        conn.execute(
            "DELETE FROM catalog_overrides WHERE entity = ?1 AND entity_id = ?2",
            params![o.entity, o.entity_id],
        )?;
        if let (Some(p), Some(a)) = (base_price, base_active) {
            conn.execute(
                &format!("UPDATE {table} SET price_cents = ?2, active = ?3, updated_at = ?4 WHERE id = ?1"),
                params![o.entity_id, p, a, at],
            )?;
        }
        return Ok(());
    }
    conn.execute(
        "INSERT INTO catalog_overrides (entity, entity_id, price_cents, active, base_price_cents, base_active, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, entity_id) DO UPDATE SET price_cents = excluded.price_cents,
            active = excluded.active, base_price_cents = excluded.base_price_cents,
            base_active = excluded.base_active, updated_at = excluded.updated_at",
        params![o.entity, o.entity_id, o.price_cents, o.active, base_price, base_active, at],
    )?;
    put_in_effect(conn, &o.entity, &o.entity_id, at)
}

fn record_id_of(o: &CatalogOverride) -> String {
    record_id(&o.branch_id, &o.entity, &o.entity_id)
}

/// Writes into the record's row what applies here: the override over the organisation's values.
fn put_in_effect(conn: &Connection, entity: &str, entity_id: &str, at: Millis) -> Result<()> {
    let Some(table) = table(entity) else {
        return Ok(());
    };
    conn.execute(
        &format!(
            "UPDATE {table} SET
                price_cents = COALESCE((SELECT price_cents FROM catalog_overrides WHERE entity = ?2 AND entity_id = ?1), price_cents),
                active = COALESCE((SELECT active FROM catalog_overrides WHERE entity = ?2 AND entity_id = ?1), active),
                updated_at = ?3
             WHERE id = ?1"
        ),
        params![entity_id, entity, at],
    )?;
    Ok(())
}

/// After the organisation's record was written into the row (a remote edit): keep its values as
/// the base and put this branch's override back in effect.
pub fn after_remote_record(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
    at: Millis,
) -> Result<()> {
    let Some(table) = table(entity) else {
        return Ok(());
    };
    let changed = conn.execute(
        &format!(
            "UPDATE catalog_overrides SET
                base_price_cents = (SELECT price_cents FROM {table} WHERE id = ?2),
                base_active = (SELECT active FROM {table} WHERE id = ?2)
             WHERE entity = ?1 AND entity_id = ?2"
        ),
        params![entity, entity_id],
    )?;
    if changed > 0 {
        put_in_effect(conn, entity, entity_id, at)?;
    }
    Ok(())
}

/// An override row: this branch's price and availability, then the organisation's.
type Overridden = (Option<i64>, Option<bool>, Option<i64>, Option<bool>);

/// What this store's catalogue event about `entity`/`entity_id` tells the other branches: the
/// organisation's price and availability, never this branch's override.
pub fn organisation_payload(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
    payload: &mut serde_json::Value,
) -> Result<()> {
    if table(entity).is_none() {
        return Ok(());
    }
    let base: Option<Overridden> = conn
        .query_row(
            "SELECT price_cents, active, base_price_cents, base_active FROM catalog_overrides
             WHERE entity = ?1 AND entity_id = ?2",
            params![entity, entity_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (Some((price, active, base_price, base_active)), Some(obj)) =
        (base, payload.as_object_mut())
    else {
        return Ok(());
    };
    if let (Some(_), Some(p)) = (price, base_price) {
        obj.insert("price_cents".into(), p.into());
    }
    if let (Some(_), Some(a)) = (active, base_active) {
        obj.insert("active".into(), a.into());
    }
    Ok(())
}

/// A local edit may not change what the cloud set for this branch (422 naming the field).
pub fn check_local_edit(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
    price_cents: Option<i64>,
    active: Option<bool>,
) -> Result<()> {
    let Some(table) = table(entity) else {
        return Ok(());
    };
    let set: Option<(Option<i64>, Option<bool>)> = conn
        .query_row(
            "SELECT price_cents, active FROM catalog_overrides WHERE entity = ?1 AND entity_id = ?2",
            params![entity, entity_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((over_price, over_active)) = set else {
        return Ok(());
    };
    let (now_price, now_active): (i64, bool) = conn.query_row(
        &format!("SELECT price_cents, active FROM {table} WHERE id = ?1"),
        [entity_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if over_price.is_some() && price_cents.is_some_and(|p| p != now_price) {
        return Err(CoreError::validation(
            "price_cents",
            "el precio de esta sucursal lo fija la oficina en la nube",
        ));
    }
    if over_active.is_some() && active.is_some_and(|a| a != now_active) {
        return Err(CoreError::validation(
            "active",
            "la disponibilidad en esta sucursal la fija la oficina en la nube",
        ));
    }
    Ok(())
}
