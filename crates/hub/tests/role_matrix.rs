//! Every route of the OpenAPI document, for every role: the roles a route names get past its role
//! check, every other role gets `403 forbidden`, and nobody gets in without a token. A route
//! added without a row here fails the test, so no route ships without its role check.
//!
//! Bodies are made from the document's own request schemas (every required field, of its type),
//! so the role check is reached whatever the route; ids are well-formed but unknown, so a
//! permitted role answers 404 or 422 without changing the store's records.

mod common;

use common::TestHub;
use serde_json::{json, Map, Value};

const ROLES: [&str; 6] = [
    "admin",
    "gerente",
    "recepcion",
    "kidibar",
    "monitor",
    "totem",
];

/// Who may call a route.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// No token needed.
    Public,
    /// Every signed-in role.
    Anyone,
    /// Only these demo users (their roles).
    Only(&'static [&'static str]),
}

const A: &[&str] = &["admin"];
const ADMINS: &[&str] = &["admin", "gerente"];
const DESK: &[&str] = &["admin", "gerente", "recepcion"];
const DESK_WRITE: &[&str] = &["admin", "recepcion"];
const SELLERS: &[&str] = &["admin", "recepcion", "kidibar"];
const SALES_READERS: &[&str] = &["admin", "gerente", "recepcion", "kidibar"];
const PRODUCTS: &[&str] = &["admin", "gerente", "recepcion", "kidibar", "totem"];
const SERVICES: &[&str] = &["admin", "gerente", "recepcion", "totem"];
const TIMERS: &[&str] = &["admin", "gerente", "recepcion", "monitor"];
#[cfg(feature = "media")]
const MENUS: &[&str] = &["admin", "gerente", "totem"];
#[cfg(feature = "audio")]
const AUDIO: &[&str] = &["admin", "gerente", "recepcion", "monitor"];
#[cfg(feature = "vision")]
const VISION_WRITE: &[&str] = &["admin", "totem"];
#[cfg(feature = "vision")]
const VISION_READ: &[&str] = &["admin", "gerente", "totem"];

