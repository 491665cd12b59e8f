//! A live feed lives only as long as its session: logout, deactivation, a password change or a
//! role change closes it at once, before another sale (with guardians' phones) is streamed.

mod common;

use std::time::Duration;

use common::{Client, TestHub, Ws};
use serde_json::json;

const STRONG: &str = "Caja-Segura-2026";

/// A new reception user, signed in, with its live feed open.
async fn clerk(hub: &TestHub, admin: &Client, username: &str) -> (String, Client, Ws) {
    let made = admin
        .post(
            "/users",
            json!({"username": username, "password": STRONG, "role": "reception"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().expect("id").to_string();
    let token = common::login(&hub.base, username, STRONG).await;
    let client = Client {
        base: hub.base.clone(),
        token: token.clone(),
        http: reqwest::Client::new(),
    };
    let (ws, _) = common::live(&hub.base, &token).await;
    (id, client, ws)
}

/// The feed says the session ended and closes, without streaming anything else first.
async fn ends(ws: &mut Ws, what: &str) {
    let msg = common::next_json(ws, Duration::from_secs(3)).await;
    let msg = msg.unwrap_or_else(|| panic!("after {what} the feed says why it closes"));
    assert_eq!(
        msg["error"]["code"], "session_ended",
        "after {what} the first thing on the feed is its end: {msg}"
    );
    assert!(
        common::next_json(ws, Duration::from_secs(3))
            .await
            .is_none(),
        "after {what} the feed is closed"
    );
}

#[tokio::test]
async fn logout_deactivation_password_and_role_changes_close_the_live_feed() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let service = admin.id_of("services", "1 hora de juego").await;

    // The feed works while the session does.
    let (_, c1, mut ws1) = clerk(&hub, &admin, "cajera_uno").await;
    let sale = c1
        .post("/sales", json!({"items": [{"service_id": service, "quantity": 1, "child": common::child("Leo")}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    assert!(
        common::wait_for(&mut ws1, "sale.created", Duration::from_secs(3), |_| true)
            .await
            .is_some(),
        "the feed streams while signed in"
    );
    // What the sale published (its timer, stock) is read before the session ends.
    while common::next_json(&mut ws1, Duration::from_millis(300))
        .await
        .is_some()
    {}
    assert_eq!(c1.post("/auth/logout", json!({})).await.status, 204);
    ends(&mut ws1, "logout").await;

    let (id2, _, mut ws2) = clerk(&hub, &admin, "cajera_dos").await;
    assert_eq!(admin.delete(&format!("/users/{id2}")).await.status, 200);
    ends(&mut ws2, "deactivation").await;

    let (id3, _, mut ws3) = clerk(&hub, &admin, "cajera_tres").await;
    let changed = admin
        .patch(
            &format!("/users/{id3}"),
            json!({"password": "Otra-Clave-Larga-9"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    ends(&mut ws3, "a password change").await;

    let (id4, _, mut ws4) = clerk(&hub, &admin, "cajera_cuatro").await;
    let changed = admin
        .patch(&format!("/users/{id4}"), json!({"role": "monitor"}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    ends(&mut ws4, "a role change").await;
}

#[tokio::test]
async fn one_user_holds_a_bounded_number_of_live_feeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = kidyboard_hub::Config {
        live_connections_per_user: 3,
        ..common::test_config(tmp.path())
    };
    let hub = TestHub::start_in(tmp.path(), config).await;
    let monitor = hub.login("monitor").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(common::live(&hub.base, &monitor.token).await.0);
    }
    let url = format!(
        "{}/api/v1/live?token={}",
        hub.base.replace("http://", "ws://"),
        monitor.token
    );
    let refused = tokio_tungstenite::connect_async(url.clone()).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), 429, "a fourth feed of one user is refused")
        }
        other => panic!("a fourth feed must be refused with 429, got {other:?}"),
    }
    drop(open.pop());
    // The hub notices the close on its next read; poll until the place is free.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if tokio_tungstenite::connect_async(url.clone()).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a closed feed frees its place"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
