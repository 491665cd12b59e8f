//! Login per role, logout, throttling, and the role matrix on every route group.

mod common;

use common::TestHub;
use serde_json::json;

#[tokio::test]
async fn every_demo_role_logs_in_and_sees_itself() {
    let hub = TestHub::start().await;
    for (username, role) in [
        ("admin", "super_admin"),
        ("gerente", "admin_viewer"),
        ("recepcion", "reception"),
        ("kidibar", "kidibar"),
        ("monitor", "monitor"),
        ("totem", "totem"),
    ] {
        let c = hub.login(username).await;
        let me = c.get("/auth/me").await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["role"], role, "{username} should have role {role}");
        assert!(me.body.get("password_hash").is_none(), "no hash leaks");
    }
}

#[tokio::test]
async fn bad_credentials_are_401_and_repeated_failures_are_throttled() {
    let hub = TestHub::start().await;
    let http = reqwest::Client::new();
    let attempt = |user: &'static str, pw: &'static str| {
        let http = http.clone();
        let url = hub.url("/api/v1/auth/login");
        async move {
            let res = http
                .post(url)
                .json(&json!({"username": user, "password": pw}))
                .send()
                .await
                .expect("send");
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.expect("json");
            (status, body)
        }
    };
    let (status, body) = attempt("recepcion", "wrong-password").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = attempt("nadie", "whatever12").await;
    assert_eq!(
        status, 401,
        "unknown users answer exactly like wrong passwords"
    );
    for _ in 0..4 {
        attempt("recepcion", "wrong-password").await;
    }
    let (status, body) = attempt("recepcion", "demo1234").await;
    assert_eq!(
        status, 429,
        "after 5 failures even the right password waits"
    );
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let (status, _) = attempt("kidibar", "demo1234").await;
    assert_eq!(
        status, 200,
        "other users of the same address are not locked out yet"
    );
}

#[tokio::test]
async fn logout_revokes_the_token_and_missing_tokens_are_401() {
    let hub = TestHub::start().await;
    let c = hub.login("recepcion").await;
    assert_eq!(c.get("/timers").await.status, 200);
    assert_eq!(c.post("/auth/logout", json!({})).await.status, 204);
    let after = c.get("/timers").await;
    assert_eq!(after.status, 401, "a revoked token no longer works");
    assert_eq!(after.body["error"]["code"], "unauthorized");
    let anon = reqwest::get(hub.url("/api/v1/products"))
        .await
        .expect("get");
    assert_eq!(anon.status(), 401);
}

