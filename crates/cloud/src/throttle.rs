//! Sign-in throttling kept in PostgreSQL, so every cloud process behind a load balancer counts
//! the same guesses.
//!
//! - Each account (`email:…`) has a few free failures, then waits 2, 4, 8… seconds before the
//!   next try, at most 15 minutes; each client address (`ip:…`) has more free failures, as an
//!   office behind one router signs in many people. Nothing locks an account for good: the count
//!   is forgotten an hour after the last failure, and a success clears the account's count.
//! - One attempt at a time per account: a second one while the first is being checked is
//!   answered at once with 429 (the row lock is taken with NOWAIT), so a burst of concurrent
//!   guesses gets one check and never queues up holding database connections.

use tokio_postgres::error::SqlState;
use tokio_postgres::Transaction;

use crate::error::{CloudError, Result};

/// Failures of one account before the delays start.
pub const FREE_PER_ACCOUNT: i32 = 5;
/// Failures from one address before the delays start.
pub const FREE_PER_ADDRESS: i32 = 50;
/// The longest wait between two tries.
pub const MAX_DELAY_SECS: i32 = 15 * 60;

pub fn account_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// Reserves an attempt for `account` from `address`: 429 while either must still wait or while
/// another attempt at the account is being checked. Holds the account's row lock until `tx` ends.
pub async fn reserve(tx: &Transaction<'_>, account: &str, address: &str) -> Result<()> {
    for key in [account, address] {
        tx.execute(
            "INSERT INTO login_failures (key, failures, window_start, not_before)
             VALUES ($1, 0, now(), now()) ON CONFLICT (key) DO NOTHING",
            &[&key],
        )
        .await?;
    }
    tx.execute(
        "UPDATE login_failures SET failures = 0
         WHERE key IN ($1, $2) AND failures > 0 AND window_start < now() - interval '1 hour'",
        &[&account, &address],
    )
    .await?;
    tx.query_one(
        "SELECT 1 FROM login_failures WHERE key = $1 FOR UPDATE NOWAIT",
        &[&account],
    )
    .await
    .map_err(|e| match e.code() {
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => CloudError::Throttled {
            retry_after_secs: 1,
        },
        _ => CloudError::from(e),
    })?;
    let wait: Option<f64> = tx
        .query_one(
            "SELECT max(EXTRACT(EPOCH FROM (not_before - now())))::float8
             FROM login_failures WHERE key IN ($1, $2)",
            &[&account, &address],
        )
        .await?
        .get(0);
    match wait {
        Some(w) if w > 0.0 => Err(CloudError::Throttled {
            // Whole seconds, rounded up; a wait is at most MAX_DELAY_SECS.
            retry_after_secs: w.ceil().clamp(1.0, f64::from(MAX_DELAY_SECS)) as i64,
        }),
        _ => Ok(()),
    }
}

/// Counts a failure against the account and the address.
pub async fn failed(tx: &Transaction<'_>, account: &str, address: &str) -> Result<()> {
    for (key, free) in [(account, FREE_PER_ACCOUNT), (address, FREE_PER_ADDRESS)] {
        tx.execute(
            "UPDATE login_failures SET failures = failures + 1, window_start = now(),
                not_before = now() + make_interval(secs => CASE WHEN failures + 1 > $2
                    THEN LEAST($3::float8, power(2, LEAST(failures + 1 - $2, 20))) ELSE 0 END)
             WHERE key = $1",
            &[&key, &free, &f64::from(MAX_DELAY_SECS)],
        )
        .await?;
    }
    Ok(())
}

/// A success forgets the account's failures (the address keeps its own).
pub async fn succeeded(tx: &Transaction<'_>, account: &str) -> Result<()> {
    tx.execute("DELETE FROM login_failures WHERE key = $1", &[&account])
        .await?;
    Ok(())
}

/// Forgets counts nobody has added to for a day (run now and then).
pub async fn forget_old(db: &tokio_postgres::Client) -> Result<u64> {
    Ok(db
        .execute(
            "DELETE FROM login_failures WHERE window_start < now() - interval '1 day'",
            &[],
        )
        .await?)
}
