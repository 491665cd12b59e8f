//! Refunds on the real hub: the authorisation matrix (a supervisor's PIN on the same screen), a
//! retried refund that refunds once, the refund on the live feed and in the sale, the quick
//! switch by PIN under the login throttle, and a user setting their own PIN.

mod common;

use std::time::Duration;

use common::{child, live, wait_for, TestHub};
use kidyboard_core::demo::DEMO_PIN;
use serde_json::{json, Value};

async fn juice_sale(rec: &common::Client, quantity: i64) -> Value {
    let juice = rec.id_of("products", "Jugo de manzana 250 ml").await;
    let price = rec.product(&juice).await["price_cents"]
        .as_i64()
        .expect("price");
    let sale = rec
        .post(
            "/sales",
            json!({
                "items": [{"product_id": juice, "quantity": quantity}],
                "payments": [{"method": "cash", "amount_cents": price * quantity}]
            }),
        )
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    sale.body
}

fn one_of(sale: &Value, pin: Option<(&str, &str)>) -> Value {
    let mut body = json!({
        "items": [{"item_id": sale["items"][0]["id"], "quantity": 1}],
        "reason": "se equivocó de sabor",
    });
    if let Some((username, pin)) = pin {
        body["authorization"] = json!({"username": username, "pin": pin});
    }
    body
}

