//! Schema migrations: numbered `.sql` files embedded in the binary, applied in order, each in its
//! own transaction, with a checksum recorded so an edited migration is caught instead of ignored.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Shipped migrations are never edited: add a new file instead.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_sync.sql",
        sql: include_str!("../../../migrations/0002_sync.sql"),
    },
    Migration {
        version: 3,
        name: "0003_menus.sql",
        sql: include_str!("../../../migrations/0003_menus.sql"),
    },
    Migration {
        version: 4,
        name: "0004_reports.sql",
        sql: include_str!("../../../migrations/0004_reports.sql"),
    },
    Migration {
        version: 5,
        name: "0005_audio.sql",
        sql: include_str!("../../../migrations/0005_audio.sql"),
    },
    Migration {
        version: 6,
        name: "0006_vision.sql",
        sql: include_str!("../../../migrations/0006_vision.sql"),
    },
    Migration {
        version: 7,
        name: "0007_till.sql",
        sql: include_str!("../../../migrations/0007_till.sql"),
    },
    Migration {
        version: 8,
        name: "0008_extra_time.sql",
        sql: include_str!("../../../migrations/0008_extra_time.sql"),
    },
    Migration {
        version: 9,
        name: "0009_drawer_discounts_tax.sql",
        sql: include_str!("../../../migrations/0009_drawer_discounts_tax.sql"),
    },
    Migration {
        version: 10,
        name: "0010_families.sql",
        sql: include_str!("../../../migrations/0010_families.sql"),
    },
    Migration {
        version: 11,
        name: "0011_bookings.sql",
        sql: include_str!("../../../migrations/0011_bookings.sql"),
    },
    Migration {
        version: 12,
        name: "0012_catalog_overrides.sql",
        sql: include_str!("../../../migrations/0012_catalog_overrides.sql"),
    },
    Migration {
        version: 13,
        name: "0013_totem.sql",
        sql: include_str!("../../../migrations/0013_totem.sql"),
    },
    Migration {
        version: 14,
        name: "0014_shared_menus.sql",
        sql: include_str!("../../../migrations/0014_shared_menus.sql"),
    },
];

pub fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies what is missing; refuses a database whose applied migrations differ from ours or
/// that was written by a newer version of the program.
pub fn apply(conn: &mut Connection) -> Result<Vec<i64>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT;",
    )?;
    let newest_known = MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    let newest_applied: Option<i64> =
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })?;
    if let Some(v) = newest_applied {
        if v > newest_known {
            return Err(CoreError::Corrupt(format!(
                "the database is at schema version {v}, newer than this program ({newest_known}); upgrade Kidyboard"
            )));
        }
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let sum = checksum(m.sql);
        let existing: Option<String> = conn
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?1",
                [m.version],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(s) if s == sum => continue,
            Some(_) => {
                return Err(CoreError::Corrupt(format!(
                    "migration {} was changed after it was applied",
                    m.name
                )))
            }
            None => {
                let tx = conn.transaction()?;
                tx.execute_batch(m.sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
                    params![m.version, m.name, sum, crate::clock::now_ms()],
                )?;
                tx.commit()?;
                applied.push(m.version);
            }
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shipped migrations must never change: a changed file would leave existing stores on a
    /// schema that no longer matches the code. Add a new migration instead of editing one.
    #[test]
    fn shipped_migrations_are_pinned() {
        let pinned: &[(i64, &str)] = &[
            (1, PIN_0001),
            (2, PIN_0002),
            (3, PIN_0003),
            (4, PIN_0004),
            (5, PIN_0005),
            (6, PIN_0006),
            (7, PIN_0007),
        ];
        for (version, sum) in pinned {
            let m = MIGRATIONS
                .iter()
                .find(|m| m.version == *version)
                .expect("pinned migration exists");
            assert_eq!(
                checksum(m.sql),
                *sum,
                "migration {} was edited after shipping",
                m.name
            );
        }
    }

    const PIN_0001: &str = "1af086740098a6e67adc11cb24d43dc0569ac2bac1696417d609fcbac2e0b774";
    const PIN_0002: &str = "1824f9a309d39804f806b69223b65812c312907bc771443b372aa0b1ba7db6d3";
    const PIN_0003: &str = "003098335fa03a5bd7caecb5c6e2154c714ae9214c55091260333cb9bd4696a3";
    const PIN_0004: &str = "12c0bad611de1e4a528adbc5eec3aae7395a422e899ba683e9716b4b7180611f";
    const PIN_0006: &str = "dd503786e95e8be4cc3ad46a432238fca60e6bab9245bd1ea0784608b7e70e8c";
    const PIN_0005: &str = "0d2204b504e2c64ce9623b92e79766af0c3d4e34410395d26ba24373bbabeadd";
    const PIN_0007: &str = "548e23fa8a7f8341e0c4da48f67b0ba89f569605ae8743fea09002bc9580528c";

    #[test]
    fn versions_are_increasing_and_named_after_themselves() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version, "migrations out of order");
        }
        for m in MIGRATIONS {
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{} should start with its version",
                m.name
            );
            assert!(
                m.sql.trim_start().starts_with("--"),
                "{} should open with a comment saying why",
                m.name
            );
        }
    }

    #[test]
    fn applying_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        let first = apply(&mut conn).expect("first apply");
        let every: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(first, every);
        let second = apply(&mut conn).expect("second apply");
        assert!(second.is_empty(), "nothing new to apply the second time");
    }
}
