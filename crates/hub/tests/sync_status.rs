//! The cloud link as the admin screen sees it: an unpaired store works and says so.

mod common;

use common::TestHub;
use serde_json::json;

#[tokio::test]
async fn an_unpaired_store_reports_its_sync_status_and_accepts_sync_now() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    rec.post("/sales", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]})).await;
    let status = admin.get("/sync/status").await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert_eq!(
        status.body["paired"], false,
        "no cloud configured: the hub runs on its own"
    );
    let now = admin.post("/sync/now", json!({})).await;
    assert_eq!(now.status, 202);
    assert_eq!(
        rec.get("/sync/status").await.status,
        403,
        "reception does not manage the cloud link"
    );
    assert_eq!(rec.post("/sync/now", json!({})).await.status, 403);
    let gerente = hub.login("gerente").await;
    assert_eq!(gerente.get("/sync/status").await.status, 200);
    assert_eq!(gerente.post("/sync/now", json!({})).await.status, 403);
}