#[tokio::test]
async fn who_may_refund_and_with_whose_pin() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let sale = juice_sale(&rec, 3).await;
    assert!(
        sale["folio"].as_str().is_some_and(|f| f.starts_with("A-0")),
        "{sale}"
    );
    let path = format!("/sales/{}/refunds", sale["id"].as_str().expect("id"));

    // Without a supervisor, with a wrong PIN, or with a clerk's PIN: 403 naming `authorization`.
    for pin in [None, Some(("admin", "9999")), Some(("recepcion", DEMO_PIN))] {
        let r = rec.post(&path, one_of(&sale, pin)).await;
        assert_eq!(r.status, 403, "{pin:?}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "authorization_required");
        assert_eq!(r.body["error"]["field"], "authorization");
    }
    // Read-only and screen accounts cannot refund at all.
    for who in ["gerente", "monitor", "totem"] {
        let c = hub.login(who).await;
        let r = c
            .post(&path, one_of(&sale, Some(("admin", DEMO_PIN))))
            .await;
        assert!(matches!(r.status, 403 | 404), "{who}: {}", r.status);
    }
    let r = rec
        .post(&path, one_of(&sale, Some(("admin", DEMO_PIN))))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let admin_id = hub.login("admin").await.get("/auth/me").await.body["id"].clone();
    assert_eq!(r.body["authorized_by"], admin_id);
    assert!(r.body["folio"]
        .as_str()
        .is_some_and(|f| f.starts_with("A-D")));

    // The owner refunds without anyone's PIN; the kid bar refunds a juice with one.
    let admin = hub.login("admin").await;
    assert_eq!(admin.post(&path, one_of(&sale, None)).await.status, 201);
    let bar = hub.login("kidibar").await;
    let r = bar
        .post(&path, one_of(&sale, Some(("admin", DEMO_PIN))))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Nothing left: a fourth is refused, and the sale shows its three refunds.
    let r = rec
        .post(&path, one_of(&sale, Some(("admin", DEMO_PIN))))
        .await;
    assert_eq!(
        (r.status, r.body["error"]["code"].clone()),
        (409, json!("already_refunded"))
    );
    let after = rec
        .get(&format!("/sales/{}", sale["id"].as_str().expect("id")))
        .await;
    assert_eq!(after.body["refunds"].as_array().map(Vec::len), Some(3));
    assert_eq!(after.body["refunded_cents"], sale["total_cents"]);
    assert_eq!(after.body["total_cents"], sale["total_cents"]);

    // The kid bar cannot see, so cannot refund, a play-time sale.
    let hour = rec.id_of("services", "1 hora de juego").await;
    let play = rec
        .post(
            "/sales",
            json!({
                "items": [{"service_id": hour, "quantity": 1, "child": child("Sofía")}],
                "payments": [{"method": "card", "amount_cents": 15000}]
            }),
        )
        .await;
    assert_eq!(play.status, 201, "{}", play.body);
    let r = bar
        .post(
            &format!("/sales/{}/refunds", play.body["id"].as_str().expect("id")),
            json!({"reason": "error", "authorization": {"username": "admin", "pin": DEMO_PIN}}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[tokio::test]
async fn a_retried_void_refunds_once_cancels_the_timer_and_is_announced() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let (mut ws, _) = live(&hub.base, &rec.token).await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let sale = rec
        .post(
            "/sales",
            json!({
                "items": [{"service_id": hour, "quantity": 1, "child": child("Sofía")}],
                "payments": [{"method": "cash", "amount_cents": 20000}]
            }),
        )
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let path = format!("/sales/{}/refunds", sale.body["id"].as_str().expect("id"));
    let body = json!({"reason": "se cobró dos veces", "authorization": {"username": "admin", "pin": DEMO_PIN}});
    let first = rec.post_with_key(&path, "dev-1", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = rec.post_with_key(&path, "dev-1", body).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(
        again.body["id"], first.body["id"],
        "the retry answers the first refund"
    );
    assert_eq!(first.body["is_void"], true);
    assert_eq!(first.body["total_cents"], 15000);
    assert_eq!(
        first.body["payments"],
        json!([{"method": "cash", "amount_cents": 15000}]),
        "cash gives back what it kept, not the note it was handed"
    );
    let timer_id = sale.body["timers"][0]["id"].clone();
    let cancelled = wait_for(&mut ws, "timer.updated", Duration::from_secs(5), |m| {
        m["timer"]["id"] == timer_id && m["timer"]["state"] == "cancelled"
    })
    .await;
    assert!(cancelled.is_some(), "the wall hears the refunded timer end");
    let r = rec
        .get(&format!(
            "/refunds/{}",
            first.body["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sale_folio"], sale.body["folio"]);
    let refunds: i64 = hub
        .state
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM refunds", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(refunds, 1);
}

#[tokio::test]
async fn a_clerk_switches_user_by_pin_and_sets_their_own() {
    let hub = TestHub::start().await;
    let http = reqwest::Client::new();
    let pin_login = |username: &str, pin: &str| {
        http.post(hub.url("/api/v1/auth/pin"))
            .json(&json!({"username": username, "pin": pin}))
            .send()
    };
    let r = pin_login("recepcion", DEMO_PIN).await.expect("pin login");
    assert_eq!(r.status(), 200);
    let session: Value = r.json().await.expect("json");
    assert_eq!(session["user"]["username"], "recepcion");
    assert_eq!(session["user"]["has_pin"], true);

    // The clerk sets a new PIN of their own; an obvious one is refused; another user's is not
    // theirs to set.
    let rec = hub.login("recepcion").await;
    let me = rec.get("/auth/me").await.body["id"].clone();
    let me = me.as_str().expect("id");
    let r = rec
        .patch(&format!("/users/{me}"), json!({"pin": "1234"}))
        .await;
    assert_eq!(
        (r.status, r.body["error"]["field"].clone()),
        (422, json!("pin"))
    );
    let r = rec
        .patch(&format!("/users/{me}"), json!({"pin": "8531"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = rec
        .patch(
            &format!("/users/{me}"),
            json!({"pin": "8532", "role": "super_admin"}),
        )
        .await;
    assert_eq!(r.status, 403, "only the PIN is one's own to change");
    let admin_id = hub.login("admin").await.get("/auth/me").await.body["id"].clone();
    let r = rec
        .patch(
            &format!("/users/{}", admin_id.as_str().expect("id")),
            json!({"pin": "8532"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let ok = pin_login("recepcion", "8531").await.expect("pin login");
    assert_eq!(ok.status(), 200);

    // Wrong PINs are throttled like passwords: after three, the next waits.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            pin_login("recepcion", "0007")
                .await
                .expect("pin")
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..3], &[401, 401, 401], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn a_reprint_is_marked_copia_and_shows_the_refunds() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let sale = juice_sale(&rec, 2).await;
    let id = sale["id"].as_str().expect("id");
    let r = rec
        .post(
            &format!("/sales/{id}/refunds"),
            one_of(&sale, Some(("admin", DEMO_PIN))),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let refund_folio = r.body["folio"].as_str().expect("folio").to_string();

    let http = reqwest::Client::new();
    let get = |query: &str| {
        http.get(hub.url(&format!("/api/v1/sales/{id}/receipt{query}")))
            .bearer_auth(&rec.token)
            .send()
    };
    let text = get("?paper=58").await.expect("receipt");
    assert_eq!(text.status(), 200);
    assert!(text
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain")));
    let text = text.text().await.expect("text");
    assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
    for expected in [
        "COPIA",
        sale["folio"].as_str().expect("folio"),
        &refund_folio,
        "NETO",
    ] {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }

    let bytes = get("?format=escpos").await.expect("escpos");
    assert_eq!(bytes.status(), 200);
    let bytes = bytes.bytes().await.expect("bytes");
    assert_eq!(&bytes[..2], b"\x1b@", "starts by initialising the printer");
    assert!(
        !bytes.windows(2).any(|w| w == b"\x1bp"),
        "a copy never opens the cash drawer"
    );
    for bad in ["?paper=57", "?format=pdf"] {
        let r = get(bad).await.expect("answer");
        assert_eq!(r.status(), 422, "{bad}");
    }
    // The kid bar may not see a sale of play time, nor its receipt.
    let hour = rec.id_of("services", "1 hora de juego").await;
    let play = rec
        .post(
            "/sales",
            json!({
                "items": [{"service_id": hour, "quantity": 1, "child": child("Sofía")}],
                "payments": [{"method": "card", "amount_cents": 15000}]
            }),
        )
        .await;
    let bar = hub.login("kidibar").await;
    let r = http
        .get(hub.url(&format!(
            "/api/v1/sales/{}/receipt",
            play.body["id"].as_str().expect("id")
        )))
        .bearer_auth(&bar.token)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_desk_finds_a_past_sale_by_folio_amount_method_or_name() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let juice = juice_sale(&rec, 1).await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let play = rec
        .post(
            "/sales",
            json!({
                "items": [{"service_id": hour, "quantity": 1,
                           "child": {"name": "Sofía Ramírez", "guardian_name": "Ana López_50%"}}],
                "payments": [{"method": "card", "amount_cents": 15050}]
            }),
        )
        .await;
    // 150.00 of play time paid 150.50 by card is refused (only cash gives change): pay exactly.
    assert_eq!(play.status, 422, "{}", play.body);
    let play = rec
        .post(
            "/sales",
            json!({
                "items": [{"service_id": hour, "quantity": 1,
                           "child": {"name": "Sofía Ramírez", "guardian_name": "Ana López_50%"}}],
                "payments": [{"method": "transfer", "amount_cents": 15000}]
            }),
        )
        .await;
    assert_eq!(play.status, 201, "{}", play.body);
    let find = |q: &str| {
        let q = q.to_string();
        let rec = &rec;
        async move {
            let url = format!("/sales?q={}", urlencode(&q));
            let r = rec.get(&url).await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            r.body["items"]
                .as_array()
                .map(|a| a.iter().map(|s| s["id"].clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        }
    };
    let (j, p) = (juice["id"].clone(), play.body["id"].clone());
    let folio = play.body["folio"].as_str().expect("folio");
    assert_eq!(find(folio).await, vec![p.clone()]);
    assert_eq!(find(&folio.to_lowercase()).await, vec![p.clone()]);
    assert_eq!(find("150").await, vec![p.clone()], "an amount in pesos");
    assert_eq!(find("$150.00").await, vec![p.clone()]);
    assert_eq!(find("transferencia").await, vec![p.clone()]);
    assert_eq!(find("efectivo").await, vec![j.clone()]);
    assert_eq!(
        find("sofía").await,
        vec![p.clone()],
        "part of a child's name, any case"
    );
    assert_eq!(
        find("_50%").await,
        vec![p.clone()],
        "wildcards are text, not patterns"
    );
    assert_eq!(find("%").await, vec![p.clone()], "a % is a %");
    assert_eq!(find("a%z").await, Vec::<Value>::new(), "not «anything»");
    assert_eq!(find("").await.len(), 2);
    let long = "x".repeat(61);
    let r = rec.get(&format!("/sales?q={long}")).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].clone()),
        (422, json!("q"))
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
