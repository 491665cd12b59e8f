//! What every cloud request handler shares.

use std::sync::Arc;

use deadpool_postgres::{Object, Pool};

use crate::config::CloudConfig;
use crate::error::{CloudError, Result};
use crate::metrics::{Limits, Metrics};
use crate::sealed::Sealer;

#[derive(Clone)]
pub struct CloudState {
    pub pool: Pool,
    pub config: Arc<CloudConfig>,
    /// For alert webhooks (no redirects: a webhook answers where it was set).
    pub http: reqwest::Client,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<Limits>,
    /// Seals the second-factor secrets (none without `secret_key`).
    pub sealer: Option<Sealer>,
}

impl CloudState {
    /// Refuses a malformed `secret_key` (by name), so a typo never starts a cloud that seals
    /// nothing.
    pub fn new(pool: Pool, config: CloudConfig) -> Result<CloudState> {
        Ok(CloudState {
            sealer: Sealer::from_setting(&config.secret_key)?,
            pool,
            limits: Arc::new(Limits::new(&config)),
            metrics: Arc::default(),
            config: Arc::new(config),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
        })
    }

    /// A pooled connection; an unreachable database is `unavailable` (503), never a 500.
    pub async fn db(&self) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| CloudError::Unavailable(e.to_string()))
    }
}
