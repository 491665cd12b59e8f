//! The store's SQLite index (`index.sqlite` beside the files): which originals exist with
//! their dimensions, and which variants exist with their size, ETag and last use.
//!
//! Why SQLite and not file times: `atime` is off or lazy (`relatime`/`noatime`) on most kiosk
//! installs, and a scan of mtimes at start costs a `stat` per file and forgets every hit. An
//! index survives restarts with exact recency, answers "how many bytes are cached" in O(1),
//! and its transactions keep it consistent with the files across crashes (files are written
//! before their row and deleted after it; `reconcile` at start mops up anything in between).
//! Recency is a counter, not a clock, so a kiosk whose clock jumps does not evict the wrong
//! pictures.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::error::Result;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS originals (
    hash    TEXT PRIMARY KEY,
    format  TEXT NOT NULL,
    width   INTEGER NOT NULL,
    height  INTEGER NOT NULL,
    bytes   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS variants (
    hash      TEXT NOT NULL,
    width     INTEGER NOT NULL,
    format    TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    etag      TEXT NOT NULL,
    last_used INTEGER NOT NULL,
    PRIMARY KEY (hash, width, format)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS variants_by_last_used ON variants (last_used);
CREATE TABLE IF NOT EXISTS sources (
    url        TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
";

/// The open index. One connection behind a mutex: every statement is a few microseconds,
/// far below the cost of the file reads and encodes around it.
pub(crate) struct Index {
    conn: Mutex<Connection>,
}

impl Index {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        // WAL + NORMAL: a hit's "touch" is a short append without fsync; a power cut can
        // lose the last few touches (slightly stale recency), never corrupt the index.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Index {
            conn: Mutex::new(conn),
        })
    }

    /// The connection; a panic elsewhere while holding it leaves SQLite itself consistent,
    /// so a poisoned lock is safe to reuse.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
