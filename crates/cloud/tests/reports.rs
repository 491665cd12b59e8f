//! The owner's view fed by the projections: play time and product revenue by type and method,
//! active timers and stock alerts per branch — as the store recorded them.

mod common;

use std::time::Duration;

use common::{eventually, fast_worker, Owner, TestCloud, TestStore};
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::sales::{self, Child, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_sync::{SyncHooks, SyncWorker};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timers_stock_alerts_and_revenue_by_type_reach_the_owner() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("reports").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    store.pair(&owner, &branch).await;

    // One hour of play for Sofía paid in cash with change, and a pair of socks by transfer
    // (the demo store has 4 pairs with a threshold of 6: a stock alert).
    let service: String = store
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM services WHERE name = '1 hora de juego'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("service");
    let req = SaleRequest {
        items: vec![SaleItemRequest {
            service_id: Some(service),
            quantity: Some(1),
            child: Some(Child {
                name: "Sofía".into(),
                guardian_name: Some("Ana".into()),
                guardian_phone: None,
            }),
            ..Default::default()
        }],
        payments: vec![PaymentRequest {
            method: PaymentMethod::Cash,
            amount_cents: 20_000,
        }],
        note: None,
        ..Default::default()
    };
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            sales::create(tx, &req, None)
        })
        .expect("play time sold");
    let socks = store.product_id("Calcetines antiderrapantes");
    let req = SaleRequest {
        items: vec![SaleItemRequest {
            product_id: Some(socks.clone()),
            quantity: Some(1),
            ..Default::default()
        }],
        payments: vec![PaymentRequest {
            method: PaymentMethod::Transfer,
            amount_cents: 4_500,
        }],
        note: None,
        ..Default::default()
    };
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            sales::create(tx, &req, None)
        })
        .expect("socks sold");

    let (handle, task) =
        SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default()).expect("worker");
    tokio::spawn(task);
    assert!(
        eventually(Duration::from_secs(20), || async {
            handle.status().online && handle.status().pending_events == 0
        })
        .await,
        "{:?}",
        handle.status()
    );

    // The store's health as it reports it when it pulls: online, nothing waiting, its version.
    let (_, branches) = owner.get("/api/v1/branches").await;
    let b = &branches["items"][0];
    assert_eq!(
        (
            b["online"].clone(),
            b["silent"].clone(),
            b["pending_events"].clone()
        ),
        (
            serde_json::json!(true),
            serde_json::json!(false),
            serde_json::json!(0)
        ),
        "{branches}"
    );
    assert_eq!(b["devices"][0]["app_version"], env!("CARGO_PKG_VERSION"));

    let (status, summary) = owner
        .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["sales_count"], 2);
    assert_eq!(summary["revenue_cents"], 15_000 + 4_500);
    assert_eq!(summary["by_type"]["services_cents"], 15_000);
    assert_eq!(summary["by_type"]["products_cents"], 4_500);
    assert_eq!(
        summary["by_method"]["cash_cents"], 15_000,
        "cash net of the 50-peso change"
    );
    assert_eq!(summary["by_method"]["transfer_cents"], 4_500);
    assert_eq!(summary["ticket_average_cents"], 9_750);
    assert_eq!(summary["active_timers"], 1);
    assert!(
        summary["low_stock"].as_array().is_some_and(|l| l
            .iter()
            .any(|p| p["id"] == socks.as_str() && p["stock"] == 3)),
        "the socks are low on stock in the summary: {summary}"
    );
    assert!(summary["inventory_value_cents"]
        .as_i64()
        .is_some_and(|v| v > 0));

    let (_, timers) = owner.get("/api/v1/timers").await;
    let t = &timers["items"][0];
    assert_eq!(
        (t["child_name"].as_str(), t["state"].as_str()),
        (Some("Sofía"), Some("running")),
        "{timers}"
    );
    assert_eq!(t["branch_id"], branch.as_str());

    let (_, alerts) = owner
        .get(&format!("/api/v1/stock-alerts?branch_id={branch}"))
        .await;
    assert!(
        alerts["items"]
            .as_array()
            .is_some_and(|l| l.iter().any(|a| a["product"]["id"] == socks.as_str())),
        "{alerts}"
    );

    // Stopping the timer at the store takes it off the owner's list at the next sync.
    let timer_id: String = store
        .store
        .read(|c| Ok(c.query_row("SELECT id FROM timers", [], |r| r.get(0))?))
        .expect("timer");
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            kidyboard_core::timers::act(tx, &timer_id, kidyboard_core::timers::Action::Stop)
        })
        .expect("timer stopped");
    handle.sync_now();
    assert!(
        eventually(Duration::from_secs(20), || async {
            owner.get("/api/v1/timers").await.1["items"]
                .as_array()
                .is_some_and(|l| l.is_empty())
        })
        .await,
        "a finished timer leaves the owner's list"
    );
}

