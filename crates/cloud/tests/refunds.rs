//! A refund made while the store is offline reaches the cloud exactly once, and the owner's
//! summary nets it: revenue and the card total go down, the refund is shown apart, and the
//! number of sales stays what it was (a refund never edits a sale).

mod common;

use std::time::Duration;

use common::{cloud_db, count, eventually, fast_worker, Owner, TestCloud, TestStore};
use kidyboard_core::refunds::{self, RefundRequest};
use kidyboard_core::till;
use kidyboard_sync::{SyncHooks, SyncWorker};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_made_offline_reaches_the_cloud_once_and_the_summary_nets_it() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("refunds").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;

    // Offline: three waters sold by card, the second one voided by the owner.
    let store = TestStore::new();
    store.restock("Agua natural 600 ml", 10);
    let sales: Vec<String> = (0..3).map(|_| store.sell("Agua natural 600 ml")).collect();
    let boss = store.admin();
    let refund = store
        .store
        .change(&boss, kidyboard_core::clock::now_ms(), |tx| {
            refunds::create(
                tx,
                &sales[1],
                &RefundRequest {
                    reason: "cobro duplicado".into(),
                    ..Default::default()
                },
                None,
                None,
            )
        })
        .expect("refund")
        .refund;
    let price = refund.total_cents;
    assert!(price > 0);
    // A fourth water at $1 off, by the owner (a discount needs a reason).
    let water = store.product_id("Agua natural 600 ml");
    let discounted = store
        .store
        .change(&boss, kidyboard_core::clock::now_ms(), |tx| {
            kidyboard_core::sales::create(
                tx,
                &kidyboard_core::sales::SaleRequest {
                    items: vec![kidyboard_core::sales::SaleItemRequest {
                        product_id: Some(water.clone()),
                        quantity: Some(1),
                        ..Default::default()
                    }],
                    payments: vec![kidyboard_core::sales::PaymentRequest {
                        method: kidyboard_core::money::PaymentMethod::Card,
                        amount_cents: price - 100,
                    }],
                    discount: Some(kidyboard_core::sales::Discount {
                        percent: None,
                        amount_cents: Some(100),
                    }),
                    discount_reason: Some("botella abollada".into()),
                    ..Default::default()
                },
                None,
            )
        })
        .expect("discounted sale")
        .sale;
    assert_eq!(discounted.total_cents, price - 100);
    // The drawer: a float and a drop, made offline too.
    let now = kidyboard_core::clock::now_ms();
    store
        .store
        .change(&boss, now, |tx| {
            till::open(
                tx,
                &till::OpenRequest {
                    float_cents: 50_000,
                    till: None,
                },
            )?;
            till::movement(
                tx,
                &till::MovementRequest {
                    kind: till::MovementKind::Drop,
                    amount_cents: 20_000,
                    reason: "al cofre".into(),
                    till: None,
                },
            )
        })
        .expect("float and drop");

    // Online: paired, synced, and synced again.
    store.pair(&owner, &branch).await;
    let (handle, worker) =
        SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default()).expect("worker");
    tokio::spawn(worker);
    assert!(
        eventually(Duration::from_secs(30), || async {
            let s = handle.status();
            s.online && s.pending_events == 0
        })
        .await,
        "the queue drains: {:?}",
        handle.status()
    );
    handle.sync_now();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let db = cloud_db(&url).await;
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE type = 'refund.created'"
        )
        .await,
        1,
        "the refund is stored once"
    );
    for kind in ["till.opened", "till.movement"] {
        assert_eq!(
            count(
                &db,
                &format!("SELECT count(*) FROM events WHERE type = '{kind}'")
            )
            .await,
            1,
            "{kind} is stored once"
        );
    }
    let drawer = db
        .query_one(
            "SELECT float_cents, drops_cents, deposits_cents FROM till_daily WHERE business_day = $1",
            &[&refund.business_day],
        )
        .await
        .expect("the day's drawer is projected");
    assert_eq!(
        (
            drawer.get::<_, i64>(0),
            drawer.get::<_, i64>(1),
            drawer.get::<_, i64>(2)
        ),
        (50_000, 20_000, 0)
    );
    let (status, summary) = owner
        .get(&format!(
            "/api/v1/reports/summary?branch_id={branch}&from={d}&to={d}",
            d = refund.business_day
        ))
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["sales_count"], 4, "{summary}");
    assert_eq!(summary["revenue_cents"], 3 * price - 100, "{summary}");
    assert_eq!(summary["refunds_cents"], price, "{summary}");
    assert_eq!(summary["gross_cents"], 4 * price, "{summary}");
    assert_eq!(summary["discounts_cents"], 100, "{summary}");
    assert_eq!(
        summary["by_method"]["card_cents"],
        3 * price - 100,
        "{summary}"
    );
    assert_eq!(
        summary["by_type"]["products_cents"],
        3 * price - 100,
        "{summary}"
    );

    // The hub's own summary says the same.
    let local = store
        .store
        .read(|c| {
            let day = kidyboard_core::clock::parse_day("day", &refund.business_day)?;
            kidyboard_core::reports::summary(c, store.store.branch_id(), day, day)
        })
        .expect("local summary");
    assert_eq!(
        (
            local.sales_count,
            local.revenue_cents,
            local.refunds_cents,
            local.gross_cents,
            local.discounts_cents
        ),
        (4, 3 * price - 100, price, 4 * price, 100)
    );
}
