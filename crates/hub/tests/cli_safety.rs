//! The real `kidyboard` binary refuses what would weaken a store: `user add` with a password
//! from the common-passwords list.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn kidyboard(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kidyboard"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env("KIDYBOARD_BACKUP_INTERVAL_MINUTES", "0")
        .env("KIDYBOARD_LOG", "warn");
    cmd
}

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
