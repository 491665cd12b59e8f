//! Shared helpers: a real PostgreSQL, the real cloud on 127.0.0.1 in its own runtime (so a test
//! can kill it mid-request), real stores on temp SQLite files, and the owner's HTTP calls.
#![allow(dead_code)]

pub mod pg;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kidyboard_cloud::{CloudConfig, CloudState};
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::roles::{Actor, Role};
use kidyboard_core::sales::{self, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_core::{demo, Store};
use kidyboard_sync::WorkerConfig;
use serde_json::{json, Value};

pub const OPERATOR: &str = "operator-secret-for-tests";
/// The key that seals second-factor secrets in the tests' clouds.
pub const SECRET_KEY: &str = "7b1e0c5d9a2f4e8b6c3d1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807";

/// The cloud, serving on its own runtime: `kill` drops every task at once, in-flight requests
/// and open PostgreSQL transactions included, as a crashed process would.
pub struct TestCloud {
    pub base: String,
    pub addr: SocketAddr,
    pub db_url: String,
    rt: Option<tokio::runtime::Runtime>,
}

impl TestCloud {
    pub fn start(db_url: &str) -> TestCloud {
        TestCloud::start_at(db_url, "127.0.0.1:0".parse().expect("addr"))
    }

    /// Starts on `addr` (the same port again after a kill, so stores find it where it was).
    pub fn start_at(db_url: &str, addr: SocketAddr) -> TestCloud {
        TestCloud::start_with(db_url, addr, |_| {})
    }

    /// Starts with settings changed by `tune`.
    pub fn start_with(
        db_url: &str,
        addr: SocketAddr,
        tune: impl FnOnce(&mut CloudConfig),
    ) -> TestCloud {
        let mut config = CloudConfig {
            listen: addr,
            database_url: db_url.to_string(),
            max_connections: 8,
            operator_token: OPERATOR.into(),
            secret_key: SECRET_KEY.into(),
            ..CloudConfig::default()
        };
        tune(&mut config);
        // KIDYBOARD_LOG=debug shows the cloud's log (errors behind a 500 included).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("KIDYBOARD_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
            )
            .with_test_writer()
            .try_init();
        let (rt, addr) = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("cloud runtime");
            let addr = rt.block_on(async move {
                let pool = kidyboard_cloud::connect(&config)
                    .await
                    .expect("cloud connects and migrates");
                let mut tries = 0;
                let listener = loop {
                    match tokio::net::TcpListener::bind(config.listen).await {
                        Ok(l) => break l,
                        Err(e) if tries < 100 => {
                            tries += 1;
                            let _ = e;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => panic!("cloud binds {}: {e}", config.listen),
                    }
                };
                let addr = listener.local_addr().expect("addr");
                // Links the cloud sends (invitations) point where it really listens.
                if config.public_url.is_empty() {
                    config.public_url = format!("http://{addr}");
                }
                let state = CloudState::new(pool, config).expect("settings");
                tokio::spawn(kidyboard_cloud::serve_on(
                    listener,
                    state,
                    std::future::pending(),
                ));
                addr
            });
            (rt, addr)
        })
        .join()
        .expect("cloud thread");
        TestCloud {
            base: format!("http://{addr}"),
            addr,
            db_url: db_url.to_string(),
            rt: Some(rt),
        }
    }

    /// Ends the cloud abruptly.
    pub fn kill(mut self) -> SocketAddr {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
        self.addr
    }
}

