//! Automatic online backups: every interval and right after each day closing, gzip-compressed,
//! kept within a count, an age and a size budget, and copied to a second place when one is set.
//! (Restoring one is `restore.rs`.)

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    Hourly,
    DayClose,
    Manual,
    /// The content a restore replaced, kept so the restore can itself be undone.
    PreRestore,
}

impl BackupKind {
    const ALL: [BackupKind; 4] = [
        BackupKind::Hourly,
        BackupKind::DayClose,
        BackupKind::Manual,
        BackupKind::PreRestore,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BackupKind::Hourly => "hourly",
            BackupKind::DayClose => "dayclose",
            BackupKind::Manual => "manual",
            BackupKind::PreRestore => "prerestore",
        }
    }

    fn keep(self, config: &Config) -> usize {
        match self {
            BackupKind::Hourly => config.backups_kept,
            BackupKind::DayClose => config.day_close_backups_kept,
            BackupKind::Manual | BackupKind::PreRestore => config.manual_backups_kept,
        }
    }
}

/// One backup file, as the admin screen lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackupInfo {
    /// The file's name in the backups folder; restore it by this name.
    pub name: String,
    /// `hourly`, `dayclose`, `manual` or `prerestore` (what a restore replaced).
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub size_bytes: u64,
    /// Gzip-compressed (`.sqlite.gz`); older backups are plain `.sqlite`.
    pub compressed: bool,
    /// A copy of the same size is in the second place (`backup_copy_dir`).
    pub copied: bool,
}

/// Leftovers of an interrupted backup or restore older than this are deleted; younger ones may
/// still be being written (by this hub or a `kidyboard backup` beside it).
const STALE_PARTIAL: Duration = Duration::from_secs(10 * 60);

/// One backup or restore at a time per process: rotation and leftover cleaning must not delete
/// a file another one is writing or reading.
static BUSY: Mutex<()> = Mutex::new(());

pub(crate) fn busy() -> MutexGuard<'static, ()> {
    BUSY.lock().unwrap_or_else(|p| p.into_inner())
}

/// `kidyboard-<UTC time>-<kind>.sqlite.gz`: name order is age order.
pub(crate) fn new_name(kind: BackupKind, now: DateTime<Utc>) -> String {
    format!(
        "kidyboard-{}-{}.sqlite.gz",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        kind.label()
    )
}

/// The time, kind and compression a backup's name says; `None` for any other file.
fn parse_name(name: &str) -> Option<(DateTime<Utc>, BackupKind, bool)> {
    let rest = name.strip_prefix("kidyboard-")?;
    let (rest, compressed) = match rest.strip_suffix(".sqlite.gz") {
        Some(r) => (r, true),
        None => (rest.strip_suffix(".sqlite")?, false),
    };
    let (time, label) = rest.rsplit_once('-')?;
    let kind = BackupKind::ALL.into_iter().find(|k| k.label() == label)?;
    let time = NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%S%.3fZ").ok()?;
    Some((time.and_utc(), kind, compressed))
}

/// The backups in `dir` (and whether each is in `copy_dir`), newest first. A missing folder has
/// none.
pub fn list(dir: &Path, copy_dir: Option<&Path>) -> anyhow::Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Some((created_at, kind, compressed)) = parse_name(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let copied = copy_dir
            .and_then(|d| std::fs::metadata(d.join(&name)).ok())
            .is_some_and(|m| m.len() == meta.len());
        out.push(BackupInfo {
            name,
            kind: kind.label().to_string(),
            created_at,
            size_bytes: meta.len(),
            compressed,
            copied,
        });
    }
    out.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(out)
}

/// Writes one compressed backup, copies it to the second place if one is set, and rotates both.
pub fn take(
    store: &kidyboard_core::Store,
    config: &Config,
    kind: BackupKind,
) -> anyhow::Result<BackupInfo> {
    let _busy = busy();
    let dir = config.backups_dir();
    kidyboard_core::store::make_private_dir(&dir)?;
    let name = new_name(kind, Utc::now());
    let plain = dir.join(format!("{name}.plain.partial"));
    store
        .backup_to(&plain)
        .with_context(|| format!("writing {}", plain.display()))?;
    finish(config, &plain, &name)
}

