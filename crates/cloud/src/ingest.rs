//! Storing a pushed batch: every event once by its id (a retry after a lost answer stores
//! nothing twice), the projections and the catalogue feed updated from the newly stored events
//! only, all in one transaction — a cloud killed mid-batch keeps none of it, and the store's
//! retry then stores it whole.

use std::collections::HashSet;

use crate::auth::Device;
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use crate::{feed, projections};
use kidyboard_core::sync::{is_catalog_event, Hlc, OutgoingEvent};
pub use kidyboard_sync::wire::{PushAnswer, PushRequest};

const MAX_TEXT: usize = 100;

fn check(device: &Device, events: &[OutgoingEvent], max: usize) -> Result<()> {
    if events.is_empty() || events.len() > max {
        return Err(CloudError::validation(
            "events",
            format!("un envío lleva de 1 a {max} eventos"),
        ));
    }
    for (i, e) in events.iter().enumerate() {
        let field = |f: &str| format!("events[{i}].{f}");
        if e.device_id != device.device_id {
            return Err(CloudError::validation(
                field("device_id"),
                "el evento es de otro dispositivo",
            ));
        }
        if !kidyboard_core::ids::is_valid(&e.id) {
            return Err(CloudError::validation(field("id"), "id inválido"));
        }
        if e.seq <= 0 {
            return Err(CloudError::validation(
                field("seq"),
                "seq debe ser positivo",
            ));
        }
        for (name, v) in [
            ("type", &e.kind),
            ("entity", &e.entity),
            ("entity_id", &e.entity_id),
            ("branch_id", &e.branch_id),
        ] {
            if v.is_empty() || v.len() > MAX_TEXT || v.chars().any(char::is_control) {
                return Err(CloudError::validation(
                    field(name),
                    "texto vacío, largo o inválido",
                ));
            }
        }
        if e.user_id.as_ref().is_some_and(|u| u.len() > MAX_TEXT) {
            return Err(CloudError::validation(
                field("user_id"),
                "texto demasiado largo",
            ));
        }
    }
    Ok(())
}

pub async fn push(
    st: &CloudState,
    device: &Device,
    events: Vec<OutgoingEvent>,
) -> Result<PushAnswer> {
    check(device, &events, st.config.max_push_events)?;
    let acked_seq = events.iter().map(|e| e.seq).max().unwrap_or(0);
    let n = events.len();
    let mut ids = Vec::with_capacity(n);
    let mut seqs = Vec::with_capacity(n);
    let mut store_branches = Vec::with_capacity(n);
    let mut users = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut entities = Vec::with_capacity(n);
    let mut entity_ids = Vec::with_capacity(n);
    let mut payloads = Vec::with_capacity(n);
    let mut created = Vec::with_capacity(n);
    let mut walls = Vec::with_capacity(n);
    let mut counters = Vec::with_capacity(n);
    for e in &events {
        // A catalogue event always carries a clock, so every reader orders it the same way.
        let hlc = e.hlc.or_else(|| {
            is_catalog_event(&e.kind).then_some(Hlc {
                wall_ms: e.created_at,
                counter: 0,
            })
        });
        ids.push(e.id.as_str());
        seqs.push(e.seq);
        store_branches.push(e.branch_id.as_str());
        users.push(e.user_id.as_deref());
        kinds.push(e.kind.as_str());
        entities.push(e.entity.as_str());
        entity_ids.push(e.entity_id.as_str());
        payloads.push(&e.payload);
        created.push(e.created_at);
        walls.push(hlc.map(|h| h.wall_ms));
        counters.push(hlc.map(|h| h.counter));
    }

    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    let inserted = tx
        .query(
            "INSERT INTO events (id, org_id, branch_id, device_id, device_seq, store_branch_id, user_id, type,
                                 entity, entity_id, payload, created_at, hlc_wall, hlc_counter)
             SELECT u.id, $1, $2, $3, u.seq, u.sb, u.uid, u.ty, u.en, u.eid, u.pl, u.ca, u.hw, u.hc
             FROM UNNEST($4::text[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                         $11::jsonb[], $12::int8[], $13::int8[], $14::int8[])
                  AS u(id, seq, sb, uid, ty, en, eid, pl, ca, hw, hc)
             ON CONFLICT (id) DO NOTHING
             RETURNING id",
            &[
                &device.org_id,
                &device.branch_id,
                &device.device_id,
                &ids,
                &seqs,
                &store_branches,
                &users,
                &kinds,
                &entities,
                &entity_ids,
                &payloads,
                &created,
                &walls,
                &counters,
            ],
        )
        .await?;
    let new_ids: HashSet<String> = inserted.iter().map(|r| r.get(0)).collect();
    let fresh: Vec<&OutgoingEvent> = events.iter().filter(|e| new_ids.contains(&e.id)).collect();
    projections::apply(&tx, &device.branch_id, &fresh).await?;
    let catalogue: Vec<&OutgoingEvent> = fresh
        .iter()
        .copied()
        .filter(|e| is_catalog_event(&e.kind))
        .collect();
    if !catalogue.is_empty() {
        feed::append_pushed(&tx, &device.org_id, &catalogue).await?;
    }
    tx.execute(
        "UPDATE devices SET last_seen_at = now(), last_acked_seq = GREATEST(last_acked_seq, $2) WHERE id = $1",
        &[&device.device_id, &acked_seq],
    )
    .await?;
    tx.commit().await?;
    let stored = new_ids.len() as u64;
    Ok(PushAnswer {
        acked_seq,
        stored,
        duplicates: n as u64 - stored,
    })
}
