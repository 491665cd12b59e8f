//! The `kidyboard-cloud` program itself: `serve` with a settings file, a `KIDYBOARD_CLOUD_*`
//! variable and flags answers `/readyz` over a real PostgreSQL, and a SIGTERM ends it cleanly.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port()
}

#[test]
fn kidyboard_cloud_serve_names_a_bad_settings_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("cloud.toml");
    std::fs::write(&settings, "listen = \"not an address\"\n").expect("write settings");
    let out = Command::new(env!("CARGO_BIN_EXE_kidyboard-cloud"))
        .args(["serve", "--config"])
        .arg(&settings)
        .output()
        .expect("kidyboard-cloud runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a bad settings file stops the cloud");
    assert!(
        stderr.contains("cloud.toml"),
        "the error names the settings file: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kidyboard_cloud_serve_refuses_a_malformed_secret_key() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("cloud_key").await;
    let out = Command::new(env!("CARGO_BIN_EXE_kidyboard-cloud"))
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .args(["--database-url", &url])
        .env("KIDYBOARD_CLOUD_SECRET_KEY", "0123456789abcdef")
        .output()
        .expect("kidyboard-cloud runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a short key stops the cloud");
    assert!(stderr.contains("secret_key"), "named: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kidyboard_cloud_serve_runs_the_cloud_from_its_settings() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("cloud_program").await;
    let port = free_port();
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("cloud.toml");
    // The flag overrides the file's address; the variable overrides the file's operator token.
    let mut f = std::fs::File::create(&settings).expect("settings file");
    writeln!(
        f,
        "listen = \"127.0.0.1:1\"\nmax_connections = 2\noperator_token = \"from-the-file\"\nheader_read_timeout_secs = 1"
    )
    .expect("write settings");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kidyboard-cloud"))
        .args(["serve", "--config"])
        .arg(&settings)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("KIDYBOARD_CLOUD_OPERATOR_TOKEN", common::OPERATOR)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kidyboard-cloud starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!("kidyboard-cloud exited before it was ready: {status}");
        }
        if let Ok(res) = http.get(format!("{base}/readyz")).send().await {
            if res.status() == 200 {
                break;
            }
        }
        assert!(
            Instant::now() < until,
            "kidyboard-cloud should answer /readyz within a minute"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let owner = common::Owner::create(&base, "Brincolines").await;
    assert!(
        !owner.token.is_empty(),
        "the operator token came from KIDYBOARD_CLOUD_OPERATOR_TOKEN"
    );

    // It serves through the guarded listener: a request whose headers never end is cut at the
    // file's header deadline (1 s) instead of holding its connection.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        slow.write_all(b"GET /readyz HTTP/1.1\r\nHost: cloud\r\nX-Slow: ")
            .await
            .expect("half a request");
        let mut buf = [0u8; 512];
        let closed = tokio::time::timeout(Duration::from_secs(6), async {
            while let Ok(n) = slow.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        assert!(
            closed.is_ok(),
            "the cloud closes a connection whose headers do not arrive in time"
        );
    }

    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) },
        0,
        "SIGTERM sent"
    );
    let until = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("kidyboard-cloud should stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a SIGTERM is a clean stop: {status}");
}
