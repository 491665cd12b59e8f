//! Restoring into a running store: writers keep writing throughout, and every acknowledged write
//! ends up either in the copy kept aside (it committed before the swap) or in the restored
//! database (after it); the restored content is exactly the backup's plus those later writes.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use kidyboard_core::Store;
use rusqlite::Connection;

fn keys(conn: &Connection) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare("SELECT key FROM meta WHERE key LIKE 'w-%'")
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .map(|k| k.expect("key"))
        .collect()
}

#[test]
fn no_acknowledged_write_is_lost_between_the_copy_kept_aside_and_the_swap() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Arc::new(Store::open(&tmp.path().join("kidyboard.sqlite")).expect("open"));
    let put = |s: &Store, key: String| {
        s.write(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, 'x')",
                [key.as_str()],
            )?;
            Ok(())
        })
    };
    for i in 0..5 {
        put(&store, format!("w-before-{i}")).expect("write");
    }
    let backup = tmp.path().join("backup.sqlite");
    store.backup_to(&backup).expect("backup");
    let backed_up = keys(&Connection::open(&backup).expect("open backup"));
    assert_eq!(backed_up.len(), 5);

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let key = format!("w-{w}-{n}");
                    put(&store, key.clone()).expect("writes go on during a restore");
                    acked.lock().expect("lock").push(key);
                }
            })
        })
        .collect();
    while acked.lock().expect("lock").len() < 50 {
        std::thread::yield_now();
    }
    let source = tmp.path().join("source.sqlite");
    std::fs::copy(&backup, &source).expect("private copy");
    let aside = tmp.path().join("aside.sqlite");
    store.restore_from(&source, &aside).expect("restores");
    let after_restore = acked.lock().expect("lock").len();
    while acked.lock().expect("lock").len() < after_restore + 50 {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }

    let live = store
        .read(|c| Ok(keys(c)))
        .expect("read the restored store");
    let kept = keys(&Connection::open(&aside).expect("open aside"));
    for key in acked.lock().expect("lock").iter() {
        assert!(
            live.contains(key) ^ kept.contains(key),
            "{key} is in exactly one of the copy kept aside and the restored database"
        );
    }
    assert!(
        backed_up.is_subset(&live),
        "the restored database holds the backup"
    );
    let later: BTreeSet<&String> = live.difference(&backed_up).collect();
    assert!(
        later.iter().all(|k| !kept.contains(*k)),
        "besides the backup, the restored database holds only writes made after the swap"
    );
    assert!(!later.is_empty(), "writes went on after the swap");
}