/// Compresses the plain backup `plain` into `<backups>/<name>`, copies it to the second place,
/// rotates, and answers the new backup's entry.
pub(crate) fn finish(config: &Config, plain: &Path, name: &str) -> anyhow::Result<BackupInfo> {
    let dir = config.backups_dir();
    let dest = dir.join(name);
    if let Err(e) = compress(plain, &dest) {
        // Keep the backup uncompressed rather than lose it (restore takes both).
        let fallback = dir.join(name.trim_end_matches(".gz"));
        std::fs::rename(plain, &fallback).context("keeping the backup uncompressed")?;
        tracing::warn!(error = %format!("{e:#}"), "backup kept uncompressed");
        return list(&dir, config.backup_copy_dir.as_deref())?
            .into_iter()
            .find(|b| fallback.ends_with(&b.name))
            .context("the new backup is not in the folder");
    }
    let _ = std::fs::remove_file(plain);
    let copy_dir = config.backup_copy_dir.as_deref();
    if let Some(second) = copy_dir {
        if let Err(e) = copy_to_second_place(&dest, second, &config.data_dir) {
            tracing::warn!(error = %format!("{e:#}"), dir = %second.display(), "backup not copied to the second place");
        }
    }
    rotate(&dir, config);
    if let Some(second) = copy_dir.filter(|d| d.is_dir()) {
        rotate(second, config);
    }
    list(&dir, copy_dir)?
        .into_iter()
        .find(|b| b.name == name)
        .context("the new backup is not in the folder")
}

/// gzip `src` into `dest` through `dest.partial`, so a half-written file never has a backup's
/// name.
fn compress(src: &Path, dest: &Path) -> anyhow::Result<()> {
    let tmp = partial(dest);
    let result = (|| -> anyhow::Result<()> {
        let mut input = File::open(src)?;
        let mut gz =
            flate2::write::GzEncoder::new(private_file(&tmp)?, flate2::Compression::new(6));
        std::io::copy(&mut input, &mut gz)?;
        gz.finish()?.sync_all()?;
        std::fs::rename(&tmp, dest)?;
        sync_dir(dest);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("compressing into {}", dest.display()))
}

/// Copies one backup into the second place (a USB drive or network folder). The folder must
/// exist: it is never created, so an unplugged drive's empty mount point is not silently filled
/// on the main disk instead.
fn copy_to_second_place(file: &Path, second: &Path, data_dir: &Path) -> anyhow::Result<()> {
    if !second.is_dir() {
        anyhow::bail!("{} no existe o no está montada", second.display());
    }
    if same_disk(second, data_dir) {
        tracing::warn!(dir = %second.display(), "the backup copy folder is on the same disk as the data");
    }
    let name = file.file_name().context("a backup has a name")?;
    let dest = second.join(name);
    let tmp = partial(&dest);
    let result = (|| -> anyhow::Result<()> {
        let mut out = private_file(&tmp)?;
        std::io::copy(&mut File::open(file)?, &mut out)?;
        out.sync_all()?;
        std::fs::rename(&tmp, &dest)?;
        sync_dir(&dest);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("copying to {}", dest.display()))
}

#[cfg(unix)]
fn same_disk(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    matches!((std::fs::metadata(a), std::fs::metadata(b)), (Ok(x), Ok(y)) if x.dev() == y.dev())
}

#[cfg(not(unix))]
fn same_disk(_: &Path, _: &Path) -> bool {
    false
}

fn partial(path: &Path) -> PathBuf {
    kidyboard_core::store::sidecar(path, ".partial")
}

/// A new file only its owner can read (backups hold password hashes and guardians' phones).
pub(crate) fn private_file(path: &Path) -> anyhow::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Makes a rename durable: on Linux a rename is only on disk once its folder is synced.
pub(crate) fn sync_dir(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Deletes, in `dir`: leftovers of interrupted backups (`*.partial`), then of each kind the
/// oldest beyond its count, then backups older than `backup_max_age_days`, then the oldest
/// until all fit in `backup_budget_mb`. The newest backup is never deleted, whatever the
/// limits say. Answers the names deleted.
pub fn rotate(dir: &Path, config: &Config) -> Vec<String> {
    let mut deleted = Vec::new();
    clean_partials(dir, &mut deleted);
    let Ok(mut all) = list(dir, None) else {
        return deleted;
    };
    all.reverse(); // oldest first
    let Some(newest) = all.last().map(|b| b.name.clone()) else {
        return deleted;
    };
    let mut doomed = std::collections::BTreeSet::new();
    for kind in BackupKind::ALL {
        let of_kind: Vec<&BackupInfo> = all.iter().filter(|b| b.kind == kind.label()).collect();
        let excess = of_kind.len().saturating_sub(kind.keep(config).max(1));
        doomed.extend(of_kind.iter().take(excess).map(|b| b.name.clone()));
    }
    if config.backup_max_age_days > 0 {
        let cutoff = Utc::now() - chrono::Duration::days(config.backup_max_age_days as i64);
        doomed.extend(
            all.iter()
                .filter(|b| b.created_at < cutoff)
                .map(|b| b.name.clone()),
        );
    }
    doomed.remove(&newest);
    if config.backup_budget_mb > 0 {
        let budget = config.backup_budget_mb.saturating_mul(1024 * 1024);
        let mut total: u64 = all
            .iter()
            .filter(|b| !doomed.contains(&b.name))
            .map(|b| b.size_bytes)
            .sum();
        for b in &all {
            if total <= budget || b.name == newest {
                break;
            }
            if doomed.insert(b.name.clone()) {
                total -= b.size_bytes;
            }
        }
    }
    for name in doomed {
        match std::fs::remove_file(dir.join(&name)) {
            Ok(()) => deleted.push(name),
            Err(e) => tracing::warn!(error = %e, %name, "could not delete an old backup"),
        }
    }
    deleted
}

fn clean_partials(dir: &Path, deleted: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        // A restore's temp copy may have its SQLite side files beside it.
        let leftover = [
            ".partial",
            ".partial-wal",
            ".partial-shm",
            ".partial-journal",
        ]
        .iter()
        .any(|s| name.ends_with(s));
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= STALE_PARTIAL);
        if leftover && stale && std::fs::remove_file(entry.path()).is_ok() {
            deleted.push(name);
        }
    }
}

async fn take_async(st: &AppState, kind: BackupKind) {
    let store = st.store.clone();
    let config = st.config.clone();
    match tokio::task::spawn_blocking(move || take(&store, &config, kind)).await {
        Ok(Ok(b)) => {
            st.metrics.backups_total.fetch_add(1, Ordering::Relaxed);
            tracing::info!(name = %b.name, bytes = b.size_bytes, copied = b.copied, kind = kind.label(), "backup written");
        }
        Ok(Err(e)) => {
            st.metrics
                .backup_failures_total
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %format!("{e:#}"), "backup failed");
        }
        Err(e) => tracing::error!(error = %e, "backup task failed"),
    }
}

