//! The catalogue across the organisation: a change made in the cloud reaches a branch (its
//! products table, its live feed, the image prefetch hook), and the same product edited in the
//! cloud and at a branch converges to one value everywhere.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{eventually, fast_worker, Owner, TestCloud, TestStore};
use futures_util::StreamExt;
use kidyboard_core::products::{self, ProductInput};
use kidyboard_core::roles::Actor;
use kidyboard_core::Store;
use kidyboard_hub::live::LiveMessage;
use kidyboard_sync::worker::{CatalogChange, SyncHooks};
use kidyboard_sync::{SyncHandle, SyncWorker};
use serde_json::{json, Value};

fn start_worker(store: &Arc<Store>, hooks: SyncHooks) -> SyncHandle {
    let (handle, task) = SyncWorker::new(store.clone(), fast_worker(), hooks).expect("worker");
    tokio::spawn(task);
    handle
}

fn product(store: &Store, id: &str) -> Option<products::Product> {
    store.read(|c| products::get(c, id)).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_product_made_in_the_cloud_reaches_the_hub_its_live_feed_and_the_image_hook() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("catalog_reach").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;

    let hub = common::demo_hub(|_| {}).await;
    let hub_base = hub.base.clone();
    let state = hub.state.clone();
    let store = state.store.clone();

    // The wiring the hub does: catalogue changes become live messages; image URLs go to the cache.
    let live = state.live.clone();
    let (images_tx, mut images_rx) = tokio::sync::mpsc::unbounded_channel();
    let hooks = SyncHooks {
        on_catalog_change: Some(Arc::new(move |c: &CatalogChange| {
            live.publish(LiveMessage::CatalogChanged {
                entity: c.entity,
                id: c.id.clone(),
            })
        })),
        image_urls: Some(images_tx),
        pictures: None,
    };
    let pairing = TestStore {
        dir: tempfile::tempdir().expect("unused"),
        store: store.clone(),
        cashier: Actor::system(),
    };
    pairing.pair(&owner, &branch).await;
    let handle = start_worker(&store, hooks);
    assert!(
        eventually(Duration::from_secs(20), || async {
            handle.status().online && handle.status().pending_events == 0
        })
        .await,
        "{:?}",
        handle.status()
    );

    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{hub_base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": kidyboard_core::demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login json");
    let token = login["token"].as_str().expect("token").to_string();
    let ws_url = format!(
        "{}/api/v1/live?token={token}",
        hub_base.replace("http://", "ws://")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .expect("live feed connects");

    let (status, created) = owner
        .post(
            "/api/v1/catalog/products",
            json!({"name": "Churros", "price_cents": 3_500, "category": "Postres",
                   "image_url": "https://cdn.example.mx/churros.jpg", "low_stock_threshold": 4}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    handle.sync_now();

    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(msg)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                if v["type"] == "catalog.changed" && v["id"] == id.as_str() {
                    return v;
                }
            }
        }
        Value::Null
    })
    .await
    .expect("catalog.changed arrives on the hub's live feed");
    assert_eq!(seen["entity"], "product");
    let p = product(&store, &id).expect("the product is in the branch's products table");
    assert_eq!(
        (p.name.as_str(), p.price_cents, p.stock),
        ("Churros", 3_500, 0)
    );
    let listed: Value = http
        .get(format!("{hub_base}/api/v1/products/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("hub answers")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["name"], "Churros", "the hub's API serves it");
    let url = tokio::time::timeout(Duration::from_secs(5), images_rx.recv())
        .await
        .expect("image hook called")
        .expect("url");
    assert_eq!(url, "https://cdn.example.mx/churros.jpg");

    // A price change in the cloud follows the same road.
    let (status, _) = owner
        .patch(
            &format!("/api/v1/catalog/products/{id}"),
            json!({"price_cents": 3_900}),
        )
        .await;
    assert_eq!(status, 200);
    handle.sync_now();
    assert!(
        eventually(Duration::from_secs(20), || async {
            product(&store, &id).is_some_and(|p| p.price_cents == 3_900)
        })
        .await
    );

    // Play time made in the cloud arrives the same way.
    let (status, svc) = owner
        .post(
            "/api/v1/catalog/services",
            json!({"name": "Brincolín 45 minutos", "duration_minutes": 45, "price_cents": 12_000}),
        )
        .await;
    assert_eq!(status, 201, "{svc}");
    let (status, bad) = owner
        .post(
            "/api/v1/catalog/services",
            json!({"name": "Sin duración", "price_cents": 1}),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["field"].clone()),
        (422, json!("duration_minutes"))
    );
    let svc_id = svc["id"].as_str().expect("service id").to_string();
    handle.sync_now();
    assert!(
        eventually(Duration::from_secs(20), || async {
            store
                .read(|c| kidyboard_core::services::get(c, &svc_id))
                .is_ok_and(|s| s.duration_minutes == 45 && s.price_cents == 12_000)
        })
        .await,
        "the cloud's new service is in the branch's services table"
    );
}

