//! PostgreSQL: the connection pool and the cloud's own migrations, embedded and applied at start
//! in one transaction each, with checksums so an edited migration is caught.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::{CloudError, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_cloud.sql",
        sql: include_str!("../migrations/0001_cloud.sql"),
    },
    Migration {
        version: 2,
        name: "0002_refunds.sql",
        sql: include_str!("../migrations/0002_refunds.sql"),
    },
    Migration {
        version: 3,
        name: "0003_till.sql",
        sql: include_str!("../migrations/0003_till.sql"),
    },
    Migration {
        version: 4,
        name: "0004_bookings.sql",
        sql: include_str!("../migrations/0004_bookings.sql"),
    },
    Migration {
        version: 5,
        name: "0005_accounts.sql",
        sql: include_str!("../migrations/0005_accounts.sql"),
    },
    Migration {
        version: 6,
        name: "0006_alerts.sql",
        sql: include_str!("../migrations/0006_alerts.sql"),
    },
    Migration {
        version: 7,
        name: "0007_device_health.sql",
        sql: include_str!("../migrations/0007_device_health.sql"),
    },
    Migration {
        version: 8,
        name: "0008_reports.sql",
        sql: include_str!("../migrations/0008_reports.sql"),
    },
    Migration {
        version: 9,
        name: "0009_pictures.sql",
        sql: include_str!("../migrations/0009_pictures.sql"),
    },
    Migration {
        version: 10,
        name: "0010_opening_hours.sql",
        sql: include_str!("../migrations/0010_opening_hours.sql"),
    },
    Migration {
        version: 11,
        name: "0011_menu_designs.sql",
        sql: include_str!("../migrations/0011_menu_designs.sql"),
    },
];

pub fn checksum(sql: &str) -> String {
    crate::secrets::sha256_hex(sql.as_bytes())
}

pub fn pool(database_url: &str, max_connections: usize) -> Result<Pool> {
    let pg: tokio_postgres::Config = database_url.parse().map_err(|e| {
        CloudError::validation("database_url", format!("invalid connection string: {e}"))
    })?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(max_connections.max(1))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .build()
        .map_err(|e| CloudError::Internal(format!("pool: {e}")))
}

/// Applies what is missing; refuses a database whose applied migrations differ from ours.
pub async fn migrate(pool: &Pool) -> Result<Vec<i64>> {
    let mut client = pool.get().await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let tx = client.transaction().await?;
        // One migrator at a time, even with several cloud processes starting together.
        tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
            .await?;
        let sum = checksum(m.sql);
        let existing = tx
            .query_opt(
                "SELECT checksum FROM schema_migrations WHERE version = $1",
                &[&m.version],
            )
            .await?;
        match existing.map(|r| r.get::<_, String>(0)) {
            Some(s) if s == sum => continue,
            Some(_) => {
                return Err(CloudError::Internal(format!(
                    "migration {} was changed after it was applied",
                    m.name
                )))
            }
            None => {
                tx.batch_execute(m.sql).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    &[&m.version, &m.name, &sum],
                )
                .await?;
                tx.commit().await?;
                applied.push(m.version);
            }
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_cloud_migrations_are_pinned() {
        let pinned: &[(i64, &str)] = &[(1, PIN_0001)];
        for (version, sum) in pinned {
            let m = MIGRATIONS
                .iter()
                .find(|m| m.version == *version)
                .expect("pinned migration exists");
            assert_eq!(
                checksum(m.sql),
                *sum,
                "cloud migration {} was edited after shipping",
                m.name
            );
            assert!(
                m.sql.trim_start().starts_with("--"),
                "{} opens with a comment saying why",
                m.name
            );
        }
    }

    const PIN_0001: &str = "faf06fdd9deab3af4c7bbe754f15d815b9ab3652f4a73554ee07166c88ad36fe";
}
