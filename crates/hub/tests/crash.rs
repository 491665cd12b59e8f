//! kill -9 during a burst of sales: after a restart every acknowledged sale is there, whole, and
//! nothing unacknowledged is half there. Runs the real `kidyboard` binary.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_of_sales_loses_no_acknowledged_sale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut hub, base) = common::serve_demo(tmp.path(), "127.0.0.1:0");
    let admin_token = common::login(&base, "admin", "demo1234").await;
    let admin = common::Client {
        base: base.clone(),
        token: admin_token,
        http: reqwest::Client::new(),
    };
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    let hour = admin.id_of("services", "1 hora de juego").await;
    assert_eq!(
        admin
            .post(
                &format!("/products/{water}/stock"),
                json!({"delta": 100000, "reason": "compra"})
            )
            .await
            .status,
        200
    );
    // Many children at once: lift the venue's and the play area's capacity for the burst.
    let branch = admin.get("/branches").await.body["items"][0]["id"]
        .as_str()
        .expect("branch")
        .to_string();
    assert_eq!(
        admin
            .patch(&format!("/branches/{branch}"), json!({"capacity": 0}))
            .await
            .status,
        200
    );
    assert_eq!(
        admin
            .patch(&format!("/services/{hour}"), json!({"capacity": 0}))
            .await
            .status,
        200
    );
    let token = common::login(&base, "recepcion", "demo1234").await;

    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..6 {
        let c = common::Client {
            base: base.clone(),
            token: token.clone(),
            http: reqwest::Client::new(),
        };
        let (acked, stop, water, hour) = (
            acknowledged.clone(),
            stop.clone(),
            water.clone(),
            hour.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({"items": [
                    {"product_id": water, "quantity": 2},
                    {"service_id": hour, "quantity": 1, "child": {"name": format!("Niño {w}-{n}")}}
                ], "payments": [{"method": "card", "amount_cents": 4000}, {"method": "cash", "amount_cents": 20000}]});
                let res = c.http.post(format!("{}/api/v1/sales", c.base)).bearer_auth(&c.token)
                    .header("Idempotency-Key", format!("w{w}-{n}")).json(&body).send().await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            if let Some(id) = v["id"].as_str() {
                                acked.lock().expect("lock").push(id.to_string());
                            }
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    // Let the burst run, then kill the hub without warning.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().expect("lock").len() < 60 {
        assert!(
            std::time::Instant::now() < deadline,
            "the burst should reach 60 sales"
        );
        assert!(
            workers.iter().any(|w| !w.is_finished()),
            "every client stopped before the kill"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    hub.kill().expect("kill -9");
    let _ = hub.wait();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.await;
    }
    let acked = acknowledged.lock().expect("lock").clone();
    assert!(acked.len() >= 60, "the burst was under way");

    // Restart on the same data: the integrity check and migrations run at start.
    let (mut hub, base) = common::serve_demo(tmp.path(), "127.0.0.1:0");
    let c = common::Client {
        base: base.clone(),
        token: token.clone(),
        http: reqwest::Client::new(),
    };
    for id in &acked {
        let s = c.get(&format!("/sales/{id}")).await;
        assert_eq!(s.status, 200, "acknowledged sale {id} survived");
        assert_eq!(
            s.body["items"].as_array().map(Vec::len),
            Some(2),
            "sale {id} is whole"
        );
        assert_eq!(s.body["payments"].as_array().map(Vec::len), Some(2));
        assert_eq!(s.body["timers"].as_array().map(Vec::len), Some(1));
    }
    hub.kill().expect("kill");
    let _ = hub.wait();

    // Nothing half there: every stored sale has its items, payments, stock movement, timer and event.
    let db = Connection::open(tmp.path().join("kidyboard.sqlite")).expect("db");
    let q = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let sales = q("SELECT COUNT(*) FROM sales");
    assert!(
        sales >= acked.len() as i64,
        "at least every acknowledged sale"
    );
    assert!(
        sales <= acked.len() as i64 + 6,
        "at most one unacknowledged in flight per client"
    );
    assert_eq!(q("SELECT COUNT(*) FROM sales s WHERE (SELECT COUNT(*) FROM sale_items i WHERE i.sale_id = s.id) <> 2"), 0);
    assert_eq!(q("SELECT COUNT(*) FROM sales s WHERE (SELECT COUNT(*) FROM sale_payments p WHERE p.sale_id = s.id) <> 2"), 0);
    assert_eq!(q("SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.sale_id = s.id)"), 0);
    assert_eq!(q("SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM timers t WHERE t.sale_id = s.id)"), 0);
    assert_eq!(q("SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_id = s.id AND e.type = 'sale.created')"), 0);
    assert_eq!(q("SELECT COUNT(*) FROM timers WHERE sale_id IS NOT NULL AND sale_id NOT IN (SELECT id FROM sales)"), 0, "no orphan timers");
    assert!(
        kidyboard_core::stock::ledger_balances(&db).expect("ledger"),
        "stock equals the sum of its movements"
    );
    let stock: i64 = db
        .query_row("SELECT stock FROM products WHERE id = ?1", [&water], |r| {
            r.get(0)
        })
        .expect("stock");
    assert_eq!(
        stock,
        48 + 100_000 - 2 * sales,
        "two waters per stored sale, no more, no less"
    );
}