/// The matrix: (method, path as in the document, who).
fn matrix() -> Vec<(&'static str, &'static str, Who)> {
    use Who::*;
    #[allow(unused_mut)]
    let mut rows = vec![
        ("GET", "/healthz", Public),
        ("GET", "/readyz", Public),
        // Loopback peers read it without a token (see docs/api.md); the LAN needs one.
        ("GET", "/metrics", Public),
        ("GET", "/img/{hash}", Public),
        ("GET", "/img/remote", Public),
        // A certificate, not a secret: devices download it to trust the hub's HTTPS.
        ("GET", "/ca.crt", Public),
        ("POST", "/api/v1/auth/login", Public),
        ("POST", "/api/v1/auth/pin", Public),
        ("POST", "/api/v1/auth/logout", Anyone),
        ("GET", "/api/v1/auth/me", Anyone),
        ("GET", "/api/v1/live", Anyone),
        // A job is visible to whoever started it and to admins; an unknown one is 404 for all.
        ("GET", "/api/v1/jobs/{id}", Anyone),
        ("DELETE", "/api/v1/jobs/{id}", Anyone),
        ("GET", "/api/v1/jobs/{id}/file", Anyone),
        ("GET", "/api/v1/branches", Anyone),
        ("GET", "/api/v1/branches/{id}", Anyone),
        ("POST", "/api/v1/branches", Only(A)),
        ("PATCH", "/api/v1/branches/{id}", Only(A)),
        ("GET", "/api/v1/products", Only(PRODUCTS)),
        ("GET", "/api/v1/products/{id}", Only(PRODUCTS)),
        ("POST", "/api/v1/products", Only(A)),
        ("PATCH", "/api/v1/products/{id}", Only(A)),
        ("DELETE", "/api/v1/products/{id}", Only(A)),
        ("POST", "/api/v1/products/{id}/stock", Only(A)),
        ("GET", "/api/v1/products/{id}/stock-movements", Only(ADMINS)),
        ("GET", "/api/v1/services", Only(SERVICES)),
        ("GET", "/api/v1/services/{id}", Only(SERVICES)),
        ("POST", "/api/v1/services", Only(A)),
        ("PATCH", "/api/v1/services/{id}", Only(A)),
        ("DELETE", "/api/v1/services/{id}", Only(A)),
        ("GET", "/api/v1/packages", Only(SERVICES)),
        ("GET", "/api/v1/packages/{id}", Only(SERVICES)),
        ("POST", "/api/v1/packages", Only(A)),
        ("PATCH", "/api/v1/packages/{id}", Only(A)),
        ("DELETE", "/api/v1/packages/{id}", Only(A)),
        ("GET", "/api/v1/users", Only(ADMINS)),
        ("GET", "/api/v1/users/{id}", Only(ADMINS)),
        ("POST", "/api/v1/users", Only(A)),
        ("PATCH", "/api/v1/users/{id}", Only(A)),
        ("DELETE", "/api/v1/users/{id}", Only(A)),
        ("POST", "/api/v1/images", Only(A)),
        ("GET", "/api/v1/sales", Only(SALES_READERS)),
        ("POST", "/api/v1/sales", Only(SELLERS)),
        ("GET", "/api/v1/sales/{id}", Only(SALES_READERS)),
        ("GET", "/api/v1/sales/{id}/receipt", Only(SALES_READERS)),
        ("GET", "/api/v1/sales/{id}/wristbands", Only(DESK_WRITE)),
        ("POST", "/api/v1/sales/{id}/refunds", Only(SELLERS)),
        ("GET", "/api/v1/refunds/{id}", Only(SALES_READERS)),
        ("GET", "/api/v1/timers", Only(TIMERS)),
        ("GET", "/api/v1/timers/{id}", Only(TIMERS)),
        ("POST", "/api/v1/timers/{id}/{action}", Only(DESK_WRITE)),
        ("GET", "/api/v1/day-closings", Only(DESK)),
        ("GET", "/api/v1/day-closings/current", Only(DESK)),
        ("POST", "/api/v1/day-closings", Only(DESK_WRITE)),
        ("POST", "/api/v1/day-closings/{id}/amendments", Only(A)),
        ("POST", "/api/v1/till/open", Only(SELLERS)),
        ("POST", "/api/v1/till/movements", Only(SELLERS)),
        ("GET", "/api/v1/till", Only(SELLERS)),
        ("GET", "/api/v1/till/shift", Only(SELLERS)),
        ("GET", "/api/v1/events", Only(ADMINS)),
        ("GET", "/api/v1/reports/summary", Only(ADMINS)),
        ("GET", "/api/v1/reports/dashboard", Only(ADMINS)),
        ("GET", "/api/v1/reports/revenue", Only(ADMINS)),
        ("GET", "/api/v1/reports/heatmap", Only(ADMINS)),
        ("GET", "/api/v1/reports/top-products", Only(ADMINS)),
        ("GET", "/api/v1/reports/inventory", Only(ADMINS)),
        ("GET", "/api/v1/reports/utilisation", Only(ADMINS)),
        ("GET", "/api/v1/reports/day-closings", Only(ADMINS)),
        ("GET", "/api/v1/reports/courtesies", Only(ADMINS)),
        ("GET", "/api/v1/reports/taxes", Only(ADMINS)),
        ("GET", "/api/v1/reports/forecast", Only(ADMINS)),
        ("GET", "/api/v1/reports/customers", Only(ADMINS)),
        // Families are personal data: the desk that hands children back, and admins.
        ("GET", "/api/v1/families", Only(DESK)),
        ("POST", "/api/v1/families", Only(DESK_WRITE)),
        ("GET", "/api/v1/families/{id}", Only(DESK)),
        ("PATCH", "/api/v1/families/{id}", Only(DESK_WRITE)),
        ("GET", "/api/v1/families/{id}/export", Only(A)),
        ("POST", "/api/v1/families/{id}/erase", Only(A)),
        ("POST", "/api/v1/families/{id}/consents", Only(DESK_WRITE)),
        ("GET", "/api/v1/consents", Only(DESK)),
        ("POST", "/api/v1/consents", Only(A)),
        ("GET", "/api/v1/consents/current", Only(DESK)),
        ("POST", "/api/v1/privacy/retention", Only(A)),
        ("GET", "/api/v1/areas", Only(DESK)),
        ("POST", "/api/v1/areas", Only(A)),
        ("PATCH", "/api/v1/areas/{id}", Only(A)),
        ("GET", "/api/v1/party-packages", Only(DESK)),
        ("POST", "/api/v1/party-packages", Only(A)),
        ("PATCH", "/api/v1/party-packages/{id}", Only(A)),
        ("GET", "/api/v1/booking-settings", Only(DESK)),
        ("PUT", "/api/v1/booking-settings", Only(A)),
        ("GET", "/api/v1/bookings", Only(DESK)),
        ("POST", "/api/v1/bookings", Only(DESK_WRITE)),
        ("GET", "/api/v1/bookings/{id}", Only(DESK)),
        ("PATCH", "/api/v1/bookings/{id}", Only(DESK_WRITE)),
        ("POST", "/api/v1/bookings/{id}/cancel", Only(DESK_WRITE)),
        ("POST", "/api/v1/bookings/{id}/check-in", Only(DESK_WRITE)),
        ("GET", "/api/v1/bookings/ics-token", Only(A)),
        ("POST", "/api/v1/bookings/ics-token", Only(A)),
        // The secret in the address is the key (an unknown one is 404).
        ("GET", "/api/v1/bookings.ics", Public),
        ("GET", "/api/v1/checkouts/{pickup_code}", Only(DESK_WRITE)),
        ("POST", "/api/v1/checkouts", Only(DESK_WRITE)),
        ("GET", "/api/v1/occupancy", Only(TIMERS)),
        ("POST", "/api/v1/announcements", Only(DESK_WRITE)),
        ("GET", "/api/v1/settings/notifications", Only(A)),
        ("PUT", "/api/v1/settings/notifications", Only(A)),
        ("PATCH", "/api/v1/timers/{id}", Only(DESK_WRITE)),
        ("GET", "/api/v1/reports/export", Only(ADMINS)),
        ("GET", "/api/v1/sync/status", Only(ADMINS)),
        ("POST", "/api/v1/sync/now", Only(A)),
        ("POST", "/api/v1/sync/pair", Only(A)),
        ("GET", "/api/v1/backups", Only(A)),
        ("POST", "/api/v1/backups", Only(A)),
        ("POST", "/api/v1/backups/{name}/restore", Only(A)),
    ];
    // The optional parts' routes exist only when the hub is built with them.
    #[cfg(feature = "media")]
    rows.extend([
        ("GET", "/api/v1/menus/designs", Only(MENUS)),
        ("GET", "/api/v1/menus/designs/{id}", Only(MENUS)),
        ("POST", "/api/v1/menus/designs", Only(A)),
        ("PATCH", "/api/v1/menus/designs/{id}", Only(A)),
        ("DELETE", "/api/v1/menus/designs/{id}", Only(A)),
        ("GET", "/api/v1/menus/designs/{id}/preview.png", Only(MENUS)),
        ("POST", "/api/v1/menus/designs/{id}/export", Only(ADMINS)),
        ("POST", "/api/v1/menus/preview", Only(MENUS)),
        ("GET", "/api/v1/menus/totem", Only(MENUS)),
    ]);
    #[cfg(feature = "audio")]
    rows.extend([
        ("GET", "/api/v1/audio/clips", Only(AUDIO)),
        ("POST", "/api/v1/audio/clips", Only(A)),
        ("GET", "/api/v1/audio/clips/{id}", Only(AUDIO)),
        ("DELETE", "/api/v1/audio/clips/{id}", Only(A)),
        ("GET", "/api/v1/audio/clips/{id}/sound", Only(AUDIO)),
        ("GET", "/api/v1/audio/schedules", Only(AUDIO)),
        ("POST", "/api/v1/audio/schedules", Only(A)),
        ("PUT", "/api/v1/audio/schedules/{id}", Only(A)),
        ("DELETE", "/api/v1/audio/schedules/{id}", Only(A)),
        ("GET", "/api/v1/audio/settings", Only(AUDIO)),
        ("PUT", "/api/v1/audio/settings", Only(A)),
        ("GET", "/api/v1/audio/players", Only(AUDIO)),
        ("PUT", "/api/v1/audio/players/{name}", Only(AUDIO)),
    ]);
    #[cfg(feature = "vision")]
    rows.extend([
        ("POST", "/api/v1/vision/visits", Only(VISION_WRITE)),
        ("GET", "/api/v1/vision/status", Only(VISION_READ)),
        ("PUT", "/api/v1/vision/status", Only(VISION_WRITE)),
        ("GET", "/api/v1/vision/shifts", Only(VISION_READ)),
        ("PUT", "/api/v1/vision/shifts", Only(A)),
        ("GET", "/api/v1/vision/preview/{device_id}", Only(ADMINS)),
        (
            "PUT",
            "/api/v1/vision/preview/{device_id}",
            Only(VISION_WRITE),
        ),
        ("GET", "/api/v1/reports/visitors", Only(ADMINS)),
    ]);
    rows
}

