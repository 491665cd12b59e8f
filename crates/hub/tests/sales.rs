//! Selling: mixed items with split payments, stock and its low-stock alert, idempotent retries,
//! and refusals that leave nothing half-written.

mod common;

use std::time::Duration;

use common::{child, live, wait_for, TestHub};
use serde_json::json;

#[tokio::test]
async fn a_sale_of_play_time_products_and_a_package_with_split_payment() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let birthday = rec.id_of("packages", "Paquete cumpleaños").await;
    let hotdog = rec.id_of("products", "Hot dog").await;
    let juice = rec.id_of("products", "Jugo de manzana 250 ml").await;
    let before = (
        rec.product(&water).await["stock"].as_i64(),
        rec.product(&hotdog).await["stock"].as_i64(),
        rec.product(&juice).await["stock"].as_i64(),
    );

    // 150.00 + 2 × 20.00 + 320.00 = 510.00; paid 100.00 by card, 500.00 in cash → change 90.00.
    let sale = rec
        .post(
            "/sales",
            json!({
                "items": [
                    {"service_id": hour, "quantity": 1, "child": child("Sofía")},
                    {"product_id": water, "quantity": 2},
                    {"package_id": birthday, "quantity": 1, "child": {"name": "Mateo"}}
                ],
                "payments": [{"method": "card", "amount_cents": 10000}, {"method": "cash", "amount_cents": 50000}]
            }),
        )
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let s = &sale.body;
    assert_eq!(s["total_cents"], 51_000);
    assert_eq!(s["paid_cents"], 60_000);
    assert_eq!(s["change_cents"], 9_000);
    assert_eq!(s["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(s["items"][1]["total_cents"], 4_000);
    let timers = s["timers"].as_array().expect("timers");
    assert_eq!(
        timers.len(),
        2,
        "the service and the package each start a timer"
    );
    assert_eq!(timers[0]["state"], "running");
    let durations: Vec<i64> = timers
        .iter()
        .map(|t| t["duration_ms"].as_i64().unwrap_or(0))
        .collect();
    assert!(
        durations.contains(&3_600_000) && durations.contains(&7_200_000),
        "1 h and 2 h: {durations:?}"
    );

    let after_water = rec.product(&water).await["stock"].as_i64();
    assert_eq!(
        after_water,
        before.0.map(|s| s - 2),
        "two waters left the shelf"
    );
    assert_eq!(
        rec.product(&hotdog).await["stock"].as_i64(),
        before.1.map(|s| s - 1),
        "the package's hot dog too"
    );
    assert_eq!(
        rec.product(&juice).await["stock"].as_i64(),
        before.2.map(|s| s - 1),
        "and its juice"
    );

    let listed = rec.get("/sales").await;
    assert_eq!(
        listed.body["items"][0]["id"], s["id"],
        "today's sales list shows it"
    );
    let admin = hub.login("admin").await;
    let summary = admin.get("/reports/summary").await;
    assert_eq!(summary.body["revenue_cents"], 51_000);
    assert_eq!(summary.body["by_type"]["services_cents"], 15_000);
    assert_eq!(summary.body["by_type"]["products_cents"], 4_000);
    assert_eq!(summary.body["by_type"]["packages_cents"], 32_000);
    assert_eq!(summary.body["by_method"]["card_cents"], 10_000);
    assert_eq!(
        summary.body["by_method"]["cash_cents"], 41_000,
        "cash net of change"
    );
}

#[tokio::test]
async fn stock_goes_down_and_the_low_stock_alert_is_pushed_once_it_is_crossed() {
    let hub = TestHub::start().await;
    let kid = hub.login("kidibar").await;
    let socks = kid.id_of("products", "Calcetines antiderrapantes").await;
    let chips = kid.id_of("products", "Papas fritas").await;
    let admin = hub.login("admin").await;
    let (mut ws, _) = live(&hub.base, &admin.token).await;
    // Papas fritas: 40 in stock, threshold 10 → selling 30 leaves 10 and crosses it.
    let sale = kid
        .post("/sales", json!({"items": [{"product_id": chips, "quantity": 30}], "payments": [{"method": "cash", "amount_cents": 75_000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let low = wait_for(&mut ws, "stock.low", Duration::from_secs(3), |m| {
        m["product"]["id"] == chips.as_str()
    })
    .await;
    let low = low.expect("a stock.low message for Papas fritas");
    assert_eq!(low["product"]["stock"], 10);
    assert_eq!(low["product"]["low_stock"], true);
    // Socks start at 4 (below 6): selling 5 would go negative and is refused, whole.
    let refused = kid
        .post("/sales", json!({"items": [{"product_id": chips, "quantity": 1}, {"product_id": socks, "quantity": 5}], "payments": [{"method": "cash", "amount_cents": 50_000}]}))
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.body["error"]["code"], "insufficient_stock");
    assert_eq!(refused.body["error"]["field"], "items[1].quantity");
    assert_eq!(
        kid.product(&chips).await["stock"],
        10,
        "the chips of the refused sale are still on the shelf"
    );
    assert_eq!(kid.product(&socks).await["stock"], 4);
    let sales = kid.get("/sales").await;
    assert_eq!(
        sales.body["items"].as_array().map(Vec::len),
        Some(1),
        "no trace of the refused sale"
    );
}

#[tokio::test]
async fn a_retried_sale_with_the_same_key_sells_once() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let body = json!({"items": [{"product_id": water, "quantity": 3}], "payments": [{"method": "cash", "amount_cents": 10_000}]});
    let first = rec
        .post_with_key("/sales", "caja1-000123", body.clone())
        .await;
    assert_eq!(first.status, 201);
    let again = rec
        .post_with_key("/sales", "caja1-000123", body.clone())
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(
        again.body["id"], first.body["id"],
        "the retry answers the first sale"
    );
    assert_eq!(again.body["number"], first.body["number"]);
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    // Concurrent retries (a double tap) also sell once.
    let mut handles = Vec::new();
    for _ in 0..8 {
        let c = rec.clone();
        let b = body.clone();
        handles.push(tokio::spawn(async move {
            c.post_with_key("/sales", "caja1-000124", b).await.body["id"].clone()
        }));
    }
    let mut ids = Vec::new();
    for h in handles {
        ids.push(h.await.expect("task"));
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "eight concurrent retries, one sale: {ids:?}"
    );
    assert_eq!(
        rec.product(&water).await["stock"],
        48 - 6,
        "stock went down twice (two keys), not ten times"
    );
    let other = rec
        .post_with_key("/sales", "caja1-000123", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2_000}]}))
        .await;
    assert_eq!(
        other.status, 422,
        "a key reused for a different sale is refused"
    );
    assert_eq!(other.body["error"]["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn bad_sales_get_clear_errors_naming_the_field() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let cash = |c: i64| json!([{"method": "cash", "amount_cents": c}]);
    let cases = vec![
        (
            json!({"items": [{"product_id": water, "quantity": -1}], "payments": cash(2000)}),
            422,
            "validation",
            "items[0].quantity",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": "dos"}], "payments": cash(2000)}),
            422,
            "validation",
            "items[0].quantity",
        ),
        (
            json!({"items": [{"product_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ", "quantity": 1}], "payments": cash(2000)}),
            422,
            "validation",
            "items[0].product_id",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": cash(1000)}),
            422,
            "insufficient_payment",
            "",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "card", "amount_cents": 5000}]}),
            422,
            "validation",
            "payments",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "bitcoin", "amount_cents": 2000}]}),
            422,
            "validation",
            "payments[0].method",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": cash(9_223_372_036_854_775_807)}),
            422,
            "validation",
            "payments[0].amount_cents",
        ),
        (
            json!({"items": [], "payments": cash(2000)}),
            422,
            "validation",
            "items",
        ),
        (
            json!({"items": [{"service_id": hour, "quantity": 1}], "payments": cash(15000)}),
            422,
            "validation",
            "items[0].child",
        ),
        (
            json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "x".repeat(500)}}], "payments": cash(15000)}),
            422,
            "validation",
            "items[0].child.name",
        ),
        (
            json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Ana", "guardian_phone": "llámame"}}], "payments": cash(15000)}),
            422,
            "validation",
            "items[0].child.guardian_phone",
        ),
        (
            json!({"items": [{"product_id": water, "service_id": hour, "quantity": 1}], "payments": cash(2000)}),
            422,
            "validation",
            "items[0]",
        ),
        (
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": cash(2000), "note": "x".repeat(3000)}),
            422,
            "validation",
            "note",
        ),
        (
            json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Ana"}, "start_at": "mañana"}], "payments": cash(15000)}),
            422,
            "validation",
            "items[0].start_at",
        ),
    ];
    for (body, status, code, field) in cases {
        let a = rec.post("/sales", body.clone()).await;
        assert_eq!(a.status, status, "{body} → {}", a.body);
        assert_eq!(a.body["error"]["code"], code, "{body} → {}", a.body);
        if !field.is_empty() {
            assert_eq!(a.body["error"]["field"], field, "{body} → {}", a.body);
        }
        assert!(a.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        rec.get("/sales").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "nothing was sold"
    );
    assert_eq!(rec.product(&water).await["stock"], 48, "no stock moved");
    let not_json = rec
        .http
        .post(format!("{}/api/v1/sales", rec.base))
        .bearer_auth(&rec.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(not_json.status(), 422);
    let huge = rec
        .http
        .post(format!("{}/api/v1/sales", rec.base))
        .bearer_auth(&rec.token)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("send");
    assert_eq!(huge.status(), 413, "bodies over the limit are refused");
    let body: serde_json::Value = huge.json().await.expect("json error body");
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn kidibar_cannot_sell_play_time() {
    let hub = TestHub::start().await;
    let kid = hub.login("kidibar").await;
    let admin = hub.login("admin").await;
    let hour = admin.id_of("services", "1 hora de juego").await;
    let a = kid
        .post("/sales", json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Leo"}}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(a.body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn catalogue_writes_validate_and_announce_themselves() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let totem = hub.login("totem").await;
    let (mut ws, _) = live(&hub.base, &totem.token).await;
    let created = admin
        .post("/products", json!({"name": "Agua de jamaica", "category": "Bebidas", "price_cents": 2500, "stock": 12, "low_stock_threshold": 3, "barcode": "7500000000001"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_string();
    assert_eq!(created.body["stock"], 12);
    let seen = wait_for(&mut ws, "catalog.changed", Duration::from_secs(3), |m| {
        m["id"] == id.as_str()
    })
    .await;
    assert!(seen.is_some(), "the totem hears of the new product");
    let dup = admin
        .post(
            "/products",
            json!({"name": "Otra", "price_cents": 100, "barcode": "7500000000001"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["error"]["field"], "barcode");
    for (body, field) in [
        (json!({"name": "", "price_cents": 100}), "name"),
        (json!({"name": "X", "price_cents": -5}), "price_cents"),
        (
            json!({"name": "X", "price_cents": 99_999_999_999i64}),
            "price_cents",
        ),
        (json!({"name": "X"}), "price_cents"),
        (json!({"name": "X", "price_cents": 1, "stock": -3}), "stock"),
    ] {
        let a = admin.post("/products", body.clone()).await;
        assert_eq!(a.status, 422, "{body}");
        assert_eq!(a.body["error"]["field"], field, "{body}");
    }
    let patched = admin
        .patch(&format!("/products/{id}"), json!({"price_cents": 2800}))
        .await;
    assert_eq!(patched.body["price_cents"], 2800);
    assert_eq!(
        patched.body["name"], "Agua de jamaica",
        "absent fields are unchanged"
    );
    let adj = admin
        .post(
            &format!("/products/{id}/stock"),
            json!({"delta": -2, "reason": "merma"}),
        )
        .await;
    assert_eq!(adj.body["stock"], 10);
    let moves = admin.get(&format!("/products/{id}/stock-movements")).await;
    assert_eq!(
        moves.body["items"].as_array().map(Vec::len),
        Some(2),
        "opening stock and the adjustment"
    );
    let gone = admin.delete(&format!("/products/{id}")).await;
    assert_eq!(gone.body["active"], false);
    let listed = totem.get("/products").await;
    assert!(
        !listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|p| p["id"] == id.as_str()),
        "deactivated products leave the lists"
    );
    assert_eq!(admin.get("/products/not-an-id").await.status, 404);
}
