//! Restoring a backup: into the running hub (the admin screen), or into a stopped data dir
//! (`kidyboard restore FILE`, e.g. when the database is damaged and the hub will not start);
//! the data dir's lock that keeps the second off a running hub's files; and the message that
//! points at the backups when the database is damaged.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use kidyboard_core::store::{make_private_dir, sidecar};
use kidyboard_core::{CoreError, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::backups::{self, BackupKind};
use crate::config::Config;

/// What a restore did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Restored {
    /// The backup now in use.
    pub restored: String,
    /// The backup holding what was replaced (restore it to undo).
    pub kept_aside: String,
}

/// Held while a hub serves a data dir: `kidyboard restore` refuses to swap files under it.
/// The OS releases it when the process ends, even on a crash.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> anyhow::Result<DataDirLock> {
        let path = data_dir.join("kidyboard.lock");
        let file = backups::private_file(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "otro proceso de Kidyboard (un hub) está usando {}; deténlo primero",
                data_dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
    }
}

/// Replaces the running store's content with the backup `name` from the backups folder (only
/// names in its listing are accepted, so a name cannot point elsewhere). What it replaces is
/// kept as a `prerestore` backup.
pub fn restore_running(store: &Store, config: &Config, name: &str) -> anyhow::Result<Restored> {
    let _busy = backups::busy();
    let dir = config.backups_dir();
    let entry = backups::list(&dir, None)?
        .into_iter()
        .find(|b| b.name == name)
        .ok_or_else(|| CoreError::not_found("respaldo", name))?;
    let temp = unpack(&dir.join(&entry.name), &dir)?;
    let aside_name = backups::new_name(BackupKind::PreRestore, Utc::now());
    let aside = dir.join(format!("{aside_name}.plain.partial"));
    let swapped = store.restore_from(&temp, &aside);
    remove_with_sidecars(&temp);
    if let Err(e) = swapped {
        remove_with_sidecars(&aside);
        return Err(e.into());
    }
    let kept = backups::finish(config, &aside, &aside_name)?;
    Ok(Restored {
        restored: entry.name,
        kept_aside: kept.name,
    })
}

/// `kidyboard restore FILE` with the hub stopped: checks the backup, moves the current database
/// (and its `-wal`) aside as `kidyboard.sqlite.before-restore-<time>`, puts the backup in its
/// place and opens it once (migrations). `file` is a path, or a name in the backups folder.
pub fn restore_stopped(config: &Config, file: &Path) -> anyhow::Result<String> {
    let source = if file.is_file() {
        file.to_path_buf()
    } else {
        let named = config.backups_dir().join(file);
        anyhow::ensure!(
            file.components().count() == 1 && named.is_file(),
            "no existe el respaldo {} (ni como archivo ni en {})",
            file.display(),
            config.backups_dir().display()
        );
        named
    };
    make_private_dir(&config.data_dir)?;
    let _lock = DataDirLock::acquire(&config.data_dir)?;
    let _busy = backups::busy();
    let dir = config.backups_dir();
    make_private_dir(&dir)?;
    let temp = unpack(&source, &dir)?;
    if let Err(e) = kidyboard_core::restore::check_backup(&temp) {
        remove_with_sidecars(&temp);
        return Err(e).with_context(|| format!("{} no se puede restaurar", source.display()));
    }
    let db = config.database_path();
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = sidecar(&db, &format!(".before-restore-{stamp}"));
    let mut kept = None;
    if db.exists() {
        std::fs::rename(&db, &aside).with_context(|| format!("moving {} aside", db.display()))?;
        // The -wal may hold the newest commits: it goes with its file, under the matching name,
        // so opening the aside copy later recovers them. The -shm is only an index.
        for suffix in ["-wal", "-journal"] {
            let side = sidecar(&db, suffix);
            if side.exists() {
                std::fs::rename(&side, sidecar(&aside, suffix))?;
            }
        }
        let _ = std::fs::remove_file(sidecar(&db, "-shm"));
        kept = Some(aside);
    }
    std::fs::rename(&temp, &db).with_context(|| format!("placing {}", db.display()))?;
    remove_with_sidecars(&temp);
    backups::sync_dir(&db);
    let store =
        Store::open(&db).with_context(|| format!("opening the restored {}", db.display()))?;
    store.checkpoint()?;
    drop(store);
    Ok(match kept {
        Some(k) => format!(
            "Restaurado {} en {}. La base anterior quedó en {}.",
            source.display(),
            db.display(),
            k.display()
        ),
        None => format!("Restaurado {} en {}.", source.display(), db.display()),
    })
}

/// A private plain copy of the backup `file` (gzip or plain SQLite, told by its first bytes)
/// in `dir`, named `*.partial` so an interrupted restore leaves nothing that looks like a backup.
fn unpack(file: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let temp = dir.join(format!(
        "restoring-{}.sqlite.partial",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    ));
    let result = (|| -> anyhow::Result<()> {
        let mut magic = [0u8; 2];
        let mut input = File::open(file)?;
        let gz = input.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
        let input = File::open(file)?;
        let mut out = backups::private_file(&temp)?;
        if gz {
            std::io::copy(&mut flate2::read::GzDecoder::new(input), &mut out).map_err(|e| {
                CoreError::validation("file", format!("el respaldo comprimido está dañado: {e}"))
            })?;
        } else {
            std::io::copy(&mut { input }, &mut out)?;
        }
        out.sync_all()?;
        Ok(())
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            remove_with_sidecars(&temp);
            Err(e.context(format!("reading {}", file.display())))
        }
    }
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(sidecar(path, suffix));
    }
}

/// Why the hub did not start, in words that say what to do: a damaged database names the
/// backups folder(s), the newest backup and the command that restores it.
pub fn explain_open_error(config: &Config, e: CoreError) -> anyhow::Error {
    let db = config.database_path();
    let damaged = matches!(&e, CoreError::Corrupt(m) if !m.contains("schema version"));
    if !damaged {
        return anyhow::Error::from(e).context(format!("opening {}", db.display()));
    }
    let dir = config.backups_dir();
    let newest = backups::list(&dir, None)
        .ok()
        .and_then(|l| l.into_iter().next())
        .map(|b| dir.join(b.name));
    let mut msg = format!(
        "la base de datos {} está dañada ({e}); el hub no la usará.\nLos respaldos están en {}",
        db.display(),
        dir.display()
    );
    if let Some(second) = &config.backup_copy_dir {
        msg.push_str(&format!(" y en {}", second.display()));
    }
    msg.push_str(".\nPara restaurar uno (la base dañada se guarda aparte), con el hub detenido:\n");
    let file = newest
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "ARCHIVO".into());
    msg.push_str(&format!(
        "  kidyboard restore --data-dir {} {file}",
        config.data_dir.display()
    ));
    if newest.is_none() {
        msg.push_str("\n(no hay respaldos en esa carpeta; busca uno en la copia externa)");
    }
    anyhow::anyhow!(msg)
}
