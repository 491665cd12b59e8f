//! Play timers of a few milliseconds, written straight in the store: services are sold in whole
//! minutes, so no sale makes one this short, and a test cannot wait for a minute to pass.

use std::sync::Arc;

use kidyboard_core::clock::now_ms;
use kidyboard_core::timers::{self, NewTimer, TimerRow};
use kidyboard_core::{Actor, Store};

/// One running timer per `(child, duration_ms)`, in one change. The scheduler that ends them
/// still has to be woken by the caller.
pub async fn short_timers(store: Arc<Store>, wanted: &[(&str, i64)]) -> Vec<TimerRow> {
    let wanted: Vec<(String, i64)> = wanted.iter().map(|(c, d)| (c.to_string(), *d)).collect();
    tokio::task::spawn_blocking(move || {
        store.change(&Actor::system(), now_ms(), |tx| {
            wanted
                .iter()
                .map(|(child, duration_ms)| {
                    timers::create(
                        tx,
                        &NewTimer {
                            sale_id: None,
                            service_id: None,
                            service_name: "Prueba",
                            child_name: child,
                            guardian_name: "",
                            guardian_phone: "",
                            duration_ms: *duration_ms,
                            start_at: None,
                            sale_position: None,
                            ..Default::default()
                        },
                    )
                })
                .collect()
        })
    })
    .await
    .expect("timer task")
    .expect("short timers created")
}
