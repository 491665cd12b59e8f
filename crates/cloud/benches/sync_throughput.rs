//! `cargo bench -p kidyboard-cloud`: how long a store's queue of 10,000 events takes to reach
//! the cloud after the link returns (target: under 10 s on the 2-core dev machine), and the
//! cloud's raw ingest rate. A real PostgreSQL with fsync on, a real store on SQLite, real HTTP.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Owner, TestCloud, TestStore};
use kidyboard_core::sync;
use kidyboard_sync::worker::client::CloudClient;
use kidyboard_sync::{SyncHooks, SyncWorker, WorkerConfig};

const QUEUED: i64 = 10_000;

/// Sales in large transactions until at least `events` local events wait for the cloud.
fn queue_events(store: &TestStore, events: i64) {
    let pid = store.product_id("Palomitas");
    store.restock("Palomitas", 900_000);
    while store.store.read(sync::pending_count).expect("pending") < events {
        store
            .store
            .change(&store.cashier, kidyboard_core::clock::now_ms(), |tx| {
                for _ in 0..500 {
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
    let url = pg.create_database("bench").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Bench").await;
    let branch = owner.branch("Centro").await;

    // 1. A store that was offline with 10,000 events queued; the link returns.
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    queue_events(&store, QUEUED);
    let queued = store.store.read(sync::pending_count).expect("pending");
    let (handle, task) = SyncWorker::new(
        store.store.clone(),
        WorkerConfig::default(),
        SyncHooks::default(),
    )
    .expect("worker");
    let t0 = Instant::now();
    tokio::spawn(task);
    loop {
        let s = handle.status();
        if s.online && s.pending_events == 0 {
            break;
        }
        if t0.elapsed() > Duration::from_secs(300) {
            panic!("sync did not finish in 5 minutes: {s:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = t0.elapsed();
    println!(
        "sync after reconnect: {queued} queued events in {:.2} s ({:.0} events/s, batches of {}) — target < 10 s",
        took.as_secs_f64(),
        queued as f64 / took.as_secs_f64(),
        WorkerConfig::default().push_batch
    );
    handle.shutdown();

    // 2. The cloud's ingest alone: batches already in memory, pushed back to back.
    let other_branch = owner.branch("Norte").await;
    let other = TestStore::new();
    other.pair(&owner, &other_branch).await;
    queue_events(&other, QUEUED);
    let link = other.store.read(sync::link).expect("link").expect("paired");
    let all = other
        .store
        .read(|c| sync::pending(c, 1_000_000))
        .expect("pending");
    let client = CloudClient::new(Duration::from_secs(60)).expect("client");
    for batch_size in [1_000usize] {
        let t0 = Instant::now();
        let mut stored = 0;
        for chunk in all.chunks(batch_size) {
            stored += client
                .push(&cloud.base, &link.device_token, chunk.to_vec())
                .await
                .expect("push")
                .stored;
        }
        let took = t0.elapsed();
        println!(
            "cloud ingest: {stored} new events in {:.2} s = {:.0} events/s (batches of {batch_size}, one store, fsync on)",
            took.as_secs_f64(),
            stored as f64 / took.as_secs_f64()
        );
        let t0 = Instant::now();
        let mut dup = 0;
        for chunk in all.chunks(batch_size) {
            dup += client
                .push(&cloud.base, &link.device_token, chunk.to_vec())
                .await
                .expect("push")
                .duplicates;
        }
        println!(
            "cloud re-ingest of the same events (all duplicates): {dup} in {:.2} s = {:.0} events/s",
            t0.elapsed().as_secs_f64(),
            dup as f64 / t0.elapsed().as_secs_f64()
        );
    }
}
