//! Backups that can be restored: a clean stop leaves every sale in kidyboard.sqlite itself, the
//! files are private, backups are compressed, rotated within their count, age and size budget,
//! interrupted ones are cleaned up, and a second place gets a copy when one is configured.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use common::{sell, test_config, Client, TestHub};
use kidyboard_hub::backups;
use serde_json::{json, Value};

#[tokio::test]
async fn a_clean_stop_leaves_every_sale_in_the_database_file_itself() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().to_path_buf();
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let sold = sell(&rec, &water, 40).await;
    hub.stop().await;

    // What someone copying "the database" by hand would take: the one file, no -wal beside it.
    let copy = tempfile::tempdir().expect("tmp");
    let alone = copy.path().join("kidyboard.sqlite");
    std::fs::copy(dir.join("kidyboard.sqlite"), &alone).expect("copy the file");
    let db = rusqlite::Connection::open(&alone).expect("open the copy");
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        n,
        sold.len() as i64,
        "every sale acknowledged before a clean stop is in kidyboard.sqlite, none only in the -wal"
    );
    let wal = std::fs::metadata(dir.join("kidyboard.sqlite-wal")).map(|m| m.len());
    assert!(
        matches!(wal, Ok(0) | Err(_)),
        "the -wal is empty after a clean stop: {wal:?}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The hub on `dir`, copying its backups to a second place, `usb` (a drive that may be
/// unplugged), and its admin.
async fn start_with_second_place(dir: &Path, usb: &Path) -> (TestHub, Client) {
    let mut config = test_config(dir);
    config.backup_copy_dir = Some(usb.to_path_buf());
    let hub = TestHub::start_in(dir, config).await;
    let admin = hub.login("admin").await;
    (hub, admin)
}

/// A hub on `<tmp>/data` with a second place plugged in at `<tmp>/usb`, after its admin made one
/// backup: the hub, the admin and the backup's answer.
async fn one_backup_with_a_second_place(tmp: &Path) -> (TestHub, Client, Value) {
    let usb = tmp.join("usb");
    std::fs::create_dir(&usb).expect("usb");
    let (hub, admin) = start_with_second_place(&tmp.join("data"), &usb).await;
    let b = admin.post("/backups", json!({})).await;
    assert_eq!(b.status, 201, "{}", b.body);
    (hub, admin, b.body)
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_backups_and_their_folders_are_private_to_the_hub_user() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, _admin, backup) = one_backup_with_a_second_place(tmp.path()).await;
    let (dir, usb) = (tmp.path().join("data"), tmp.path().join("usb"));
    let name = backup["name"].as_str().expect("name").to_string();
    assert_eq!(mode(&dir), 0o700, "the data dir");
    assert_eq!(mode(&dir.join("backups")), 0o700, "the backups dir");
    for f in [
        "kidyboard.sqlite",
        "kidyboard.sqlite-wal",
        "kidyboard.sqlite-shm",
    ] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&dir.join("backups").join(&name)), 0o600, "the backup");
    assert_eq!(mode(&usb.join(&name)), 0o600, "the backup's second copy");
    hub.stop().await;

    // A database made world-readable by an older version is narrowed when it is opened.
    std::fs::set_permissions(
        dir.join("kidyboard.sqlite"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let store = kidyboard_core::Store::open(&dir.join("kidyboard.sqlite")).expect("opens");
    assert_eq!(
        mode(&dir.join("kidyboard.sqlite")),
        0o600,
        "narrowed on open"
    );
    drop(store);
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_end(&mut out)
        .expect("a whole gzip stream");
    out
}

#[tokio::test]
async fn backups_are_compressed_and_copied_to_the_second_place_when_it_is_there() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, admin, backup) = one_backup_with_a_second_place(tmp.path()).await;
    let (dir, usb) = (tmp.path().join("data"), tmp.path().join("usb"));
    let name = backup["name"].as_str().expect("name").to_string();
    assert!(name.ends_with("-manual.sqlite.gz"), "{name}");
    assert_eq!(backup["compressed"], true);
    assert_eq!(backup["copied"], true, "{backup}");
    let local = dir.join("backups").join(&name);
    let plain = gunzip(&local);
    assert!(
        plain.starts_with(b"SQLite format 3\0"),
        "the backup is a gzip-compressed SQLite database"
    );
    let size = std::fs::metadata(&local).expect("local").len();
    assert!(
        size * 2 < plain.len() as u64,
        "compressed to less than half: {size} of {}",
        plain.len()
    );
    assert_eq!(
        std::fs::read(usb.join(&name)).expect("the second copy"),
        std::fs::read(&local).expect("local"),
        "the second place holds the same bytes"
    );
    let list = admin.get("/backups").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["name"], name.as_str());
    assert_eq!(list.body["items"][0]["copied"], true);
    assert_eq!(list.body["copy_dir_available"], true);
    hub.stop().await;

    // The drive unplugged: the backup stays local, nothing is written where the drive was.
    std::fs::remove_dir_all(&usb).expect("unplug");
    let (_hub, admin) = start_with_second_place(&dir, &usb).await;
    let b = admin.post("/backups", json!({})).await;
    assert_eq!(
        b.status, 201,
        "a missing second place does not fail the backup"
    );
    assert_eq!(b.body["copied"], false);
    assert!(!usb.exists(), "the missing second place is not created");
    assert_eq!(
        admin.get("/backups").await.body["copy_dir_available"],
        false
    );
}

