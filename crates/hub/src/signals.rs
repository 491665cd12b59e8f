//! After-commit signals, derived in one place from the events each change wrote: the live
//! messages, the scheduler's wake-up, the backup after a day closing and the sync nudge. Routes
//! only change the store; whatever the change recorded is announced here once it is committed,
//! so a new kind of change cannot forget to tell the wall, the scheduler or the cloud.

use std::sync::{Arc, OnceLock};

use kidyboard_core::day_close::DayClosing;
use kidyboard_core::events::Recorded;
use kidyboard_core::products::{self, Product};
use kidyboard_core::sales::Sale;
use kidyboard_core::timers::Timer;
use kidyboard_core::Store;
use tokio::sync::Notify;

use crate::live::{LiveFeed, LiveMessage};

/// Who hears about committed changes.
#[derive(Clone)]
pub struct Signals {
    pub live: LiveFeed,
    /// Woken when a timer changed, so the scheduler recomputes its next deadline.
    pub timers_changed: Arc<Notify>,
    /// Woken after a day closing, so a backup of the closed day is taken.
    pub day_closed: Arc<Notify>,
    /// The sync worker, once it runs: every committed event is pushed to the cloud soon.
    pub sync: Arc<OnceLock<kidyboard_sync::SyncHandle>>,
}

/// What one committed event means for the clients and the background tasks.
#[derive(Debug, Default)]
pub struct Effects {
    pub messages: Vec<LiveMessage>,
    pub timers_changed: bool,
    pub day_closed: bool,
}

impl Signals {
    /// Installs these signals as the store's commit observer.
    pub fn observe(self, store: &Store) {
        let installed = store.observe_commits(Box::new(move |store, recorded| {
            self.after_commit(store, recorded)
        }));
        if !installed {
            tracing::warn!("the store already had a commit observer; signals not installed");
        }
    }

    pub fn after_commit(&self, store: &Store, recorded: &[Recorded]) {
        let effects = effects(recorded, |id| {
            store
                .read(|c| products::get(c, id))
                .map_err(|e| tracing::warn!(error = %e, product = id, "product for the live feed"))
                .ok()
        });
        for msg in effects.messages {
            self.live.publish(msg);
        }
        if effects.timers_changed {
            self.timers_changed.notify_one();
        }
        if effects.day_closed {
            self.day_closed.notify_one();
        }
        if let Some(sync) = self.sync.get() {
            sync.nudge();
        }
    }
}

