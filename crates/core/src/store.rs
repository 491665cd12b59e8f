//! The SQLite database: one writer connection behind a mutex (SQLite allows one writer at a time,
//! so queueing here is cheaper than retrying on SQLITE_BUSY) and a small pool of readers that run
//! in parallel thanks to WAL mode.
//!
//! Writes are group-committed: each writer runs its change in its own SAVEPOINT inside a shared
//! transaction, and whoever finds nobody queued behind it commits for the whole group. One fsync
//! then covers many concurrent sales, and every caller still returns only after the commit that
//! holds its change (or with the error that lost it), so "acknowledged" still means "durable".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{CoreError, Result};
use crate::ids;
use crate::migrate;

/// The most reader connections kept open at once; more readers than this wait for a free one.
const MAX_IDLE_READERS: usize = 8;
/// The most changes one commit may carry, so a steady stream of writers still commits often.
const MAX_GROUP: usize = 64;

/// The writer connection and the transaction it may have open for a group of changes.
struct Writer {
    conn: Connection,
    /// The generation of the open transaction, if one is open.
    open: Option<u64>,
    next_generation: u64,
    group_len: usize,
}

/// Which groups are committed, and which failed to (so their members can say so).
#[derive(Default)]
struct Commits {
    committed: u64,
    failed: BTreeMap<u64, String>,
}

pub struct Store {
    path: PathBuf,
    writer: Mutex<Writer>,
    /// Writers waiting for the writer lock: while there are some, the holder leaves the
    /// transaction open for them and the last one commits.
    queued: AtomicUsize,
    commits: Mutex<Commits>,
    committed: Condvar,
    readers: Mutex<Vec<Connection>>,
    device_id: String,
    branch_id: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL lets readers run beside the writer; FULL makes every commit durable before the
    // client is told it happened, so an acknowledged sale survives a power cut.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database file, checks its integrity, applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        integrity_check(&writer)?;
        migrate::apply(&mut writer)?;
        crate::reports::rollup::rebuild_if_stale(&writer)?;
        let device_id = match get_meta(&writer, "device_id")? {
            Some(id) => id,
            None => {
                let id = ids::new_id();
                set_meta(&writer, "device_id", &id)?;
                id
            }
        };
        let branch_id = crate::branches::ensure_home_branch(&writer)?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(Writer {
                conn: writer,
                open: None,
                next_generation: 1,
                group_len: 0,
            }),
            queued: AtomicUsize::new(0),
            commits: Mutex::new(Commits::default()),
            committed: Condvar::new(),
            readers: Mutex::new(Vec::new()),
            device_id,
            branch_id,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This installation's id, stamped on every event it writes.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The branch this store runs (its sales, timers and day closings belong to it).
    pub fn branch_id(&self) -> &str {
        &self.branch_id
    }

    /// Runs `f` as one all-or-nothing change: nothing it did is kept unless it returns `Ok`, and
    /// this returns only once the change is committed to disk (see the module's note on groups).
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut w = lock(&self.writer);
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let generation = match w.open {
            Some(g) => g,
            None => {
                w.conn.execute_batch("BEGIN IMMEDIATE")?;
                let g = w.next_generation;
                w.next_generation += 1;
                w.open = Some(g);
                w.group_len = 0;
                g
            }
        };
        w.group_len += 1;
        let out = run_in_savepoint(&w.conn, f);
        let last = self.queued.load(Ordering::SeqCst) == 0 || w.group_len >= MAX_GROUP;
        if !last {
            drop(w);
            // A failed change was rolled back to its savepoint already: it waits for nothing.
            let value = out?;
            self.await_commit(generation)?;
            return Ok(value);
        }
        let committed = w.conn.execute_batch("COMMIT");
        if committed.is_err() {
            let _ = w.conn.execute_batch("ROLLBACK");
        }
        w.open = None;
        drop(w);
        let mut c = lock(&self.commits);
        c.committed = generation;
        if let Err(e) = &committed {
            c.failed.insert(generation, e.to_string());
        }
        // Keep only recent failures: waiters of older groups have long been answered.
        while c.failed.len() > 64 {
            c.failed.pop_first();
        }
        drop(c);
        self.committed.notify_all();
        committed?;
        out
    }

    fn await_commit(&self, generation: u64) -> Result<()> {
        let mut c = lock(&self.commits);
        while c.committed < generation {
            c = self.committed.wait(c).unwrap_or_else(|p| p.into_inner());
        }
        match c.failed.get(&generation) {
            Some(msg) => Err(CoreError::Corrupt(format!("the commit failed: {msg}"))),
            None => Ok(()),
        }
    }

    /// Runs `f` on a reader connection (a consistent snapshot for the duration of one statement;
    /// use `read_tx` when several statements must agree).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take_reader()?;
        let out = f(&conn);
        self.return_reader(conn);
        out
    }

    /// Like `read`, inside a read transaction so every statement sees the same snapshot.
    pub fn read_tx<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.read(|conn| {
            conn.execute_batch("BEGIN DEFERRED")?;
            let out = f(conn);
            conn.execute_batch("COMMIT")?;
            out
        })
    }

    fn take_reader(&self) -> Result<Connection> {
        if let Some(c) = lock(&self.readers).pop() {
            return Ok(c);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
        Ok(conn)
    }

    fn return_reader(&self, conn: Connection) {
        let mut pool = lock(&self.readers);
        if pool.len() < MAX_IDLE_READERS && conn.is_autocommit() {
            pool.push(conn);
        }
    }

    /// True when the database answers a trivial query (for `/readyz`).
    pub fn ping(&self) -> bool {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .is_ok()
    }

    /// A consistent copy of the live database written to `dest` with SQLite's online backup, so
    /// sales can go on while it runs.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let tmp = dest.with_extension("partial");
        {
            let src = self.take_reader()?;
            let mut out = Connection::open(&tmp)?;
            {
                let backup = rusqlite::backup::Backup::new(&src, &mut out)?;
                backup.run_to_completion(256, Duration::from_millis(5), None)?;
            }
            integrity_check(&out)?;
            self.return_reader(src);
        }
        std::fs::rename(&tmp, dest).map_err(|e| {
            CoreError::Corrupt(format!("could not place backup {}: {e}", dest.display()))
        })?;
        Ok(())
    }
}

/// Runs one change in its own savepoint of the open transaction, undoing it on error or panic so
/// the rest of the group is unaffected.
fn run_in_savepoint<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.execute_batch("SAVEPOINT change")?;
    let out =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))).unwrap_or_else(|_| {
            Err(CoreError::Corrupt(
                "a change panicked and was undone".into(),
            ))
        });
    let end = if out.is_ok() {
        "RELEASE change"
    } else {
        "ROLLBACK TO change; RELEASE change"
    };
    conn.execute_batch(end)?;
    out
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave SQLite half-written (the transaction rolls back
    // on drop), so the connection is still good to use.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Refuses to run on a damaged file instead of making the damage worse.
pub fn integrity_check(conn: &Connection) -> Result<()> {
    let result: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if result == "ok" {
        Ok(())
    } else {
        Err(CoreError::Corrupt(format!(
            "integrity check failed: {result}"
        )))
    }
}

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
