//! A write transaction that knows who is writing, so every change records its event.

use rusqlite::Connection;
use serde::Serialize;

use crate::clock::Millis;
use crate::error::Result;
use crate::events::{self, EventContext};
use crate::roles::Actor;
use crate::store::Store;

pub struct Tx<'a> {
    pub conn: &'a Connection,
    pub ctx: EventContext<'a>,
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
        events::append(self.conn, &self.ctx, kind, entity, entity_id, payload)
    }
}

impl Store {
    /// One all-or-nothing change by `actor` at `now`: state tables and event log together.
    pub fn change<T>(
        &self,
        actor: &Actor,
        now: Millis,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let branch_id = self.branch_id().to_string();
        let device_id = self.device_id().to_string();
        self.write(|conn| {
            let tx = Tx {
                conn,
                ctx: EventContext {
                    branch_id: &branch_id,
                    device_id: &device_id,
                    actor,
                    now,
                },
            };
            f(&tx)
        })
    }
}
