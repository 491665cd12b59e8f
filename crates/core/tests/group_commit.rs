//! Group commit: many threads writing at once each get their own all-or-nothing change, a failed
//! or panicking change in a group leaves no trace, and every acknowledged change is on disk.

use std::sync::Arc;

use kidyboard_core::{CoreError, Store};

#[test]
fn concurrent_changes_commit_together_and_failures_leave_no_trace() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("kb.sqlite");
    let store = Arc::new(Store::open(&path).expect("store"));
    let threads: Vec<_> = (0..12)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0..60 {
                    let key = format!("k{t}-{i}");
                    let result = store.write(|c| {
                        c.execute("INSERT INTO meta (key, value) VALUES (?1, 'x')", [&key])?;
                        match i % 10 {
                            // A change that fails after writing: its row must vanish.
                            3 => Err(CoreError::validation("test", "refused on purpose")),
                            // A change that panics after writing: undone, reported as an error.
                            7 if t == 0 => panic!("a bug in a change"),
                            _ => Ok(()),
                        }
                    });
                    if result.is_ok() {
                        acknowledged.push(key);
                    }
                }
                acknowledged
            })
        })
        .collect();
    let mut acknowledged = Vec::new();
    for t in threads {
        acknowledged.extend(t.join().expect("writer thread"));
    }
    assert_eq!(
        acknowledged.len(),
        12 * 60 - 12 * 6 - 6,
        "every change but the refused and panicked ones"
    );
    drop(store);

    // Reopened from disk: exactly the acknowledged changes are there.
    let store = Store::open(&path).expect("reopen");
    let stored: Vec<String> = store
        .read(|c| {
            let mut s = c.prepare("SELECT key FROM meta WHERE key LIKE 'k%' ORDER BY key")?;
            let rows = s.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .expect("read");
    acknowledged.sort();
    assert_eq!(
        stored, acknowledged,
        "acknowledged = durable, refused = absent"
    );
}
