//! Sync with the cloud, the store's half: which events are still to push (the queue is the event
//! log itself), the cursors the cloud has acknowledged, and applying catalogue events that come
//! from the cloud. Concurrent edits of one record are decided by a hybrid logical clock (HLC)
//! per record, ties broken by device id, so every branch and the cloud keep the same winner
//! whatever order they see the edits in. Local edits are stamped by a trigger (migration 0002)
//! in the transaction that writes their event.

use std::cmp::Ordering;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Millis;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::store::Store;

mod apply;

/// Catalogue events: the ones branches pull and apply. Stock, sales, timers and users stay
/// with the branch that made them (stock is counted per branch; users hold password hashes).
/// Families are shared too, so a family registered at one branch is found at the others; their
/// erasure travels the same way. A branch's own price or availability set in the cloud
/// (`catalog_override`) travels to every branch and is kept by the one it names. Menu designs
/// are the organisation's too: made once, every branch has them (each chooses its totem's).
pub const CATALOG_EVENT_TYPES: [&str; 13] = [
    "catalog_override.set",
    "family.created",
    "family.updated",
    "family.erased",
    "menu_design.created",
    "menu_design.updated",
    "menu_design.deleted",
    "product.created",
    "product.updated",
    "service.created",
    "service.updated",
    "package.created",
    "package.updated",
];

/// A remote clock further ahead of ours than this is refused: a device with a wrong date would
/// otherwise win every future edit of the records it touched.
pub const MAX_CLOCK_AHEAD_MS: Millis = 10 * 60 * 1000;

pub fn is_catalog_event(kind: &str) -> bool {
    CATALOG_EVENT_TYPES.contains(&kind)
}

/// A hybrid logical clock reading: wall milliseconds, then a counter for edits in the same ms.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
)]
pub struct Hlc {
    pub wall_ms: i64,
    pub counter: i64,
}

/// The version of a record: its clock and the device that wrote it. Greater wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub hlc: Hlc,
    pub device_id: String,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.hlc
            .cmp(&other.hlc)
            .then_with(|| self.device_id.cmp(&other.device_id))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How far the cloud has acknowledged the log (`push`) and how far this store has applied the
/// catalogue feed (`pull`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cursors {
    pub push: i64,
    pub pull: i64,
}

