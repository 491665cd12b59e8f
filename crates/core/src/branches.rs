//! Branches (sucursales): name, time zone for business days, stock policy, capacity.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, now_ms};
use crate::error::{CoreError, Result};
use crate::ids;
use crate::store::{get_meta, set_meta, Store};
use crate::tx::Tx;
use crate::validate;

pub const DEFAULT_TIMEZONE: &str = "America/Mexico_City";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Branch {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub address: String,
    pub allow_negative_stock: bool,
    pub capacity: i64,
    /// Starts every folio of this branch: `A` makes sales `A-000123` and refunds `A-D000007`.
    #[serde(default = "default_prefix")]
    pub folio_prefix: String,
    /// Refunds below this amount need no supervisor's PIN (0: every refund needs one).
    #[serde(default)]
    pub refund_free_below_cents: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields to create a branch, or to change some of them (absent = unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BranchInput {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub address: Option<String>,
    pub allow_negative_stock: Option<bool>,
    pub capacity: Option<i64>,
    pub folio_prefix: Option<String>,
    pub refund_free_below_cents: Option<i64>,
}

fn default_prefix() -> String {
    "A".into()
}

const COLUMNS: &str = "id, name, timezone, address, allow_negative_stock, capacity, created_at, \
     updated_at, folio_prefix, refund_free_below_cents";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Branch> {
    Ok(Branch {
        id: r.get(0)?,
        name: r.get(1)?,
        timezone: r.get(2)?,
        address: r.get(3)?,
        allow_negative_stock: r.get(4)?,
        capacity: r.get(5)?,
        created_at: clock::to_rfc3339(r.get(6)?),
        updated_at: clock::to_rfc3339(r.get(7)?),
        folio_prefix: r.get(8)?,
        refund_free_below_cents: r.get(9)?,
    })
}

/// The branch this store runs; created on first start so a fresh install works at once.
pub(crate) fn ensure_home_branch(conn: &Connection) -> Result<String> {
    if let Some(id) = get_meta(conn, "branch_id")? {
        return Ok(id);
    }
    let id = ids::new_id();
    let now = now_ms();
    conn.execute(
        "INSERT INTO branches (id, name, timezone, address, allow_negative_stock, capacity, created_at, updated_at)
         VALUES (?1, 'Sucursal principal', ?2, '', 0, 0, ?3, ?3)",
        params![id, DEFAULT_TIMEZONE, now],
    )?;
    set_meta(conn, "branch_id", &id)?;
    Ok(id)
}

pub fn get(conn: &Connection, id: &str) -> Result<Branch> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM branches WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("sucursal", id))
}

pub fn list(conn: &Connection) -> Result<Vec<Branch>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM branches ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The time zone business days are counted in for a branch.
pub fn timezone(conn: &Connection, id: &str) -> Result<chrono_tz::Tz> {
    let name: String = conn
        .query_row("SELECT timezone FROM branches WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| CoreError::not_found("sucursal", id))?;
    clock::parse_tz("timezone", &name)
}

fn check(input: &BranchInput) -> Result<()> {
    if let Some(n) = &input.name {
        validate::name("name", n)?;
    }
    if let Some(tz) = &input.timezone {
        clock::parse_tz("timezone", tz)?;
    }
    if let Some(a) = &input.address {
        validate::text("address", a)?;
    }
    if let Some(c) = input.capacity {
        validate::non_negative("capacity", c, 100_000)?;
    }
    if let Some(p) = &input.folio_prefix {
        let ok = (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_uppercase());
        if !ok {
            return Err(CoreError::validation(
                "folio_prefix",
                "el prefijo de folio lleva de 1 a 3 letras mayúsculas (A–Z)",
            ));
        }
    }
    if let Some(c) = input.refund_free_below_cents {
        validate::non_negative("refund_free_below_cents", c, 100_000_000)?;
    }
    Ok(())
}

pub fn create(tx: &Tx<'_>, input: &BranchInput) -> Result<Branch> {
    check(input)?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO branches (id, name, timezone, address, allow_negative_stock, capacity, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            name,
            input.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE),
            input.address.as_deref().unwrap_or("").trim(),
            input.allow_negative_stock.unwrap_or(false),
            input.capacity.unwrap_or(0),
            tx.now()
        ],
    )?;
    tx.conn.execute(
        "UPDATE branches SET folio_prefix = ?2, refund_free_below_cents = ?3 WHERE id = ?1",
        params![
            id,
            input.folio_prefix.as_deref().unwrap_or("A"),
            input.refund_free_below_cents.unwrap_or(0)
        ],
    )?;
    let branch = get(tx.conn, &id)?;
    tx.event("branch.created", "branch", &id, &branch)?;
    Ok(branch)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &BranchInput) -> Result<Branch> {
    check(input)?;
    let before = get(tx.conn, id)?;
    tx.conn.execute(
        "UPDATE branches SET name = ?2, timezone = ?3, address = ?4, allow_negative_stock = ?5, capacity = ?6, updated_at = ?7
         WHERE id = ?1",
        params![
            id,
            input.name.as_deref().map(str::trim).unwrap_or(&before.name),
            input.timezone.as_deref().unwrap_or(&before.timezone),
            input.address.as_deref().map(str::trim).unwrap_or(&before.address),
            input.allow_negative_stock.unwrap_or(before.allow_negative_stock),
            input.capacity.unwrap_or(before.capacity),
            tx.now()
        ],
    )?;
    tx.conn.execute(
        "UPDATE branches SET folio_prefix = ?2, refund_free_below_cents = ?3 WHERE id = ?1",
        params![
            id,
            input
                .folio_prefix
                .as_deref()
                .unwrap_or(&before.folio_prefix),
            input
                .refund_free_below_cents
                .unwrap_or(before.refund_free_below_cents)
        ],
    )?;
    let after = get(tx.conn, id)?;
    tx.event("branch.updated", "branch", id, &after)?;
    Ok(after)
}

impl Store {
    pub fn home_branch(&self) -> Result<Branch> {
        self.read(|c| get(c, self.branch_id()))
    }
}
