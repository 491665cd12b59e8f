//! The cash drawer on the real hub: a float, sales, a refund, a drop and a deposit make the
//! expected cash of the closing (float + cash sales − cash refunds − drops + deposits); the desk
//! counts blind and a count too far off is counted again once; a super_admin amends a closed day
//! with a new record; a clerk's shift report (corte X) prints any time.

mod common;

use common::{child, TestHub};
use serde_json::json;

#[tokio::test]
async fn a_day_with_a_float_and_a_drop_closes_with_the_right_cash_after_a_blind_count() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let admin = hub.login("admin").await;
    let gerente = hub.login("gerente").await;

    // The float, once per till and day; never negative.
    let bad = rec.post("/till/open", json!({"float_cents": -100})).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "float_cents");
    let opened = rec
        .post("/till/open", json!({"float_cents": 100_000}))
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(opened.body["till"], "caja");
    assert_eq!(opened.body["user_name"], "Recepción");
    let again = rec.post("/till/open", json!({"float_cents": 50_000})).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["error"]["code"], "till_already_open");
    // A second drawer (the kid bar's) has its own float.
    let bar = hub.login("kidibar").await;
    assert_eq!(
        bar.post(
            "/till/open",
            json!({"float_cents": 20_000, "till": "kidibar"})
        )
        .await
        .status,
        201
    );

    // $150 of play paid with $200 cash; $40 of water by card; a $20 water in cash refunded.
    let hour = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let play = rec
        .post(
            "/sales",
            json!({"items": [{"service_id": hour, "child": child("Ana")}],
                               "payments": [{"method": "cash", "amount_cents": 20_000}]}),
        )
        .await;
    assert_eq!(play.status, 201, "{}", play.body);
    let card = rec
        .post(
            "/sales",
            json!({"items": [{"product_id": water, "quantity": 2}],
                               "payments": [{"method": "card", "amount_cents": 4_000}]}),
        )
        .await;
    assert_eq!(card.status, 201);
    let cash_water = rec
        .post(
            "/sales",
            json!({"items": [{"product_id": water, "quantity": 1}],
                               "payments": [{"method": "cash", "amount_cents": 2_000}]}),
        )
        .await;
    assert_eq!(cash_water.status, 201);
    let refund = admin
        .post(
            &format!(
                "/sales/{}/refunds",
                cash_water.body["id"].as_str().expect("id")
            ),
            json!({"reason": "no la quiso"}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.body);

    // Drops and deposits: a reason, a positive amount, and no more out than is in.
    let in_drawer = 100_000 + 20_000 + 15_000; // floats + cash sales net (the refund cancels the water)
    for (body, field) in [
        (
            json!({"kind": "drop", "amount_cents": 0, "reason": "cofre"}),
            "amount_cents",
        ),
        (
            json!({"kind": "drop", "amount_cents": 1_000, "reason": " "}),
            "reason",
        ),
        (
            json!({"kind": "drop", "amount_cents": in_drawer + 1, "reason": "cofre"}),
            "amount_cents",
        ),
    ] {
        let r = rec.post("/till/movements", body).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["field"], field);
    }
    let drop = rec
        .post(
            "/till/movements",
            json!({"kind": "drop", "amount_cents": 50_000, "reason": "al cofre"}),
        )
        .await;
    assert_eq!(drop.status, 201, "{}", drop.body);
    let deposit = rec
        .post(
            "/till/movements",
            json!({"kind": "deposit", "amount_cents": 2_000, "reason": "cambio"}),
        )
        .await;
    assert_eq!(deposit.status, 201);
    let till = rec.get("/till").await;
    assert_eq!(till.status, 200);
    assert_eq!(till.body["float_cents"], 120_000);
    assert_eq!(till.body["drops_cents"], 50_000);
    assert_eq!(till.body["deposits_cents"], 2_000);
    assert_eq!(till.body["movements"].as_array().map(Vec::len), Some(2));

    // Blind: the desk does not see what is expected; the owner does.
    let expected_cash = 120_000 + 15_000 - 50_000 + 2_000;
    let blind = rec.get("/day-closings/current").await;
    assert!(blind.body["expected"].is_null());
    assert_eq!(blind.body["float_cents"], 120_000);
    let seen = gerente.get("/day-closings/current").await;
    assert_eq!(seen.body["expected"]["cash_cents"], expected_cash);
    assert_eq!(seen.body["expected"]["card_cents"], 4_000);

    // $100 short is beyond the $50 threshold: count again (recorded, nothing closed).
    let first = rec
        .post(
            "/day-closings",
            json!({"counted_cash_cents": expected_cash - 10_000}),
        )
        .await;
    assert_eq!(first.status, 409, "{}", first.body);
    assert_eq!(first.body["error"]["code"], "recount_required");
    assert_eq!(first.body["error"]["field"], "counted_cash_cents");
    let msg = first.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !msg.contains("870") && !msg.contains("100.00"),
        "the answer does not give the expected money away: {msg}"
    );
    let status = rec.get("/day-closings/current").await;
    assert_eq!(status.body["closed"], false);
    assert_eq!(status.body["recount_pending"], true);
    // The recount is accepted and the first count stays on the record.
    let closed = rec
        .post(
            "/day-closings",
            json!({"counted_cash_cents": expected_cash}),
        )
        .await;
    assert_eq!(closed.status, 201, "{}", closed.body);
    assert_eq!(closed.body["expected"]["cash_cents"], expected_cash);
    assert_eq!(closed.body["difference_cents"], 0);
    assert_eq!(closed.body["float_cents"], 120_000);
    assert_eq!(closed.body["drops_cents"], 50_000);
    assert_eq!(closed.body["deposits_cents"], 2_000);
    assert_eq!(
        closed.body["first_count_cash_cents"],
        expected_cash - 10_000
    );
    let closing_id = closed.body["id"].as_str().expect("id").to_string();
    let day = closed.body["business_day"]
        .as_str()
        .expect("day")
        .to_string();

    // Within the threshold, the first count is accepted: tomorrow, $20 off.
    // (Amendments first.) Only a super_admin corrects a closed day, with a reason, as a new record.
    let path = format!("/day-closings/{closing_id}/amendments");
    assert_eq!(
        rec.post(&path, json!({"counted_cash_cents": 1, "reason": "x"}))
            .await
            .status,
        403
    );
    let r = admin
        .post(&path, json!({"counted_cash_cents": expected_cash + 5_000}))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let amended = admin
        .post(
            &path,
            json!({"counted_cash_cents": expected_cash - 3_000, "reason": "un billete de 50 estaba en el cofre... al revés: faltaron 30"}),
        )
        .await;
    assert_eq!(amended.status, 201, "{}", amended.body);
    assert_eq!(
        amended.body["difference_cents"], 0,
        "the closing keeps its count"
    );
    assert_eq!(amended.body["amendments"][0]["difference_cents"], -3_000);
    assert_eq!(
        amended.body["amendments"][0]["user_name"],
        "Dueña (administración)"
    );
    let report = admin
        .get(&format!("/reports/day-closings?from={day}&to={day}"))
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(
        report.body["total_difference_cents"], -3_000,
        "reports use the amendment"
    );
    assert_eq!(
        report.body["items"][0]["amendments"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        admin
            .post(
                "/day-closings/00000000000000000000000000/amendments",
                json!({"counted_cash_cents": 1, "reason": "x"})
            )
            .await
            .status,
        404
    );

    // After the closing, drawer work and sales belong to the next business day.
    let tomorrow = rec.post("/till/open", json!({"float_cents": 80_000})).await;
    assert_eq!(tomorrow.status, 201, "{}", tomorrow.body);
    assert_ne!(tomorrow.body["business_day"], day.as_str());
}

