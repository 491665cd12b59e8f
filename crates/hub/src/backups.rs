//! Automatic online backups: every interval and right after each day closing, kept in rotation.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;

use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    Hourly,
    DayClose,
    Manual,
}

impl BackupKind {
    fn label(self) -> &'static str {
        match self {
            BackupKind::Hourly => "hourly",
            BackupKind::DayClose => "dayclose",
            BackupKind::Manual => "manual",
        }
    }
}

/// Writes one backup and deletes the oldest of its kind beyond `keep`. Returns its path.
pub fn take(
    store: &kidyboard_core::Store,
    dir: &Path,
    kind: BackupKind,
    keep: usize,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = format!(
        "kidyboard-{}-{}.sqlite",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        kind.label()
    );
    let path = dir.join(name);
    store.backup_to(&path)?;
    rotate(dir, kind, keep)?;
    Ok(path)
}

fn rotate(dir: &Path, kind: BackupKind, keep: usize) -> anyhow::Result<()> {
    let suffix = format!("-{}.sqlite", kind.label());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("kidyboard-") && n.ends_with(&suffix))
        })
        .collect();
    // Names start with a UTC timestamp, so name order is age order.
    files.sort();
    let excess = files.len().saturating_sub(keep.max(1));
    for old in files.into_iter().take(excess) {
        std::fs::remove_file(&old)?;
    }
    Ok(())
}

async fn take_async(st: &AppState, kind: BackupKind, keep: usize) {
    let store = st.store.clone();
    let dir = st.config.backups_dir();
    match tokio::task::spawn_blocking(move || take(&store, &dir, kind, keep)).await {
        Ok(Ok(path)) => {
            st.metrics.backups_total.fetch_add(1, Ordering::Relaxed);
            tracing::info!(path = %path.display(), kind = kind.label(), "backup written");
        }
        Ok(Err(e)) => {
            st.metrics
                .backup_failures_total
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, "backup failed");
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
                take_async(&st, BackupKind::Hourly, st.config.backups_kept).await;
            }
            _ = st.day_closed.notified() => {
                take_async(&st, BackupKind::DayClose, st.config.day_close_backups_kept).await;
            }
        }
    }
}
