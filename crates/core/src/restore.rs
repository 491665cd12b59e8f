//! Putting a backup back: checking that a file is a whole Kidyboard database, and replacing the
//! running store's content with it without stopping the hub.
//!
//! The swap copies the backup's pages into the live database through the writer connection
//! (SQLite's backup API): it is one write transaction in the WAL, so it is atomic and survives a
//! power cut half-way, readers keep their snapshot until it commits, and no file is renamed
//! under open connections (which is what makes "copy the file back" unsafe while a hub runs).

use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OptionalExtension};

use crate::error::{CoreError, Result};
use crate::migrate;
use crate::store::{damaged, get_meta, make_private, prepare, Store};

/// What a checked backup holds.
#[derive(Debug, Clone)]
pub struct BackupCheck {
    /// The installation that wrote it.
    pub device_id: Option<String>,
    /// Its newest applied migration.
    pub schema_version: i64,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::validation("file", message)
}

/// Checks that `path` is a whole Kidyboard database: an SQLite file that passes the full
/// `PRAGMA integrity_check`, with Kidyboard's tables, from this version of the program or an
/// older one. `path` should be a private copy: opening it may create its `-wal`/`-shm`.
pub fn check_backup(path: &Path) -> Result<BackupCheck> {
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    if read.is_err() || &header != b"SQLite format 3\0" {
        return Err(invalid("el archivo no es una base de datos de Kidyboard"));
    }
    let conn = Connection::open(path)?;
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| damaged(e.into()))
        .map_err(|e| invalid(format!("el respaldo está dañado: {e}")))?;
    if result != "ok" {
        return Err(invalid(format!("el respaldo está dañado: {result}")));
    }
    let has = |table: &str| -> Result<bool> {
        Ok(conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    if !has("meta")? || !has("schema_migrations")? || !has("sales")? {
        return Err(invalid("el archivo no es un respaldo de Kidyboard"));
    }
    let schema_version: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let newest = migrate::MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    if schema_version > newest {
        return Err(invalid(format!(
            "el respaldo es de una versión más nueva de Kidyboard (esquema {schema_version}); actualiza el programa"
        )));
    }
    let device_id = get_meta(&conn, "device_id")?;
    Ok(BackupCheck {
        device_id,
        schema_version,
    })
}

/// A backup step of all pages must finish in one go; the writer lock keeps others out.
fn whole(step: rusqlite::backup::StepResult) -> Result<()> {
    match step {
        rusqlite::backup::StepResult::Done => Ok(()),
        other => Err(CoreError::conflict(
            "busy",
            format!("la copia no terminó ({other:?}); intenta de nuevo"),
        )),
    }
}

impl Store {
    /// Replaces this store's content with the backup at `source` (a private plain copy, which
    /// this migrates in place), first writing the current content to `keep_aside`. Sales wait
    /// while it runs; none is lost between the copy kept aside and the swap, since both happen
    /// under the writer lock. Open sessions whose user exists in the backup stay signed in.
    pub fn restore_from(&self, source: &Path, keep_aside: &Path) -> Result<()> {
        check_backup(source)?;
        let mut src = Connection::open(source)?;
        crate::store::configure(&src)?;
        let w = self.idle_writer()?;
        make_private(keep_aside)?;
        {
            let mut aside = Connection::open(keep_aside)?;
            let copy = rusqlite::backup::Backup::new(&w.conn, &mut aside)?;
            whole(copy.step(-1)?)?;
        }
        // Migrations, roll-ups and the home branch run on the copy, so the live database only
        // ever holds either the old content or the whole, ready new one.
        let (device_id, branch_id) = prepare(&mut src).map_err(damaged)?;
        if device_id != self.device_id() || branch_id != self.branch_id() {
            return Err(CoreError::conflict(
                "other_installation",
                "este respaldo es de otra instalación; restáuralo con `kidyboard restore ARCHIVO` con el hub detenido",
            ));
        }
        src.execute(
            "ATTACH DATABASE ?1 AS before",
            [keep_aside.to_string_lossy()],
        )?;
        src.execute_batch(
            "INSERT OR IGNORE INTO main.sessions SELECT * FROM before.sessions
                 WHERE user_id IN (SELECT id FROM main.users);
             DETACH DATABASE before;",
        )?;
        let page_size = |c: &Connection| -> Result<i64> {
            Ok(c.query_row("PRAGMA page_size", [], |r| r.get(0))?)
        };
        if page_size(&src)? != page_size(&w.conn)? {
            return Err(invalid(
                "el respaldo usa otro tamaño de página; restáuralo con `kidyboard restore ARCHIVO` con el hub detenido",
            ));
        }
        let mut w = w;
        {
            let swap = rusqlite::backup::Backup::new(&src, &mut w.conn)?;
            // One step: the whole copy is one transaction.
            whole(swap.step(-1)?)?;
        }
        self.content_generation.fetch_add(1, Ordering::SeqCst);
        crate::store::lock(&self.readers).clear();
        // Best effort: the restored content is committed either way; this only folds the WAL
        // into the main file at once.
        let _ = w
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(())
    }
}