#[tokio::test]
async fn a_clerk_prints_their_shift_report_any_time() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    assert_eq!(
        rec.post("/till/open", json!({"float_cents": 50_000}))
            .await
            .status,
        201
    );
    for (method, amount) in [("cash", 5_000), ("card", 2_000)] {
        let r = rec
            .post(
                "/sales",
                json!({"items": [{"product_id": water}],
                                   "payments": [{"method": method, "amount_cents": amount}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // Somebody else's sale is not in this clerk's shift.
    let admin = hub.login("admin").await;
    assert_eq!(
        admin
            .post(
                "/sales",
                json!({"items": [{"product_id": water}],
                                   "payments": [{"method": "cash", "amount_cents": 2_000}]})
            )
            .await
            .status,
        201
    );
    let shift = rec.get("/till/shift").await;
    assert_eq!(shift.status, 200, "{}", shift.body);
    assert_eq!(shift.body["sales_count"], 2);
    assert_eq!(shift.body["received"]["cash_cents"], 2_000, "net of change");
    assert_eq!(shift.body["received"]["card_cents"], 2_000);
    assert_eq!(shift.body["float_cents"], 50_000);
    assert_eq!(shift.body["cash_net_cents"], 52_000);
    assert_eq!(shift.body["user_name"], "Recepción");
    let text = reqwest::Client::new()
        .get(hub.url("/api/v1/till/shift?format=text&paper=58"))
        .bearer_auth(&rec.token)
        .send()
        .await
        .expect("text");
    assert_eq!(text.status(), 200);
    let body = text.text().await.expect("body");
    assert!(body.contains("CORTE X"), "{body}");
    assert!(body.contains("$520.00"), "{body}");
    assert!(
        body.lines().all(|l| l.chars().count() <= 32),
        "fits 58 mm paper:\n{body}"
    );
    let printed = body
        .lines()
        .find(|l| l.starts_with("Impreso"))
        .expect("printed at");
    assert!(
        printed.contains('/') && !printed.contains('Z'),
        "the branch's clock, not UTC: {printed}"
    );
    let bytes = reqwest::Client::new()
        .get(hub.url("/api/v1/till/shift?format=escpos"))
        .bearer_auth(&rec.token)
        .send()
        .await
        .expect("escpos")
        .bytes()
        .await
        .expect("bytes");
    assert!(
        bytes.starts_with(b"\x1b@"),
        "ESC/POS starts by resetting the printer"
    );
    assert!(
        bytes.windows(7).any(|w| w == b"CORTE X"),
        "the report's text is in the bytes"
    );
    assert!(
        !bytes.windows(2).any(|w| w == b"\x1bp"),
        "a report never opens the cash drawer"
    );
    // Another clerk's shift is an admin's to read.
    let admin_id = admin.get("/auth/me").await.body["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        rec.get(&format!("/till/shift?user_id={admin_id}"))
            .await
            .status,
        403
    );
    let theirs = admin
        .get(&format!(
            "/till/shift?user_id={}",
            shift.body["user_id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(theirs.body["sales_count"], 2);
    assert_eq!(rec.get("/till/shift?paper=70").await.status, 422);
}
