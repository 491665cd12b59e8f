//! Extra play time on the real hub: overtime accrues at its exact instant and is charged once by
//! a sale (which stops the timer) or waived with a reason; extensions are sold in blocks and
//! refunded like any line; free time needs a super_admin and a reason, and is reported.
//! The demo services sell extra time at $50 a 15-minute block, with 5 minutes of grace.

mod common;

use std::time::Duration;

use common::{child, TestHub};
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::demo::DEMO_PIN;
use kidyboard_core::sales::{self, SaleRequest};
use kidyboard_core::{Actor, Role};
use serde_json::{json, Value};

const BLOCK: i64 = 5_000;
const GRACE_MS: i64 = 5 * 60_000;
const HOUR_MS: i64 = 60 * 60_000;

/// Sells an hour of play for `kid` as the clerk did at `sold_at` (through the store: a test
/// cannot wait an hour), wakes the scheduler, and answers the timer's id.
async fn hour_sold_at(hub: &TestHub, rec: &common::Client, kid: &str, sold_at: i64) -> String {
    let hour = rec.id_of("services", "1 hora de juego").await;
    let me = rec.get("/auth/me").await.body["id"]
        .as_str()
        .expect("id")
        .to_string();
    let req: SaleRequest = serde_json::from_value(json!({
        "items": [{"service_id": hour, "quantity": 1, "child": child(kid)}],
        "payments": [{"method": "cash", "amount_cents": 15_000}]
    }))
    .expect("sale request");
    let store = hub.state.store.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let actor = Actor {
            user_id: Some(me),
            role: Role::Reception,
        };
        store.change(&actor, sold_at, |tx| sales::create(tx, &req, None))
    })
    .await
    .expect("task")
    .expect("sold");
    hub.state.timers_changed.notify_one();
    outcome.sale.timers[0].id.clone()
}