/// (method, path, body, roles allowed). Anything else must answer 403.
#[tokio::test]
async fn the_role_matrix_is_enforced_on_every_route_group() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let product = admin.id_of("products", "Agua natural 600 ml").await;
    let service = admin.id_of("services", "1 hora de juego").await;
    let backup = admin.post("/backups", json!({})).await.body["name"]
        .as_str()
        .expect("a backup to restore")
        .to_string();
    let roles = [
        "admin",
        "gerente",
        "recepcion",
        "kidibar",
        "monitor",
        "totem",
    ];
    let cases: Vec<(&str, String, serde_json::Value, Vec<&str>)> = vec![
        (
            "GET",
            "/products".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion", "kidibar", "totem"],
        ),
        (
            "GET",
            "/services".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion", "totem"],
        ),
        (
            "GET",
            "/packages".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion", "totem"],
        ),
        ("GET", "/branches".into(), json!(null), roles.to_vec()),
        (
            "GET",
            "/users".into(),
            json!(null),
            vec!["admin", "gerente"],
        ),
        (
            "POST",
            "/products".into(),
            json!({"name": "Prueba", "price_cents": 100}),
            vec!["admin"],
        ),
        (
            "PATCH",
            format!("/products/{product}"),
            json!({"price_cents": 2000}),
            vec!["admin"],
        ),
        (
            "POST",
            format!("/products/{product}/stock"),
            json!({"delta": 1, "reason": "compra"}),
            vec!["admin"],
        ),
        (
            "POST",
            "/services".into(),
            json!({"name": "Prueba", "duration_minutes": 10, "price_cents": 100}),
            vec!["admin"],
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": "nuevo_x", "password": "contraseña1", "role": "monitor"}),
            vec!["admin"],
        ),
        (
            "GET",
            "/sales".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion", "kidibar"],
        ),
        (
            "POST",
            "/sales".into(),
            json!({"items": [{"product_id": product, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]}),
            vec!["admin", "recepcion", "kidibar"],
        ),
        (
            "POST",
            "/sales".into(),
            json!({"items": [{"service_id": service, "quantity": 1, "child": {"name": "Leo"}}], "payments": [{"method": "card", "amount_cents": 15000}]}),
            vec!["admin", "recepcion"],
        ),
        (
            "GET",
            "/timers".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion", "monitor"],
        ),
        (
            "GET",
            "/day-closings".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion"],
        ),
        (
            "GET",
            "/day-closings/current".into(),
            json!(null),
            vec!["admin", "gerente", "recepcion"],
        ),
        (
            "GET",
            "/reports/summary".into(),
            json!(null),
            vec!["admin", "gerente"],
        ),
        (
            "GET",
            "/events".into(),
            json!(null),
            vec!["admin", "gerente"],
        ),
        ("GET", "/backups".into(), json!(null), vec!["admin"]),
        ("POST", "/backups".into(), json!({}), vec!["admin"]),
        // Last: it puts back the data from before these rows.
        (
            "POST",
            format!("/backups/{backup}/restore"),
            json!({}),
            vec!["admin"],
        ),
    ];
    let mut clients = Vec::new();
    for r in roles {
        clients.push((r, hub.login(r).await));
    }
    for (method, path, body, allowed) in &cases {
        for (role, c) in &clients {
            let answer = match *method {
                "GET" => c.get(path).await,
                "POST" => c.post(path, body.clone()).await,
                "PATCH" => c.patch(path, body.clone()).await,
                _ => unreachable!(),
            };
            if allowed.contains(role) {
                assert!(
                    answer.status < 400,
                    "{role} should be allowed {method} {path}, got {} {}",
                    answer.status,
                    answer.body
                );
            } else {
                assert_eq!(
                    answer.status, 403,
                    "{role} must be refused {method} {path}: {}",
                    answer.body
                );
                assert_eq!(answer.body["error"]["code"], "forbidden");
            }
        }
    }
    // Timer actions: reception and admin only.
    let rec = &clients[2].1;
    let sale = rec
        .post("/sales", json!({"items": [{"service_id": service, "quantity": 1, "child": {"name": "Mia"}}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .await;
    let timer = sale.body["timers"][0]["id"]
        .as_str()
        .expect("timer")
        .to_string();
    for (role, c) in &clients {
        let a = c.post(&format!("/timers/{timer}/pause"), json!({})).await;
        if ["admin", "recepcion"].contains(role) {
            assert!(
                a.status == 200 || a.status == 409,
                "{role} may operate timers: {}",
                a.body
            );
            if a.status == 200 {
                c.post(&format!("/timers/{timer}/resume"), json!({})).await;
            }
        } else {
            assert_eq!(a.status, 403, "{role} must not operate timers");
        }
    }
}

#[tokio::test]
async fn the_monitor_sees_no_guardian_contact_details() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let service = rec.id_of("services", "1 hora de juego").await;
    let sale = rec
        .post("/sales", json!({"items": [{"service_id": service, "quantity": 1, "child": common::child("Sofía")}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let rec_view = rec.get("/timers").await;
    assert_eq!(
        rec_view.body["items"][0]["guardian_phone"], "55 1234 5678",
        "reception sees the phone"
    );
    let monitor = hub.login("monitor").await;
    let wall = monitor.get("/timers").await;
    assert_eq!(wall.body["items"][0]["child_name"], "Sofía");
    assert_eq!(
        wall.body["items"][0]["guardian_phone"], "",
        "the wall screen never shows phones"
    );
}
