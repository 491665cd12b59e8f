//! Two branches sell while the cloud is down; when it comes back every sale arrives exactly
//! once, and the owner's summary adds them up per branch and for the whole organisation.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{cloud_db, count, eventually, fast_worker, Owner, TestCloud, TestStore};
use kidyboard_sync::worker::retry::Breaker;
use kidyboard_sync::{SyncHooks, SyncWorker};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sales_made_while_the_cloud_is_down_arrive_once_when_it_returns() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("outage").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let (branch_a, branch_b) = (owner.branch("Centro").await, owner.branch("Norte").await);

    let a = TestStore::new();
    let b = TestStore::empty();
    a.pair(&owner, &branch_a).await;
    b.pair(&owner, &branch_b).await;
    let (ha, wa) =
        SyncWorker::new(a.store.clone(), fast_worker(), SyncHooks::default()).expect("worker a");
    let (hb, wb) =
        SyncWorker::new(b.store.clone(), fast_worker(), SyncHooks::default()).expect("worker b");
    tokio::spawn(wa);
    tokio::spawn(wb);

    // The new branch receives the organisation's catalogue from branch A through the cloud.
    let b_store = b.store.clone();
    assert!(
        eventually(Duration::from_secs(20), || {
            let s = b_store.clone();
            async move {
                s.read(|c| kidyboard_core::products::list(c, &Default::default()))
                    .map(|l| l.len())
                    .unwrap_or(0)
                    == 12
            }
        })
        .await,
        "branch B should receive A's 12 products through the cloud; status {:?}",
        hb.status()
    );
    b.restock("Palomitas", 100);
    a.restock("Agua natural 600 ml", 100);
    assert!(
        eventually(Duration::from_secs(10), || async {
            ha.status().pending_events == 0 && hb.status().pending_events == 0
        })
        .await
    );

    // The cloud goes down; both branches keep selling.
    let addr = cloud.kill();
    for _ in 0..25 {
        a.sell("Agua natural 600 ml");
        b.sell("Palomitas");
    }
    ha.sync_now();
    hb.sync_now();
    assert!(
        eventually(Duration::from_secs(10), || async {
            let s = ha.status();
            !s.online
                && s.last_error.as_ref().is_some_and(|e| e.code == "offline")
                && s.pending_events >= 50
        })
        .await,
        "while the cloud is down the status says so and counts the queue: {:?}",
        ha.status()
    );
    // Long enough for the breaker to open: retries stop hammering the dead address.
    assert!(
        eventually(Duration::from_secs(20), || async {
            ha.status().breaker == Breaker::Open
        })
        .await,
        "repeated failures open the circuit breaker: {:?}",
        ha.status()
    );
    for _ in 0..25 {
        a.sell("Agua natural 600 ml");
        b.sell("Palomitas");
    }

    // It comes back at the same address.
    let cloud = TestCloud::start_at(&url, addr);
    ha.sync_now();
    hb.sync_now();
    assert!(
        eventually(Duration::from_secs(30), || async {
            let (x, y) = (ha.status(), hb.status());
            x.online && y.online && x.pending_events == 0 && y.pending_events == 0
        })
        .await,
        "both queues drain after the cloud returns: {:?} / {:?}",
        ha.status(),
        hb.status()
    );
    assert_eq!(
        ha.status().breaker,
        Breaker::Closed,
        "a successful round closes the breaker"
    );

    let db = cloud_db(&url).await;
    for (store, branch, name) in [(&a, &branch_a, "A"), (&b, &branch_b, "B")] {
        let device = store.store.device_id();
        let in_cloud = count(
            &db,
            &format!("SELECT COUNT(*) FROM events WHERE device_id = '{device}'"),
        )
        .await;
        assert_eq!(
            in_cloud,
            store.local_event_count(),
            "branch {name}: every local event is in the cloud, once"
        );
        let sales = count(
            &db,
            &format!("SELECT COUNT(*) FROM events WHERE device_id = '{device}' AND type = 'sale.created'"),
        )
        .await;
        assert_eq!(sales, 50, "branch {name}: 50 sales stored");
        let (status, summary) = owner
            .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
            .await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(
            summary["sales_count"], 50,
            "branch {name}: the summary counts each sale once"
        );
    }
    let (_, all) = owner.get("/api/v1/reports/summary").await;
    assert_eq!(
        all["sales_count"], 100,
        "the organisation's summary adds both branches"
    );
    assert_eq!(
        all["revenue_cents"],
        50 * 2_000 + 50 * 3_000,
        "revenue: 50 waters at $20 and 50 popcorns at $30"
    );
    assert_eq!(all["by_method"]["card_cents"], all["revenue_cents"]);
    drop(cloud);
    let _ = Arc::strong_count(&a.store);
}