/// The effects of a committed change's events, in the order they were written. `product` looks a
/// product up (stock messages carry the whole product as it is now).
pub fn effects(recorded: &[Recorded], product: impl Fn(&str) -> Option<Product>) -> Effects {
    let mut out = Effects::default();
    for r in recorded {
        match r.kind.as_str() {
            "sale.created" => {
                if let Some(sale) = typed::<Sale>(r) {
                    out.messages.push(LiveMessage::SaleCreated {
                        sale: Box::new(sale),
                    });
                }
            }
            "stock.moved" => {
                if let Some(p) = product(&r.entity_id) {
                    let crossed_low = r.payload["crossed_low"].as_bool().unwrap_or(false);
                    if crossed_low {
                        out.messages
                            .push(LiveMessage::StockChanged { product: p.clone() });
                        out.messages.push(LiveMessage::StockLow { product: p });
                    } else {
                        out.messages.push(LiveMessage::StockChanged { product: p });
                    }
                }
            }
            "day.closed" => {
                out.day_closed = true;
                if let Some(closing) = typed::<DayClosing>(r) {
                    out.messages.push(LiveMessage::DayClosed { closing });
                }
            }
            "menu_design.created" | "menu_design.updated" | "menu_design.deleted" => {
                out.messages.push(LiveMessage::MenuChanged {
                    id: r.entity_id.clone(),
                });
            }
            "timer.warning" => {
                if let Some(timer) = typed::<Timer>(r) {
                    out.messages.push(LiveMessage::TimerWarning {
                        timer: Box::new(timer),
                        minutes_left: r.payload["minutes_left"].as_i64().unwrap_or(0),
                    });
                }
            }
            "announcement.created" => {
                if let Some(announcement) = typed(r) {
                    out.messages
                        .push(LiveMessage::Announcement { announcement });
                }
            }
            "checkout.created" => {
                if let Some(checkout) = typed(r) {
                    out.messages.push(LiveMessage::CheckoutCreated {
                        checkout: Box::new(checkout),
                    });
                }
            }
            kind if kind.starts_with("booking.") && r.entity == "booking" => {
                if let Some(booking) = typed(r) {
                    out.messages.push(LiveMessage::BookingUpdated {
                        booking: Box::new(booking),
                    });
                }
            }
            kind if kind.starts_with("timer.") => {
                out.timers_changed = true;
                if let Some(timer) = typed::<Timer>(r) {
                    out.messages.push(LiveMessage::TimerUpdated {
                        timer: Box::new(timer),
                    });
                }
            }
            kind => {
                let edited = [".created", ".updated", ".deleted", ".erased"]
                    .iter()
                    .any(|s| kind.ends_with(s));
                if let (true, Some(entity)) = (edited, catalog_entity(&r.entity)) {
                    out.messages.push(LiveMessage::CatalogChanged {
                        entity,
                        id: r.entity_id.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The records whose edits every client reloads (`catalog.changed`).
fn catalog_entity(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "branch" => "branch",
        "product" => "product",
        "service" => "service",
        "package" => "package",
        "user" => "user",
        "audio_clip" => "audio_clip",
        "audio_schedule" => "audio_schedule",
        "audio_settings" => "audio_settings",
        // Ids only: who the family is reaches nobody through this message.
        "family" => "family",
        "area" => "area",
        "party_package" => "party_package",
        _ => return None,
    })
}

fn typed<T: serde::de::DeserializeOwned>(r: &Recorded) -> Option<T> {
    let value = r.payload_as::<T>();
    if value.is_none() {
        tracing::error!(kind = %r.kind, id = %r.entity_id, "event payload is not the record it names");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: &str, entity: &str, payload: serde_json::Value) -> Recorded {
        Recorded {
            id: "ev".into(),
            kind: kind.into(),
            entity: entity.into(),
            entity_id: "X1".into(),
            payload,
        }
    }

    fn product() -> Product {
        serde_json::from_value(serde_json::json!({
            "id": "X1", "name": "Agua", "category": "Bebidas", "description": "",
            "price_cents": 2500, "cost_cents": 0, "stock": 2, "low_stock_threshold": 3,
            "low_stock": true, "barcode": null, "image_url": null, "active": true,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .expect("a product")
    }

    fn kinds(e: &Effects) -> Vec<String> {
        e.messages
            .iter()
            .map(|m| serde_json::to_value(m).expect("json")["type"].to_string())
            .collect()
    }

    #[test]
    fn each_kind_of_change_is_announced_as_clients_expect() {
        let e = effects(
            &[
                rec("product.updated", "product", serde_json::json!({})),
                rec("user.logged_in", "user", serde_json::json!({})),
                rec(
                    "vision.visits_recorded",
                    "vision_device",
                    serde_json::json!({}),
                ),
                rec("menu_design.deleted", "menu_design", serde_json::json!({})),
                rec(
                    "audio_settings.updated",
                    "audio_settings",
                    serde_json::json!({}),
                ),
                rec(
                    "stock.moved",
                    "product",
                    serde_json::json!({"crossed_low": true}),
                ),
                rec(
                    "stock.moved",
                    "product",
                    serde_json::json!({"crossed_low": false}),
                ),
            ],
            |_| Some(product()),
        );
        assert_eq!(
            kinds(&e),
            [
                "\"catalog.changed\"",
                "\"menu.changed\"",
                "\"catalog.changed\"",
                "\"stock.changed\"",
                "\"stock.low\"",
                "\"stock.changed\""
            ]
        );
        assert!(!e.timers_changed && !e.day_closed);
    }

    #[test]
    fn a_timer_event_wakes_the_scheduler_even_when_its_payload_is_not_a_timer() {
        let e = effects(
            &[rec("timer.cancelled", "timer", serde_json::json!({}))],
            |_| None,
        );
        assert!(e.timers_changed);
        assert!(e.messages.is_empty());
    }
}
