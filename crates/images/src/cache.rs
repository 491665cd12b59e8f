//! The variant cache on disk: files under `variants/`, a row per file in the index, a byte
//! budget, and least-recently-used eviction. Only variants live here; originals are never
//! evicted (they are the source every variant can be rebuilt from).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::format::Format;
use crate::index::Index;
use crate::originals::{hex, shard, write_atomically};

/// Which variant: an original's hash, a preset width, a format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VariantKey {
    pub hash: String,
    pub width: u32,
    pub format: Format,
}

/// How full the cache is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheUsage {
    pub variant_count: u64,
    pub variant_bytes: u64,
    pub budget_bytes: u64,
}

pub(crate) struct VariantCache {
    dir: PathBuf,
    budget: u64,
    used: AtomicU64,
    /// Recency counter: larger is more recent. Persisted as `last_used`.
    clock: AtomicI64,
    /// Hits not yet written to the index. A hit is then a read-only lookup plus a file read;
    /// recency reaches SQLite in batches (before any eviction, every `TOUCH_BATCH` hits, and
    /// when the store is dropped). A crash forgets at most one batch of recency, never data.
    touches: Mutex<HashMap<VariantKey, i64>>,
}

const TOUCH_BATCH: usize = 1024;

impl VariantCache {
    /// Opens the cache and brings files and index back into agreement after any crash.
    pub(crate) fn open(root: &Path, index: &Index, budget: u64) -> Result<Self> {
        let dir = root.join("variants");
        std::fs::create_dir_all(&dir)?;
        let cache = VariantCache {
            dir,
            budget,
            used: AtomicU64::new(0),
            clock: AtomicI64::new(0),
            touches: Mutex::new(HashMap::new()),
        };
        cache.reconcile(index)?;
        let (used, clock): (i64, i64) = index.conn().query_row(
            "SELECT COALESCE(SUM(bytes), 0), COALESCE(MAX(last_used), 0) FROM variants",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        cache.used.store(used.max(0) as u64, Ordering::Relaxed);
        cache.clock.store(clock + 1, Ordering::Relaxed);
        cache.evict(index, None)?;
        Ok(cache)
    }

    pub(crate) fn path(&self, key: &VariantKey) -> PathBuf {
        self.dir.join(shard(&key.hash)).join(format!(
            "{}-{}.{}",
            key.hash,
            key.width,
            key.format.extension()
        ))
    }

    /// A hit answers the bytes and the ETag and marks the variant most recently used.
    pub(crate) fn get(&self, index: &Index, key: &VariantKey) -> Result<Option<(Vec<u8>, String)>> {
        let etag: Option<String> = index
            .conn()
            .prepare_cached(
                "SELECT etag FROM variants WHERE hash = ?1 AND width = ?2 AND format = ?3",
            )?
            .query_row(params![key.hash, key.width, key.format.name()], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(etag) = etag else {
            return Ok(None);
        };
        match std::fs::read(self.path(key)) {
            Ok(bytes) => {
                self.touch(index, key)?;
                Ok(Some((bytes, etag)))
            }
            // Evicted (or deleted by hand) between the row and the read: a miss.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.forget(index, key)?;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn touch(&self, index: &Index, key: &VariantKey) -> Result<()> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let pending = {
            let mut touches = self.touches.lock().unwrap_or_else(|p| p.into_inner());
            touches.insert(key.clone(), tick);
            touches.len()
        };
        if pending >= TOUCH_BATCH {
            self.flush_touches(index)?;
        }
        Ok(())
    }

    /// Writes pending recency to the index in one transaction.
    pub(crate) fn flush_touches(&self, index: &Index) -> Result<()> {
        let touches = std::mem::take(&mut *self.touches.lock().unwrap_or_else(|p| p.into_inner()));
        if touches.is_empty() {
            return Ok(());
        }
        let mut conn = index.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE variants SET last_used = MAX(last_used, ?4)
                 WHERE hash = ?1 AND width = ?2 AND format = ?3",
            )?;
            for (key, tick) in touches {
                stmt.execute(params![key.hash, key.width, key.format.name(), tick])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a variant and evicts least-recently-used others until under budget. Answers the
    /// strong ETag (a digest of the bytes, so equal bytes always get equal ETags).
    pub(crate) fn put(&self, index: &Index, key: &VariantKey, bytes: &[u8]) -> Result<String> {
        let etag = format!("\"{}\"", &hex(&Sha256::digest(bytes))[..32]);
        write_atomically(&self.path(key), bytes)?;
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let previous: Option<i64> = {
            let conn = index.conn();
            let previous = conn
                .query_row(
                    "SELECT bytes FROM variants WHERE hash = ?1 AND width = ?2 AND format = ?3",
                    params![key.hash, key.width, key.format.name()],
                    |r| r.get(0),
                )
                .optional()?;
            conn.execute(
                "INSERT OR REPLACE INTO variants (hash, width, format, bytes, etag, last_used)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    key.hash,
                    key.width,
                    key.format.name(),
                    bytes.len() as i64,
                    etag,
                    tick
                ],
            )?;
            previous
        };
        self.used.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if let Some(previous) = previous {
            self.used
                .fetch_sub(previous.max(0) as u64, Ordering::Relaxed);
        }
        self.evict(index, Some(key))?;
        Ok(etag)
    }

    /// True when the variant is indexed (no touch, no read).
    pub(crate) fn contains(&self, index: &Index, key: &VariantKey) -> Result<bool> {
        let found: Option<i64> = index
            .conn()
            .query_row(
                "SELECT 1 FROM variants WHERE hash = ?1 AND width = ?2 AND format = ?3",
                params![key.hash, key.width, key.format.name()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    pub(crate) fn usage(&self, index: &Index) -> Result<CacheUsage> {
        let count: i64 = index
            .conn()
            .query_row("SELECT COUNT(*) FROM variants", [], |r| r.get(0))?;
        Ok(CacheUsage {
            variant_count: count.max(0) as u64,
            variant_bytes: self.used.load(Ordering::Relaxed),
            budget_bytes: self.budget,
        })
    }

    /// Drops least-recently-used variants (never `keep`) until the total fits the budget.
    fn evict(&self, index: &Index, keep: Option<&VariantKey>) -> Result<()> {
        if self.used.load(Ordering::Relaxed) > self.budget {
            self.flush_touches(index)?;
        }
        while self.used.load(Ordering::Relaxed) > self.budget {
            let victims: Vec<(VariantKey, i64)> = {
                let conn = index.conn();
                let mut stmt = conn.prepare_cached(
                    "SELECT hash, width, format, bytes FROM variants ORDER BY last_used LIMIT 16",
                )?;
                let rows = stmt.query_map([], |r| {
                    let format: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, format, r.get(3)?))
                })?;
                let mut victims = Vec::new();
                for row in rows {
                    let (hash, width, format, bytes): (String, u32, String, i64) = row?;
                    let Ok(format) = format.parse::<Format>() else {
                        continue;
                    };
                    let key = VariantKey {
                        hash,
                        width,
                        format,
                    };
                    if Some(&key) != keep {
                        victims.push((key, bytes));
                    }
                }
                victims
            };
            if victims.is_empty() {
                break;
            }
            for (key, _) in victims {
                if self.used.load(Ordering::Relaxed) <= self.budget {
                    break;
                }
                self.forget(index, &key)?;
                tracing::debug!(hash = %key.hash, width = key.width, format = %key.format, "evicted image variant");
            }
        }
        Ok(())
    }

    /// Removes a variant's row, then its file (a row never outlives its file's deletion).
    fn forget(&self, index: &Index, key: &VariantKey) -> Result<()> {
        let removed: Option<i64> = index
            .conn()
            .query_row(
                "DELETE FROM variants WHERE hash = ?1 AND width = ?2 AND format = ?3 RETURNING bytes",
                params![key.hash, key.width, key.format.name()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(bytes) = removed {
            self.used.fetch_sub(bytes.max(0) as u64, Ordering::Relaxed);
        }
        match std::fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// After a crash: rows without files are dropped, files without rows (and temporary
    /// files) are deleted.
    fn reconcile(&self, index: &Index) -> Result<()> {
        let rows: Vec<VariantKey> = {
            let conn = index.conn();
            let mut stmt = conn.prepare("SELECT hash, width, format FROM variants")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut keys = Vec::new();
            for row in rows {
                let (hash, width, format) = row?;
                let format = format.parse::<Format>().unwrap_or(Format::Jpeg);
                keys.push(VariantKey {
                    hash,
                    width,
                    format,
                });
            }
            keys
        };
        let mut known = HashSet::new();
        for key in rows {
            let path = self.path(&key);
            if path.exists() {
                known.insert(path);
            } else {
                self.forget(index, &key)?;
            }
        }
        for shard_dir in std::fs::read_dir(&self.dir)? {
            let shard_dir = shard_dir?.path();
            if !shard_dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&shard_dir)? {
                let path = file?.path();
                if !known.contains(&path) {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        Ok(())
    }
}
