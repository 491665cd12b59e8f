//! Restore end to end: sales, a backup, more sales, a restore (through the admin route into the
//! running hub, and with `kidyboard restore FILE` into a stopped data dir), then exactly the
//! backed-up sales and a hub that serves. Also: a damaged database names its backups.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{sell, test_config, Client, TestHub};
use serde_json::json;

async fn sale_ids(c: &Client) -> Vec<String> {
    let list = c.get("/sales").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let mut ids: Vec<String> = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn a_backup_restored_from_the_admin_route_brings_back_exactly_its_sales() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let before = sell(&rec, &water, 3).await;
    let stock_then = rec.product(&water).await["stock"].clone();
    let b = admin.post("/backups", json!({})).await;
    assert_eq!(b.status, 201, "{}", b.body);
    let name = b.body["name"].as_str().expect("name").to_string();

    let after = sell(&rec, &water, 2).await;
    let late = hub.login("kidibar").await; // signed in after the backup
    assert_eq!(sale_ids(&rec).await.len(), 5);

    for (who, c) in [("recepcion", &rec), ("kidibar", &late)] {
        let r = c.post(&format!("/backups/{name}/restore"), json!({})).await;
        assert_eq!(r.status, 403, "{who} may not restore");
    }
    for bad in [
        "nope",
        "..%2Fkidyboard.sqlite",
        "%2Fetc%2Fpasswd",
        "kidyboard.sqlite",
    ] {
        let r = admin
            .post(&format!("/backups/{bad}/restore"), json!({}))
            .await;
        assert_eq!(r.status, 404, "{bad} is not a backup: {}", r.body);
        assert_eq!(r.body["error"]["code"], "not_found");
    }

    let monitor = hub.login("monitor").await;
    let (mut wall, _) = common::live(&hub.base, &monitor.token).await;
    let r = admin
        .post(&format!("/backups/{name}/restore"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["restored"], name.as_str());
    assert!(
        common::wait_for(&mut wall, "resync", Duration::from_secs(5), |_| true)
            .await
            .is_some(),
        "every screen is told to reload after a restore"
    );
    let aside = r.body["kept_aside"]
        .as_str()
        .expect("kept aside")
        .to_string();
    assert!(aside.ends_with("-prerestore.sqlite.gz"), "{aside}");

    assert_eq!(
        sale_ids(&rec).await,
        sorted(before.clone()),
        "exactly the backed-up sales"
    );
    assert_eq!(
        rec.product(&water).await["stock"],
        stock_then,
        "stock as backed up"
    );
    assert_eq!(
        late.get("/auth/me").await.status,
        200,
        "a session opened after the backup stays signed in"
    );
    // The hub serves on the restored data.
    let again = sell(&rec, &water, 1).await;
    assert_eq!(
        sale_ids(&rec).await,
        sorted([before.clone(), again.clone()].concat())
    );
    let ready = reqwest::get(hub.url("/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), 200);

    // The copy kept aside undoes the restore.
    let listed = admin.get("/backups").await;
    assert!(
        listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|b| b["name"] == aside.as_str() && b["kind"] == "prerestore"),
        "the replaced data is listed: {}",
        listed.body
    );
    let undo = admin
        .post(&format!("/backups/{aside}/restore"), json!({}))
        .await;
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(
        sale_ids(&rec).await,
        sorted([before, after].concat()),
        "the data from just before the restore is back"
    );

    // A damaged file with a backup's name is refused, and nothing changes.
    let broken = "kidyboard-20261201T000000.000Z-manual.sqlite";
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0x5a, 8192));
    std::fs::write(hub.dir.join("backups").join(broken), bytes).expect("write");
    let r = admin
        .post(&format!("/backups/{broken}/restore"), json!({}))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(sale_ids(&rec).await.len(), 5, "nothing changed");
}