/// The owner sees every branch's parties: the store's bookings reach the cloud with their state
/// and money, a deposit paid at the desk confirms one there too, and no family contact travels
/// into the owner's list.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_owner_sees_the_branches_parties() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("parties").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    // The demo store has two parties booked in the coming days; pay the first one's deposit.
    let (booking, deposit): (String, i64) = store
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id, deposit_cents FROM bookings ORDER BY starts_at LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("a demo party");
    let req = SaleRequest {
        items: vec![SaleItemRequest {
            booking_id: Some(booking.clone()),
            ..Default::default()
        }],
        payments: vec![PaymentRequest {
            method: PaymentMethod::Card,
            amount_cents: deposit,
        }],
        ..Default::default()
    };
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            sales::create(tx, &req, None)
        })
        .expect("deposit paid");
    let (handle, task) =
        SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default()).expect("worker");
    tokio::spawn(task);
    assert!(
        eventually(Duration::from_secs(20), || async {
            handle.status().online && handle.status().pending_events == 0
        })
        .await,
        "{:?}",
        handle.status()
    );
    let (status, list) = owner.get("/api/v1/bookings").await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "both demo parties: {list}");
    let paid = items
        .iter()
        .find(|b| b["id"] == booking.as_str())
        .expect("the paid party");
    assert_eq!(paid["state"], "confirmed", "{paid}");
    assert_eq!(paid["paid_cents"], deposit);
    assert_eq!(paid["branch_id"], branch.as_str());
    assert_eq!(paid["branch_name"], "Centro");
    assert_eq!(paid["area_name"], "Salón Arcoíris");
    assert!(
        !list.to_string().contains("5512345678"),
        "no family phone in the owner's list: {list}"
    );
    let (_, summary) = owner
        .get(&format!("/api/v1/reports/summary?branch_id={branch}"))
        .await;
    assert_eq!(
        summary["by_type"]["packages_cents"], deposit,
        "a party's deposit counts with the packages: {summary}"
    );
    let (bad, _) = owner.get("/api/v1/bookings?from=2026-02-30").await;
    assert_eq!(bad, 422);
}

/// Milliseconds of an RFC 3339 instant.
fn ms(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at)
        .expect("instant")
        .timestamp_millis()
}

