//! Health, readiness, metrics and the OpenAPI document.

mod common;

use common::TestHub;
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let hub = TestHub::start().await;
    let h = reqwest::get(hub.url("/healthz")).await.expect("healthz");
    assert_eq!(h.status(), 200);
    let r = reqwest::get(hub.url("/readyz")).await.expect("readyz");
    assert_eq!(r.status(), 200);
    // Every answer carries the security headers (shared with the cloud's).
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            r.headers().get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name}"
        );
    }
    assert!(r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("connect-src 'self' ws: wss:")));
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    rec.post("/sales", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]})).await;
    let m = reqwest::get(hub.url("/metrics")).await.expect("metrics");
    assert!(m.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/plain"));
    let text = m.text().await.expect("text");
    assert!(text.contains("kidyboard_sales_total 1"), "{text}");
    assert!(text.contains("kidyboard_sale_commit_seconds_count 1"));
    assert!(
        text.contains("kidyboard_http_requests_total{route=\"/api/v1/sales\",status=\"201\"} 1")
    );
    assert!(text.contains("kidyboard_database_ready 1"));
}

async fn openapi_doc(hub: &TestHub) -> serde_json::Value {
    reqwest::get(hub.url("/api/v1/openapi.json"))
        .await
        .expect("the document is served")
        .json()
        .await
        .expect("the document is JSON")
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes_clients_rely_on() {
    let hub = TestHub::start().await;
    let doc = openapi_doc(&hub).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/services",
        "/api/v1/packages",
        "/api/v1/branches",
        "/api/v1/users",
        "/api/v1/sales",
        "/api/v1/timers",
        "/api/v1/timers/{id}/{action}",
        "/api/v1/day-closings",
        "/api/v1/reports/summary",
        "/api/v1/live",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "the document describes {path}"
        );
    }
    for schema in [
        "Sale",
        "SaleRequest",
        "Timer",
        "Product",
        "DayClosing",
        "Summary",
        "ErrorBody",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "schema {schema}"
        );
    }
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}

/// The `type`s a schema allows, following `$ref`, `oneOf` and `allOf` (how the live frames nest).
fn frame_types(doc: &serde_json::Value, schema: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return frame_types(doc, &doc["components"]["schemas"][name], out);
    }
    for key in ["oneOf", "allOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            frame_types(doc, part, out);
        }
    }
    for t in schema["properties"]["type"]["enum"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.extend(t.as_str().map(str::to_string));
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_live_frame() {
    let hub = TestHub::start().await;
    let doc = openapi_doc(&hub).await;
    let mut types = Vec::new();
    frame_types(&doc, &doc["components"]["schemas"]["LiveFrame"], &mut types);
    types.sort();
    assert_eq!(
        types,
        [
            "announcement",
            "booking.updated",
            "catalog.changed",
            "checkout.created",
            "day.closed",
            "error",
            "hello",
            "job.progress",
            "menu.changed",
            "resync",
            "sale.created",
            "stock.changed",
            "stock.low",
            "timer.updated",
            "timer.warning",
        ],
        "LiveFrame names every message the feed sends, once"
    );
    // The hello a client really gets has the fields its schema declares, and no others.
    let rec = hub.login("recepcion").await;
    let (_ws, hello) = common::live(&hub.base, &rec.token).await;
    let mut sent: Vec<&str> = hello
        .as_object()
        .expect("hello is an object")
        .keys()
        .map(String::as_str)
        .collect();
    sent.sort();
    let mut declared: Vec<&str> = doc["components"]["schemas"]["Hello"]["properties"]
        .as_object()
        .expect("Hello has properties")
        .keys()
        .map(String::as_str)
        .chain(["type"])
        .collect();
    declared.sort();
    assert_eq!(sent, declared, "hello as sent matches the Hello schema");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let a = rec.get("/nothing-here").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["error"]["code"], "not_found");
    let b = rec.delete("/sales").await;
    assert_eq!(b.status, 405);
    assert_eq!(b.body["error"]["code"], "method_not_allowed");
    let ws = reqwest::get(hub.url("/api/v1/live"))
        .await
        .expect("plain get");
    assert!(ws.status().is_client_error());
    let body: serde_json::Value = ws.json().await.expect("json");
    assert!(body["error"]["code"].is_string());
}

