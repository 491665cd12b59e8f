//! The real `kidyboard` binary refuses what would weaken a store: `serve --demo` on a real
//! store (it would add `admin` with the published demo password), and `user add` with a
//! password from the common-passwords list.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::kidyboard;

fn user_add(dir: &Path, username: &str, role: &str, password: &str) -> Output {
    let mut child = kidyboard(dir)
        .args(["user", "add", "--username", username, "--role", role])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kidyboard user add starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password on stdin");
    child.wait_with_output().expect("user add finishes")
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn usernames(dir: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("kidyboard.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("database opens");
    let mut stmt = conn
        .prepare("SELECT username FROM users ORDER BY username")
        .expect("query");
    let names = stmt
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<Vec<String>, _>>()
        .expect("usernames");
    names
}

async fn login_status(base: &str, username: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("login request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn serve_demo_refuses_a_real_store_and_keeps_starting_a_demo_one() {
    // A real store: its owner was created with `user add`.
    let real = tempfile::tempdir().expect("temp dir");
    let added = user_add(real.path(), "duena", "super_admin", "Tortuga-Azul-42");
    assert!(
        added.status.success(),
        "a strong password is accepted: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    // Before the fix the hub started (and never exited): wait a bounded time, then kill it.
    let mut hub = kidyboard(real.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve --demo runs");
    let started = Instant::now();
    while hub.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            stop(hub);
            panic!("serve --demo kept running on a real store instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let refused = hub.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "serve --demo on a real store must fail; stdout: {}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert!(
        stderr.contains("sin --demo") && stderr.contains("--data-dir"),
        "the message says what to do instead: {stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&refused.stdout).contains("listening"),
        "a refused hub never announces itself"
    );
    assert_eq!(
        usernames(real.path()),
        vec!["duena".to_string()],
        "no demo user may be added to a real store"
    );

    // An empty data dir becomes a demo store, and start.sh's `serve --demo` on every start of
    // the same data dir keeps working.
    let demo = tempfile::tempdir().expect("temp dir");
    for run in 0..2 {
        let (child, base) = common::serve_demo(demo.path(), "127.0.0.1:0");
        let status = login_status(&base, "admin", "demo1234").await;
        stop(child);
        assert_eq!(status, 200, "run {run}: the demo admin logs in");
    }
}

#[test]
fn user_add_refuses_weak_passwords() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (username, password) in [
        ("duena", "12345678"),
        ("duena", "        "),
        ("duena", "contraseña"),
        ("duena", "Duena2026!"),
    ] {
        let out = user_add(dir.path(), username, "super_admin", password);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{password:?} must be refused for a super_admin"
        );
        assert!(
            stderr.contains("contraseña"),
            "the refusal speaks of the password: {stderr}"
        );
    }
    assert!(
        usernames(dir.path()).is_empty(),
        "no account was created with a weak password"
    );
}
