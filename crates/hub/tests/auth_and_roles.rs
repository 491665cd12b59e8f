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

/// Guardians' names and phones reach only the desk and admins; the kid bar sees its own
/// product sales and nothing of children; over HTTP and the live feed alike.
#[tokio::test]
async fn personal_data_reaches_only_the_roles_whose_work_needs_it() {
    use std::time::Duration;
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let service = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let phone = "55 1234 5678";
    let roles = [
        "admin",
        "gerente",
        "recepcion",
        "kidibar",
        "monitor",
        "totem",
    ];
    let mut feeds = Vec::new();
    for r in roles {
        let c = hub.login(r).await;
        let (ws, _) = common::live(&hub.base, &c.token).await;
        feeds.push((r, c, ws));
    }
    let play = rec
        .post("/sales", json!({"items": [{"service_id": service, "quantity": 1, "child": common::child("Sofía")}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .await;
    assert_eq!(play.status, 201, "{}", play.body);
    let play_id = play.body["id"].as_str().expect("id").to_string();
    let kid = hub.login("kidibar").await;
    let snack = kid
        .post("/sales", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]}))
        .await;
    assert_eq!(snack.status, 201, "{}", snack.body);
    let snack_id = snack.body["id"].as_str().expect("id").to_string();

    for (role, c, ws) in feeds.iter_mut() {
        let sees_guardians = ["admin", "gerente", "recepcion"].contains(role);
        // Live feed: everything this role received within a moment of both sales.
        let mut received = Vec::new();
        while let Some(m) = common::next_json(ws, Duration::from_millis(1500)).await {
            received.push(m);
        }
        let text = serde_json::to_string(&received).expect("json");
        assert_eq!(
            text.contains(phone),
            sees_guardians,
            "{role}: guardian phones on the live feed only for the desk and admins: {text}"
        );
        let sales_seen: Vec<&str> = received
            .iter()
            .filter(|m| m["type"] == "sale.created")
            .filter_map(|m| m["sale"]["id"].as_str())
            .collect();
        let expected_sales: Vec<&str> = match *role {
            "admin" | "gerente" | "recepcion" => vec![play_id.as_str(), snack_id.as_str()],
            "kidibar" => vec![snack_id.as_str()],
            _ => vec![],
        };
        assert_eq!(sales_seen, expected_sales, "{role}: sale.created messages");
        if *role == "monitor" {
            assert!(
                text.contains("Sofía"),
                "the wall monitor still shows the child's name on her timer"
            );
        }

        // HTTP: the list, each sale, and the timers.
        let list = c.get("/sales").await;
        let one = c.get(&format!("/sales/{play_id}")).await;
        let timers = c.get("/timers").await;
        match *role {
            "admin" | "gerente" | "recepcion" => {
                assert_eq!(list.status, 200);
                assert!(
                    list.body.to_string().contains(phone),
                    "{role} sees guardians"
                );
                assert_eq!(one.status, 200);
                assert_eq!(one.body["items"][0]["child"]["guardian_phone"], phone);
                assert_eq!(timers.body["items"][0]["guardian_phone"], phone);
            }
            "kidibar" => {
                assert_eq!(list.status, 200);
                let ids: Vec<&str> = list.body["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter_map(|s| s["id"].as_str())
                    .collect();
                assert_eq!(
                    ids,
                    vec![snack_id.as_str()],
                    "the kid bar sees its product sale only"
                );
                assert!(!list.body.to_string().contains("Sofía"));
                assert_eq!(
                    one.status, 404,
                    "a play-time ticket does not exist for the kid bar"
                );
                assert_eq!(
                    c.get(&format!("/sales/{snack_id}")).await.status,
                    200,
                    "the kid bar reads its own sale"
                );
                assert_eq!(timers.status, 403);
            }
            "monitor" => {
                assert_eq!(list.status, 403);
                assert_eq!(one.status, 403);
                assert_eq!(timers.status, 200);
                assert_eq!(timers.body["items"][0]["child_name"], "Sofía");
                assert!(
                    !timers.body.to_string().contains(phone),
                    "no phones on the wall"
                );
                assert!(
                    !timers.body.to_string().contains("Ana López"),
                    "no guardian names"
                );
            }
            _ => {
                assert_eq!(list.status, 403);
                assert_eq!(one.status, 403);
                assert_eq!(timers.status, 403);
            }
        }
    }
}

/// `GET /sales` pages with a cursor instead of stopping silently at a fixed count.
#[tokio::test]
async fn sales_are_listed_page_by_page_with_a_cursor() {
    let hub = TestHub::start().await;
    let kid = hub.login("kidibar").await;
    let water = kid.id_of("products", "Agua natural 600 ml").await;
    let admin = hub.login("admin").await;
    admin
        .post(
            &format!("/products/{water}/stock"),
            json!({"delta": 100, "reason": "compra"}),
        )
        .await;
    let mut made = Vec::new();
    for _ in 0..7 {
        let s = kid
            .post("/sales", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]}))
            .await;
        assert_eq!(s.status, 201, "{}", s.body);
        made.push(s.body["id"].as_str().expect("id").to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/sales?limit=3&cursor={c}"),
            None => "/sales?limit=3".to_string(),
        };
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        for s in page.body["items"].as_array().expect("items") {
            seen.push(s["id"].as_str().expect("id").to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "every sale once, newest first, across pages");
    assert_eq!(pages, 3, "seven sales in pages of three");
    for bad in ["/sales?cursor=abc", "/sales?limit=0", "/sales?limit=100000"] {
        let a = admin.get(bad).await;
        assert_eq!(a.status, 422, "{bad}: {}", a.body);
    }
}
