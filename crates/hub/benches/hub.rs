//! `cargo bench -p kidyboard-hub`: prints sale commit latency and throughput with concurrent
//! clients, live fan-out latency to 50 WebSocket clients, and how late timer expiries fire —
//! against a real hub over loopback, beside an fsync baseline measured in the same run; then
//! the hub process's peak memory while picture bombs are uploaded (`support/image_memory.rs`).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kidyboard_client::HubClient;
use kidyboard_core::clock::now_ms;
use kidyboard_core::demo;
use kidyboard_hub::{Config, Hub};
use kidyboard_testkit::timers::short_timers;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[path = "support/image_memory.rs"]
mod image_memory;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(label: &str, mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let (p50, p99) = (pct(&ms, 50.0), pct(&ms, 99.0));
    println!(
        "  {label:<44} n={:<6} p50={p50:>7.2} ms  p99={p99:>7.2} ms  max={:>7.2} ms",
        ms.len(),
        ms.last().copied().unwrap_or(f64::NAN)
    );
    (p50, p99)
}

/// A demo user's session token.
async fn login(base: &str, user: &str) -> String {
    HubClient::login(base, user, demo::DEMO_PASSWORD)
        .await
        .expect("login")
        .token()
        .to_string()
}

/// An empty write transaction with the hub's durability settings: the floor under any sale.
fn fsync_baseline(dir: &std::path::Path, n: usize) -> Vec<f64> {
    let conn = rusqlite::Connection::open(dir.join("baseline.sqlite")).expect("db");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (x INTEGER);",
    )
    .expect("setup");
    (0..n)
        .map(|i| {
            let t = Instant::now();
            conn.execute("INSERT INTO t VALUES (?1)", [i as i64])
                .expect("insert");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench -p kidyboard-hub -- images`: only the picture-memory figures.
    if std::env::args().skip(1).any(|a| a == "images") {
        let bomb_peak_mb = image_memory::run().await;
        println!("\nTargets:\n{}", image_memory::verdict_line(bomb_peak_mb));
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let config = Config {
        data_dir: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        ui_dir: None,
        backup_interval_minutes: 0,
        login_failures_per_address: 1000,
        ..Config::default()
    };
    let hub = Hub::bind(config).await.expect("hub");
    let base = format!("http://{}", hub.local_addr().expect("addr"));
    let state = hub.state.clone();
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        demo::load_catalogue(&store).expect("demo");
        demo::ensure_users(&store).expect("users");
    })
    .await
    .expect("demo task");
    tokio::spawn(hub.serve(std::future::pending()));

    let admin = login(&base, "admin").await;
    let http = reqwest::Client::new();
    let products: Value = http
        .get(format!("{base}/api/v1/products"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("p")
        .json()
        .await
        .expect("j");
    let water = products["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["name"] == "Agua natural 600 ml")
        .and_then(|p| p["id"].as_str())
        .expect("water")
        .to_string();
    http.post(format!("{base}/api/v1/products/{water}/stock"))
        .bearer_auth(&admin)
        .json(&json!({"delta": 500000, "reason": "bench"}))
        .send()
        .await
        .expect("stock");
    let reception = login(&base, "recepcion").await;

    println!("Kidyboard hub benchmark (real hub on loopback, SQLite WAL + synchronous=FULL)");
    println!("\nSale commit latency (HTTP POST /api/v1/sales, 2 product lines + split payment):");
    summary(
        "baseline: empty write txn + fsync",
        fsync_baseline(tmp.path(), 300),
    );
    let mut sale_p99 = 0.0;
    for clients in [1usize, 4, 16] {
        let per_client = 600 / clients;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (base, token, water) = (base.clone(), reception.clone(), water.clone());
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut lat = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let body = json!({"items": [{"product_id": water, "quantity": 1}, {"product_id": water, "quantity": 2}],
                        "payments": [{"method": "card", "amount_cents": 2000}, {"method": "cash", "amount_cents": 5000}]});
                    let t = Instant::now();
                    let r = http.post(format!("{base}/api/v1/sales")).bearer_auth(&token)
                        .header("Idempotency-Key", format!("bench-{clients}-{c}-{i}")).json(&body).send().await.expect("sale");
                    assert_eq!(r.status(), 201);
                    let _ = r.bytes().await;
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("client"));
        }
        let secs = started.elapsed().as_secs_f64();
        let n = all.len();
        let (_, p99) = summary(&format!("{clients:>2} concurrent clients"), all);
        println!("  {:<44} {:.0} sales/s", "", n as f64 / secs);
        sale_p99 = f64::max(sale_p99, p99);
    }

    println!("\nSales while 40 logins run at once (each from its own device, argon2 off the write lock):");
    let quiet = sale_latencies(&base, &reception, &water, "quiet", 200).await;
    let (_, quiet_p99) = summary("baseline: 1 client, no logins", quiet);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut logins = Vec::new();
    for i in 0..40u8 {
        let (base, stop) = (base.clone(), stop.clone());
        logins.push(tokio::spawn(async move {
            let source = std::net::IpAddr::from([127, 0, 1, 10 + i]);
            let http = reqwest::Client::builder()
                .local_address(source)
                .build()
                .expect("client");
            let mut done = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = http
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"username": "recepcion", "password": demo::DEMO_PASSWORD}))
                    .send()
                    .await
                    .expect("login");
                if r.status() == 200 {
                    done += 1;
                }
            }
            done
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let busy = sale_latencies(&base, &reception, &water, "logins", 200).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let login_secs = started.elapsed().as_secs_f64();
    let mut logged_in = 0;
    for l in logins {
        logged_in += l.await.expect("login task");
    }
    let (_, login_sale_p99) = summary("1 client, 40 logins at once", busy);
    println!(
        "  {:<44} {:.1} logins/s completed meanwhile",
        "",
        f64::from(logged_in) / login_secs
    );

    println!("\nLive fan-out: timer action → timer.updated at 50 WebSocket clients:");
    let monitor = login(&base, "monitor").await;
    let hour: Value = http
        .get(format!("{base}/api/v1/services"))
        .bearer_auth(&reception)
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("j");
    let hour = hour["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["name"] == "1 hora de juego")
        .and_then(|s| s["id"].as_str())
        .expect("hour")
        .to_string();
    http.patch(format!("{base}/api/v1/services/{hour}"))
        .bearer_auth(&admin)
        .json(&json!({"capacity": 0}))
        .send()
        .await
        .expect("cap");
    let sale: Value = http.post(format!("{base}/api/v1/sales")).bearer_auth(&reception)
        .json(&json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Bench"}}], "payments": [{"method": "cash", "amount_cents": 15000}]}))
        .send().await.expect("sale").json().await.expect("json");
    let timer = sale["timers"][0]["id"].as_str().expect("timer").to_string();
    let origin = Instant::now();
    let mut receivers = Vec::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(64);
    for _ in 0..50 {
        let url = format!(
            "{}/api/v1/live?token={monitor}",
            base.replace("http://", "ws://")
        );
        let (timer, ready) = (timer.clone(), ready_tx.clone());
        receivers.push(tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
            let _hello = ws.next().await;
            let _ = ready.send(()).await;
            let mut arrivals: Vec<(String, f64)> = Vec::new();
            while let Ok(Some(Ok(msg))) =
                tokio::time::timeout(Duration::from_secs(3), ws.next()).await
            {
                if let Message::Text(t) = msg {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    if v["type"] == "timer.updated" && v["timer"]["id"] == timer.as_str() {
                        let key = format!("{}|{}", v["timer"]["state"], v["timer"]["updated_at"]);
                        arrivals.push((key, origin.elapsed().as_secs_f64() * 1000.0));
                    }
                }
            }
            arrivals
        }));
    }
    for _ in 0..50 {
        ready_rx.recv().await;
    }
    let mut sent: Vec<(String, f64)> = Vec::new();
    for i in 0..100 {
        let action = if i % 2 == 0 { "pause" } else { "resume" };
        let t = origin.elapsed().as_secs_f64() * 1000.0;
        let v: Value = http
            .post(format!("{base}/api/v1/timers/{timer}/{action}"))
            .bearer_auth(&reception)
            .send()
            .await
            .expect("act")
            .json()
            .await
            .expect("json");
        sent.push((format!("{}|{}", v["state"], v["updated_at"]), t));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut fan = Vec::new();
    let mut missing = 0;
    for r in receivers {
        let arrivals = r.await.expect("receiver");
        for (key, t0) in &sent {
            match arrivals.iter().find(|(k, _)| k == key) {
                Some((_, t)) => fan.push(t - t0),
                None => missing += 1,
            }
        }
    }
    let (_, fan_p99) = summary("action sent → message received (per client)", fan);
    println!("  {:<44} {missing} messages missing", "");

    println!("\nTimer expiry: how late the hub fires and pushes (200 timers, 0.3–3 s):");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/live?token={monitor}",
        base.replace("http://", "ws://")
    ))
    .await
    .expect("ws");
    let _hello = ws.next().await;
    let wanted: Vec<(&str, i64)> = (0..200)
        .map(|i| ("Bench", 300 + (i * 2_700 / 200)))
        .collect();
    let created = short_timers(state.store.clone(), &wanted).await;
    state.timers_changed.notify_one();
    let ends: std::collections::HashMap<String, i64> = created
        .iter()
        .map(|t| (t.id.clone(), t.ends_at.unwrap_or(0)))
        .collect();
    let mut late = Vec::new();
    while late.len() < ends.len() {
        let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_secs(5), ws.next()).await
        else {
            break;
        };
        let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
        if v["type"] == "timer.updated" && v["timer"]["state"] == "expired" {
            if let Some(end) = v["timer"]["id"].as_str().and_then(|id| ends.get(id)) {
                late.push((now_ms() - end) as f64);
            }
        }
    }
    let (_, late_p99) = summary("ends_at → expiry received by a client", late);
    let store = state.store.clone();
    let server_late: Vec<f64> = tokio::task::spawn_blocking(move || {
        store.read(|c| {
            let mut s = c.prepare("SELECT json_extract(payload, '$.late_ms') FROM events WHERE type = 'timer.expired'")?;
            let v = s.query_map([], |r| r.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(v.into_iter().map(|x| x as f64).collect())
        })
    })
    .await
    .expect("task")
    .unwrap_or_default();
    summary("ends_at → expiry committed (server side)", server_late);

    let bomb_peak_mb = image_memory::run().await;

    println!("\nTargets: sale p99 < 10 ms → {:.2} ms {}; fan-out p99 < 50 ms → {:.2} ms {}; expiry < 100 ms late → p99 {:.0} ms {}",
        sale_p99, verdict(sale_p99 < 10.0), fan_p99, verdict(fan_p99 < 50.0), late_p99, verdict(late_p99 < 100.0));
    println!(
        "         sale p99 with 40 logins at once < 20 ms → {:.2} ms {} (quiet baseline {:.2} ms)",
        login_sale_p99,
        verdict(login_sale_p99 < 20.0),
        quiet_p99
    );
    println!("{}", image_memory::verdict_line(bomb_peak_mb));
}

/// `n` sales one after another by one client, each timed from send to full answer.
async fn sale_latencies(base: &str, token: &str, water: &str, tag: &str, n: usize) -> Vec<f64> {
    let http = reqwest::Client::new();
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let body = json!({"items": [{"product_id": water, "quantity": 1}],
            "payments": [{"method": "cash", "amount_cents": 2000}]});
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/sales"))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("bench-{tag}-{i}"))
            .json(&body)
            .send()
            .await
            .expect("sale");
        assert_eq!(r.status(), 201);
        let _ = r.bytes().await;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "(met)"
    } else {
        "(MISSED)"
    }
}