pub fn cursors(conn: &Connection) -> Result<Cursors> {
    let get = |name: &str| -> Result<i64> {
        Ok(conn
            .query_row(
                "SELECT position FROM sync_cursors WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    };
    Ok(Cursors {
        push: get("push")?,
        pull: get("pull")?,
    })
}

fn advance(conn: &Connection, name: &str, position: i64, now: Millis) -> Result<()> {
    // Only forwards: a late answer to an older request must not send the queue backwards.
    conn.execute(
        "INSERT INTO sync_cursors (name, position, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position), updated_at = excluded.updated_at",
        params![name, position.max(0), now],
    )?;
    Ok(())
}

/// Records that the cloud has stored every local event up to `seq`.
pub fn acknowledge_push(store: &Store, seq: i64, now: Millis) -> Result<()> {
    store.write(|tx| advance(tx, "push", seq, now))
}

/// An event of this store, as pushed to the cloud.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct OutgoingEvent {
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
    /// Milliseconds since the epoch, UTC.
    pub created_at: Millis,
    /// Present on catalogue events.
    pub hlc: Option<Hlc>,
}

/// Local events not yet acknowledged by the cloud, oldest first (events that came from the
/// cloud are never pushed back).
pub fn pending(conn: &Connection, limit: i64) -> Result<Vec<OutgoingEvent>> {
    let after = cursors(conn)?.push;
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.id, e.branch_id, e.device_id, e.user_id, e.type, e.entity, e.entity_id, e.payload,
                e.created_at, c.wall_ms, c.counter
         FROM events e LEFT JOIN sync_event_clocks c ON c.event_id = e.id
         WHERE e.seq > ?1 AND NOT EXISTS (SELECT 1 FROM sync_remote_events r WHERE r.event_id = e.id)
         ORDER BY e.seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        let payload: String = r.get(8)?;
        let kind: String = r.get(5)?;
        let created_at: Millis = r.get(9)?;
        let wall: Option<i64> = r.get(10)?;
        let counter: Option<i64> = r.get(11)?;
        let hlc = match (wall, counter) {
            (Some(wall_ms), Some(counter)) => Some(Hlc { wall_ms, counter }),
            // Edits from before clocks existed: their time is the best clock they have.
            _ if is_catalog_event(&kind) => Some(Hlc {
                wall_ms: created_at,
                counter: 0,
            }),
            _ => None,
        };
        Ok(OutgoingEvent {
            seq: r.get(0)?,
            id: r.get(1)?,
            branch_id: r.get(2)?,
            device_id: r.get(3)?,
            user_id: r.get(4)?,
            kind,
            entity: r.get(6)?,
            entity_id: r.get(7)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            created_at,
            hlc,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// How many local events wait for the cloud.
pub fn pending_count(conn: &Connection) -> Result<i64> {
    let after = cursors(conn)?.push;
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM events e
         WHERE e.seq > ?1 AND NOT EXISTS (SELECT 1 FROM sync_remote_events r WHERE r.event_id = e.id)",
        [after],
        |r| r.get(0),
    )?)
}

/// The store's link to the cloud, from pairing.
#[derive(Clone, PartialEq, Eq)]
pub struct SyncLink {
    pub cloud_url: String,
    pub organisation_id: String,
    pub cloud_branch_id: String,
    pub device_token: String,
    pub paired_at: Millis,
}

impl std::fmt::Debug for SyncLink {
    // The token is a credential: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncLink")
            .field("cloud_url", &self.cloud_url)
            .field("organisation_id", &self.organisation_id)
            .field("cloud_branch_id", &self.cloud_branch_id)
            .finish_non_exhaustive()
    }
}

pub fn link(conn: &Connection) -> Result<Option<SyncLink>> {
    Ok(conn
        .query_row(
            "SELECT cloud_url, organisation_id, cloud_branch_id, device_token, paired_at FROM sync_link WHERE id = 1",
            [],
            |r| {
                Ok(SyncLink {
                    cloud_url: r.get(0)?,
                    organisation_id: r.get(1)?,
                    cloud_branch_id: r.get(2)?,
                    device_token: r.get(3)?,
                    paired_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn save_link(store: &Store, link: &SyncLink) -> Result<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO sync_link (id, cloud_url, organisation_id, cloud_branch_id, device_token, paired_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET cloud_url = excluded.cloud_url, organisation_id = excluded.organisation_id,
                cloud_branch_id = excluded.cloud_branch_id, device_token = excluded.device_token, paired_at = excluded.paired_at",
            params![link.cloud_url, link.organisation_id, link.cloud_branch_id, link.device_token, link.paired_at],
        )?;
        Ok(())
    })
}

/// A catalogue event from the cloud's feed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct RemoteEvent {
    /// Its position in the organisation's catalogue feed (the pull cursor).
    pub feed_seq: i64,
    pub id: String,
    pub branch_id: String,
    pub device_id: String,
    pub user_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub payload: serde_json::Value,
    pub created_at: Millis,
    pub hlc: Hlc,
}

/// What applying one remote event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The current-state tables now hold the remote version.
    Applied,
    /// The local version has the greater clock and stays.
    KeptLocal,
    /// Already in the log (e.g. this store's own event coming back).
    Duplicate,
    /// Refused: clock too far ahead, or content that breaks a rule (see `note`).
    Refused,
    /// Not a catalogue event this store applies; kept in the log only.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub event_id: String,
    pub entity: String,
    pub entity_id: String,
    pub outcome: Outcome,
    pub note: String,
    /// A product image the catalogue now points at, for the image cache to fetch ahead.
    pub image_url: Option<String>,
}

/// Applies a page of the catalogue feed in one transaction and moves the pull cursor to
/// `next_cursor` with it, so a crash half-way applies either the whole page or none of it.
/// A single bad event is recorded as refused instead of stalling the feed.
pub fn apply_remote_batch(
    store: &Store,
    events: &[RemoteEvent],
    next_cursor: i64,
    now: Millis,
) -> Result<Vec<Applied>> {
    let local_device = store.device_id().to_string();
    store.write(|tx| {
        let mut out = Vec::with_capacity(events.len());
        for ev in events {
            out.push(apply_one(tx, ev, &local_device, now)?);
        }
        advance(tx, "pull", next_cursor, now)?;
        Ok(out)
    })
}

fn apply_one(
    conn: &Connection,
    ev: &RemoteEvent,
    local_device: &str,
    now: Millis,
) -> Result<Applied> {
    let mut done = Applied {
        event_id: ev.id.clone(),
        entity: ev.entity.clone(),
        entity_id: ev.entity_id.clone(),
        outcome: Outcome::Duplicate,
        note: String::new(),
        image_url: None,
    };
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)",
        [&ev.id],
        |r| r.get(0),
    )?;
    if known || ev.device_id == local_device {
        return Ok(done);
    }
    conn.execute_batch("SAVEPOINT remote_event")?;
    let result = decide_and_apply(conn, ev, now);
    let (outcome, note, image_url) = match result {
        Ok(x) => {
            conn.execute_batch("RELEASE remote_event")?;
            x
        }
        Err(e) if is_refusal(&e) => {
            conn.execute_batch("ROLLBACK TO remote_event; RELEASE remote_event")?;
            (Outcome::Refused, e.to_string(), None)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO remote_event; RELEASE remote_event")?;
            return Err(e);
        }
    };
    record_in_log(conn, ev, outcome, &note, now)?;
    done.outcome = outcome;
    done.note = note;
    done.image_url = image_url;
    Ok(done)
}

/// Content errors refuse one event; anything else (disk, busy) fails the whole page for a retry.
fn is_refusal(e: &CoreError) -> bool {
    match e {
        CoreError::Validation { .. } | CoreError::NotFound { .. } | CoreError::Conflict { .. } => {
            true
        }
        CoreError::Database(rusqlite::Error::SqliteFailure(f, _)) => {
            f.code == rusqlite::ErrorCode::ConstraintViolation
        }
        _ => false,
    }
}

fn record_in_log(
    conn: &Connection,
    ev: &RemoteEvent,
    outcome: Outcome,
    note: &str,
    now: Millis,
) -> Result<()> {
    let body = serde_json::to_string(&ev.payload)
        .map_err(|e| CoreError::Corrupt(format!("event payload: {e}")))?;
    conn.execute(
        "INSERT INTO sync_remote_events (event_id, feed_seq, applied, note, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ev.id, ev.feed_seq, outcome == Outcome::Applied, note, now],
    )?;
    conn.execute(
        "INSERT INTO events (id, branch_id, device_id, user_id, type, entity, entity_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            ev.id,
            ev.branch_id,
            ev.device_id,
            ev.user_id,
            ev.kind,
            ev.entity,
            ev.entity_id,
            body,
            ev.created_at
        ],
    )?;
    Ok(())
}