pub async fn run(st: AppState) {
    let minutes = st.config.backup_interval_minutes;
    let mut interval = (minutes > 0).then(|| {
        let mut i = tokio::time::interval(Duration::from_secs(minutes * 60));
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    });
    if let Some(i) = interval.as_mut() {
        // The first tick is immediate; the first backup waits a full interval.
        i.tick().await;
    }
    loop {
        tokio::select! {
            _ = async { match interval.as_mut() { Some(i) => { i.tick().await; } None => std::future::pending().await } } => {
                take_async(&st, BackupKind::Hourly).await;
            }
            _ = st.day_closed.notified() => {
                take_async(&st, BackupKind::DayClose).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_other_files_are_ignored() {
        let now = Utc::now();
        for kind in BackupKind::ALL {
            let name = new_name(kind, now);
            let (t, k, gz) = parse_name(&name).expect("our own name parses");
            assert_eq!(k, kind);
            assert!(gz);
            assert_eq!(t.timestamp_millis(), now.timestamp_millis());
        }
        assert!(parse_name("kidyboard-20261206T010203.456Z-manual.sqlite").is_some());
        for other in [
            "kidyboard-20261206T010203.456Z-manual.sqlite.gz.partial",
            "kidyboard-20261206T010203.456Z-weekly.sqlite",
            "../kidyboard.sqlite",
            "kidyboard.sqlite",
            "notes.txt",
        ] {
            assert!(parse_name(other).is_none(), "{other} is not a backup");
        }
    }
}