#[tokio::test]
async fn the_ui_is_served_with_a_fallback_for_client_routes_and_cache_headers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ui = tmp.path().join("ui");
    std::fs::create_dir_all(ui.join("assets")).expect("ui dir");
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Kidyboard</title>",
    )
    .expect("index");
    std::fs::write(ui.join("assets/app-1234.js"), "console.log(1)").expect("asset");
    let data = tmp.path().join("data");
    let mut config = common::test_config(&data);
    config.ui_dir = Some(ui);
    let hub = TestHub::start_in(&data, config).await;
    let page = reqwest::get(hub.url("/monitor")).await.expect("page");
    assert_eq!(page.status(), 200, "client routes load index.html");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(page.text().await.expect("text").contains("Kidyboard"));
    let asset = reqwest::get(hub.url("/assets/app-1234.js"))
        .await
        .expect("asset");
    assert_eq!(asset.status(), 200);
    assert!(asset.headers()["cache-control"]
        .to_str()
        .unwrap_or("")
        .contains("immutable"));
    let missing = reqwest::get(hub.url("/assets/gone-9999.js"))
        .await
        .expect("missing");
    assert_eq!(missing.status(), 404, "a missing asset is not index.html");
    let api = reqwest::get(hub.url("/api/v1/products"))
        .await
        .expect("api");
    assert_eq!(api.status(), 401, "the API is not shadowed by the UI");
    hub.stop().await;
}

/// /metrics shows sales figures: a peer that is not trusted as loopback (here: loopback trust
/// turned off, as behind a reverse proxy, so the request stands for a LAN peer) needs the
/// metrics token or an admin's session.
#[tokio::test]
async fn metrics_needs_a_token_or_an_admin_session_from_an_untrusted_peer() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = common::test_config(tmp.path());
    config.metrics_allow_loopback = false;
    config.metrics_token = Some("token-de-prometheus-7f3a".into());
    let hub = TestHub::start_in(tmp.path(), config).await;
    let get = |token: Option<String>| {
        let mut rb = reqwest::Client::new().get(hub.url("/metrics"));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        async move {
            let res = rb.send().await.expect("metrics request");
            let status = res.status().as_u16();
            let text = res.text().await.expect("body");
            (status, text)
        }
    };
    let (status, body) = get(None).await;
    assert_eq!(status, 401, "no credentials: 401");
    assert!(
        !body.contains("kidyboard_sales_total"),
        "a refused request shows no figures"
    );
    let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(error["error"]["code"], "unauthorized");
    assert_eq!(
        get(Some("otro-token".into())).await.0,
        401,
        "a wrong token: 401"
    );
    let reception = hub.login("recepcion").await;
    assert_eq!(
        get(Some(reception.token.clone())).await.0,
        403,
        "reception may not read the store's figures"
    );
    for who in ["admin", "gerente"] {
        let session = hub.login(who).await;
        assert_eq!(
            get(Some(session.token.clone())).await.0,
            200,
            "{who}'s session"
        );
    }
    let (status, text) = get(Some("token-de-prometheus-7f3a".into())).await;
    assert_eq!(status, 200, "the scraper's token");
    assert!(text.contains("kidyboard_sales_total"));
    hub.stop().await;
}

#[test]
fn the_metrics_token_never_shows_in_debug() {
    let config = kidyboard_hub::Config {
        metrics_token: Some("token-secreto-123".into()),
        ..Default::default()
    };
    let shown = format!("{config:?}");
    assert!(!shown.contains("token-secreto-123"), "{shown}");
}

/// Clients generated from the document must know the errors every secured call can answer.
#[test]
fn every_secured_operation_documents_401_and_403_and_throttled_ones_429() {
    let doc = serde_json::to_value(kidyboard_hub::openapi::spec()).expect("document as JSON");
    let error_body = |op: &serde_json::Value, status: &str| {
        op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            == "#/components/schemas/ErrorBody"
    };
    let mut secured = 0;
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let Some(security) = op.get("security").and_then(|s| s.as_array()) else {
                continue;
            };
            if security
                .iter()
                .all(|r| r.as_object().is_some_and(|o| o.is_empty()))
            {
                continue;
            }
            secured += 1;
            for status in ["401", "403"] {
                assert!(
                    error_body(op, status),
                    "{method} {path} should document {status} with ErrorBody: {}",
                    op["responses"]
                );
            }
        }
    }
    // Fewer without the optional parts (menus, audio, vision), which are all secured.
    let least = if cfg!(all(
        feature = "media",
        feature = "audio",
        feature = "vision"
    )) {
        60
    } else {
        50
    };
    assert!(
        secured > least,
        "most operations are secured ({secured} found)"
    );
    for (method, path) in [("post", "/api/v1/auth/login"), ("get", "/api/v1/live")] {
        assert!(
            error_body(&paths[path][method], "429"),
            "{method} {path} is throttled and should document 429"
        );
    }
}