type Decision = (Outcome, String, Option<String>);

fn decide_and_apply(conn: &Connection, ev: &RemoteEvent, now: Millis) -> Result<Decision> {
    if !is_catalog_event(&ev.kind) {
        return Ok((Outcome::Ignored, "not a catalogue event".into(), None));
    }
    if ev.hlc.wall_ms > now + MAX_CLOCK_AHEAD_MS {
        return Ok((
            Outcome::Refused,
            format!("clock {} ms ahead of this store", ev.hlc.wall_ms - now),
            None,
        ));
    }
    let valid_id = if ev.entity == crate::overrides::ENTITY {
        crate::overrides::is_valid_record_id(&ev.entity_id)
    } else {
        ids::is_valid(&ev.entity_id)
    };
    if !valid_id {
        return Err(CoreError::validation("entity_id", "id inválido"));
    }
    observe(conn, ev.hlc)?;
    let remote = Version {
        hlc: ev.hlc,
        device_id: ev.device_id.clone(),
    };
    if let Some(local) = record_version(conn, &ev.entity, &ev.entity_id)? {
        if local >= remote {
            return Ok((Outcome::KeptLocal, String::new(), None));
        }
    }
    let image_url = match ev.entity.as_str() {
        "product" => apply::product(conn, &ev.entity_id, &ev.payload, ev.created_at)?,
        "service" => {
            apply::service(conn, &ev.entity_id, &ev.payload, ev.created_at)?;
            None
        }
        "package" => {
            apply::package(conn, &ev.entity_id, &ev.payload, ev.created_at)?;
            None
        }
        crate::overrides::ENTITY => {
            crate::overrides::apply_remote(conn, &ev.entity_id, &ev.payload, ev.created_at)?;
            None
        }
        "family" => {
            crate::families::apply_remote(conn, &ev.entity_id, &ev.payload, ev.created_at)?;
            None
        }
        "menu_design" => {
            let deleted = ev.kind == "menu_design.deleted";
            crate::menus::apply_remote(conn, &ev.entity_id, &ev.payload, deleted, ev.created_at)?;
            None
        }
        other => {
            return Err(CoreError::validation(
                "entity",
                format!("entidad desconocida: {other}"),
            ))
        }
    };
    // The organisation's record is in the row; this branch's own price stays in effect.
    crate::overrides::after_remote_record(conn, &ev.entity, &ev.entity_id, ev.created_at)?;
    conn.execute(
        "INSERT INTO sync_record_clocks (entity, entity_id, wall_ms, counter, device_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entity, entity_id) DO UPDATE SET
            wall_ms = excluded.wall_ms, counter = excluded.counter, device_id = excluded.device_id",
        params![ev.entity, ev.entity_id, ev.hlc.wall_ms, ev.hlc.counter, ev.device_id],
    )?;
    Ok((Outcome::Applied, String::new(), image_url))
}

