//! The organisation's catalogue feed: catalogue events made by the owner in the cloud and those
//! pushed by any of its branches (the catalogue is organisation-wide; stock is not), each with a
//! gap-free position that branches pull after their cursor. Positions are taken under the
//! organisation row's lock, so they are committed in order and no cursor skips a late commit.
//! The winning version of each record (HLC, ties by device id) is kept in `catalog_records`.

use std::collections::BTreeMap;

use deadpool_postgres::{GenericClient, Transaction};
use kidyboard_core::sync::{Hlc, OutgoingEvent, RemoteEvent, Version, MAX_CLOCK_AHEAD_MS};

use crate::error::Result;
pub use kidyboard_sync::wire::CatalogPage;

/// The device id the cloud signs its own edits with.
pub const CLOUD_DEVICE_ID: &str = "cloud";

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

struct OrgClock {
    seq: i64,
    hlc: Hlc,
}

async fn lock_org(tx: &Transaction<'_>, org_id: &str) -> Result<OrgClock> {
    let row = tx
        .query_one(
            "SELECT catalog_seq, hlc_wall, hlc_counter FROM organisations WHERE id = $1 FOR UPDATE",
            &[&org_id],
        )
        .await?;
    Ok(OrgClock {
        seq: row.get(0),
        hlc: Hlc {
            wall_ms: row.get(1),
            counter: row.get(2),
        },
    })
}

async fn save_org(tx: &Transaction<'_>, org_id: &str, c: &OrgClock) -> Result<()> {
    tx.execute(
        "UPDATE organisations SET catalog_seq = $2, hlc_wall = $3, hlc_counter = $4 WHERE id = $1",
        &[&org_id, &c.seq, &c.hlc.wall_ms, &c.hlc.counter],
    )
    .await?;
    Ok(())
}

struct Entry<'a> {
    event_id: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    payload: &'a serde_json::Value,
    version: Version,
}