/// A well-formed id that names nothing.
const UNKNOWN_ID: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

fn concrete(path: &str) -> String {
    path.replace("{id}", UNKNOWN_ID)
        .replace("{action}", "pause")
        .replace("{name}", "nadie")
        .replace("{hash}", "0000000000000000")
        .replace("{device_id}", "nadie")
}

/// A value of `schema` with every required field: right in shape, so a body is read and the
/// role check reached, whatever it then says of the values.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        return sample(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| {
            a.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            if key != "allOf" {
                return sample(doc, first, depth + 1);
            }
            let mut merged = Map::new();
            for part in schema[key].as_array().into_iter().flatten() {
                if let Value::Object(m) = sample(doc, part, depth + 1) {
                    merged.extend(m);
                }
            }
            return Value::Object(merged);
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "null".into(),
    };
    match ty.as_str() {
        "object" => {
            let mut out = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for name in required {
                out.insert(
                    name.to_string(),
                    sample(doc, &schema["properties"][name], depth + 1),
                );
            }
            Value::Object(out)
        }
        "array" => json!([]),
        "integer" => json!(1),
        "number" => json!(1.0),
        "boolean" => json!(false),
        "string" => match schema["format"].as_str() {
            Some("date") => json!("2026-12-06"),
            Some("date-time") => json!("2026-12-06T12:00:00Z"),
            _ => json!("x"),
        },
        _ => Value::Null,
    }
}

