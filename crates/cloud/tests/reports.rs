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

/// The hub's reports across branches give, branch by branch, exactly what each hub's own reports
/// say of the same days: weeks of a store's ordinary life (the demo's generated past) in
/// Tijuana and in Cancún, plus a refund, synced; the heatmap on each branch's clock, the best
/// sellers net of the refund, the camera's visitors and the minutes played; and the dashboard
/// compares the period with the one before.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_hubs_reports_across_branches_match_each_hub() {
    use kidyboard_core::reports::{self, Period};

    let pg = common::pg::Postgres::start();
    let url = pg.create_database("insights").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let mut workers = Vec::new();
    let mut branches = Vec::new();
    for (name, zone) in [("Tijuana", "America/Tijuana"), ("Cancún", "America/Cancun")] {
        let (status, b) = owner
            .post(
                "/api/v1/branches",
                serde_json::json!({"name": name, "timezone": zone}),
            )
            .await;
        assert_eq!(status, 201, "{b}");
        let branch = b["id"].as_str().expect("id").to_string();
        let store = TestStore::new();
        store
            .store
            .write(|c| {
                c.execute("UPDATE branches SET timezone = ?1", [zone])?;
                Ok(())
            })
            .expect("the store's zone");
        let history = kidyboard_core::demo_history::generate(&store.store, 21).expect("history");
        assert!(history.tickets > 100, "{history:?}");
        // A play-time line given back today: it leaves the best sellers and the heatmap's hour.
        let (sale_id, line) = store
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT sale_id, position FROM sale_items WHERE kind = 'service' ORDER BY sale_id LIMIT 1",
                    [],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
                )?)
            })
            .expect("a play-time line");
        let admin = store.admin();
        store
            .store
            .change(&admin, kidyboard_core::clock::now_ms(), |tx| {
                kidyboard_core::refunds::create(
                    tx,
                    &sale_id,
                    &kidyboard_core::refunds::RefundRequest {
                        items: Some(vec![kidyboard_core::refunds::RefundItemRequest {
                            item_id: sales::item_id(&sale_id, line),
                            quantity: 1,
                            damaged: false,
                        }]),
                        reason: "Se sintió mal y se fue".into(),
                        ..Default::default()
                    },
                    None,
                    None,
                )
            })
            .expect("refund");
        // The branch's capacity, as the store announces it (an event the cloud keeps).
        let home = store.store.branch_id().to_string();
        store
            .store
            .change(
                &kidyboard_core::Actor::system(),
                kidyboard_core::clock::now_ms(),
                |tx| {
                    kidyboard_core::branches::update(
                        tx,
                        &home,
                        &kidyboard_core::branches::BranchInput {
                            capacity: Some(30),
                            ..Default::default()
                        },
                    )
                },
            )
            .expect("capacity");
        store.pair(&owner, &branch).await;
        let (handle, task) =
            SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default())
                .expect("worker");
        tokio::spawn(task);
        assert!(
            eventually(Duration::from_secs(60), || async {
                handle.status().online && handle.status().pending_events == 0
            })
            .await,
            "{name} synced"
        );
        let tz: chrono_tz::Tz = zone.parse().expect("zone");
        let today = chrono::Utc::now().with_timezone(&tz).date_naive();
        branches.push((branch, store, today - chrono::Duration::days(13), today));
        workers.push(handle);
    }

    let mut visitors_total = 0;
    for (branch, store, from, to) in &branches {
        let hub = store.store.branch_id().to_string();
        let period = store
            .store
            .read(|c| Period::new(c, &hub, *from, *to))
            .expect("period");
        let q = format!("branch_id={branch}&from={from}&to={to}");

        let (status, heat) = owner.get(&format!("/api/v1/reports/heatmap?{q}")).await;
        assert_eq!(status, 200, "{heat}");
        let own = store
            .store
            .read(|c| reports::figures::heatmap(c, &period))
            .expect("hub heatmap");
        let own = serde_json::to_value(&own).expect("json");
        assert_eq!(heat["sales"], own["sales"], "tickets by weekday and hour");
        assert_eq!(heat["revenue_cents"], own["revenue_cents"]);
        assert_eq!(heat["weekdays_in_period"], own["weekdays_in_period"]);
        assert!(heat["peak"]["sales"].as_i64().unwrap_or(0) > 0, "{heat}");

        let (status, top) = owner
            .get(&format!("/api/v1/reports/top-products?{q}&limit=20"))
            .await;
        assert_eq!(status, 200, "{top}");
        let own = store
            .store
            .read(|c| reports::items::top_items(c, &period, None, 20))
            .expect("hub top items");
        let own = serde_json::to_value(&own).expect("json");
        let rows = |v: &serde_json::Value| -> Vec<(String, i64, i64)> {
            v["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| {
                    (
                        i["item_id"].as_str().unwrap_or("").to_string(),
                        i["quantity"].as_i64().unwrap_or(-1),
                        i["revenue_cents"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        };
        assert!(!rows(&top).is_empty());
        assert_eq!(
            rows(&top),
            rows(&own),
            "the best sellers, net of the refund"
        );

        let (_, dash) = owner.get(&format!("/api/v1/reports/branches?{q}")).await;
        let b = &dash["branches"][0];
        let visitors = store
            .store
            .read(|c| kidyboard_core::vision::report::visitors(c, &hub, *from, *to))
            .expect("hub visitors");
        assert_eq!(b["visitors"], visitors.figures.visitors, "{b}");
        assert!(visitors.figures.visitors > 0);
        visitors_total += visitors.figures.visitors;
        let used = store
            .store
            .read(|c| reports::utilisation::utilisation(c, &period, 12))
            .expect("hub utilisation");
        assert_eq!(b["played_minutes"], used.played_minutes, "{b}");
        // Capacity 30 over the days' opening hours (the demo's 09:00–21:00 every day).
        assert_eq!(b["capacity_minutes"], 30 * 12 * 60 * 14, "{b}");
        assert!(b["occupancy_percent"].as_f64().unwrap_or(0.0) > 0.0, "{b}");
        // The period before: the week before these two, as the generated past has it.
        assert_eq!(
            dash["previous_to"],
            (*from - chrono::Duration::days(1)).to_string()
        );
        assert!(
            b["previous"]["sales_count"].as_i64().unwrap_or(0) > 0,
            "{b}"
        );
        assert_eq!(
            b["refunds_cents"].as_i64().map(|r| r > 0),
            Some(true),
            "{b}"
        );
    }

    // Both branches together.
    let (tj_from, cun_from) = (branches[0].2, branches[1].2);
    let from = tj_from.min(cun_from);
    let to = branches[0].3.max(branches[1].3);
    let (_, all) = owner
        .get(&format!("/api/v1/reports/branches?from={from}&to={to}"))
        .await;
    assert_eq!(all["branches"].as_array().map(Vec::len), Some(2));
    if tj_from == cun_from && branches[0].3 == branches[1].3 {
        assert_eq!(all["total"]["visitors"], visitors_total, "{}", all["total"]);
    }
    let (status, heat) = owner
        .get(&format!("/api/v1/reports/heatmap?from={from}&to={to}"))
        .await;
    assert_eq!(status, 200);
    let sum: i64 = heat["sales"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(serde_json::Value::as_i64)
        .sum();
    assert!(sum > 0);

    // The same as files: the workbook opened by openpyxl, the PDF read by poppler.
    let file = |format: &str| {
        let url = format!(
            "{}/api/v1/reports/branches/file?format={format}&from={from}&to={to}",
            owner.base
        );
        let token = owner.token.clone();
        async move {
            let res = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("file");
            assert_eq!(res.status(), 200);
            res.bytes().await.expect("bytes").to_vec()
        }
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let xlsx = tmp.path().join("sucursales.xlsx");
    std::fs::write(&xlsx, file("xlsx").await).expect("write");
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({n: [[c.value if not hasattr(c.value, "isoformat") else c.value.isoformat() for c in row] for row in wb[n].iter_rows()] for n in wb.sheetnames}))
"#;
    let python = if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(&xlsx)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let sheet = &book["Comparativo por sucursal"];
    assert_eq!(sheet[0][5], "Visitantes", "{sheet}");
    assert_eq!(sheet[0][6], "Ocupación");
    let total = sheet
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r[0] == "Total"))
        .expect("total row");
    assert_eq!(total[1], all["total"]["sales_count"], "{total}");
    assert_eq!(total[5], all["total"]["visitors"]);
    assert!(
        sheet.as_array().is_some_and(|rows| rows.iter().any(|r| r[0]
            .as_str()
            .is_some_and(|n| n.starts_with("Periodo anterior")))),
        "{sheet}"
    );
    let (_, top) = owner
        .get(&format!(
            "/api/v1/reports/top-products?from={from}&to={to}&limit=20"
        ))
        .await;
    let best = &book["Más vendidos"];
    assert_eq!(best[1][0], top["items"][0]["name"], "{best}");
    assert_eq!(
        best[1][3].as_f64(),
        top["items"][0]["revenue_cents"].as_f64().map(|c| c / 100.0)
    );
    let pdf = tmp.path().join("sucursales.pdf");
    std::fs::write(&pdf, file("pdf").await).expect("write");
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Más vendidos") && text.contains("Visitantes"),
        "{text}"
    );

    // The events stored before these tables existed are summed by the same function the
    // migration ran: rebuilt from the whole log, every table holds exactly what the pushes made.
    let db = common::cloud_db(&url).await;
    let tables = [
        "sales_hourly",
        "items_daily",
        "visitors_daily",
        "play_daily",
    ];
    async fn snapshot(db: &tokio_postgres::Client, tables: &[&str]) -> Vec<Vec<String>> {
        let mut all = Vec::new();
        for t in tables {
            let rows = db
                .query(
                    &format!("SELECT to_jsonb(t)::text FROM {t} t ORDER BY 1"),
                    &[],
                )
                .await
                .expect("rows");
            all.push(rows.iter().map(|r| r.get::<_, String>(0)).collect());
        }
        all
    }
    let pushed = snapshot(&db, &tables).await;
    assert!(
        pushed.iter().all(|rows| !rows.is_empty()),
        "every table has rows"
    );
    db.batch_execute(&format!(
        "TRUNCATE {}; SELECT kb_project_reports(NULL);",
        tables.join(", ")
    ))
    .await
    .expect("rebuilt");
    assert_eq!(snapshot(&db, &tables).await, pushed);

    // Tijuana closes on Sundays from now on: a change of its booking settings alone (no branch
    // event) reaches the cloud's occupancy, two of the fourteen days now closed.
    let (branch, store, from, to) = &branches[0];
    let admin = store.admin();
    let sunday: kidyboard_core::bookings::rules::DayHours = serde_json::from_value(
        serde_json::json!({"weekday": 7, "opens": "09:00", "closes": "21:00", "closed": true}),
    )
    .expect("hours");
    store
        .store
        .change(&admin, kidyboard_core::clock::now_ms(), |tx| {
            kidyboard_core::bookings::setup::put_settings(
                tx,
                &kidyboard_core::bookings::setup::BookingSettingsInput {
                    hours: Some(vec![sunday]),
                    ..Default::default()
                },
            )
        })
        .expect("closed on Sundays");
    let q = format!("branch_id={branch}&from={from}&to={to}");
    let closed_sundays = 30 * 12 * 60 * 12;
    assert!(
        eventually(Duration::from_secs(60), || async {
            let (_, dash) = owner.get(&format!("/api/v1/reports/branches?{q}")).await;
            dash["branches"][0]["capacity_minutes"] == closed_sundays
        })
        .await,
        "the new hours reach the cloud's occupancy"
    );
    // The migration's pass over the events stored before it finds the same hours.
    db.execute(
        "UPDATE branches SET opening_hours = NULL WHERE id = $1",
        &[branch],
    )
    .await
    .expect("hours forgotten");
    db.batch_execute("SELECT kb_project_opening_hours(NULL)")
        .await
        .expect("hours rebuilt");
    let (_, dash) = owner.get(&format!("/api/v1/reports/branches?{q}")).await;
    assert_eq!(dash["branches"][0]["capacity_minutes"], closed_sundays);

    // Bad input names the field.
    for (path, field) in [
        ("/api/v1/reports/top-products?kind=boletos", "kind"),
        ("/api/v1/reports/top-products?limit=0", "limit"),
        ("/api/v1/reports/heatmap?from=ayer", "from"),
        (
            "/api/v1/reports/heatmap?from=2026-01-10&to=2026-01-01",
            "to",
        ),
    ] {
        let (status, body) = owner.get(path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}");
    }
    drop(workers);
}
