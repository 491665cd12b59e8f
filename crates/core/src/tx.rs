//! A write transaction that knows who is writing, so every change records its event.

use std::cell::RefCell;

use rusqlite::Connection;
use serde::Serialize;

use crate::clock::Millis;
use crate::error::{CoreError, Result};
use crate::events::{self, EventContext, Recorded};
use crate::roles::Actor;
use crate::store::Store;

pub struct Tx<'a> {
    pub conn: &'a Connection,
    pub ctx: EventContext<'a>,
    /// The events this change wrote, handed to the store's commit observer once committed.
    recorded: RefCell<Vec<Recorded>>,
}

impl Tx<'_> {
    pub fn now(&self) -> Millis {
        self.ctx.now
    }

    pub fn actor(&self) -> &Actor {
        self.ctx.actor
    }

    pub fn branch_id(&self) -> &str {
        self.ctx.branch_id
    }

    /// Records a change in the event log, inside this transaction.
    pub fn event(
        &self,
        kind: &str,
        entity: &str,
        entity_id: &str,
        payload: &impl Serialize,
    ) -> Result<String> {
        let payload = serde_json::to_value(payload)
            .map_err(|e| CoreError::Corrupt(format!("event payload: {e}")))?;
        // The log (and so the other branches) gets the organisation's catalogue values; this
        // branch's own price set in the cloud stays here (the live feed shows what applies here).
        let id = if crate::sync::is_catalog_event(kind) {
            let mut logged = payload.clone();
            crate::overrides::organisation_payload(self.conn, entity, entity_id, &mut logged)?;
            events::append(self.conn, &self.ctx, kind, entity, entity_id, &logged)?
        } else {
            events::append(self.conn, &self.ctx, kind, entity, entity_id, &payload)?
        };
        self.recorded.borrow_mut().push(Recorded {
            id: id.clone(),
            kind: kind.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            payload,
        });
        Ok(id)
    }
}

impl Store {
    /// One all-or-nothing change by `actor` at `now`: state tables and event log together.
    /// Once it is committed, the events it wrote go to the commit observer (see
    /// [`Store::observe_commits`]): that is where live messages, timer wake-ups and sync nudges
    /// come from, so no caller has to remember them.
    pub fn change<T>(
        &self,
        actor: &Actor,
        now: Millis,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let branch_id = self.branch_id().to_string();
        let device_id = self.device_id().to_string();
        let (value, recorded) = self.write(|conn| {
            let tx = Tx {
                conn,
                ctx: EventContext {
                    branch_id: &branch_id,
                    device_id: &device_id,
                    actor,
                    now,
                },
                recorded: RefCell::new(Vec::new()),
            };
            let value = f(&tx)?;
            Ok((value, tx.recorded.into_inner()))
        })?;
        if !recorded.is_empty() {
            self.committed_events(&recorded);
        }
        Ok(value)
    }
}
