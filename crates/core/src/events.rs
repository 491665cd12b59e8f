//! The immutable event log. Every change is written here in the same transaction that changes
//! the current-state tables, so the log and the state can never disagree; sync pushes it and
//! audits read it.

use rusqlite::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::Result;
use crate::ids;
use crate::roles::Actor;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    pub id: String,
    pub branch_id: String,
    pub device_id: String,
    pub user_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub payload: serde_json::Value,
    pub created_at: String,
}

/// An event as the change that wrote it knows it: what the commit observer receives.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: String,
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub payload: serde_json::Value,
}

impl Recorded {
    /// The payload read as `T` (the record the event carries), if it is one.
    pub fn payload_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(&self.payload).ok()
    }
}

/// Where an event comes from: written once per write transaction by the store.
pub struct EventContext<'a> {
    pub branch_id: &'a str,
    pub device_id: &'a str,
    pub actor: &'a Actor,
    pub now: Millis,
}

pub fn append(
    conn: &Connection,
    ctx: &EventContext<'_>,
    kind: &str,
    entity: &str,
    entity_id: &str,
    payload: &serde_json::Value,
) -> Result<String> {
    let id = ids::new_id();
    let body = payload.to_string();
    conn.execute(
        "INSERT INTO events (id, branch_id, device_id, user_id, type, entity, entity_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            ctx.branch_id,
            ctx.device_id,
            ctx.actor.user_id,
            kind,
            entity,
            entity_id,
            body,
            ctx.now
        ],
    )?;
    Ok(id)
}

/// Events after `after_seq`, oldest first, at most `limit`.
pub fn list_after(conn: &Connection, after_seq: i64, limit: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, branch_id, device_id, user_id, type, entity, entity_id, payload, created_at
         FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after_seq, limit], |r| {
        let payload: String = r.get(8)?;
        Ok(Event {
            seq: r.get(0)?,
            id: r.get(1)?,
            branch_id: r.get(2)?,
            device_id: r.get(3)?,
            user_id: r.get(4)?,
            kind: r.get(5)?,
            entity: r.get(6)?,
            entity_id: r.get(7)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            created_at: clock::to_rfc3339(r.get(9)?),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
