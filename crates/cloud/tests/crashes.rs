//! Failures in the middle of a push: the answer is lost after the cloud stored the batch, the
//! cloud dies mid-batch, the store dies mid-push. Each time the store retries and the cloud
//! ends up with every event exactly once — and its sales projection counts each sale once.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{cloud_db, count, eventually, fast_worker, Owner, TestCloud, TestStore};
use kidyboard_core::sync;
use kidyboard_sync::worker::client::CloudClient;
use kidyboard_sync::{SyncHooks, SyncWorker};

/// Many sales in one transaction: a long queue without waiting for a disk flush per sale.
fn sell_many(store: &TestStore, product: &str, n: usize) {
    let pid = store.product_id(product);
    let price = store
        .store
        .read(|c| kidyboard_core::products::get(c, &pid))
        .expect("product")
        .price_cents;
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            for _ in 0..n {
                kidyboard_core::sales::create(
                    tx,
                    &kidyboard_core::sales::SaleRequest {
                        items: vec![kidyboard_core::sales::SaleItemRequest {
                            product_id: Some(pid.clone()),
                            quantity: Some(1),
                            ..Default::default()
                        }],
                        payments: vec![kidyboard_core::sales::PaymentRequest {
                            method: kidyboard_core::money::PaymentMethod::Cash,
                            amount_cents: price,
                        }],
                        note: None,
                        ..Default::default()
                    },
                    None,
                )?;
            }
            Ok(())
        })
        .expect("sales recorded");
}