/// HLC receive: later local stamps come after every clock seen.
fn observe(conn: &Connection, remote: Hlc) -> Result<()> {
    conn.execute(
        "UPDATE sync_hlc SET wall_ms = ?1, counter = ?2
         WHERE id = 1 AND (wall_ms < ?1 OR (wall_ms = ?1 AND counter < ?2))",
        params![remote.wall_ms, remote.counter],
    )?;
    Ok(())
}

/// The version of the record held here: its stamped clock, or for a record last edited before
/// clocks existed, the time of its latest catalogue event (the same clock its push carried).
pub fn record_version(conn: &Connection, entity: &str, entity_id: &str) -> Result<Option<Version>> {
    let stamped = conn
        .query_row(
            "SELECT wall_ms, counter, device_id FROM sync_record_clocks WHERE entity = ?1 AND entity_id = ?2",
            params![entity, entity_id],
            |r| {
                Ok(Version {
                    hlc: Hlc {
                        wall_ms: r.get(0)?,
                        counter: r.get(1)?,
                    },
                    device_id: r.get(2)?,
                })
            },
        )
        .optional()?;
    if stamped.is_some() {
        return Ok(stamped);
    }
    Ok(conn
        .query_row(
            "SELECT created_at, device_id FROM events
             WHERE entity = ?1 AND entity_id = ?2
               AND type IN ('product.created', 'product.updated', 'service.created', 'service.updated',
                            'package.created', 'package.updated')
             ORDER BY seq DESC LIMIT 1",
            params![entity, entity_id],
            |r| {
                Ok(Version {
                    hlc: Hlc {
                        wall_ms: r.get(0)?,
                        counter: 0,
                    },
                    device_id: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// This store's clock now (for tests and the status page).
pub fn hlc_now(conn: &Connection) -> Result<Hlc> {
    Ok(conn.query_row(
        "SELECT wall_ms, counter FROM sync_hlc WHERE id = 1",
        [],
        |r| {
            Ok(Hlc {
                wall_ms: r.get(0)?,
                counter: r.get(1)?,
            })
        },
    )?)
}

/// Remote events recorded here, with whether they were applied (for audits and tests).
pub fn remote_outcomes(conn: &Connection) -> Result<Vec<(String, bool, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, applied, note FROM sync_remote_events ORDER BY feed_seq",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests;
