//! The SQLite database: one writer connection behind a mutex (SQLite allows one writer at a time,
//! so queueing here is cheaper than retrying on SQLITE_BUSY) and a small pool of readers that run
//! in parallel thanks to WAL mode.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};

use crate::error::{CoreError, Result};
use crate::ids;
use crate::migrate;

/// The most reader connections kept open at once; more readers than this wait for a free one.
const MAX_IDLE_READERS: usize = 8;

pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
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
            writer: Mutex::new(writer),
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

    /// Runs `f` inside one write transaction; nothing it did is kept unless it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
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