/// `?name=value&…` for the operation's required query parameters, from their schemas.
fn query_for(doc: &Value, op: &Value) -> String {
    let mut pairs = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && p["required"] == true {
            let v = match sample(doc, &p["schema"], 0) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            pairs.push(format!("{}={v}", p["name"].as_str().unwrap_or("")));
        }
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn body_for(doc: &Value, op: &Value) -> Option<Value> {
    let content = op["requestBody"]["content"].as_object()?;
    let schema = content.get("application/json")?.get("schema")?;
    Some(sample(doc, schema, 0))
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{base}{path}");
    let mut rb = match method {
        "GET" => http.get(url),
        "POST" => http.post(url),
        "PUT" => http.put(url),
        "PATCH" => http.patch(url),
        "DELETE" => http.delete(url),
        m => panic!("unexpected method {m}"),
    };
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let res = rb.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_admits_exactly_the_roles_of_the_matrix() {
    let hub = TestHub::start().await;
    let http = reqwest::Client::new();
    let doc: Value = http
        .get(hub.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let matrix = matrix();

    // Every documented operation has a row, and every row a documented operation.
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if ops.get(method).is_some() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    for (m, p) in &documented {
        assert!(
            matrix.iter().any(|(mm, pp, _)| mm == m && pp == p),
            "{m} {p} is documented but has no row in the role matrix"
        );
    }
    for (m, p, _) in &matrix {
        assert!(
            documented.iter().any(|(mm, pp)| mm == m && pp == p),
            "{m} {p} is in the matrix but not in the OpenAPI document"
        );
    }

    let mut tokens = Vec::new();
    for r in ROLES {
        tokens.push((r, hub.login(r).await.token));
    }
    for (method, path, who) in &matrix {
        let op = &doc["paths"][path][method.to_lowercase()];
        let body = if *path == "/api/v1/auth/login" {
            // Public, but a wrong password is a 401 by design: sign in for real.
            Some(json!({"username": "admin", "password": "demo1234"}))
        } else if *path == "/api/v1/auth/pin" {
            Some(json!({"username": "admin", "pin": kidyboard_core::demo::DEMO_PIN}))
        } else {
            body_for(&doc, op)
        };
        let url_path = format!("{}{}", concrete(path), query_for(&doc, op));
        // Logging out ends the token: each role logs out a session of its own.
        let fresh = *path == "/api/v1/auth/logout";
        let (status, answer) = call(&http, &hub.base, method, &url_path, None, body.as_ref()).await;
        match who {
            Who::Public => assert!(
                status != 401 && status != 403,
                "{method} {path} is public, got {status} {answer}"
            ),
            // A plain GET is no WebSocket handshake: the live feed's own tests (sessions.rs,
            // auth_and_roles.rs) check a handshake without a valid token is refused.
            _ if *path == "/api/v1/live" => {}
            _ => assert_eq!(
                status, 401,
                "{method} {path} without a token must be 401: {answer}"
            ),
        }
        if matches!(who, Who::Public) {
            continue;
        }
        for (role, token) in &tokens {
            let token = if fresh {
                hub.login(role).await.token
            } else {
                token.clone()
            };
            let (status, answer) = call(
                &http,
                &hub.base,
                method,
                &url_path,
                Some(&token),
                body.as_ref(),
            )
            .await;
            let allowed = match who {
                Who::Anyone => true,
                Who::Only(roles) => roles.contains(role),
                Who::Public => true,
            };
            if allowed {
                assert!(
                    status != 401 && status != 403,
                    "{role} should get past the role check of {method} {path}, got {status} {answer}"
                );
                assert!(
                    status < 500,
                    "{role} {method} {path} must not fail inside: {status} {answer}"
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{role} must be refused {method} {path} (body {body:?}): {answer}"
                );
                assert_eq!(answer["error"]["code"], "forbidden", "{method} {path}");
            }
        }
    }
}

/// Every kind of live message reaches exactly the roles that may read it: real actions make
/// each one, and each role's feed is read whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_live_message_reaches_exactly_its_roles() {
    use std::collections::BTreeSet;
    use std::time::Duration;

    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let mut feeds = Vec::new();
    for r in ROLES {
        let c = hub.login(r).await;
        feeds.push((r, common::live(&hub.base, &c.token).await.0));
    }
    let service = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let product = admin.product(&water).await;
    let threshold = product["low_stock_threshold"].as_i64().expect("threshold");
    let stock = product["stock"].as_i64().expect("stock");
    // One above the alert line, so the sale below crosses it: stock.changed, then stock.low.
    let adjust = admin
        .post(
            &format!("/products/{water}/stock"),
            json!({"delta": threshold + 1 - stock, "reason": "conteo"}),
        )
        .await;
    assert_eq!(adjust.status, 200, "{}", adjust.body);
    let play = rec
        .post("/sales", json!({"items": [{"service_id": service, "quantity": 1, "child": common::child("Sofía")}, {"product_id": water, "quantity": 2}], "payments": [{"method": "cash", "amount_cents": 20000}]}))
        .await;
    assert_eq!(play.status, 201, "{}", play.body);
    let edit = admin
        .patch(
            &format!("/services/{service}"),
            json!({"price_cents": 16000}),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    // A menu design and its export: menu.changed and job.progress (jobs are menu exports).
    #[cfg(feature = "media")]
    {
        let design = admin
            .post("/menus/designs", json!({"name": "Matriz"}))
            .await;
        assert_eq!(design.status, 201, "{}", design.body);
        let design_id = design.body["id"].as_str().expect("id");
        let export = admin
            .post(
                &format!("/menus/designs/{design_id}/export"),
                json!({"format": "png"}),
            )
            .await;
        assert_eq!(export.status, 202, "{}", export.body);
    }
    // A returning family checks two children in; the wall must not learn who they are.
    let found = rec.get("/families?q=55%201234%205678").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let family = &found.body["items"][0];
    let kids: Vec<Value> = family["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| json!({"child_id": c["id"]}))
        .collect();
    let visit = rec
        .post("/sales", json!({"family_id": family["id"], "items": [{"service_id": service, "children": kids}], "payments": [{"method": "cash", "amount_cents": 32000}]}))
        .await;
    assert_eq!(visit.status, 201, "{}", visit.body);
    let code = visit.body["pickup_code"]
        .as_str()
        .expect("pickup code")
        .to_string();
    let out = rec
        .post(
            "/checkouts",
            json!({"pickup_code": code, "collected_by": "Ana López"}),
        )
        .await;
    assert_eq!(out.status, 201, "{}", out.body);
    let said = rec
        .post(
            "/announcements",
            json!({"text": "Tutor de Sofía, favor de pasar a recepción"}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.body);
    // A three-minute service: its timer is inside the five-minute call at once.
    let short = admin
        .post(
            "/services",
            json!({"name": "Prueba corta", "duration_minutes": 3, "price_cents": 1000}),
        )
        .await;
    assert_eq!(short.status, 201, "{}", short.body);
    let quick = rec
        .post("/sales", json!({"items": [{"service_id": short.body["id"], "children": [{"name": "Leo Martínez"}]}], "payments": [{"method": "cash", "amount_cents": 1000}]}))
        .await;
    assert_eq!(quick.status, 201, "{}", quick.body);
    // A party booked by phone: the calendars hear it, nobody else (it names the family).
    let areas = rec.get("/areas").await;
    let room = areas.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "Salón Dinosaurios"))
        .expect("demo room")["id"]
        .clone();
    let in_five_days = (chrono::Utc::now() + chrono::Duration::days(5))
        .with_timezone(&chrono_tz::America::Mexico_City)
        .date_naive();
    let booked = rec
        .post("/bookings", json!({"guardian": {"name": "Ana López", "phone": "55 1234 5678"}, "birthday_child": "Mateo López", "area_id": room, "starts_at": format!("{in_five_days}T12:00:00-06:00"), "ends_at": format!("{in_five_days}T14:00:00-06:00"), "expected_children": 8, "notes": "Alergia al huevo"}))
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let closing = rec
        .post("/day-closings", json!({"counted_cash_cents": 52000}))
        .await;
    assert_eq!(closing.status, 201, "{}", closing.body);

    #[allow(unused_mut)]
    let mut expected: Vec<(&str, &[&str])> = vec![
        ("timer.updated", TIMERS),
        ("sale.created", DESK),
        ("stock.changed", PRODUCTS),
        ("stock.low", PRODUCTS),
        ("catalog.changed", &ROLES),
        ("day.closed", DESK),
        ("checkout.created", DESK),
        ("timer.warning", TIMERS),
        ("booking.updated", DESK),
    ];
    #[cfg(feature = "audio")]
    expected.push(("announcement", AUDIO));
    // What the wall, the kid bar and the totem must never receive.
    let private = [
        "Ana López".to_string(),
        "5512345678".to_string(),
        "Alergia".to_string(),
        "Martínez".to_string(),
        format!("\"pickup_code\":\"{code}\""),
    ];
    #[cfg(feature = "media")]
    expected.extend([("menu.changed", MENUS), ("job.progress", ADMINS)]);
    for (role, ws) in feeds.iter_mut() {
        let mut kinds = BTreeSet::new();
        while let Some(m) = common::next_json(ws, Duration::from_millis(1500)).await {
            if let Some(t) = m["type"].as_str() {
                kinds.insert(t.to_string());
            }
            if !DESK.contains(role) {
                let raw = m.to_string();
                for p in &private {
                    assert!(!raw.contains(p.as_str()), "{role} received {p}: {raw}");
                }
            }
        }
        let want: BTreeSet<String> = expected
            .iter()
            .filter(|(_, roles)| roles.contains(role))
            .map(|(t, _)| t.to_string())
            .collect();
        assert_eq!(
            kinds, want,
            "{role} receives exactly the messages its role may read"
        );
    }
}
