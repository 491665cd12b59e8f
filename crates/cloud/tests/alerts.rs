//! The owner's alerts, end to end: a real store syncs a day closed with a large cash difference,
//! a product below its threshold and a day of heavy refunds, then falls silent; two cloud
//! processes on one database both check the rules every second, and each alert reaches a real
//! SMTP server (Python's aiosmtpd) and a local webhook receiver exactly once.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use common::{eventually, fast_worker, Owner, TestCloud, TestStore};
use kidyboard_core::day_close::{self, CloseOutcome, DayCloseRequest};
use kidyboard_core::refunds::{self, RefundRequest};
use kidyboard_sync::{SyncHooks, SyncWorker};
use serde_json::{json, Value};

fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// aiosmtpd on loopback, writing what it receives into a Maildir.
struct Smtp {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Smtp {
    async fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir = tempfile::tempdir().expect("maildir");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd starts (python3-aiosmtpd)");
        assert!(
            eventually(Duration::from_secs(20), || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
            })
            .await,
            "the SMTP server listens"
        );
        Smtp {
            child,
            port,
            maildir,
        }
    }

    /// Every message received, decoded by Python's own mail parser.
    fn messages(&self) -> Vec<Value> {
        let script = r#"
import json, mailbox, sys
from email.header import decode_header, make_header
out = []
box = mailbox.Maildir(sys.argv[1], create=True)
for key, msg in box.items():
    body = msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")
    out.append({"to": msg["To"], "from": msg["From"],
                "subject": str(make_header(decode_header(msg["Subject"]))), "body": body})
print(json.dumps(out))
"#;
        let out = Command::new(python())
            .args(["-c", script])
            .arg(self.maildir.path().join("box"))
            .output()
            .expect("python reads the maildir");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("messages as JSON")
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Received = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// A webhook receiver on loopback that keeps every request's signature and body.
async fn webhook_receiver() -> (SocketAddr, Received) {
    let got: Received = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hooks/kidyboard",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                let sig = headers
                    .get("x-kidyboard-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                keep.lock().expect("lock").push((sig, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_alert_is_mailed_and_posted_once_by_one_of_two_cloud_processes() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("alerts").await;
    let smtp = Smtp::start().await;
    let (hook, received) = webhook_receiver().await;
    let port = smtp.port;
    let tune = move |c: &mut kidyboard_cloud::CloudConfig| {
        c.alert_check_secs = 1;
        c.smtp_host = "127.0.0.1".into();
        c.smtp_port = port;
        c.smtp_security = "none".into();
        c.smtp_from = "Kidyboard <alertas@example.mx>".into();
    };
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let one = TestCloud::start_with(&url, any, tune);
    let two = TestCloud::start_with(&url, any, tune);
    let owner = Owner::create(&one.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;

    // Bad rules are refused by field.
    for (body, field) in [
        (json!({"webhook_url": "ftp://example.mx/x"}), "webhook_url"),
        (json!({"webhook_url": "no es una dirección"}), "webhook_url"),
        (json!({"emails": ["dueña@example.mx", "nope"]}), "emails[1]"),
        (json!({"opens_at": "25:00"}), "opens_at"),
        (json!({"offline_minutes": 1}), "offline_minutes"),
        (json!({"refund_share_percent": 0}), "refund_share_percent"),
    ] {
        let (status, answer) = owner.put("/api/v1/alert-settings", body).await;
        assert_eq!(
            (status, answer["error"]["field"].clone()),
            (422, json!(field)),
            "{answer}"
        );
    }
    let secret = "secreto-del-webhook";
    let (status, settings) = owner
        .put(
            "/api/v1/alert-settings",
            json!({
                "emails": ["Duena@Example.mx"],
                "webhook_url": format!("http://{hook}/hooks/kidyboard"),
                "webhook_secret": secret,
                // Open all day, so the silent store is in business hours whenever this runs.
                "opens_at": "00:00", "closes_at": "00:00",
                "cash_difference_cents": 50_000,
            }),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["emails"], json!(["duena@example.mx"]));
    assert_eq!(settings["webhook_secret_set"], true);
    assert!(
        settings.get("webhook_secret").is_none(),
        "the secret is never answered"
    );
    assert_eq!(settings["email_available"], true);

    // The store: two waters by card (one refunded: half the day's sales), a pair of socks (4 in
    // stock with a threshold of 6), and the day closed with $900 more cash than expected, counted
    // twice as the store asks for so large a difference.
    let store = TestStore::new();
    store.pair(&owner, &branch).await;
    store.restock("Agua natural 600 ml", 10);
    let waters: Vec<String> = (0..2).map(|_| store.sell("Agua natural 600 ml")).collect();
    store.sell("Calcetines antiderrapantes");
    let boss = store.admin();
    store
        .store
        .change(&boss, kidyboard_core::clock::now_ms(), |tx| {
            refunds::create(
                tx,
                &waters[1],
                &RefundRequest {
                    reason: "se cobró dos veces".into(),
                    ..Default::default()
                },
                None,
                None,
            )
        })
        .expect("refund");
    let close = DayCloseRequest {
        counted_cash_cents: 90_000,
        ..Default::default()
    };
    let first = store
        .store
        .change(&boss, kidyboard_core::clock::now_ms(), |tx| {
            day_close::close(tx, &close)
        })
        .expect("first count");
    assert!(matches!(first, CloseOutcome::RecountRequired { .. }));
    let closed = store
        .store
        .change(&boss, kidyboard_core::clock::now_ms(), |tx| {
            day_close::close(tx, &close)
        })
        .expect("second count");
    assert!(matches!(closed, CloseOutcome::Closed(_)));

    let (handle, task) =
        SyncWorker::new(store.store.clone(), fast_worker(), SyncHooks::default()).expect("worker");
    let worker = tokio::spawn(task);
    assert!(
        eventually(Duration::from_secs(20), || async {
            handle.status().online && handle.status().pending_events == 0
        })
        .await,
        "{:?}",
        handle.status()
    );

    let kinds = |list: &Value| -> Vec<String> {
        let mut k: Vec<String> = list["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["kind"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        k.sort();
        k
    };
    assert!(
        eventually(Duration::from_secs(20), || async {
            kinds(&owner.get("/api/v1/alerts").await.1)
                == ["cash_difference", "low_stock", "refunds"]
        })
        .await,
        "three alerts: {}",
        owner.get("/api/v1/alerts").await.1
    );

    // The store falls silent (its link is cut and it was last seen two hours ago).
    worker.abort();
    drop(handle);
    let db = common::cloud_db(&url).await;
    db.execute(
        "UPDATE devices SET last_seen_at = now() - interval '2 hours'",
        &[],
    )
    .await
    .expect("silent");
    assert!(
        eventually(Duration::from_secs(20), || async {
            kinds(&owner.get("/api/v1/alerts?open=true").await.1).contains(&"offline".to_string())
        })
        .await,
        "the silent store is alerted"
    );
    let (_, branches) = owner.get("/api/v1/branches").await;
    assert_eq!(
        (
            branches["items"][0]["online"].clone(),
            branches["items"][0]["silent"].clone()
        ),
        (json!(false), json!(true)),
        "{branches}"
    );

    // Several more checks by both processes: nothing is raised or sent twice.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, list) = owner.get("/api/v1/alerts").await;
    assert_eq!(
        kinds(&list),
        ["cash_difference", "low_stock", "offline", "refunds"],
        "{list}"
    );
    for a in list["items"].as_array().expect("alerts") {
        let deliveries = a["deliveries"].as_array().expect("deliveries");
        assert_eq!(deliveries.len(), 2, "one mail and one webhook: {a}");
        assert!(deliveries.iter().all(|d| d["ok"] == true), "{a}");
    }
    let cash = list["items"]
        .as_array()
        .and_then(|l| l.iter().find(|a| a["kind"] == "cash_difference"))
        .expect("cash alert");
    assert!(
        cash["title"]
            .as_str()
            .is_some_and(|t| t.contains("«Centro»") && t.contains("$900.00 de más")),
        "{cash}"
    );

    let mail = smtp.messages();
    assert_eq!(mail.len(), 4, "one message per alert: {mail:#?}");
    for m in &mail {
        assert_eq!(m["to"], "duena@example.mx");
        assert!(m["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Kidyboard · ")));
        assert!(m["body"]
            .as_str()
            .is_some_and(|b| b.contains("Sucursal: Centro")));
    }
    assert!(
        mail.iter().any(|m| m["subject"]
            .as_str()
            .is_some_and(|s| s.contains("$900.00 de más"))),
        "the subject reads in Spanish with the amount: {mail:#?}"
    );

    let posts = received.lock().expect("lock").clone();
    assert_eq!(posts.len(), 4, "one webhook call per alert");
    for (sig, body) in &posts {
        assert_eq!(
            sig.as_deref(),
            kidyboard_cloud::alerts::signature(secret, body).as_deref(),
            "signed with the organisation's secret"
        );
        let v: Value = serde_json::from_slice(body).expect("JSON body");
        assert_eq!(v["branch_id"], branch.as_str());
        assert_eq!(v["organisation_id"], owner.org_id.as_str());
    }

    // Back online: the silent-store alert is cleared (a later silence is a new occurrence).
    db.execute("UPDATE devices SET last_seen_at = now()", &[])
        .await
        .expect("seen");
    assert!(
        eventually(Duration::from_secs(10), || async {
            !kinds(&owner.get("/api/v1/alerts?open=true").await.1).contains(&"offline".to_string())
        })
        .await,
        "cleared when the store is back"
    );
    drop((one, two));
}
