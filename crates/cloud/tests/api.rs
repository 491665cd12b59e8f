//! The cloud's API surface: its OpenAPI document, the error shape on every refusal, the owner
//! boundaries between organisations, and single-use pairing codes.

mod common;

use common::{call, Owner, TestCloud, TestStore};
use serde_json::{json, Value};

fn is_error(body: &Value, code: &str) -> bool {
    body["error"]["code"] == code
        && body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_errors_boundaries_and_pairing_codes() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("api").await;
    let cloud = TestCloud::start(&url);
    let http = reqwest::Client::new();

    let (status, doc) = call(
        &http,
        http.get(format!("{}/api/v1/openapi.json", cloud.base)),
    )
    .await;
    assert_eq!(status, 200);
    for path in [
        "/api/v1/sync/push",
        "/api/v1/sync/catalog",
        "/api/v1/devices/pair",
        "/api/v1/reports/summary",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "the OpenAPI document describes {path}"
        );
    }
    let (status, body) = call(&http, http.get(format!("{}/readyz", cloud.base))).await;
    assert_eq!((status, body), (200, Value::String("ready".into())));

    // Refusals are JSON with a stable code.
    let (status, body) = call(&http, http.get(format!("{}/api/v1/branches", cloud.base))).await;
    assert_eq!(status, 401);
    assert!(is_error(&body, "unauthorized"), "{body}");
    let (status, body) = call(
        &http,
        http.post(format!("{}/api/v1/organisations", cloud.base))
            .bearer_auth("wrong")
            .json(&json!({"name": "X"})),
    )
    .await;
    assert_eq!(
        status, 401,
        "only the operator creates organisations: {body}"
    );
    let (status, body) = call(
        &http,
        http.get(format!("{}/api/v1/nothing-here", cloud.base)),
    )
    .await;
    assert_eq!(status, 404);
    assert!(is_error(&body, "not_found"), "{body}");

    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (status, body) = owner
        .post(
            "/api/v1/branches",
            json!({"name": "", "timezone": "Mars/Base"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        is_error(&body, "validation") && body["error"]["field"] == "name",
        "{body}"
    );
    let (status, body) = owner
        .post(
            "/api/v1/branches",
            json!({"name": "Centro", "timezone": "Mars/Base"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("timezone"))
    );
    let (status, body) = owner
        .post("/api/v1/catalog/products", json!({"name": "Sin precio"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("price_cents")),
        "{body}"
    );
    let (status, body) = owner.post("/api/v1/branches", json!("not an object")).await;
    assert_eq!(status, 422);
    assert!(
        is_error(&body, "validation"),
        "a malformed body is a validation error: {body}"
    );
    // A body over the limit (8 MB by default) is too large, as at the hub, not a conflict.
    let (status, body) = call(
        &http,
        http.post(format!("{}/api/v1/branches", cloud.base))
            .bearer_auth(&owner.token)
            .header("content-type", "application/json")
            .body(vec![b' '; 9 * 1024 * 1024]),
    )
    .await;
    assert_eq!(status, 413, "an oversized body is 413: {body}");
    assert!(is_error(&body, "payload_too_large"), "{body}");
    let (status, body) = owner.get("/api/v1/reports/summary?from=ayer").await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("from"))
    );

    // One organisation cannot reach another's branches.
    let branch = owner.branch("Centro").await;
    let rival = Owner::create(&cloud.base, "Otra empresa").await;
    let (status, _) = rival
        .post(
            &format!("/api/v1/branches/{branch}/pairing-codes"),
            json!({}),
        )
        .await;
    assert_eq!(
        status, 404,
        "another organisation's branch does not exist for this owner"
    );
    let (status, _) = rival
        .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
        .await;
    assert_eq!(status, 404);

    // A pairing code works once.
    let store = TestStore::new();
    let code = owner.pairing_code(&branch).await;
    kidyboard_sync::worker::pairing::pair(
        store.store.clone(),
        &cloud.base,
        &code.to_lowercase(),
        None,
    )
    .await
    .expect("a code pairs (case and dashes do not matter)");
    let again =
        kidyboard_sync::worker::pairing::pair(store.store.clone(), &cloud.base, &code, None).await;
    match again {
        Err(kidyboard_sync::SyncError::Refused { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (422, "validation"))
        }
        other => panic!("a used code should be refused, got {other:?}"),
    }
    let (status, list) = owner.get("/api/v1/branches").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["items"][0]["devices"][0]["id"],
        store.store.device_id(),
        "the owner sees the paired store under its branch"
    );

    // A code past its time is refused the same way, naming the field.
    let late = owner.pairing_code(&branch).await;
    let db = common::cloud_db(&url).await;
    db.execute(
        "UPDATE pairing_codes SET expires_at = now() - interval '1 minute' WHERE redeemed_at IS NULL",
        &[],
    )
    .await
    .expect("expire");
    let (status, body) = call(
        &http,
        http.post(format!("{}/api/v1/devices/pair", cloud.base))
            .json(&serde_json::json!({
                "code": late,
                "device_id": "01J00000000000000000000000",
            })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "code");
}
