//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use kidyboard_core::Store;
use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::live::LiveFeed;
use crate::metrics::Metrics;
use crate::throttle::{LoginThrottle, ThrottleRules};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    /// Uploaded pictures and their variants (`<data-dir>/images`).
    pub images: Arc<kidyboard_images::ImageStore>,
    pub config: Arc<Config>,
    pub live: LiveFeed,
    pub metrics: Arc<Metrics>,
    pub throttle: Arc<LoginThrottle>,
    /// Bounds how many password hashes are checked at once (see `login_concurrent_checks`).
    pub password_checks: Arc<Semaphore>,
    /// Woken whenever a timer changes, so the scheduler recomputes its next deadline.
    pub timers_changed: Arc<Notify>,
    /// Woken after a day closing, so a backup of the closed day is taken.
    pub day_closed: Arc<Notify>,
    /// The cloud sync worker's handle (status, "sync now"); set when the hub is bound.
    pub sync: Option<kidyboard_sync::SyncHandle>,
    /// Announces committed changes (live feed, scheduler, backups, sync); see `signals`.
    pub signals: crate::signals::Signals,
    /// Background exports (`<data-dir>/exports`), one at a time so the store stays responsive.
    pub jobs: crate::jobs::Jobs,
    /// The last status each speaker player reported (live state, not history).
    #[cfg(feature = "audio")]
    pub audio_players: Arc<
        std::sync::Mutex<std::collections::HashMap<String, crate::routes::audio::PlayerReport>>,
    >,
    /// Camera previews relayed to admins while they watch (memory only).
    #[cfg(feature = "vision")]
    pub previews: Arc<crate::previews::Previews>,
}

impl AppState {
    pub fn new(store: Store, images: kidyboard_images::ImageStore, config: Config) -> AppState {
        let throttle = LoginThrottle::new(ThrottleRules {
            free_failures: config.login_failures_per_user,
            max_delay: Duration::from_secs(config.login_max_delay_secs),
            failures_per_address: config.login_failures_per_address,
            window: Duration::from_secs(config.login_window_secs),
        });
        let password_checks = Arc::new(Semaphore::new(config.login_concurrent_checks.max(1)));
        let live = LiveFeed::default();
        let jobs = crate::jobs::Jobs::new(config.data_dir.join("exports"), 1, live.clone());
        let signals = crate::signals::Signals {
            live: live.clone(),
            timers_changed: Arc::new(Notify::new()),
            day_closed: Arc::new(Notify::new()),
            sync: Arc::default(),
        };
        signals.clone().observe(&store);
        AppState {
            store: Arc::new(store),
            images: Arc::new(images),
            config: Arc::new(config),
            live,
            metrics: Arc::new(Metrics::default()),
            throttle: Arc::new(throttle),
            password_checks,
            timers_changed: signals.timers_changed.clone(),
            day_closed: signals.day_closed.clone(),
            sync: None,
            signals,
            jobs,
            #[cfg(feature = "audio")]
            audio_players: Arc::default(),
            #[cfg(feature = "vision")]
            previews: Arc::default(),
        }
    }

    /// Starts nudging `sync` after every committed change, and answers its status.
    pub fn set_sync(&mut self, sync: kidyboard_sync::SyncHandle) {
        let _ = self.signals.sync.set(sync.clone());
        self.sync = Some(sync);
    }

    /// Runs blocking store work off the async threads.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&kidyboard_core::Store) -> kidyboard_core::Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!(error = %e, "database task failed");
                Err(ApiError::internal())
            }
        }
    }
}
