//! Shared helpers: a real hub on 127.0.0.1:0 over a temp data dir, the real `kidyboard` binary,
//! real HTTP and WebSocket clients, and small factories for the demo catalogue and sales.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kidyboard_core::demo;
use kidyboard_hub::{AppState, Config, Hub};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

pub struct TestHub {
    pub base: String,
    pub state: AppState,
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub fn test_config(dir: &Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        ui_dir: None,
        backup_interval_minutes: 0,
        ..Config::default()
    }
}

impl TestHub {
    /// A hub with the demo catalogue and demo users.
    pub async fn start() -> TestHub {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let mut hub = TestHub::start_in(&dir, test_config(&dir)).await;
        hub._tmp = Some(tmp);
        hub
    }

    pub async fn start_in(dir: &Path, config: Config) -> TestHub {
        let hub = Hub::bind(config).await.expect("hub binds");
        let addr = hub.local_addr().expect("addr");
        let state = hub.state.clone();
        let store = state.store.clone();
        tokio::task::spawn_blocking(move || {
            demo::load_catalogue(&store).expect("demo catalogue");
            demo::ensure_users(&store).expect("demo users");
        })
        .await
        .expect("demo task");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            hub.serve(async {
                let _ = rx.await;
            })
            .await
            .expect("hub serves");
        });
        TestHub {
            base: format!("http://{addr}"),
            state,
            dir: dir.to_path_buf(),
            _tmp: None,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops serving (gracefully) and waits for it.
    pub async fn stop(mut self) -> Option<tempfile::TempDir> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
        self._tmp.take()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str) -> Client {
        let token = login(&self.base, username, demo::DEMO_PASSWORD).await;
        Client {
            base: self.base.clone(),
            token,
            http: reqwest::Client::new(),
        }
    }
}

/// The real `kidyboard` binary on the data dir `dir`, with scheduled backups off and quiet logs.
pub fn kidyboard(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kidyboard"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env("KIDYBOARD_BACKUP_INTERVAL_MINUTES", "0")
        .env("KIDYBOARD_LOG", "warn");
    cmd
}

/// `kidyboard serve --demo` on `dir`, listening on `listen` (`127.0.0.1:0`: any port); answers
/// the process and the URL its first line announces. Without the demo's past: tests start from
/// an empty day and no history.
pub fn serve_demo(dir: &Path, listen: &str) -> (Child, String) {
    serve_demo_with_history(dir, listen, 0)
}

/// `serve --demo` with `days` of generated past.
pub fn serve_demo_with_history(dir: &Path, listen: &str, days: u32) -> (Child, String) {
    let mut cmd = kidyboard(dir);
    let days = days.to_string();
    cmd.args([
        "serve",
        "--demo",
        "--demo-history",
        &days,
        "--listen",
        listen,
    ]);
    kidyboard_testkit::process::spawn_announcing(cmd)
}

pub async fn login(base: &str, username: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("login request");
    assert_eq!(res.status(), 200, "login as {username} should succeed");
    let body: Value = res.json().await.expect("login json");
    body["token"].as_str().expect("token").to_string()
}

/// `n` cash sales of one `product`; answers their ids.
pub async fn sell(c: &Client, product: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let s = c
            .post("/sales", json!({"items": [{"product_id": product, "quantity": 1}], "payments": [{"method": "cash", "amount_cents": 2000}]}))
            .await;
        assert_eq!(s.status, 201, "a sale goes through: {}", s.body);
        ids.push(s.body["id"].as_str().expect("sale id").to_string());
    }
    ids
}

/// An authenticated API client.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    async fn send(&self, rb: reqwest::RequestBuilder) -> Answer {
        let res = rb.bearer_auth(&self.token).send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(format!("{}/api/v1{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(
            self.http
                .post(format!("{}/api/v1{path}", self.base))
                .json(&body),
        )
        .await
    }

    pub async fn post_with_key(&self, path: &str, key: &str, body: Value) -> Answer {
        self.send(
            self.http
                .post(format!("{}/api/v1{path}", self.base))
                .header("Idempotency-Key", key)
                .json(&body),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(
            self.http
                .patch(format!("{}/api/v1{path}", self.base))
                .json(&body),
        )
        .await
    }

    /// A plain-text answer (a receipt, labels, a CSV), whatever its status.
    pub async fn text(&self, path: &str) -> String {
        self.http
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("text")
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(
            self.http
                .put(format!("{}/api/v1{path}", self.base))
                .json(&body),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.http.delete(format!("{}/api/v1{path}", self.base)))
            .await
    }

    /// The id of the catalogue item of `kind` ("products", "services", "packages") named `name`.
    pub async fn id_of(&self, kind: &str, name: &str) -> String {
        let list = self.get(&format!("/{kind}")).await;
        assert_eq!(list.status, 200, "listing {kind}");
        list.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["name"] == name)
            .and_then(|i| i["id"].as_str())
            .unwrap_or_else(|| panic!("{kind} «{name}» should exist in the demo catalogue"))
            .to_string()
    }

    pub async fn product(&self, id: &str) -> Value {
        let p = self.get(&format!("/products/{id}")).await;
        assert_eq!(p.status, 200);
        p.body
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A live-feed client; returns it after its `hello`.
pub async fn live(base: &str, token: &str) -> (Ws, Value) {
    let url = format!(
        "{}/api/v1/live?token={token}",
        base.replace("http://", "ws://")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connects");
    let hello = next_json(&mut ws, Duration::from_secs(5))
        .await
        .expect("hello arrives");
    assert_eq!(hello["type"], "hello", "the first message is hello");
    (ws, hello)
}

/// The next JSON text message, skipping pings.
pub async fn next_json(ws: &mut Ws, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .ok()??
            .ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Ping(p) => {
                let _ = ws.send(Message::Pong(p)).await;
            }
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// Waits for the first message of `kind` for which `pred` holds.
pub async fn wait_for(
    ws: &mut Ws,
    kind: &str,
    within: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let msg = next_json(ws, left).await?;
        if msg["type"] == kind && pred(&msg) {
            return Some(msg);
        }
    }
}

pub fn child(name: &str) -> Value {
    json!({ "name": name, "guardian_name": "Ana López", "guardian_phone": "55 1234 5678" })
}

/// Debian's python3 carries python3-openpyxl; a pyenv python earlier on PATH may not.
pub fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}
