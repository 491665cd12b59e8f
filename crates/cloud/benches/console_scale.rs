//! `cargo bench -p kidyboard-cloud --bench console_scale`: the cloud at an owner's scale.
//!
//! 1. 200 stores push a busy day's events (real SQLite stores, 250 sales each) into one cloud at
//!    once: the ingest rate and the p50/p99 of a push, beside one store pushing the same day
//!    alone (the baseline, measured in the same run).
//! 2. The console's cross-branch dashboard (`GET /api/v1/reports/branches`) over a year of 20
//!    branches' days and closings, beside one branch's single day (target: under 300 ms).
//!
//! A real PostgreSQL with fsync on, real HTTP, release build.

#[path = "../tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Owner, TestCloud, TestStore};
use kidyboard_core::sync;
use kidyboard_sync::worker::client::CloudClient;

const STORES: usize = 200;
const SALES_PER_STORE: usize = 250;
const BATCH: usize = 500;

fn busy_day(store: &TestStore) {
    let pid = store.product_id("Palomitas");
    store.restock("Palomitas", 10_000);
    store
        .store
        .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
            for _ in 0..SALES_PER_STORE {
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
                            amount_cents: 3_000,
                        }],
                        note: None,
                        ..Default::default()
                    },
                    None,
                )?;
            }
            Ok(())
        })
        .expect("sales");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Pushes every pending event of each store, the stores concurrently; answers
/// (events stored, seconds, each push's ms sorted).
async fn push_all(
    base: &str,
    stores: &[(String, Vec<sync::OutgoingEvent>)],
) -> (u64, f64, Vec<f64>) {
    let client = CloudClient::new(Duration::from_secs(120)).expect("client");
    let t0 = Instant::now();
    let tasks: Vec<_> = stores
        .iter()
        .map(|(token, events)| {
            let (client, base, token, events) = (
                client.clone(),
                base.to_string(),
                token.clone(),
                events.clone(),
            );
            tokio::spawn(async move {
                let mut stored = 0u64;
                let mut times = Vec::new();
                for chunk in events.chunks(BATCH) {
                    let t = Instant::now();
                    stored += client
                        .push(&base, &token, chunk.to_vec())
                        .await
                        .expect("push")
                        .stored;
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                (stored, times)
            })
        })
        .collect();
    let mut stored = 0;
    let mut times = Vec::new();
    for t in tasks {
        let (s, mut ts) = t.await.expect("store task");
        stored += s;
        times.append(&mut ts);
    }
    let secs = t0.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.total_cmp(b));
    (stored, secs, times)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let pg = common::pg::Postgres::start_with(true);
    let url = pg.create_database("bench_scale").await;
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let cloud = TestCloud::start_with(&url, any, |c| {
        c.public_rate_burst = 100_000;
        c.max_connections = 16;
        c.alert_check_secs = 3600;
    });
    let owner = Owner::create(&cloud.base, "Bench").await;

    // 1. The stores: each paired with its own branch, a busy day queued.
    let t0 = Instant::now();
    let mut stores = Vec::with_capacity(STORES + 1);
    for i in 0..=STORES {
        let branch = owner.branch(&format!("Sucursal {i}")).await;
        let store = TestStore::new();
        let token = store.pair(&owner, &branch).await;
        busy_day(&store);
        let events = store
            .store
            .read(|c| sync::pending(c, 1_000_000))
            .expect("pending");
        stores.push((token, events));
    }
    let per_store = stores[0].1.len();
    println!(
        "prepared {} stores with {per_store} events each in {:.1} s",
        STORES + 1,
        t0.elapsed().as_secs_f64()
    );

    let (alone_stored, alone_secs, alone_times) = push_all(&cloud.base, &stores[..1]).await;
    let (stored, secs, times) = push_all(&cloud.base, &stores[1..]).await;
    println!(
        "baseline, one store alone: {alone_stored} events in {alone_secs:.2} s = {:.0} events/s; push p50 {:.0} ms, p99 {:.0} ms ({} pushes of ≤ {BATCH})",
        alone_stored as f64 / alone_secs,
        percentile(&alone_times, 0.5),
        percentile(&alone_times, 0.99),
        alone_times.len()
    );
    println!(
        "{STORES} stores at once: {stored} events in {secs:.2} s = {:.0} events/s; push p50 {:.0} ms, p99 {:.0} ms ({} pushes)",
        stored as f64 / secs,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.len()
    );

    // 2. A year of 20 branches as the projections hold it, and the dashboard over it.
    let db = common::cloud_db(&url).await;
    let year_start = "2025-01-01".to_string();
    let branches: Vec<String> = {
        let (_, list) = owner.get("/api/v1/branches").await;
        list["items"]
            .as_array()
            .expect("branches")
            .iter()
            .take(20)
            .filter_map(|b| b["id"].as_str().map(str::to_string))
            .collect()
    };
    for (n, b) in branches.iter().enumerate() {
        let n = i64::try_from(n).unwrap_or(0);
        db.execute(
            "INSERT INTO sales_daily (branch_id, business_day, sales_count, revenue_cents, change_cents,
                 services_cents, products_cents, packages_cents, cash_cents, card_cents, transfer_cents,
                 refunds_cents, gross_cents, discounts_cents, children)
             SELECT $1, to_char($2::text::date + d, 'YYYY-MM-DD'), 120 + d % 40, 900000 + d * 100 + $3::int8, 0,
                    600000, 300000, 0, 500000, 400000, 0, 1000, 901000, 0, 90
             FROM generate_series(0, 364) AS d
             ON CONFLICT DO NOTHING",
            &[b, &year_start, &n],
        )
        .await
        .expect("a year of days");
        db.execute(
            "INSERT INTO day_closings (branch_id, closing_id, business_day, expected_cents, counted_cents,
                 difference_cents, closed_at, closed_by_name)
             SELECT $1, $1 || '-' || d, to_char($2::text::date + d, 'YYYY-MM-DD'), 500000, 500000 - d % 7 * 100,
                    -(d % 7 * 100), '2025-01-01T00:00:00Z', 'Caja'
             FROM generate_series(0, 364) AS d",
            &[b, &year_start],
        )
        .await
        .expect("a year of closings");
    }
    db.batch_execute("ANALYZE").await.expect("analyze");
    let http = reqwest::Client::new();
    let time = |path: String| {
        let (http, owner) = (http.clone(), &owner);
        async move {
            let mut ms = Vec::new();
            for _ in 0..25 {
                let t = Instant::now();
                let res = http
                    .get(format!("{}{path}", owner.base))
                    .bearer_auth(&owner.token)
                    .send()
                    .await
                    .expect("dashboard");
                assert_eq!(res.status(), 200);
                let _ = res.bytes().await.expect("body");
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(|a, b| a.total_cmp(b));
            ms
        }
    };
    let one = time(format!(
        "/api/v1/reports/branches?branch_id={}&from=2025-06-01&to=2025-06-01",
        branches[0]
    ))
    .await;
    // The owner sees all 201 branches; the year is read for every one of them.
    let year = time("/api/v1/reports/branches?from=2025-01-01&to=2025-12-31".into()).await;
    println!(
        "dashboard, baseline (one branch, one day): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&one, 0.5),
        percentile(&one, 0.99)
    );
    println!(
        "dashboard, a year of 20 branches' days and closings (of {} branches): p50 {:.1} ms, p99 {:.1} ms — target < 300 ms",
        STORES + 1,
        percentile(&year, 0.5),
        percentile(&year, 0.99)
    );
}
