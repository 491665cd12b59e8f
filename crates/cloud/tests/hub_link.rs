//! The store's side of the link, through the hub's own API as the admin screen uses it: pairing
//! with the owner's code (and the errors a person can fix), the status the screen shows, and a
//! sale or a catalogue edit reaching the cloud at once instead of at the next idle round.

mod common;

use std::time::Duration;

use common::{eventually, Owner, TestCloud};
use serde_json::{json, Value};

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn login(&self, user: &str) -> String {
        let body: Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": kidyboard_core::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login json");
        body["token"].as_str().expect("token").to_string()
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}/api/v1{path}", self.base);
        let rb = match method {
            "POST" => self.http.post(url).json(&body.unwrap_or(json!({}))),
            "PATCH" => self.http.patch(url).json(&body.unwrap_or(json!({}))),
            _ => self.http.get(url),
        };
        let res = rb.bearer_auth(token).send().await.expect("hub answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_pairs_the_store_from_the_hub_and_sales_reach_the_cloud_at_once() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("hub_link").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;

    // The idle round is an hour away: only pairing and sales themselves can make it sync now.
    let hub = common::demo_hub(|c| c.sync_interval_secs = 3600).await;
    let api = Api {
        base: hub.base.clone(),
        http: reqwest::Client::new(),
    };
    let admin = api.login("admin").await;

    let (status, s) = api.call(&admin, "GET", "/sync/status", None).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (s["paired"].clone(), s["cloud_url"].clone()),
        (json!(false), Value::Null)
    );

    // Only an admin may pair.
    let kidibar = api.login("kidibar").await;
    let code = owner.pairing_code(&branch).await;
    let body = json!({"cloud_url": cloud.base, "code": code});
    let (status, _) = api
        .call(&kidibar, "POST", "/sync/pair", Some(body.clone()))
        .await;
    assert_eq!(status, 403);

    // Mistakes a person can fix name their field.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr")
    };
    for (req, field, code_expected) in [
        (
            json!({"cloud_url": "nube.example.mx", "code": code}),
            "cloud_url",
            "validation",
        ),
        (
            json!({"cloud_url": format!("http://{closed}"), "code": code}),
            "cloud_url",
            "cloud_unreachable",
        ),
        (
            json!({"cloud_url": cloud.base, "code": "NOPE1-NOPE2"}),
            "code",
            "pairing_refused",
        ),
        (
            json!({"cloud_url": cloud.base, "code": "  "}),
            "code",
            "validation",
        ),
    ] {
        let (status, err) = api
            .call(&admin, "POST", "/sync/pair", Some(req.clone()))
            .await;
        assert_eq!(status, 422, "{req} → {err}");
        assert_eq!(err["error"]["field"], field, "{req} → {err}");
        assert_eq!(err["error"]["code"], code_expected, "{req} → {err}");
    }

    let (status, s) = api.call(&admin, "POST", "/sync/pair", Some(body)).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["paired"], true);
    assert_eq!(s["cloud_url"], cloud.base.as_str());
    let synced = eventually(Duration::from_secs(30), || async {
        let (_, s) = api.call(&admin, "GET", "/sync/status", None).await;
        s["online"] == true && s["pending_events"] == 0
    })
    .await;
    assert!(synced, "pairing starts a round that sends the whole log");

    // A sale is sent at once (the idle round is an hour away).
    let reception = api.login("recepcion").await;
    let (_, products) = api.call(&reception, "GET", "/products", None).await;
    let product = products["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["stock"].as_i64().unwrap_or(0) > 0))
        .cloned()
        .expect("a product in stock");
    let sale = json!({
        "items": [{"product_id": product["id"], "quantity": 1}],
        "payments": [{"method": "cash", "amount_cents": product["price_cents"]}],
    });
    let (status, created) = api.call(&reception, "POST", "/sales", Some(sale)).await;
    assert_eq!(status, 201, "{created}");
    let arrived = eventually(Duration::from_secs(15), || async {
        let (_, summary) = owner
            .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
            .await;
        summary["sales_count"] == 1
    })
    .await;
    assert!(
        arrived,
        "the sale reached the owner's view without waiting for the idle round"
    );

    // Every committed change nudges the worker, not only sales: a price edit is sent at once too.
    let id = product["id"].as_str().expect("product id");
    let price = product["price_cents"].as_i64().expect("price") + 500;
    let (status, edited) = api
        .call(
            &admin,
            "PATCH",
            &format!("/products/{id}"),
            Some(json!({"price_cents": price})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let db = common::cloud_db(&url).await;
    let sql = format!(
        "SELECT count(*) FROM events WHERE type = 'product.updated' AND entity_id = '{id}' \
         AND (payload->>'price_cents')::bigint = {price}"
    );
    let arrived = eventually(Duration::from_secs(15), || async {
        common::count(&db, &sql).await == 1
    })
    .await;
    assert!(
        arrived,
        "the catalogue edit reached the cloud without waiting for the idle round"
    );
}