#[tokio::test]
async fn a_backup_of_another_installation_is_refused_while_the_hub_runs() {
    let here = TestHub::start().await;
    let there = TestHub::start().await;
    let other = there.login("admin").await.post("/backups", json!({})).await;
    assert_eq!(other.status, 201, "{}", other.body);
    let name = other.body["name"].as_str().expect("name").to_string();
    std::fs::create_dir_all(here.dir.join("backups")).expect("dir");
    std::fs::copy(
        there.dir.join("backups").join(&name),
        here.dir.join("backups").join(&name),
    )
    .expect("bring the other store's backup");
    let admin = here.login("admin").await;
    let rec = here.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let mine = sell(&rec, &water, 1).await;
    let r = admin
        .post(&format!("/backups/{name}/restore"), json!({}))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "other_installation");
    assert_eq!(sale_ids(&rec).await, mine, "nothing changed");
}

fn kidyboard(dir: &Path, args: &[&str]) -> std::process::Output {
    common::kidyboard(dir)
        .args(args)
        .output()
        .expect("kidyboard runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kidyboard_restore_puts_a_backup_back_into_a_stopped_data_dir() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().to_path_buf();
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let first = sell(&rec, &water, 2).await;
    let plain = tmp.path().join("plain-copy.sqlite");
    let store = hub.state.store.clone();
    let out = plain.clone();
    tokio::task::spawn_blocking(move || store.backup_to(&out))
        .await
        .expect("task")
        .expect("a plain .sqlite copy");
    let second = sell(&rec, &water, 2).await;
    let b = admin.post("/backups", json!({})).await;
    assert_eq!(b.status, 201, "{}", b.body);
    let name = b.body["name"].as_str().expect("name").to_string();
    sell(&rec, &water, 3).await;

    let refused = kidyboard(&dir, &["restore", &name]);
    assert!(!refused.status.success(), "no restore under a running hub");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("deténlo primero"), "says why: {err}");
    hub.stop().await;

    // The compressed backup, by its name in the backups folder.
    let done = kidyboard(&dir, &["restore", &name]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let asides: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("kidyboard.sqlite.before-restore-") && !n.ends_with("-wal"))
        .collect();
    assert_eq!(asides.len(), 1, "the replaced database is kept aside");
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let rec = hub.login("recepcion").await;
    assert_eq!(
        sale_ids(&rec).await,
        sorted([first.clone(), second].concat()),
        "exactly the backed-up sales"
    );
    let more = sell(&rec, &water, 1).await;
    assert_eq!(more.len(), 1, "the hub serves on the restored data");
    hub.stop().await;

    // A plain .sqlite file, by its path.
    let done = kidyboard(&dir, &["restore", plain.to_str().expect("utf-8")]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let rec = hub.login("recepcion").await;
    assert_eq!(sale_ids(&rec).await, sorted(first));
    hub.stop().await;
}

#[tokio::test]
async fn a_damaged_database_says_where_the_backups_are_and_how_to_restore() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().to_path_buf();
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    let admin = hub.login("admin").await;
    let b = admin.post("/backups", json!({})).await;
    assert_eq!(b.status, 201, "{}", b.body);
    let name = b.body["name"].as_str().expect("name").to_string();
    hub.stop().await;

    // Scribble over everything after the header: the file is no longer a whole database.
    let db = dir.join("kidyboard.sqlite");
    let mut bytes = std::fs::read(&db).expect("read");
    for b in bytes.iter_mut().skip(100) {
        *b = 0xa5;
    }
    std::fs::write(&db, bytes).expect("scribble");
    let _ = std::fs::remove_file(dir.join("kidyboard.sqlite-wal"));

    let err = match kidyboard_hub::Hub::bind(test_config(&dir)).await {
        Ok(_) => panic!("a damaged database must not be served"),
        Err(e) => format!("{e:#}"),
    };
    let backups = dir.join("backups");
    assert!(
        err.contains(&backups.display().to_string()),
        "names the backups folder: {err}"
    );
    assert!(err.contains("kidyboard restore"), "says how: {err}");
    assert!(err.contains(&name), "names the newest backup: {err}");

    let done = kidyboard(
        &dir,
        &["restore", backups.join(&name).to_str().expect("utf-8")],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let hub = TestHub::start_in(&dir, test_config(&dir)).await;
    assert_eq!(hub.login("admin").await.get("/auth/me").await.status, 200);
    hub.stop().await;
}
