//! Slow and half-open connections cannot take the hub down: the real binary, started with an
//! open-file limit of 1,024, keeps answering a legitimate client while a stranger holds 1,100
//! half-sent requests, and closes the stranger's connections once their deadlines pass.

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The hub binary under `ulimit -n 1024` (soft and hard: it cannot raise it), with short
/// deadlines so the test sees them act.
fn spawn_limited_hub(dir: &std::path::Path) -> (Running, SocketAddr) {
    std::fs::write(
        dir.join("kidyboard.toml"),
        "header_read_timeout_secs = 2\nidle_timeout_secs = 4\nmax_connections_per_address = 64\n",
    )
    .expect("config");
    let mut hub = Command::new("sh");
    hub.arg("-c")
        .arg(r#"ulimit -n 1024 && exec "$0" serve --demo --listen 127.0.0.1:0 --data-dir "$1""#)
        .arg(env!("CARGO_BIN_EXE_kidyboard"))
        .arg(dir)
        .env("KIDYBOARD_BACKUP_INTERVAL_MINUTES", "0")
        .env("KIDYBOARD_LOG", "warn");
    let (child, url) = kidyboard_testkit::process::spawn_announcing(hub);
    let addr = url
        .trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("the first line names the address ({url}): {e}"));
    (Running(child), addr)
}

/// A connection from `source` (another loopback address: the stranger's device) that sends
/// half a request and stops.
async fn half_open(source: &str, hub: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind(format!("{source}:0").parse().ok()?).ok()?;
    let mut stream = tokio::time::timeout(Duration::from_secs(3), socket.connect(hub))
        .await
        .ok()?
        .ok()?;
    stream
        .write_all(b"GET /api/v1/products HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
        .await
        .ok()?;
    Some(stream)
}

/// True once the hub has closed `stream` (end of file, a reset, or the "busy" answer).
async fn closed_by_hub(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_legitimate_request_answers_while_1100_half_open_connections_are_held() {
    // The test itself holds 1,100 sockets.
    kidyboard_http::connections::raise_open_file_limit();
    let tmp = tempfile::tempdir().expect("tmp");
    let (_hub, addr) = spawn_limited_hub(tmp.path());
    let base = format!("http://{addr}");

    let mut held = Vec::new();
    for _ in 0..11 {
        let opened =
            futures_util::future::join_all((0..100).map(|_| half_open("127.0.0.2", addr))).await;
        held.extend(opened.into_iter().flatten());
    }
    // Most connects succeed and only then see the hub close them (a few see the close before
    // their first write): either way the stranger tried 1,100.
    eprintln!("stranger's half-open connections opened: {}", held.len());

    // The clerk's terminal (another address) still gets through, logs in and reads.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz answers while the stranger holds 1,100 connections");
    assert_eq!(health.status(), 200);
    let token = {
        let res = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "recepcion", "password": "demo1234"}))
            .send()
            .await
            .expect("login answers");
        assert_eq!(res.status(), 200, "the clerk logs in");
        let body: serde_json::Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    };
    let products = http
        .get(format!("{base}/api/v1/products"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("products answer");
    assert_eq!(products.status(), 200);

    // Past its cap, the stranger's extra connections were closed at once; those within it are
    // closed when their headers' deadline (2 s here) passes.
    let mut closed = 0;
    for s in held.iter_mut() {
        if closed_by_hub(s, Duration::from_secs(8)).await {
            closed += 1;
        }
    }
    assert_eq!(
        closed,
        held.len(),
        "every half-sent request is closed by the hub within its deadlines"
    );
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_deadline() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_hub, addr) = spawn_limited_hub(tmp.path());
    // Connects and never sends a byte: no header deadline starts, the idle one does (4 s).
    let mut silent = TcpStream::connect(addr).await.expect("connects");
    assert!(
        closed_by_hub(&mut silent, Duration::from_secs(12)).await,
        "a connection that says nothing is closed"
    );
}
