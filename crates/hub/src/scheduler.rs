//! Fires timer expiries and scheduled starts at their exact instant: the task sleeps until the
//! next deadline in the database (no polling interval) and is woken early whenever a timer
//! changes, since the next deadline may then be sooner.

use std::time::Duration;

use kidyboard_core::clock::now_ms;
use kidyboard_core::timers;
use kidyboard_core::Actor;

use crate::state::AppState;

/// After a database error, wait this long before trying again.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(1);

pub async fn run(st: AppState) {
    loop {
        // Fire what is due first: after a restart, timers that ran out meanwhile expire now.
        let store = st.store.clone();
        let fired = tokio::task::spawn_blocking(move || {
            let now = now_ms();
            store
                .change(&Actor::system(), now, timers::fire_due)
                .map(|rows| (rows, now))
        })
        .await;
        match fired {
            Ok(Ok((rows, now))) => {
                for t in &rows {
                    let due = match t.state {
                        timers::TimerState::Expired => t.ends_at,
                        _ => Some(t.starts_at),
                    };
                    if let Some(due) = due {
                        st.metrics
                            .timer_fire_lateness_seconds
                            .observe((now - due).max(0) as f64 / 1000.0);
                    }
                }
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "firing due timers failed");
                tokio::time::sleep(RETRY_AFTER_ERROR).await;
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "timer task failed");
                tokio::time::sleep(RETRY_AFTER_ERROR).await;
                continue;
            }
        }
        let store = st.store.clone();
        let next = tokio::task::spawn_blocking(move || {
            store.read(|c| timers::next_deadline(c, store.branch_id()))
        })
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
        match next {
            Some(deadline) => {
                let wait = Duration::from_millis((deadline - now_ms()).max(0) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = st.timers_changed.notified() => {}
                }
            }
            None => st.timers_changed.notified().await,
        }
    }
}

/// How often the retention period is applied (also once at start).
const RETENTION_EVERY: Duration = Duration::from_secs(6 * 60 * 60);

/// Erases the personal data the branch's retention period no longer allows to keep.
pub async fn retention(st: AppState) {
    loop {
        let store = st.store.clone();
        let run = tokio::task::spawn_blocking(move || {
            store.change(
                &Actor::system(),
                now_ms(),
                kidyboard_core::families::apply_retention,
            )
        })
        .await;
        match run {
            Ok(Ok(r)) if r.families_erased > 0 || r.sales_anonymised > 0 => tracing::info!(
                families = r.families_erased,
                sales = r.sales_anonymised,
                cutoff = %r.cutoff,
                "retention period applied: personal data erased"
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "applying the retention period failed"),
            Err(e) => tracing::error!(error = %e, "retention task failed"),
        }
        tokio::time::sleep(RETENTION_EVERY).await;
    }
}