async fn append(
    tx: &Transaction<'_>,
    org_id: &str,
    clock: &mut OrgClock,
    entries: &[Entry<'_>],
) -> Result<()> {
    let mut seqs = Vec::with_capacity(entries.len());
    let mut ids = Vec::with_capacity(entries.len());
    for e in entries {
        clock.seq += 1;
        seqs.push(clock.seq);
        ids.push(e.event_id);
        if e.version.hlc > clock.hlc {
            clock.hlc = e.version.hlc;
        }
    }
    tx.execute(
        "INSERT INTO catalog_feed (org_id, seq, event_id) SELECT $1, s, i FROM UNNEST($2::int8[], $3::text[]) AS u(s, i)",
        &[&org_id, &seqs, &ids],
    )
    .await?;
    // One row per record, its greatest version, then last-writer-wins against what is stored.
    let mut winners: BTreeMap<(&str, &str), &Entry<'_>> = BTreeMap::new();
    for e in entries {
        let key = (e.entity, e.entity_id);
        if winners.get(&key).is_none_or(|w| w.version < e.version) {
            winners.insert(key, e);
        }
    }
    for w in winners.values() {
        tx.execute(
            "INSERT INTO catalog_records (org_id, entity, entity_id, hlc_wall, hlc_counter, device_id, record)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, entity, entity_id) DO UPDATE SET hlc_wall = excluded.hlc_wall,
                hlc_counter = excluded.hlc_counter, device_id = excluded.device_id, record = excluded.record
             WHERE (excluded.hlc_wall, excluded.hlc_counter, excluded.device_id COLLATE \"C\")
                 > (catalog_records.hlc_wall, catalog_records.hlc_counter, catalog_records.device_id COLLATE \"C\")",
            &[
                &org_id,
                &w.entity,
                &w.entity_id,
                &w.version.hlc.wall_ms,
                &w.version.hlc.counter,
                &w.version.device_id,
                w.payload,
            ],
        )
        .await?;
    }
    Ok(())
}

/// Adds newly stored catalogue events pushed by a branch. A clock far ahead of the cloud's is
/// kept in the log but left out of the feed, so a store with a wrong date cannot win every edit.
pub async fn append_pushed(
    tx: &Transaction<'_>,
    org_id: &str,
    events: &[&OutgoingEvent],
) -> Result<()> {
    let now = now_ms();
    let entries: Vec<Entry<'_>> = events
        .iter()
        .filter_map(|e| {
            let hlc = e.hlc.unwrap_or(Hlc {
                wall_ms: e.created_at,
                counter: 0,
            });
            if hlc.wall_ms > now + MAX_CLOCK_AHEAD_MS {
                tracing::warn!(event = %e.id, device = %e.device_id, "catalogue clock far ahead; kept out of the feed");
                return None;
            }
            Some(Entry {
                event_id: &e.id,
                entity: &e.entity,
                entity_id: &e.entity_id,
                payload: &e.payload,
                version: Version {
                    hlc,
                    device_id: e.device_id.clone(),
                },
            })
        })
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let mut clock = lock_org(tx, org_id).await?;
    append(tx, org_id, &mut clock, &entries).await?;
    save_org(tx, org_id, &clock).await
}

/// Records an edit the owner made in the cloud: an event signed by the cloud's own clock, in
/// the log, the feed and the record table. Answers the event id and its clock.
pub async fn append_owner_edit(
    tx: &Transaction<'_>,
    org_id: &str,
    kind: &str,
    entity: &str,
    entity_id: &str,
    record: &serde_json::Value,
) -> Result<(String, Hlc)> {
    let mut clock = lock_org(tx, org_id).await?;
    let now = now_ms();
    let hlc = if now > clock.hlc.wall_ms {
        Hlc {
            wall_ms: now,
            counter: 0,
        }
    } else {
        Hlc {
            wall_ms: clock.hlc.wall_ms,
            counter: clock.hlc.counter + 1,
        }
    };
    let id = ulid::Ulid::new().to_string();
    tx.execute(
        "INSERT INTO events (id, org_id, branch_id, device_id, device_seq, store_branch_id, user_id, type, entity,
                             entity_id, payload, created_at, hlc_wall, hlc_counter)
         VALUES ($1, $2, '', $3, 0, '', NULL, $4, $5, $6, $7, $8, $9, $10)",
        &[&id, &org_id, &CLOUD_DEVICE_ID, &kind, &entity, &entity_id, record, &now, &hlc.wall_ms, &hlc.counter],
    )
    .await?;
    let entry = Entry {
        event_id: &id,
        entity,
        entity_id,
        payload: record,
        version: Version {
            hlc,
            device_id: CLOUD_DEVICE_ID.into(),
        },
    };
    append(tx, org_id, &mut clock, &[entry]).await?;
    save_org(tx, org_id, &clock).await?;
    Ok((id, hlc))
}

/// Catalogue events after `after`, oldest first.
pub async fn page(
    db: &impl GenericClient,
    org_id: &str,
    after: i64,
    limit: i64,
) -> Result<CatalogPage> {
    let rows = db
        .query(
            "SELECT f.seq, e.id, e.store_branch_id, e.device_id, e.user_id, e.type, e.entity, e.entity_id, e.payload,
                    e.created_at, COALESCE(e.hlc_wall, e.created_at), COALESCE(e.hlc_counter, 0)
             FROM catalog_feed f JOIN events e ON e.id = f.event_id
             WHERE f.org_id = $1 AND f.seq > $2 ORDER BY f.seq LIMIT $3",
            &[&org_id, &after, &(limit + 1)],
        )
        .await?;
    let more = rows.len() as i64 > limit;
    let events: Vec<RemoteEvent> = rows
        .iter()
        .take(limit.max(0) as usize)
        .map(|r| RemoteEvent {
            feed_seq: r.get(0),
            id: r.get(1),
            branch_id: r.get(2),
            device_id: r.get(3),
            user_id: r.get(4),
            kind: r.get(5),
            entity: r.get(6),
            entity_id: r.get(7),
            payload: r.get(8),
            created_at: r.get(9),
            hlc: Hlc {
                wall_ms: r.get(10),
                counter: r.get(11),
            },
        })
        .collect();
    let next_after = events.last().map(|e| e.feed_seq).unwrap_or(after);
    Ok(CatalogPage {
        events,
        next_after,
        more,
    })
}