impl Drop for TestCloud {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A direct connection to the cloud's database, for counting what it stored.
pub async fn cloud_db(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("db connects");
    tokio::spawn(conn);
    client
}

pub async fn count(db: &tokio_postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.expect("count query").get(0)
}

pub struct Owner {
    pub base: String,
    pub token: String,
    pub org_id: String,
    http: reqwest::Client,
}

pub async fn call(http: &reqwest::Client, rb: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = http;
    let res = rb.send().await.expect("request reaches the cloud");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub const PASSWORD: &str = "una contraseña larga";

impl Owner {
    /// A new organisation (by the operator) and its first owner, who accepts the emailed link,
    /// chooses a password and is signed in.
    pub async fn create(base: &str, name: &str) -> Owner {
        let http = reqwest::Client::new();
        let email = format!("dueno-{}@example.mx", ulid::Ulid::new()).to_lowercase();
        let (status, body) = call(
            &http,
            http.post(format!("{base}/api/v1/organisations"))
                .bearer_auth(OPERATOR)
                .json(&json!({ "name": name, "owner_email": email })),
        )
        .await;
        assert_eq!(status, 201, "operator creates an organisation: {body}");
        let org_id = body["id"].as_str().expect("org id").to_string();
        let token = body["invitation"]["token"].as_str().expect("invitation");
        let owner = Owner::accept(base, token, "Dueña").await;
        assert_eq!(owner.org_id, org_id);
        owner
    }

    /// Accepts an invitation link's token: the person's account and a session.
    pub async fn accept(base: &str, token: &str, name: &str) -> Owner {
        let http = reqwest::Client::new();
        let (status, body) = call(
            &http,
            http.post(format!("{base}/api/v1/invitations/accept"))
                .json(&json!({ "token": token, "name": name, "password": PASSWORD })),
        )
        .await;
        assert_eq!(status, 201, "the invitation is accepted: {body}");
        Owner {
            base: base.to_string(),
            token: body["token"].as_str().expect("session token").to_string(),
            org_id: body["user"]["organisation_id"]
                .as_str()
                .expect("org id")
                .to_string(),
            http,
        }
    }

    /// Invites a person with `role` to `branch_ids` and signs them in.
    pub async fn invite(&self, role: &str, branch_ids: &[&str]) -> Owner {
        let email = format!("{role}-{}@example.mx", ulid::Ulid::new()).to_lowercase();
        let (status, body) = self
            .post(
                "/api/v1/invitations",
                json!({ "email": email, "role": role, "branch_ids": branch_ids }),
            )
            .await;
        assert_eq!(status, 201, "the owner invites a {role}: {body}");
        Owner::accept(
            &self.base,
            body["token"].as_str().expect("token"),
            "Persona",
        )
        .await
    }

    /// The same person's client talking to another cloud process (same database).
    pub fn at(&self, base: &str) -> Owner {
        Owner {
            base: base.to_string(),
            token: self.token.clone(),
            org_id: self.org_id.clone(),
            http: self.http.clone(),
        }
    }

    /// The same person's client with another bearer token (another session, a device's, none).
    /// The same session against another cloud process (on the same database).
    pub fn with_base(&self, base: &str) -> Owner {
        Owner {
            base: base.to_string(),
            ..self.with_token(&self.token)
        }
    }

    pub fn with_token(&self, token: &str) -> Owner {
        Owner {
            base: self.base.clone(),
            token: token.to_string(),
            org_id: self.org_id.clone(),
            http: self.http.clone(),
        }
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        call(
            &self.http,
            self.http
                .delete(format!("{}{path}", self.base))
                .bearer_auth(&self.token),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        call(
            &self.http,
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        call(
            &self.http,
            self.http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        call(
            &self.http,
            self.http
                .put(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        call(
            &self.http,
            self.http
                .patch(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    pub async fn branch(&self, name: &str) -> String {
        let (status, body) = self.post("/api/v1/branches", json!({ "name": name })).await;
        assert_eq!(status, 201, "owner creates a branch: {body}");
        body["id"].as_str().expect("branch id").to_string()
    }

    pub async fn pairing_code(&self, branch_id: &str) -> String {
        let (status, body) = self
            .post(
                &format!("/api/v1/branches/{branch_id}/pairing-codes"),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "owner creates a pairing code: {body}");
        body["code"].as_str().expect("code").to_string()
    }
}

/// A store on a temp SQLite file with the demo catalogue and users.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub cashier: Actor,
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(&dir.path().join("kidyboard.db")).expect("store opens"));
        demo::load_catalogue(&store).expect("demo catalogue");
        demo::ensure_users(&store).expect("demo users");
        let cashier = cashier(&store);
        TestStore {
            dir,
            store,
            cashier,
        }
    }

    /// A new branch's store: users only; its catalogue comes from the cloud.
    pub fn empty() -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(&dir.path().join("kidyboard.db")).expect("store opens"));
        demo::ensure_users(&store).expect("demo users");
        let cashier = cashier(&store);
        TestStore {
            dir,
            store,
            cashier,
        }
    }

    /// The store's owner (the demo's `admin`), for what only a super admin may do.
    pub fn admin(&self) -> Actor {
        demo_user(&self.store, "admin", Role::SuperAdmin)
    }

    /// Adds stock (an admin's adjustment), e.g. to a product that came from the cloud.
    pub fn restock(&self, product: &str, units: i64) {
        let pid = self.product_id(product);
        self.store
            .change(&Actor::system(), kidyboard_core::clock::now_ms(), |tx| {
                kidyboard_core::stock::adjust(
                    tx,
                    &pid,
                    &kidyboard_core::stock::StockAdjustment {
                        delta: units,
                        reason: "compra".into(),
                    },
                )
            })
            .expect("stock adjusted");
    }

    /// Opens the same file again (after a crash of the process that had it).
    pub fn reopen(dir: tempfile::TempDir) -> TestStore {
        let store = Arc::new(Store::open(&dir.path().join("kidyboard.db")).expect("store reopens"));
        let cashier = cashier(&store);
        TestStore {
            dir,
            store,
            cashier,
        }
    }

    pub fn product_id(&self, name: &str) -> String {
        product_id(&self.store, name)
    }

    /// Sells one unit of a product paid by card; answers the sale id.
    pub fn sell(&self, product: &str) -> String {
        self.sell_at(product, kidyboard_core::clock::now_ms())
    }

    /// One `product` sold by card at the instant `at` (ms since the epoch, UTC).
    pub fn sell_at(&self, product: &str, at: i64) -> String {
        let pid = self.product_id(product);
        let price = self
            .store
            .read(|c| kidyboard_core::products::get(c, &pid))
            .expect("product")
            .price_cents;
        let req = SaleRequest {
            items: vec![SaleItemRequest {
                product_id: Some(pid),
                quantity: Some(1),
                ..Default::default()
            }],
            payments: vec![PaymentRequest {
                method: PaymentMethod::Card,
                amount_cents: price,
            }],
            note: None,
            ..Default::default()
        };
        self.store
            .change(&self.cashier, at, |tx| sales::create(tx, &req, None))
            .expect("sale recorded")
            .sale
            .id
    }

    pub fn sales_count(&self) -> i64 {
        self.store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?))
            .expect("count")
    }

    pub fn local_event_count(&self) -> i64 {
        self.store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM sync_remote_events r WHERE r.event_id = e.id)",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("count")
    }

    /// Pairs with a new code from `owner`; answers the device's token.
    pub async fn pair(&self, owner: &Owner, branch_id: &str) -> String {
        let code = owner.pairing_code(branch_id).await;
        kidyboard_sync::worker::pairing::pair(
            self.store.clone(),
            &owner.base,
            &code,
            Some("recepción".into()),
        )
        .await
        .expect("store pairs with the cloud")
        .device_token
    }
}

pub fn product_id(store: &Store, name: &str) -> String {
    store
        .read(|c| {
            Ok(
                c.query_row("SELECT id FROM products WHERE name = ?1", [name], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap_or_else(|e: kidyboard_core::CoreError| panic!("product «{name}»: {e}"))
}

fn cashier(store: &Store) -> Actor {
    demo_user(store, "recepcion", Role::Reception)
}

/// One of the demo's users acting in its role.
fn demo_user(store: &Store, username: &str, role: Role) -> Actor {
    let id: String = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )?)
        })
        .expect("demo user");
    Actor {
        user_id: Some(id),
        role,
    }
}

/// Quick retries so tests do not wait minutes; the rules are the production ones.
pub fn fast_worker() -> WorkerConfig {
    WorkerConfig {
        push_batch: 200,
        pull_batch: 200,
        idle_interval: Duration::from_millis(300),
        backoff_base: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        breaker_failures: 8,
        breaker_cooldown: Duration::from_millis(800),
        request_timeout: Duration::from_secs(10),
    }
}

/// Polls `check` until it holds or `within` passes; answers whether it held.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A real hub with the demo store on 127.0.0.1:0, as `kidyboard serve --demo` runs it, serving
/// until the test ends. `tune` adjusts its settings (e.g. the sync interval).
pub struct DemoHub {
    pub base: String,
    pub state: kidyboard_hub::AppState,
    _dir: tempfile::TempDir,
}

pub async fn demo_hub(tune: impl FnOnce(&mut kidyboard_hub::Config)) -> DemoHub {
    let dir = tempfile::tempdir().expect("tmp");
    let mut config = kidyboard_hub::Config {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        ui_dir: None,
        backup_interval_minutes: 0,
        ..kidyboard_hub::Config::default()
    };
    tune(&mut config);
    let hub = kidyboard_hub::Hub::bind(config).await.expect("hub binds");
    let base = format!("http://{}", hub.local_addr().expect("addr"));
    let state = hub.state.clone();
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        demo::load_catalogue(&store).expect("demo catalogue");
        demo::ensure_users(&store).expect("demo users");
    })
    .await
    .expect("demo");
    tokio::spawn(hub.serve(std::future::pending()));
    DemoHub {
        base,
        state,
        _dir: dir,
    }
}