/// The timer once the scheduler has rung it (it is woken by the sale, but runs on its own task).
async fn rung(rec: &common::Client, id: &str) -> Value {
    for _ in 0..100 {
        let t = timer(rec, id).await;
        if t["state"] == "expired" {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the timer {id} was never rung");
}

async fn timer(rec: &common::Client, id: &str) -> Value {
    let t = rec.get(&format!("/timers/{id}")).await;
    assert_eq!(t.status, 200, "{}", t.body);
    t.body
}

async fn wait_until(at: i64) {
    let left = at - now_ms();
    if left > 0 {
        tokio::time::sleep(Duration::from_millis(left as u64)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overtime_accrues_at_its_instant_and_is_charged_once() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    // The hour ran out 5 minutes less 6 seconds ago: still within the grace.
    let sold_at = now_ms() - HOUR_MS - GRACE_MS + 6_000;
    let id = hour_sold_at(&hub, &rec, "Mateo", sold_at).await;
    let ends = sold_at + HOUR_MS;
    let free_until = ends + GRACE_MS;

    let t = rung(&rec, &id).await;
    assert_eq!(t["overtime_minutes"], 5);
    assert_eq!(t["overtime_due_cents"], 0, "within the grace: {t}");
    assert_eq!(t["extra_block_minutes"], 15);
    assert_eq!(t["extra_block_price_cents"], BLOCK);
    assert!(now_ms() < free_until, "read before the grace ended");
    // Stopping within the grace needs nothing.
    // (Checked on another timer below; this one is kept for the charge.)

    wait_until(free_until + 1).await;
    let t = timer(&rec, &id).await;
    assert_eq!(t["overtime_minutes"], 6);
    assert_eq!(
        t["overtime_due_cents"], BLOCK,
        "one started block due from the grace's last millisecond on"
    );

    // Stopping without settling is refused, naming what to do.
    let r = rec.post(&format!("/timers/{id}/stop"), json!({})).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "overtime_due");
    assert_eq!(r.body["error"]["field"], "waive_reason");

    // One tap: a sale of the overtime, which stops the timer.
    let charge = json!({"items": [{"timer_id": id, "overtime": true}],
                        "payments": [{"method": "cash", "amount_cents": 10_000}]});
    let sale = rec.post_with_key("/sales", "ot-1", charge.clone()).await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let line = &sale.body["items"][0];
    assert_eq!(line["extra"], "overtime");
    assert_eq!(line["timer_id"], id.as_str());
    assert_eq!(line["total_cents"], BLOCK);
    assert_eq!(line["kind"], "service");
    assert_eq!(sale.body["change_cents"], 5_000);
    let t = timer(&rec, &id).await;
    assert_eq!(t["state"], "finished");
    assert_eq!(t["overtime_settlement"], "charged");
    assert_eq!(t["overtime_due_cents"], 0);
    assert_eq!(
        t["overtime_minutes"], 6,
        "the overtime as it stood when charged"
    );

    // A retry answers the same sale; a second charge finds nothing to charge.
    let again = rec.post_with_key("/sales", "ot-1", charge.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], sale.body["id"]);
    let twice = rec.post_with_key("/sales", "ot-2", charge).await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    assert_eq!(twice.body["error"]["field"], "items[0].overtime");
    let admin = hub.login("admin").await;
    let day = clock::local_day(
        now_ms(),
        clock::parse_tz("tz", "America/Mexico_City").expect("tz"),
    );
    let sales = admin.get(&format!("/sales?from={day}&to={day}")).await;
    let charged: i64 = sales.body["items"]
        .as_array()
        .expect("sales")
        .iter()
        .flat_map(|s| s["items"].as_array().cloned().unwrap_or_default())
        .filter(|i| i["extra"] == "overtime")
        .map(|i| i["total_cents"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(charged, BLOCK, "charged once");

    // Another child, 20 minutes late: waived with a reason, and reported.
    let late = hour_sold_at(&hub, &rec, "Julia", now_ms() - HOUR_MS - 20 * 60_000).await;
    let t = rung(&rec, &late).await;
    assert_eq!(t["overtime_due_cents"], 2 * BLOCK, "20 minutes: two blocks");
    let r = rec
        .post(
            &format!("/timers/{late}/stop"),
            json!({"waive_reason": "   "}),
        )
        .await;
    assert_eq!(r.status, 422, "a blank reason is no reason");
    let r = rec
        .post(
            &format!("/timers/{late}/stop"),
            json!({"waive_reason": "su mamá ya estaba pagando"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["overtime_settlement"], "waived");
    let report = admin
        .get(&format!("/reports/courtesies?from={day}&to={day}"))
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["waived_overtime_cents"], 2 * BLOCK);
    assert_eq!(report.body["items"][0]["kind"], "waived_overtime");
    assert_eq!(
        report.body["items"][0]["reason"],
        "su mamá ya estaba pagando"
    );
    assert_eq!(report.body["items"][0]["child_name"], "Julia");

    // Within the grace, stopping just stops.
    let on_time = hour_sold_at(&hub, &rec, "Iker", now_ms() - HOUR_MS - 60_000).await;
    rung(&rec, &on_time).await;
    let r = rec
        .post(&format!("/timers/{on_time}/stop"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["overtime_settlement"].is_null());
}

#[tokio::test]
async fn extensions_are_sold_in_blocks_and_free_time_needs_a_supervisor() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let sale = rec
        .post(
            "/sales",
            json!({"items": [{"service_id": hour, "quantity": 1, "child": child("Ana")}],
                               "payments": [{"method": "card", "amount_cents": 15_000}]}),
        )
        .await;
    assert_eq!(sale.status, 201);
    let id = sale.body["timers"][0]["id"]
        .as_str()
        .expect("timer")
        .to_string();
    let ends = |t: &Value| {
        t["ends_at"]
            .as_str()
            .and_then(|s| clock::parse_rfc3339("t", s).ok())
            .expect("ends_at")
    };
    let before = ends(&timer(&rec, &id).await);

    // Not a whole block, or both kinds at once: 422 naming the field; nothing written.
    for (bad, field) in [
        (
            json!({"timer_id": id, "extend_minutes": 10}),
            "items[0].extend_minutes",
        ),
        (
            json!({"timer_id": id, "extend_minutes": 15, "overtime": true}),
            "items[0].extend_minutes",
        ),
        (
            json!({"timer_id": id, "extend_minutes": 15, "quantity": 2}),
            "items[0].quantity",
        ),
        (
            json!({"timer_id": "nope", "extend_minutes": 15}),
            "items[0].timer_id",
        ),
    ] {
        let r = rec
            .post(
                "/sales",
                json!({"items": [bad], "payments": [{"method": "cash", "amount_cents": 100_000}]}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{}", r.body);
    }
    assert_eq!(ends(&timer(&rec, &id).await), before, "nothing written");

    // Half an hour more: two blocks, paid, on the same timer.
    let ext = rec
        .post(
            "/sales",
            json!({"items": [{"timer_id": id, "extend_minutes": 30}],
                               "payments": [{"method": "cash", "amount_cents": 2 * BLOCK}]}),
        )
        .await;
    assert_eq!(ext.status, 201, "{}", ext.body);
    assert_eq!(ext.body["items"][0]["quantity"], 2);
    assert_eq!(ext.body["items"][0]["total_cents"], 2 * BLOCK);
    assert_eq!(ext.body["items"][0]["extra"], "extension");
    let t = timer(&rec, &id).await;
    assert_eq!(ends(&t), before + 30 * 60_000);
    assert_eq!(t["extended_minutes"], 30);

    // Refunding the extension (with the owner's PIN) takes the unplayed time back.
    let refund = rec
        .post(
            &format!("/sales/{}/refunds", ext.body["id"].as_str().expect("id")),
            json!({"reason": "se van antes", "authorization": {"username": "admin", "pin": DEMO_PIN}}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.body);
    assert_eq!(refund.body["total_cents"], 2 * BLOCK);
    let t = timer(&rec, &id).await;
    assert_eq!(ends(&t), before, "the 30 minutes are taken back");
    assert_eq!(t["state"], "running");

    // Free time: the clerk needs the owner's PIN and a reason; the owner needs a reason.
    let path = format!("/timers/{id}/extend");
    let r = rec
        .post(&path, json!({"minutes": 10, "reason": "cumpleañera"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["error"]["field"], "authorization");
    let r = rec
        .post(
            &path,
            json!({"minutes": 10, "reason": "cumpleañera",
                            "authorization": {"username": "recepcion", "pin": DEMO_PIN}}),
        )
        .await;
    assert_eq!(r.status, 403, "a clerk cannot authorise: {}", r.body);
    let r = rec
        .post(
            &path,
            json!({"minutes": 10, "authorization": {"username": "admin", "pin": DEMO_PIN}}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["error"]["field"], "reason");
    let r = rec
        .post(
            &path,
            json!({"minutes": 10, "reason": "cumpleañera",
                            "authorization": {"username": "admin", "pin": DEMO_PIN}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let admin = hub.login("admin").await;
    let r = admin
        .post(&path, json!({"minutes": 5, "reason": "se cayó el sistema"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ends(&timer(&rec, &id).await), before + 15 * 60_000);

    let admin_id = admin.get("/auth/me").await.body["id"].clone();
    let day = clock::local_day(
        now_ms(),
        clock::parse_tz("tz", "America/Mexico_City").expect("tz"),
    );
    let report = admin
        .get(&format!("/reports/courtesies?from={day}&to={day}"))
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let items = report.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{}", report.body);
    assert_eq!(report.body["free_extension_minutes"], 15);
    assert_eq!(items[0]["kind"], "free_extension");
    assert_eq!(items[0]["reason"], "cumpleañera");
    assert_eq!(items[0]["authorized_by"], admin_id);
    assert_eq!(items[1]["user_id"], admin_id);
    assert!(items[1]["authorized_by"].is_null());
    // The clerk does not read reports.
    assert_eq!(
        rec.get(&format!("/reports/courtesies?from={day}&to={day}"))
            .await
            .status,
        403
    );
}
