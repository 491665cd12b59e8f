//! A restart keeps everything: sales, stock, sessions, and timers resume with the right time left.

mod common;

use common::{child, test_config, TestHub};
use serde_json::json;

#[tokio::test]
async fn a_restart_keeps_sales_sessions_and_timers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().to_path_buf();
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let sale = rec
        .post("/sales", json!({"items": [{"service_id": hour, "quantity": 1, "child": child("Running")}, {"service_id": hour, "quantity": 1, "child": child("Paused")}, {"product_id": water, "quantity": 5}], "payments": [{"method": "cash", "amount_cents": 40000}]}))
        .await;
    assert_eq!(sale.status, 201);
    let running = sale.body["timers"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let paused = sale.body["timers"][1]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let p = rec
        .post(&format!("/timers/{paused}/pause"), json!({}))
        .await;
    let frozen = p.body["remaining_ms"].as_i64().expect("remaining");
    let ends_at = rec.get(&format!("/timers/{running}")).await.body["ends_at"].clone();
    hub.stop().await;

    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let again = common::Client {
        base: hub.base.clone(),
        token: rec.token.clone(),
        http: reqwest::Client::new(),
    };
    assert_eq!(
        again.get("/auth/me").await.status,
        200,
        "sessions survive a restart"
    );
    let r = again.get(&format!("/timers/{running}")).await;
    assert_eq!(r.body["state"], "running");
    assert_eq!(r.body["ends_at"], ends_at, "a running timer keeps its end");
    let left = r.body["remaining_ms"].as_i64().expect("remaining");
    assert!(
        left > 3_590_000 && left <= 3_600_000,
        "about an hour left: {left}"
    );
    let q = again.get(&format!("/timers/{paused}")).await;
    assert_eq!(q.body["state"], "paused");
    assert_eq!(
        q.body["remaining_ms"].as_i64(),
        Some(frozen),
        "a paused timer keeps its frozen time"
    );
    assert_eq!(again.product(&water).await["stock"], 43);
    assert_eq!(
        again.get("/sales").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    hub.stop().await;
    drop(tmp);
}