async fn assert_exactly_once(url: &str, store: &TestStore, what: &str) {
    let db = cloud_db(url).await;
    let device = store.store.device_id();
    let in_cloud = count(
        &db,
        &format!("SELECT COUNT(*) FROM events WHERE device_id = '{device}'"),
    )
    .await;
    assert_eq!(
        in_cloud,
        store.local_event_count(),
        "{what}: every local event stored once"
    );
    let projected = count(
        &db,
        "SELECT COALESCE(SUM(sales_count), 0)::int8 FROM sales_daily",
    )
    .await;
    assert_eq!(
        projected,
        store.sales_count(),
        "{what}: the sales projection counts each sale once"
    );
    let revenue = count(
        &db,
        "SELECT COALESCE(SUM(revenue_cents), 0)::int8 FROM sales_daily",
    )
    .await;
    let local_revenue: i64 = store
        .store
        .read(|c| {
            Ok(
                c.query_row("SELECT COALESCE(SUM(total_cents), 0) FROM sales", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .expect("local revenue");
    assert_eq!(
        revenue, local_revenue,
        "{what}: revenue in the cloud equals the store's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_retried_after_a_lost_answer_is_stored_once() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("lost_answer").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    for _ in 0..5 {
        store.sell("Palomitas");
    }
    let link = store.store.read(sync::link).expect("link").expect("paired");
    let events = store
        .store
        .read(|c| sync::pending(c, 1_000))
        .expect("pending");
    let client = CloudClient::new(Duration::from_secs(10)).expect("client");
    let first = client
        .push(&cloud.base, &link.device_token, events.clone())
        .await
        .expect("first push");
    assert_eq!(first.stored as usize, events.len());
    // The answer never reached the store (it did not record the ack) so it sends it all again.
    let again = client
        .push(&cloud.base, &link.device_token, events.clone())
        .await
        .expect("retry");
    assert_eq!(
        (again.stored, again.duplicates as usize),
        (0, events.len()),
        "the retry stores nothing"
    );
    assert_eq!(again.acked_seq, first.acked_seq);
    sync::acknowledge_push(
        &store.store,
        again.acked_seq,
        kidyboard_core::clock::now_ms(),
    )
    .expect("ack");
    assert_exactly_once(&url, &store, "after a retried batch").await;

    // A batch claiming another device's events is refused with a field error, nothing stored.
    let mut forged = store.store.read(|c| sync::pending(c, 10)).expect("pending");
    store.sell("Palomitas");
    forged = if forged.is_empty() {
        store.store.read(|c| sync::pending(c, 10)).expect("pending")
    } else {
        forged
    };
    forged[0].device_id = "01ARZ3NDEKTSV4RRFFQ69G5FAV".into();
    let refused = client.push(&cloud.base, &link.device_token, forged).await;
    match refused {
        Err(kidyboard_sync::SyncError::Refused { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (422, "validation"))
        }
        other => panic!("a forged batch should be refused, got {other:?}"),
    }
    let bad_token = client
        .push(&cloud.base, "dev_not-a-token", Vec::new())
        .await;
    assert!(
        matches!(
            bad_token,
            Err(kidyboard_sync::SyncError::Refused { status: 401, .. })
        ),
        "{bad_token:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cloud_killed_mid_batch_loses_nothing_and_duplicates_nothing() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("cloud_killed").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    store.restock("Palomitas", 3_000);
    sell_many(&store, "Palomitas", 1_500);
    let total = store.local_event_count();
    assert!(total > 3_000, "a long queue: {total} events");

    let mut cfg = fast_worker();
    cfg.push_batch = 300;
    let (handle, task) =
        SyncWorker::new(store.store.clone(), cfg, SyncHooks::default()).expect("worker");
    tokio::spawn(task);
    let db = cloud_db(&url).await;
    // Kill it once the first batches are in and more are on their way.
    assert!(
        eventually(Duration::from_secs(30), || async {
            count(&db, "SELECT COUNT(*) FROM events").await >= 600
        })
        .await,
        "the push starts: {:?}",
        handle.status()
    );
    let addr = cloud.kill();
    drop(db);
    let stored_at_kill = count(&cloud_db(&url).await, "SELECT COUNT(*) FROM events").await;
    assert!(
        stored_at_kill < total,
        "killed before the end ({stored_at_kill} of {total})"
    );
    assert!(
        eventually(Duration::from_secs(10), || async {
            !handle.status().online
        })
        .await,
        "the worker notices: {:?}",
        handle.status()
    );

    let _cloud = TestCloud::start_at(&url, addr);
    handle.sync_now();
    assert!(
        eventually(Duration::from_secs(60), || async {
            let s = handle.status();
            s.online && s.pending_events == 0
        })
        .await,
        "the queue drains once the cloud is back: {:?}",
        handle.status()
    );
    assert_exactly_once(&url, &store, "cloud killed mid-batch").await;
}

/// Runs a sync worker on the store given in the environment until killed (the child half of
/// `the_store_killed_mid_push_resumes_without_duplicates`).
#[test]
#[ignore = "run by the crash test as a child process"]
fn child_sync_worker() {
    let Ok(path) = std::env::var("KIDYBOARD_SYNC_CHILD_DB") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async move {
        let store = Arc::new(
            kidyboard_core::Store::open(std::path::Path::new(&path)).expect("store opens"),
        );
        let mut cfg = fast_worker();
        cfg.push_batch = 100;
        let (_handle, task) = SyncWorker::new(store, cfg, SyncHooks::default()).expect("worker");
        task.await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_killed_mid_push_resumes_without_duplicates() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("store_killed").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    store.restock("Palomitas", 3_000);
    sell_many(&store, "Palomitas", 1_500);
    let total = store.local_event_count();
    let db_path = store.dir.path().join("kidyboard.db");
    let dir = store.dir;
    drop(store.store);

    // A separate process pushes; kill -9 it part-way.
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["child_sync_worker", "--exact", "--ignored", "--nocapture"])
        .env("KIDYBOARD_SYNC_CHILD_DB", &db_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("child starts");
    let db = cloud_db(&url).await;
    let started = eventually(Duration::from_secs(60), || async {
        count(&db, "SELECT COUNT(*) FROM events").await >= 500
    })
    .await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(started, "the child pushed some batches before being killed");
    let stored_at_kill = count(&db, "SELECT COUNT(*) FROM events").await;
    assert!(
        stored_at_kill < total,
        "killed before the end ({stored_at_kill} of {total})"
    );

    // The store restarts from its file and finishes the job.
    let store = TestStore::reopen(dir);
    let acked = store.store.read(sync::cursors).expect("cursors").push;
    assert!(
        acked > 0,
        "acknowledged batches were remembered across the kill"
    );
    let (handle, task) =
        SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default()).expect("worker");
    tokio::spawn(task);
    assert!(
        eventually(Duration::from_secs(60), || async {
            let s = handle.status();
            s.online && s.pending_events == 0
        })
        .await,
        "the restarted store drains its queue: {:?}",
        handle.status()
    );
    assert_exactly_once(&url, &store, "store killed mid-push").await;
    drop(cloud);
}