fn fake_backup(dir: &Path, age: chrono::Duration, kind: &str, bytes: usize) -> String {
    let t = Utc::now() - age;
    let name = format!(
        "kidyboard-{}-{kind}.sqlite.gz",
        t.format("%Y%m%dT%H%M%S%.3fZ")
    );
    std::fs::write(dir.join(&name), vec![0u8; bytes]).expect("write");
    name
}

fn secs(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    v.sort();
    v
}

#[test]
fn rotation_keeps_each_kinds_count_the_age_limit_and_the_size_budget() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let mut config = test_config(dir);
    config.backups_kept = 3;
    config.backup_max_age_days = 30;
    config.backup_budget_mb = 0;
    let dir = config.backups_dir();
    std::fs::create_dir_all(&dir).expect("dir");
    let hourly: Vec<String> = (0..5)
        .map(|h| fake_backup(&dir, secs(100 - 10 * h as i64), "hourly", 10))
        .collect();
    let old_close = fake_backup(&dir, chrono::Duration::days(40), "dayclose", 10);
    let recent_close = fake_backup(&dir, chrono::Duration::days(2), "dayclose", 10);
    std::fs::write(dir.join("notes.txt"), "mine").expect("other file");
    backups::rotate(&dir, &config);
    let left = names(&dir);
    for h in &hourly[..2] {
        assert!(!left.contains(h), "the oldest hourly beyond 3 go: {left:?}");
    }
    for h in &hourly[2..] {
        assert!(left.contains(h), "the newest 3 hourly stay: {left:?}");
    }
    assert!(!left.contains(&old_close), "older than 30 days goes");
    assert!(left.contains(&recent_close));
    assert!(
        left.contains(&"notes.txt".to_string()),
        "other files are not touched"
    );

    // The budget: 3 MiB for 1 MiB files keeps the newest three; the newest is kept even alone
    // over budget.
    let budget_dir = tempfile::tempdir().expect("tmp");
    let mut config = test_config(budget_dir.path());
    config.backup_budget_mb = 3;
    let dir = config.backups_dir();
    std::fs::create_dir_all(&dir).expect("dir");
    let mib = 1024 * 1024;
    let files: Vec<String> = (0..5)
        .rev()
        .map(|d| fake_backup(&dir, secs(1000 * (d + 1)), "manual", mib))
        .collect();
    backups::rotate(&dir, &config);
    assert_eq!(names(&dir), files[2..].to_vec(), "the newest 3 MiB stay");
    let big = fake_backup(&dir, secs(1), "manual", 5 * mib);
    backups::rotate(&dir, &config);
    assert_eq!(
        names(&dir),
        vec![big],
        "the newest backup stays even alone over budget"
    );
}

#[test]
fn leftovers_of_interrupted_backups_are_cleaned_once_stale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = test_config(tmp.path());
    let dir = config.backups_dir();
    std::fs::create_dir_all(&dir).expect("dir");
    let keep = fake_backup(&dir, secs(60), "hourly", 10);
    let stale = [
        "kidyboard-20261201T000000.000Z-hourly.sqlite.gz.partial",
        "restoring-20261201T000000.000Z.sqlite.partial",
        "restoring-20261201T000000.000Z.sqlite.partial-wal",
    ];
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for name in stale {
        let f = std::fs::File::create(dir.join(name)).expect("create");
        f.set_modified(an_hour_ago).expect("age it");
    }
    let fresh = "kidyboard-20261206T000000.000Z-manual.sqlite.gz.partial";
    std::fs::write(dir.join(fresh), b"being written").expect("fresh");
    let deleted = backups::rotate(&dir, &config);
    assert_eq!(deleted.len(), 3, "the stale leftovers go: {deleted:?}");
    let mut expected = vec![keep, fresh.to_string()];
    expected.sort();
    assert_eq!(
        names(&dir),
        expected,
        "a backup and a partial still being written stay"
    );
}
