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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{CoreError, Result};
use crate::events::Recorded;
use crate::ids;
use crate::migrate;

/// The most reader connections kept open at once; more readers than this wait for a free one.
const MAX_IDLE_READERS: usize = 8;
/// The most changes one commit may carry, so a steady stream of writers still commits often.
const MAX_GROUP: usize = 64;

/// The writer connection and the transaction it may have open for a group of changes.
pub(crate) struct Writer {
    pub(crate) conn: Connection,
    /// The generation of the open transaction, if one is open.
    pub(crate) open: Option<u64>,
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
    pub(crate) writer: Mutex<Writer>,
    /// Writers waiting for the writer lock: while there are some, the holder leaves the
    /// transaction open for them and the last one commits.
    queued: AtomicUsize,
    commits: Mutex<Commits>,
    committed: Condvar,
    pub(crate) readers: Mutex<Vec<Connection>>,
    /// Bumped when the database's content is replaced (a restore): readers opened before are
    /// not returned to the pool, so none keeps a page cache of the replaced content.
    pub(crate) content_generation: AtomicU64,
    device_id: String,
    branch_id: String,
    /// Told of every committed change's events (see [`Store::observe_commits`]).
    observer: OnceLock<Box<CommitObserver>>,
}

/// What runs after each committed change, with the events it wrote, in order. It runs on the
/// thread that made the change, after the commit and outside every lock, so it may read the
/// store; it must not block for long (publish, notify, nudge).
pub type CommitObserver = dyn Fn(&Store, &[Recorded]) + Send + Sync;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

pub(crate) fn configure(conn: &Connection) -> Result<()> {
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
    /// The file and its `-wal`/`-shm` are private to the user that runs the hub (0600): they hold
    /// staff password hashes and guardians' phone numbers.
    pub fn open(path: &Path) -> Result<Store> {
        make_private(path)?;
        let mut writer = Connection::open(path)?;
        configure(&writer).map_err(damaged)?;
        let (device_id, branch_id) = prepare(&mut writer).map_err(damaged)?;
        for suffix in ["-wal", "-shm"] {
            let side = sidecar(path, suffix);
            if side.exists() {
                make_private(&side)?;
            }
        }
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
            content_generation: AtomicU64::new(0),
            device_id,
            branch_id,
            observer: OnceLock::new(),
        })
    }

    /// Sets the one observer of committed changes (the hub's after-commit signals). Answers
    /// false if one was set already; the first stays.
    pub fn observe_commits(&self, observer: Box<CommitObserver>) -> bool {
        self.observer.set(observer).is_ok()
    }

    pub(crate) fn committed_events(&self, recorded: &[Recorded]) {
        if let Some(observer) = self.observer.get() {
            observer(self, recorded);
        }
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
        self.commit_group(w, generation)?;
        out
    }

    /// Commits the open group `generation` and tells its waiting members how it went.
    pub(crate) fn commit_group(
        &self,
        mut w: MutexGuard<'_, Writer>,
        generation: u64,
    ) -> Result<()> {
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
        Ok(committed?)
    }

    /// The writer, with no group left open: a transaction left open for queued writers is
    /// committed for them first, so the caller may run statements that need no transaction.
    pub(crate) fn idle_writer(&self) -> Result<MutexGuard<'_, Writer>> {
        loop {
            let w = lock(&self.writer);
            match w.open {
                // Another writer may open a new group between the commit and the next lock.
                Some(generation) => self.commit_group(w, generation)?,
                None => return Ok(w),
            }
        }
    }

    /// Moves everything from the `-wal` file into the database file and empties the `-wal`, so
    /// the one file `kidyboard.sqlite` holds every acknowledged sale. Called on a clean stop:
    /// copying the database file alone used to lose the newest sales.
    pub fn checkpoint(&self) -> Result<()> {
        let w = self.idle_writer()?;
        // Idle readers hold no snapshot, but closing them lets SQLite truncate the -wal at once.
        lock(&self.readers).clear();
        let (busy, _, _): (i64, i64, i64) =
            w.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        if busy != 0 {
            return Err(CoreError::conflict(
                "busy",
                "la base de datos sigue en uso; no se pudo consolidar el archivo",
            ));
        }
        Ok(())
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
        let reader = self.take_reader()?;
        let out = f(&reader.0);
        self.return_reader(reader);
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

    fn take_reader(&self) -> Result<(Connection, u64)> {
        let generation = self.content_generation.load(Ordering::SeqCst);
        if let Some(c) = lock(&self.readers).pop() {
            return Ok((c, generation));
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
        Ok((conn, generation))
    }

    fn return_reader(&self, (conn, generation): (Connection, u64)) {
        let mut pool = lock(&self.readers);
        let current = generation == self.content_generation.load(Ordering::SeqCst);
        if current && pool.len() < MAX_IDLE_READERS && conn.is_autocommit() {
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
            make_private(&tmp)?;
            let mut out = Connection::open(&tmp)?;
            {
                let backup = rusqlite::backup::Backup::new(&src.0, &mut out)?;
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

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave SQLite half-written (the transaction rolls back
    // on drop), so the connection is still good to use.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What `open` runs on the writer before serving, and a restore again on the restored content:
/// integrity check, migrations, report roll-ups, this device's id and its home branch.
pub(crate) fn prepare(writer: &mut Connection) -> Result<(String, String)> {
    integrity_check(writer)?;
    migrate::apply(writer)?;
    crate::reports::rollup::rebuild_if_stale(writer)?;
    let device_id = match get_meta(writer, "device_id")? {
        Some(id) => id,
        None => {
            let id = ids::new_id();
            set_meta(writer, "device_id", &id)?;
            id
        }
    };
    let branch_id = crate::branches::ensure_home_branch(writer)?;
    Ok((device_id, branch_id))
}

/// SQLite's own words for a damaged file ("file is not a database", "malformed") become
/// `Corrupt`, so callers can tell "restore a backup" apart from any other failure.
pub(crate) fn damaged(e: CoreError) -> CoreError {
    match &e {
        CoreError::Database(rusqlite::Error::SqliteFailure(f, msg))
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ) =>
        {
            CoreError::Corrupt(msg.clone().unwrap_or_else(|| f.to_string()))
        }
        _ => e,
    }
}

/// `path` with `suffix` appended (`kidyboard.sqlite-wal`), as SQLite names its side files.
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates `path` empty with mode 0600 if it does not exist, or narrows an existing file to
/// 0600. SQLite gives its `-wal`/`-shm` the main file's mode, so creating the file first is what
/// keeps them private too.
pub fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        if let Err(e) = created {
            // Best effort for a file that exists (one of another user, opened to inspect it,
            // cannot be narrowed by us); any other failure is left to SQLite's open to report.
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates the folder (and its parents) only its owner may enter (0700), or narrows it if it
/// exists: it holds the database and its backups.
pub fn make_private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)?;
        // Best effort, as for files: a folder of another user cannot be narrowed by us.
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)?;
    Ok(())
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
