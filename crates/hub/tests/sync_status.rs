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

#[test]
fn kidyboard_cloud_serve_points_at_the_cloud_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kidyboard"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "cloud",
            "serve",
            "--listen",
            "127.0.0.1:8090",
            "--database-url",
            "host=/run/postgresql dbname=kidyboard",
        ])
        .output()
        .expect("kidyboard runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the store's kidyboard does not run the cloud (it links no PostgreSQL code)"
    );
    assert!(
        stderr.contains(
            "kidyboard-cloud serve --listen 127.0.0.1:8090 --database-url 'host=/run/postgresql dbname=kidyboard'"
        ),
        "the message names the command to run instead, with the same options: {stderr}"
    );
}
