//! Hostile input through the real hub: numbers at the ends of i64, invisible and bidi characters
//! in names, arrays where the schema says object, weak passwords. Each answers 4xx JSON naming
//! the field, never a wrap-around, a 500 or a stored record.

mod common;

use common::{Answer, Client, TestHub};
use serde_json::{json, Value};

fn assert_refused(a: &Answer, field: &str, what: &str) {
    assert_eq!(
        a.status, 422,
        "{what}: 422 expected, got {} {}",
        a.status, a.body
    );
    assert_eq!(
        a.body["error"]["field"], field,
        "{what}: the error names {field}: {}",
        a.body
    );
}

async fn send_raw(c: &Client, method: reqwest::Method, path: &str, body: &str) -> Answer {
    let res = c
        .http
        .request(method, format!("{}/api/v1{path}", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
    }
}

#[tokio::test]
async fn stock_adjustments_at_the_ends_of_i64_are_refused_naming_delta() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    let before = admin.product(&water).await["stock"].clone();
    for delta in [i64::MIN, i64::MIN + 1, i64::MAX, -1_000_001, 1_000_001] {
        let a = admin
            .post(
                &format!("/products/{water}/stock"),
                json!({"delta": delta, "reason": "conteo físico"}),
            )
            .await;
        assert_refused(&a, "delta", &format!("delta {delta}"));
    }
    // Also where the branch allows stock below zero, which used to skip the lower bound.
    let branches = admin.get("/branches").await.body;
    let branch = branches["items"][0]["id"]
        .as_str()
        .expect("branch id")
        .to_string();
    let a = admin
        .patch(
            &format!("/branches/{branch}"),
            json!({"allow_negative_stock": true}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = admin
        .post(
            &format!("/products/{water}/stock"),
            json!({"delta": i64::MIN, "reason": "merma"}),
        )
        .await;
    assert_refused(&a, "delta", "i64::MIN with negative stock allowed");
    assert_eq!(
        admin.product(&water).await["stock"],
        before,
        "stock unchanged"
    );
}

#[tokio::test]
async fn invisible_and_bidi_characters_are_refused_in_names() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    for (name, what) in [
        ("\u{202E}oel", "right-to-left override"),
        ("Le\u{200B}o", "zero-width space"),
        ("Leo\u{2067}", "right-to-left isolate"),
        ("\u{FEFF}Leo", "byte order mark"),
        ("Leo\u{0007}", "control character"),
    ] {
        let a = rec
            .post(
                "/sales",
                json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": name}}],
                       "payments": [{"method": "card", "amount_cents": 15000}]}),
            )
            .await;
        assert_refused(
            &a,
            "items[0].child.name",
            &format!("child name with {what}"),
        );
        let a = admin
            .post(
                "/products",
                json!({"name": format!("Agua {name}"), "price_cents": 100}),
            )
            .await;
        assert_refused(&a, "name", &format!("product name with {what}"));
    }
    let a = rec
        .post(
            "/sales",
            json!({"items": [{"service_id": hour, "quantity": 1,
                              "child": {"name": "Leo", "guardian_name": "Ana\u{202D}"}}],
                   "payments": [{"method": "card", "amount_cents": 15000}]}),
        )
        .await;
    assert_refused(&a, "items[0].child.guardian_name", "guardian name with LRO");
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    let a = admin
        .post(
            &format!("/products/{water}/stock"),
            json!({"delta": 1, "reason": "compra\u{200F}"}),
        )
        .await;
    assert_refused(&a, "reason", "stock reason with RLM");
    // Whitespace is trimmed and runs of it (any kind) become one space.
    let a = admin
        .post(
            "/products",
            json!({"name": "  Agua \u{00A0}\u{3000} mineral ", "price_cents": 100}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["name"], "Agua mineral");
}

#[tokio::test]
async fn an_array_is_not_accepted_where_the_schema_says_object() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    use reqwest::Method;
    #[allow(unused_mut)]
    let mut cases = vec![
        (
            Method::POST,
            "/products".to_string(),
            r#"["Agua", 100]"#,
            "body",
        ),
        (
            Method::POST,
            format!("/products/{water}/stock"),
            "[5, \"compra\"]",
            "body",
        ),
        (
            Method::POST,
            "/sales".to_string(),
            r#"{"items": [["x", null, null, 1]], "payments": [{"method": "cash", "amount_cents": 100}]}"#,
            "items[0]",
        ),
        (
            Method::POST,
            format!("/products/{water}/stock"),
            r#"{"delta": 1, "reason": "compra"} {"delta": 1}"#,
            "body",
        ),
    ];
    // The audio settings exist only in a hub built with the sound part (`audio`).
    #[cfg(feature = "audio")]
    cases.insert(
        0,
        (Method::PUT, "/audio/settings".to_string(), "[]", "body"),
    );
    for (method, path, body, field) in cases {
        let a = send_raw(&admin, method.clone(), &path, body).await;
        assert_refused(&a, field, &format!("{method} {path} {body}"));
    }
    #[cfg(feature = "audio")]
    {
        let before = admin.get("/audio/settings").await.body;
        let a = send_raw(&admin, Method::PUT, "/audio/settings", "[]").await;
        assert!(
            a.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("objeto")),
            "the message says an object is expected: {}",
            a.body
        );
        assert_eq!(
            admin.get("/audio/settings").await.body,
            before,
            "nothing changed"
        );
    }
    // Login too (anyone may call it): credentials as an array are not credentials.
    let res = reqwest::Client::new()
        .post(hub.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"["admin", "demo1234"]"#)
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 422, "login with an array body");
}

#[tokio::test]
async fn weak_passwords_are_refused_on_create_and_change() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    for password in [
        "12345678",
        "        ",
        "password",
        "qwertyui",
        "contraseña",
        "Duena.2026",
    ] {
        let a = admin
            .post(
                "/users",
                json!({"username": "duena", "password": password, "role": "super_admin"}),
            )
            .await;
        assert_refused(
            &a,
            "password",
            &format!("new super_admin with {password:?}"),
        );
    }
    let a = admin
        .post(
            "/users",
            json!({"username": "duena", "password": "Tortuga-Azul-42", "role": "super_admin"}),
        )
        .await;
    assert_eq!(a.status, 201, "a strong password is accepted: {}", a.body);
    let id = a.body["id"].as_str().expect("id").to_string();
    let a = admin
        .patch(&format!("/users/{id}"), json!({"password": "12345678"}))
        .await;
    assert_refused(&a, "password", "changing to 12345678");
    common::login(&hub.base, "duena", "Tortuga-Azul-42").await;
}