async fn cloud_record(owner: &Owner, id: &str) -> Value {
    let (status, list) = owner.get("/api/v1/catalog/products").await;
    assert_eq!(status, 200);
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .map(|i| i["record"].clone())
        .unwrap_or(Value::Null)
}

fn edit_locally(store: &Store, id: &str, name: &str, price: i64) {
    store
        .change(&Actor::system(), kidyboard_core::clock::now_ms(), |tx| {
            products::update(
                tx,
                id,
                &ProductInput {
                    name: Some(name.into()),
                    price_cents: Some(price),
                    ..Default::default()
                },
            )
        })
        .expect("local edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_product_edited_in_the_cloud_and_at_a_branch_converges_everywhere() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("converge").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (branch_a, branch_b) = (owner.branch("Centro").await, owner.branch("Norte").await);
    let a = TestStore::new();
    let b = TestStore::empty();
    a.pair(&owner, &branch_a).await;
    b.pair(&owner, &branch_b).await;
    let id = a.product_id("Palomitas");
    let stock_a = product(&a.store, &id).expect("palomitas").stock;
    let hb = start_worker(&b.store, SyncHooks::default());
    // The cloud learns the product from A first; then A goes offline.
    let ha = start_worker(&a.store, SyncHooks::default());
    assert!(
        eventually(Duration::from_secs(20), || async {
            ha.status().online && ha.status().pending_events == 0
        })
        .await
    );
    ha.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !cloud_record(&owner, &id).await.is_null(),
        "the cloud knows A's product"
    );

    for (round, cloud_last) in [(1, true), (2, false)] {
        // A is offline (no worker) while both sides edit the same product.
        let (first, second) = if cloud_last {
            ("A", "nube")
        } else {
            ("nube", "A")
        };
        for who in [first, second] {
            let name = format!("Palomitas {who} {round}");
            let price = if who == "A" {
                3_100 + round
            } else {
                3_200 + round
            };
            if who == "A" {
                edit_locally(&a.store, &id, &name, price);
            } else {
                let (status, body) = owner
                    .patch(
                        &format!("/api/v1/catalog/products/{id}"),
                        json!({"name": name, "price_cents": price}),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let ha = start_worker(&a.store, SyncHooks::default());
        hb.sync_now();
        let expected = format!("Palomitas {second} {round}");
        let converged = eventually(Duration::from_secs(30), || {
            let (a, b, owner, id, expected) = (
                a.store.clone(),
                b.store.clone(),
                &owner,
                id.clone(),
                expected.clone(),
            );
            let hb = hb.clone();
            async move {
                hb.sync_now();
                let in_cloud = cloud_record(owner, &id).await;
                let (pa, pb) = (product(&a, &id), product(&b, &id));
                in_cloud["name"] == expected.as_str()
                    && pa.as_ref().is_some_and(|p| p.name == expected)
                    && pb.as_ref().is_some_and(|p| p.name == expected)
                    && pa.map(|p| p.price_cents) == pb.map(|p| p.price_cents)
                    && in_cloud["price_cents"].as_i64() == product(&a, &id).map(|p| p.price_cents)
            }
        })
        .await;
        assert!(
            converged,
            "round {round}: the later edit ({second}) wins in the cloud, at A and at B — cloud {:?}, A {:?}, B {:?}",
            cloud_record(&owner, &id).await["name"],
            product(&a.store, &id).map(|p| p.name),
            product(&b.store, &id).map(|p| p.name)
        );
        ha.shutdown();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        product(&a.store, &id).map(|p| p.stock),
        Some(stock_a),
        "catalogue edits never touch a branch's stock"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_edit_stamped_far_in_the_future_is_kept_but_not_fed_to_branches() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("future_clock").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (branch_a, branch_b) = (owner.branch("Centro").await, owner.branch("Norte").await);
    let a = TestStore::new();
    let b = TestStore::empty();
    a.pair(&owner, &branch_a).await;
    b.pair(&owner, &branch_b).await;
    let id = a.product_id("Palomitas");
    let ha = start_worker(&a.store, SyncHooks::default());
    assert!(
        eventually(Duration::from_secs(20), || async {
            ha.status().online && ha.status().pending_events == 0
        })
        .await
    );
    ha.shutdown();

    // A's clock is wrong by a day: its edit would beat every honest edit for a day.
    let link = a
        .store
        .read(kidyboard_core::sync::link)
        .expect("link")
        .expect("paired");
    let mut events = a
        .store
        .read(|c| kidyboard_core::sync::pending(c, 10))
        .expect("pending");
    assert!(events.is_empty());
    let day_ahead = kidyboard_core::clock::now_ms() + 24 * 3_600_000;
    events.push(kidyboard_core::sync::OutgoingEvent {
        seq: 1_000_000,
        id: kidyboard_core::ids::new_id(),
        branch_id: a.store.branch_id().to_string(),
        device_id: a.store.device_id().to_string(),
        user_id: None,
        kind: "product.updated".into(),
        entity: "product".into(),
        entity_id: id.clone(),
        payload: json!({"id": id, "name": "Palomitas del futuro", "price_cents": 1}),
        created_at: day_ahead,
        hlc: Some(kidyboard_core::sync::Hlc {
            wall_ms: day_ahead,
            counter: 0,
        }),
    });
    let client =
        kidyboard_sync::worker::client::CloudClient::new(Duration::from_secs(10)).expect("client");
    let answer = client
        .push(&cloud.base, &link.device_token, events)
        .await
        .expect("push");
    assert_eq!(answer.stored, 1, "the event is kept: it happened");
    assert_eq!(
        cloud_record(&owner, &id).await["name"],
        "Palomitas",
        "but it does not win in the cloud"
    );

    let hb = start_worker(&b.store, SyncHooks::default());
    assert!(
        eventually(Duration::from_secs(20), || async {
            hb.status().online && product(&b.store, &id).is_some()
        })
        .await
    );
    assert_eq!(
        product(&b.store, &id).map(|p| p.name),
        Some("Palomitas".to_string()),
        "nor at the other branches"
    );
    // And the owner's next edit is not stuck behind the future clock.
    let (status, _) = owner
        .patch(
            &format!("/api/v1/catalog/products/{id}"),
            json!({"name": "Palomitas grandes"}),
        )
        .await;
    assert_eq!(status, 200);
    hb.sync_now();
    assert!(
        eventually(Duration::from_secs(20), || async {
            product(&b.store, &id).is_some_and(|p| p.name == "Palomitas grandes")
        })
        .await
    );
}

fn family_by_phone(store: &Store, phone: &str) -> Option<kidyboard_core::families::Family> {
    let branch = store.branch_id().to_string();
    store
        .read(|c| kidyboard_core::families::search(c, phone, &branch))
        .ok()
        .and_then(|v| v.into_iter().next())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_family_registered_at_one_branch_is_found_at_the_other_and_its_erasure_follows() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("families").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (branch_a, branch_b) = (owner.branch("Centro").await, owner.branch("Norte").await);
    let a = TestStore::new();
    let b = TestStore::empty();
    a.pair(&owner, &branch_a).await;
    b.pair(&owner, &branch_b).await;
    let _ha = start_worker(&a.store, SyncHooks::default());
    let _hb = start_worker(&b.store, SyncHooks::default());
    // The demo families were registered at A; B finds them by phone, children and notes included.
    assert!(
        eventually(Duration::from_secs(30), || async {
            family_by_phone(&b.store, "5512345678").is_some()
        })
        .await,
        "the family reaches branch B"
    );
    let at_b = family_by_phone(&b.store, "5512345678").expect("family");
    let at_a = family_by_phone(&a.store, "5512345678").expect("family");
    assert_eq!(at_b.id, at_a.id);
    assert_eq!(at_b.guardians[0].name, "Ana López");
    let names: Vec<&str> = at_b.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Sofía López", "Mateo López"]);
    assert_eq!(at_b.children[0].notes, "Alergia al cacahuate");
    assert_eq!(
        at_b.children[0].id, at_a.children[0].id,
        "the same child at both"
    );
    // Erased at A on request: erased at B too.
    let id = at_a.id.clone();
    a.store
        .change(&Actor::system(), kidyboard_core::clock::now_ms(), |tx| {
            kidyboard_core::families::erase(tx, &id, "solicitud del titular")
        })
        .expect("erased at A");
    assert!(
        eventually(Duration::from_secs(30), || async {
            family_by_phone(&b.store, "5512345678").is_none()
        })
        .await,
        "the erasure reaches branch B"
    );
    let branch = b.store.branch_id().to_string();
    let erased = b
        .store
        .read(|c| kidyboard_core::families::get(c, &id, &branch))
        .expect("kept as an id");
    assert!(erased.erased_at.is_some() && erased.guardians.is_empty());
    assert_eq!(erased.children[0].name, "Niño/a");
}

/// A hub of the demo, paired with `branch`, syncing, with an admin session on its API.
async fn paired_hub(owner: &Owner, branch: &str) -> (common::DemoHub, SyncHandle, String) {
    let hub = common::demo_hub(|_| {}).await;
    let store = hub.state.store.clone();
    let pairing = TestStore {
        dir: tempfile::tempdir().expect("unused"),
        store: store.clone(),
        cashier: Actor::system(),
    };
    pairing.pair(owner, branch).await;
    let handle = start_worker(&store, SyncHooks::default());
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", hub.base))
        .json(&json!({"username": "admin", "password": kidyboard_core::demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login json");
    let token = login["token"].as_str().expect("token").to_string();
    (hub, handle, token)
}

async fn hub_product(base: &str, token: &str, id: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/products/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("hub answers")
        .json()
        .await
        .expect("json")
}

/// Central prices with a branch's own: the owner prices a product for every branch and gives one
/// branch another price and then takes it off sale there; two real hubs show each what applies
/// to it, a later central price reaches the branch without its own, a local edit at the
/// overridden branch does not spread its price, and removing the override brings the
/// organisation's back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_central_price_with_a_branch_override_reaches_two_hubs() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("overrides").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let centro = owner.branch("Centro").await;
    let norte = owner.branch("Norte").await;
    let (hub_a, sync_a, token_a) = paired_hub(&owner, &centro).await;
    let (hub_b, sync_b, token_b) = paired_hub(&owner, &norte).await;

    let (_, created) = owner
        .post(
            "/api/v1/catalog/products",
            json!({"name": "Churros", "price_cents": 3_000, "category": "Postres"}),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_string();

    // Bad overrides are refused by field; a manager of Centro cannot price Norte.
    for (body, field) in [
        (
            json!({"branch_id": "01J00000000000000000000000", "entity": "product", "entity_id": id, "price_cents": 1}),
            "branch_id",
        ),
        (
            json!({"branch_id": norte, "entity": "product", "entity_id": "01J00000000000000000000000", "price_cents": 1}),
            "entity_id",
        ),
        (
            json!({"branch_id": norte, "entity": "menu", "entity_id": id, "price_cents": 1}),
            "entity",
        ),
        (
            json!({"branch_id": norte, "entity": "product", "entity_id": id, "price_cents": -5}),
            "price_cents",
        ),
    ] {
        let (status, answer) = owner.put("/api/v1/catalog/overrides", body).await;
        assert_eq!(
            (status, answer["error"]["field"].clone()),
            (422, json!(field)),
            "{answer}"
        );
    }
    let manager = owner.invite("manager", &[centro.as_str()]).await;
    let (status, _) = manager
        .put(
            "/api/v1/catalog/overrides",
            json!({"branch_id": norte, "entity": "product", "entity_id": id, "price_cents": 1}),
        )
        .await;
    assert_eq!(status, 403);

    let (status, body) = owner
        .put(
            "/api/v1/catalog/overrides",
            json!({"branch_id": norte, "entity": "product", "entity_id": id, "price_cents": 3_500}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let prices = || async {
        (
            hub_product(&hub_a.base, &token_a, &id).await["price_cents"].as_i64(),
            hub_product(&hub_b.base, &token_b, &id).await["price_cents"].as_i64(),
        )
    };
    let settle = |want: (Option<i64>, Option<i64>)| {
        let (sync_a, sync_b) = (sync_a.clone(), sync_b.clone());
        async move {
            eventually(Duration::from_secs(20), || {
                sync_a.sync_now();
                sync_b.sync_now();
                async { prices().await == want }
            })
            .await
        }
    };
    assert!(
        settle((Some(3_000), Some(3_500))).await,
        "{:?}",
        prices().await
    );

    // A new central price: Centro follows, Norte keeps its own.
    owner
        .patch(
            &format!("/api/v1/catalog/products/{id}"),
            json!({"price_cents": 3_200}),
        )
        .await;
    assert!(
        settle((Some(3_200), Some(3_500))).await,
        "{:?}",
        prices().await
    );

    // At Norte its price is set centrally; renaming there is fine and spreads the organisation's
    // price, never Norte's.
    let http = reqwest::Client::new();
    let res = http
        .patch(format!("{}/api/v1/products/{id}", hub_b.base))
        .bearer_auth(&token_b)
        .json(&json!({"price_cents": 2_000}))
        .send()
        .await
        .expect("hub answers");
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["field"], "price_cents", "{body}");
    let res = http
        .patch(format!("{}/api/v1/products/{id}", hub_b.base))
        .bearer_auth(&token_b)
        .json(&json!({"name": "Churros rellenos"}))
        .send()
        .await
        .expect("hub answers");
    assert_eq!(res.status(), 200);
    assert!(
        eventually(Duration::from_secs(20), || {
            sync_a.sync_now();
            sync_b.sync_now();
            async { hub_product(&hub_a.base, &token_a, &id).await["name"] == "Churros rellenos" }
        })
        .await
    );
    assert_eq!(prices().await, (Some(3_200), Some(3_500)));
    let (_, list) = owner.get("/api/v1/catalog/products").await;
    let record = list["items"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["id"] == id.as_str()))
        .expect("record");
    assert_eq!(record["record"]["price_cents"], 3_200, "{record}");

    // Off sale at Norte only, listed; then the override removed: the organisation's price again.
    owner
        .put(
            "/api/v1/catalog/overrides",
            json!({"branch_id": norte, "entity": "product", "entity_id": id, "price_cents": 3_500, "active": false}),
        )
        .await;
    assert!(
        eventually(Duration::from_secs(20), || {
            sync_b.sync_now();
            async { hub_product(&hub_b.base, &token_b, &id).await["active"] == false }
        })
        .await
    );
    assert_eq!(
        hub_product(&hub_a.base, &token_a, &id).await["active"],
        true
    );
    let (_, overrides) = owner.get("/api/v1/catalog/overrides").await;
    assert_eq!(
        overrides["items"].as_array().map(Vec::len),
        Some(1),
        "{overrides}"
    );
    let (_, mine) = manager.get("/api/v1/catalog/overrides").await;
    assert_eq!(
        mine["items"].as_array().map(Vec::len),
        Some(0),
        "Centro has none"
    );
    owner
        .put(
            "/api/v1/catalog/overrides",
            json!({"branch_id": norte, "entity": "product", "entity_id": id, "price_cents": null, "active": null}),
        )
        .await;
    assert!(
        settle((Some(3_200), Some(3_200))).await,
        "{:?}",
        prices().await
    );
    assert_eq!(
        hub_product(&hub_b.base, &token_b, &id).await["active"],
        true
    );
    assert_eq!(
        owner.get("/api/v1/catalog/overrides").await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

fn rename_locally(store: &Store, entity: &str, id: &str, name: &str) {
    store
        .change(
            &Actor::system(),
            kidyboard_core::clock::now_ms(),
            |tx| match entity {
                "service" => kidyboard_core::services::update(
                    tx,
                    id,
                    &kidyboard_core::services::ServiceInput {
                        name: Some(name.into()),
                        ..Default::default()
                    },
                )
                .map(|_| ()),
                _ => kidyboard_core::packages::update(
                    tx,
                    id,
                    &kidyboard_core::packages::PackageInput {
                        name: Some(name.into()),
                        ..Default::default()
                    },
                )
                .map(|_| ()),
            },
        )
        .expect("local edit");
}

fn local_name(store: &Store, entity: &str, id: &str) -> Option<String> {
    let table = if entity == "service" {
        "services"
    } else {
        "packages"
    };
    store
        .read(|c| {
            Ok(c.query_row(
                &format!("SELECT name FROM {table} WHERE id = ?1"),
                [id],
                |r| r.get::<_, String>(0),
            )?)
        })
        .ok()
}

async fn cloud_name(owner: &Owner, entity: &str, id: &str) -> Option<String> {
    let (_, list) = owner.get(&format!("/api/v1/catalog/{entity}s")).await;
    list["items"]
        .as_array()?
        .iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["record"]["name"].as_str().map(str::to_string))
}

/// Services and packages resolve conflicting edits as products do: edited offline at a branch
/// and in the cloud, the later edit wins in the cloud and at both branches; and two branches
/// whose edits carry the very same clock both keep the one of the greater device id, as the
/// cloud does, whichever arrives first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn services_and_packages_converge_and_ties_break_alike_everywhere() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("converge_more").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (branch_a, branch_b) = (owner.branch("Centro").await, owner.branch("Norte").await);
    let a = TestStore::new();
    let b = TestStore::empty();
    a.pair(&owner, &branch_a).await;
    b.pair(&owner, &branch_b).await;
    let ids: Vec<(&str, String)> = a
        .store
        .read(|c| {
            Ok(vec![
                (
                    "service",
                    c.query_row("SELECT id FROM services ORDER BY name LIMIT 1", [], |r| {
                        r.get(0)
                    })?,
                ),
                (
                    "package",
                    c.query_row("SELECT id FROM packages ORDER BY name LIMIT 1", [], |r| {
                        r.get(0)
                    })?,
                ),
            ])
        })
        .expect("a service and a package");
    let sync_until = |store: &TestStore| {
        let store = store.store.clone();
        async move {
            let h = start_worker(&store, SyncHooks::default());
            let done = eventually(Duration::from_secs(20), || async {
                h.status().online && h.status().pending_events == 0
            })
            .await;
            h.sync_now();
            tokio::time::sleep(Duration::from_millis(300)).await;
            h.shutdown();
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(done, "synced");
        }
    };
    sync_until(&a).await;
    sync_until(&b).await;
    for (entity, id) in &ids {
        assert!(
            local_name(&b.store, entity, id).is_some(),
            "B has A's {entity}"
        );
    }

    let converged = |expected: String, entity: &'static str, id: String| {
        let (sa, sb, owner) = (a.store.clone(), b.store.clone(), &owner);
        async move {
            let ha = start_worker(&sa, SyncHooks::default());
            let hb = start_worker(&sb, SyncHooks::default());
            let ok = eventually(Duration::from_secs(30), || {
                ha.sync_now();
                hb.sync_now();
                let (sa, sb, expected, id) = (sa.clone(), sb.clone(), expected.clone(), id.clone());
                async move {
                    cloud_name(owner, entity, &id).await.as_deref() == Some(expected.as_str())
                        && local_name(&sa, entity, &id).as_deref() == Some(expected.as_str())
                        && local_name(&sb, entity, &id).as_deref() == Some(expected.as_str())
                }
            })
            .await;
            ha.shutdown();
            hb.shutdown();
            tokio::time::sleep(Duration::from_millis(100)).await;
            (
                ok,
                cloud_name(owner, entity, &id).await,
                local_name(&sa, entity, &id),
                local_name(&sb, entity, &id),
            )
        }
    };

    for (entity, id) in &ids {
        for (round, cloud_last) in [(1, true), (2, false)] {
            let order = if cloud_last {
                ["A", "nube"]
            } else {
                ["nube", "A"]
            };
            for who in order {
                let name = format!("{entity} {who} {round}");
                if who == "A" {
                    rename_locally(&a.store, entity, id, &name);
                } else {
                    let (status, body) = owner
                        .patch(
                            &format!("/api/v1/catalog/{entity}s/{id}"),
                            json!({"name": name}),
                        )
                        .await;
                    assert_eq!(status, 200, "{body}");
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let expected = format!("{entity} {} {round}", order[1]);
            let (ok, c, la, lb) = converged(expected.clone(), entity, id.clone()).await;
            assert!(
                ok,
                "{entity} round {round}: {expected} everywhere — cloud {c:?}, A {la:?}, B {lb:?}"
            );
        }
    }

    // The same clock at both branches (set alike, five minutes ahead): the greater device id
    // wins, with A's edit reaching the cloud first for the service and B's for the package.
    let winner = if a.store.device_id() > b.store.device_id() {
        "A"
    } else {
        "B"
    };
    let ahead = kidyboard_core::clock::now_ms() + 5 * 60 * 1000;
    for (i, (entity, id)) in ids.iter().enumerate() {
        for (store, who) in [(&a, "A"), (&b, "B")] {
            store
                .store
                .write(|c| {
                    c.execute("UPDATE sync_hlc SET wall_ms = ?1, counter = 0", [ahead])?;
                    Ok(())
                })
                .expect("clock");
            rename_locally(&store.store, entity, id, &format!("{entity} empate {who}"));
        }
        let firsts = if i == 0 { [&a, &b] } else { [&b, &a] };
        for s in firsts {
            sync_until(s).await;
        }
        let expected = format!("{entity} empate {winner}");
        let (ok, c, la, lb) = converged(expected.clone(), entity, id.clone()).await;
        assert!(
            ok,
            "{entity}: {expected} everywhere — cloud {c:?}, A {la:?}, B {lb:?}"
        );
    }
}

/// A hub of the demo paired with `branch` whose worker relays menu designs' pictures through
/// its image store, as `kidyboard serve` runs it.
async fn paired_hub_with_pictures(
    owner: &Owner,
    branch: &str,
) -> (common::DemoHub, SyncHandle, String) {
    let (hub, handle, token) = paired_hub(owner, branch).await;
    handle.shutdown();
    let hooks = SyncHooks {
        pictures: Some(Arc::new(kidyboard_hub::server::StorePictures(
            hub.state.images.clone(),
        ))),
        ..SyncHooks::default()
    };
    let handle = start_worker(&hub.state.store, hooks);
    (hub, handle, token)
}

async fn hub_call(
    method: reqwest::Method,
    base: &str,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{base}/api/v1{path}"))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("hub answers");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Menu designs are the organisation's: one made at Centro with its logo reaches Norte (the
/// design and the picture's bytes, through the cloud), where Norte chooses it for its own totem
/// without changing Centro's; Centro's later edit and its deletion follow; a picture whose bytes
/// are not its hash is refused by the cloud.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_menu_design_and_its_logo_reach_every_branch() {
    const PHOTO: &[u8] = include_bytes!("../../images/tests/data/chelsea.png");
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("menus").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let centro = owner.branch("Centro").await;
    let norte = owner.branch("Norte").await;
    let (hub_a, sync_a, token_a) = paired_hub_with_pictures(&owner, &centro).await;
    let (hub_b, sync_b, token_b) = paired_hub_with_pictures(&owner, &norte).await;

    let logo: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/images", hub_a.base))
        .bearer_auth(&token_a)
        .header("content-type", "application/octet-stream")
        .body(PHOTO.to_vec())
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let hash = logo["hash"].as_str().expect("hash").to_string();
    let (status, design) = hub_call(
        reqwest::Method::POST,
        &hub_a.base,
        &token_a,
        "/menus/designs",
        Some(json!({"name": "Menú de temporada", "title": "Invierno", "logo_image": hash, "on_totem": true})),
    )
    .await;
    assert_eq!(status, 201, "{design}");
    let id = design["id"].as_str().expect("id").to_string();
    sync_a.sync_now();

    let seen_at_norte = || {
        let (base, token, id) = (hub_b.base.clone(), token_b.clone(), id.clone());
        async move {
            hub_call(
                reqwest::Method::GET,
                &base,
                &token,
                &format!("/menus/designs/{id}"),
                None,
            )
            .await
        }
    };
    assert!(
        eventually(Duration::from_secs(30), || async {
            sync_b.sync_now();
            seen_at_norte().await.0 == 200
        })
        .await,
        "the design reaches Norte"
    );
    let (_, at_b) = seen_at_norte().await;
    assert_eq!(at_b["title"], "Invierno");
    assert_eq!(at_b["logo_image"], hash.as_str());
    assert_eq!(
        at_b["on_totem"], false,
        "which design the totem plays is each branch's choice"
    );
    // The logo's bytes came along: Norte serves it and draws the design with it.
    let img = reqwest::get(format!("{}/img/{hash}?w=256", hub_b.base))
        .await
        .expect("img");
    assert_eq!(img.status(), 200);
    let preview = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/menus/designs/{id}/preview.png",
            hub_b.base
        ))
        .bearer_auth(&token_b)
        .send()
        .await
        .expect("preview");
    assert_eq!(preview.status(), 200);
    assert!(preview.bytes().await.expect("png").starts_with(b"\x89PNG"));

    // Norte puts it on its totem; Centro keeps its own choice and edits the title.
    let (status, _) = hub_call(
        reqwest::Method::PATCH,
        &hub_b.base,
        &token_b,
        &format!("/menus/designs/{id}"),
        Some(json!({"on_totem": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = hub_call(
        reqwest::Method::PATCH,
        &hub_a.base,
        &token_a,
        &format!("/menus/designs/{id}"),
        Some(json!({"title": "Invierno 2026"})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        eventually(Duration::from_secs(30), || async {
            sync_a.sync_now();
            sync_b.sync_now();
            let (_, b) = seen_at_norte().await;
            b["title"] == "Invierno 2026"
        })
        .await,
        "Centro's edit reaches Norte"
    );
    let (_, b) = seen_at_norte().await;
    assert_eq!(b["on_totem"], true, "Norte's totem keeps playing it");
    // The owner's console lists it once, as last changed at Centro.
    let (status, list) = owner.get("/api/v1/catalog/menu-designs").await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["name"], "Menú de temporada");
    assert_eq!(items[0]["title"], "Invierno 2026");
    assert_eq!(items[0]["branch_name"], "Centro");
    assert!(
        items[0]["updated_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{list}"
    );
    let (_, a) = hub_call(
        reqwest::Method::GET,
        &hub_a.base,
        &token_a,
        &format!("/menus/designs/{id}"),
        None,
    )
    .await;
    assert_eq!(a["on_totem"], true, "Centro's own choice is untouched");

    // Deleted at Centro: gone at Norte too.
    let (status, _) = hub_call(
        reqwest::Method::DELETE,
        &hub_a.base,
        &token_a,
        &format!("/menus/designs/{id}"),
        None,
    )
    .await;
    assert!(status < 300, "{status}");
    assert!(
        eventually(Duration::from_secs(30), || async {
            sync_a.sync_now();
            sync_b.sync_now();
            seen_at_norte().await.0 == 404
        })
        .await,
        "the deletion reaches Norte"
    );
    let (_, list) = owner.get("/api/v1/catalog/menu-designs").await;
    assert_eq!(
        list["items"],
        json!([]),
        "a deleted design leaves the console's list"
    );

    // The cloud keeps a picture only under its own hash.
    let device = TestStore::new().pair(&owner, &centro).await;
    let wrong = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/sync/pictures/{}",
            cloud.base,
            "ab".repeat(32)
        ))
        .bearer_auth(&device)
        .body(PHOTO.to_vec())
        .send()
        .await
        .expect("put");
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["error"]["field"], "body");
    drop((sync_a, sync_b));
}