/// Mexico has four zones and the border cities keep daylight saving: every branch reports its own
/// business days. Tijuana springs forward on 8 March 2026 (02:00 PST → 03:00 PDT, 10:00 UTC);
/// Cancún is UTC−5 all year. The same UTC instants fall on different days at each branch, and
/// a fixed offset (or Mexico City's) would put some of them on the wrong day.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tijuana_across_daylight_saving_and_cancun_report_their_own_days() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("zones").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let tijuana = {
        let (status, b) = owner
            .post(
                "/api/v1/branches",
                serde_json::json!({"name": "Tijuana", "timezone": "America/Tijuana"}),
            )
            .await;
        assert_eq!(status, 201, "{b}");
        b["id"].as_str().expect("id").to_string()
    };
    let cancun = {
        let (_, b) = owner
            .post(
                "/api/v1/branches",
                serde_json::json!({"name": "Cancún", "timezone": "America/Cancun"}),
            )
            .await;
        b["id"].as_str().expect("id").to_string()
    };
    let water = "Agua natural 600 ml";
    let mut workers = Vec::new();
    for (branch, zone, sales) in [
        (
            &tijuana,
            "America/Tijuana",
            // 23:30 PST on the 7th; 00:30 PST on the 8th; 23:30 PDT on the 8th (a fixed −8 would
            // say 22:30, same day); 00:30 PDT on the 9th (a fixed −8 would say the 8th).
            vec![
                "2026-03-08T07:30:00Z",
                "2026-03-08T08:30:00Z",
                "2026-03-09T06:30:00Z",
                "2026-03-09T07:30:00Z",
            ],
        ),
        (
            &cancun,
            "America/Cancun",
            // 23:30 on the 7th; 00:30 on the 8th (Mexico City would still say the 7th).
            vec!["2026-03-08T04:30:00Z", "2026-03-08T05:30:00Z"],
        ),
    ] {
        let store = TestStore::new();
        store
            .store
            .write(|c| {
                c.execute("UPDATE branches SET timezone = ?1", [zone])?;
                Ok(())
            })
            .expect("the store's zone");
        store.restock(water, 10);
        for at in sales {
            store.sell_at(water, ms(at));
        }
        store.pair(&owner, branch).await;
        let (handle, task) =
            SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default())
                .expect("worker");
        tokio::spawn(task);
        assert!(
            eventually(Duration::from_secs(20), || async {
                handle.status().online && handle.status().pending_events == 0
            })
            .await
        );
        workers.push((store, handle));
    }
    let count = |branch: &str, from: &str, to: &str| {
        let path = format!("/api/v1/reports/summary?branch_id={branch}&from={from}&to={to}");
        let owner = &owner;
        async move {
            owner.get(&path).await.1["sales_count"]
                .as_i64()
                .unwrap_or(-1)
        }
    };
    assert_eq!(count(&tijuana, "2026-03-07", "2026-03-07").await, 1);
    assert_eq!(count(&tijuana, "2026-03-08", "2026-03-08").await, 2);
    assert_eq!(count(&tijuana, "2026-03-09", "2026-03-09").await, 1);
    assert_eq!(count(&cancun, "2026-03-07", "2026-03-07").await, 1);
    assert_eq!(count(&cancun, "2026-03-08", "2026-03-08").await, 1);

    // Across branches, a day is each branch's own day.
    let (_, all) = owner
        .get("/api/v1/reports/branches?from=2026-03-08&to=2026-03-08")
        .await;
    assert_eq!(all["total"]["sales_count"], 3, "{all}");
    let by_name = |name: &str| {
        all["branches"]
            .as_array()
            .and_then(|l| l.iter().find(|b| b["branch_name"] == name))
            .map(|b| b["sales_count"].clone())
    };
    assert_eq!(by_name("Tijuana"), Some(serde_json::json!(2)));
    assert_eq!(by_name("Cancún"), Some(serde_json::json!(1)));

    // Without dates, "today" is each branch's own today in its zone.
    let (_, today) = owner.get("/api/v1/reports/branches").await;
    for (name, zone) in [
        ("Tijuana", chrono_tz::America::Tijuana),
        ("Cancún", chrono_tz::America::Cancun),
    ] {
        let b = today["branches"]
            .as_array()
            .and_then(|l| l.iter().find(|b| b["branch_name"] == name))
            .expect("branch");
        let own = chrono::Utc::now()
            .with_timezone(&zone)
            .date_naive()
            .to_string();
        assert_eq!(b["from"], own.as_str(), "{name}: {today}");
    }
    drop(workers);
}
