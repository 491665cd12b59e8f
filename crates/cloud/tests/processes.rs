//! More than one machine: the cloud keeps nothing outside PostgreSQL, so two `kidyboard-cloud`
//! processes on one database take the same store's pushes alternately — overlapping, retried,
//! even at the same moment — and store each event once; a session opened on one works on the
//! other, and the sign-in throttle counts failures made on both.

mod common;

use common::{Owner, TestCloud, TestStore, PASSWORD};
use kidyboard_core::sync;
use serde_json::{json, Value};

async fn push(base: &str, token: &str, events: &[kidyboard_core::sync::OutgoingEvent]) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/sync/push"))
        .bearer_auth(token)
        .json(&json!({ "events": events }))
        .send()
        .await
        .expect("push reaches a cloud");
    assert_eq!(res.status(), 200);
    res.json().await.expect("answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_cloud_processes_on_one_database_store_each_event_once() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("two_processes").await;
    let any = "127.0.0.1:0".parse().expect("addr");
    let a = TestCloud::start_with(&url, any, |c| c.public_rate_burst = 1_000);
    let b = TestCloud::start_with(&url, any, |c| c.public_rate_burst = 1_000);
    let owner = Owner::create(&a.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;

    // A session opened on one process works on the other.
    let on_b = owner.at(&b.base);
    assert_eq!(on_b.get("/api/v1/auth/me").await.0, 200);

    // A day of sales at one store, paired through process B.
    let store = TestStore::new();
    let token = store.pair(&owner.at(&b.base), &branch).await;
    store.restock("Agua natural 600 ml", 200);
    for _ in 0..120 {
        store.sell("Agua natural 600 ml");
    }
    let events = store
        .store
        .read(|c| sync::pending(c, 10_000))
        .expect("pending events");
    assert!(events.len() > 120, "{}", events.len());

    // Alternately, overlapping, each batch also retried on the other process, and the last
    // ones sent to both at the same moment.
    let chunks: Vec<_> = events.chunks(40).collect();
    let mut stored = 0u64;
    for (i, chunk) in chunks.iter().enumerate() {
        let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        stored += push(&first.base, &token, chunk).await["stored"]
            .as_u64()
            .unwrap_or(0);
        let again = push(&second.base, &token, chunk).await;
        assert_eq!(
            again["stored"], 0,
            "a retry on the other process stores nothing"
        );
    }
    let everything = events.clone();
    let (x, y) = tokio::join!(
        push(&a.base, &token, &everything[..everything.len().min(1000)]),
        push(&b.base, &token, &everything[..everything.len().min(1000)]),
    );
    assert_eq!(
        x["stored"].as_u64().unwrap_or(0) + y["stored"].as_u64().unwrap_or(0),
        0
    );
    assert_eq!(stored, u64::try_from(events.len()).expect("count"));

    let db = common::cloud_db(&url).await;
    assert_eq!(
        common::count(&db, "SELECT count(*) FROM events").await,
        i64::try_from(events.len()).expect("count"),
        "each event stored once"
    );
    // The projections counted each sale once, whichever process stored it.
    let (_, summary) = owner
        .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
        .await;
    assert_eq!(summary["sales_count"], store.sales_count(), "{summary}");

    // Failed sign-ins on A and on B add up to one count.
    let email = owner.get("/api/v1/auth/me").await.1["email"]
        .as_str()
        .expect("email")
        .to_string();
    for (i, base) in [&a.base, &b.base, &a.base, &b.base, &a.base, &b.base]
        .iter()
        .enumerate()
    {
        let res = reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": format!("mala {i}")}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 401);
    }
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", a.base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(
        res.status(),
        429,
        "six failures across both processes start the wait"
    );
}
