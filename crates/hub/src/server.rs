//! Starting a hub: open the store, spawn the scheduler and backups, serve until shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use kidyboard_core::Store;
use tokio::net::TcpListener;

use std::sync::Arc;

use kidyboard_sync::worker::{CatalogChange, SyncHooks, SyncWorker, WorkerConfig};

use crate::config::Config;
use crate::live::LiveMessage;
use crate::state::AppState;
use crate::{app, backups, scheduler};

type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// The hub's image store as the sync worker relays menu designs' pictures.
pub struct StorePictures(pub Arc<kidyboard_images::ImageStore>);

impl kidyboard_sync::PictureRelay for StorePictures {
    fn original(&self, hash: &str) -> Option<Vec<u8>> {
        self.0.original_bytes(hash).ok().flatten()
    }

    fn has(&self, hash: &str) -> bool {
        matches!(self.0.original(hash), Ok(Some(_)))
    }

    fn keep(&self, bytes: &[u8]) -> Result<String, String> {
        self.0
            .ingest(bytes)
            .map(|i| i.original.hash)
            .map_err(|e| e.to_string())
    }
}

/// A hub bound to its socket, ready to serve.
pub struct Hub {
    pub state: AppState,
    pub listener: TcpListener,
    /// The cloud sync worker, started by `serve` (it idles until the store is paired).
    sync_task: Option<Task>,
    /// Catalogue picture URLs pulled from the cloud, to fetch and prepare for offline use.
    image_urls: Option<tokio::sync::mpsc::UnboundedReceiver<String>>,
    /// Held until `serve` returns, so `kidyboard restore` cannot swap the files underneath.
    _data_lock: crate::restore::DataDirLock,
}

impl Hub {
    /// Opens (creating if needed) the data dir and database, and binds the listener.
    pub async fn bind(config: Config) -> anyhow::Result<Hub> {
        if let Some(files) = kidyboard_http::connections::raise_open_file_limit() {
            tracing::debug!(files, "open-file limit");
        }
        kidyboard_core::store::make_private_dir(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let data_lock = crate::restore::DataDirLock::acquire(&config.data_dir)?;
        let db = config.database_path();
        let store = tokio::task::spawn_blocking(move || Store::open(&db))
            .await?
            .map_err(|e| crate::restore::explain_open_error(&config, e))?;
        let images_dir = config.images_dir();
        let image_config = crate::routes::images::store_config(&config);
        let images = tokio::task::spawn_blocking(move || {
            kidyboard_images::ImageStore::open(&images_dir, image_config)
        })
        .await?
        .with_context(|| {
            format!(
                "opening the image store in {}",
                config.images_dir().display()
            )
        })?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let mut state = AppState::new(store, images, config);
        let (image_tx, image_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let live = state.live.clone();
        let hooks = SyncHooks {
            on_catalog_change: Some(Arc::new(move |c: &CatalogChange| {
                live.publish(LiveMessage::CatalogChanged {
                    entity: c.entity,
                    id: c.id.clone(),
                })
            })),
            image_urls: Some(image_tx),
            pictures: Some(Arc::new(StorePictures(state.images.clone()))),
        };
        let worker_config = WorkerConfig {
            idle_interval: std::time::Duration::from_secs(state.config.sync_interval_secs.max(1)),
            ..WorkerConfig::default()
        };
        let (sync, task) = SyncWorker::new(state.store.clone(), worker_config, hooks)
            .context("starting the cloud sync worker")?;
        state.set_sync(sync);
        Ok(Hub {
            state,
            listener,
            sync_task: Some(Box::pin(task)),
            image_urls: Some(image_rx),
            _data_lock: data_lock,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Whether this hub answers over HTTPS (a certificate is configured or made by `tls init`).
    pub fn is_https(&self) -> bool {
        self.state.config.tls_cert_file.is_some()
    }

    /// Serves until `shutdown` completes; background tasks end with it.
    pub async fn serve(
        mut self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sched = tokio::spawn(scheduler::run(self.state.clone()));
        let backup = tokio::spawn(backups::run(self.state.clone()));
        let retention = tokio::spawn(scheduler::retention(self.state.clone()));
        let notify = tokio::spawn(crate::notify::run(self.state.clone()));
        let sync = self.sync_task.take().map(tokio::spawn);
        let prefetch = self
            .image_urls
            .take()
            .map(|rx| tokio::spawn(prefetch_images(self.state.clone(), rx)));
        let app = app::router(self.state.clone());
        let limits = self.state.config.connection_limits();
        let config = &self.state.config;
        let tls = kidyboard_http::connections::tls_from_settings(
            config.tls_cert_file.as_deref(),
            config.tls_key_file.as_deref(),
        )
        .context("TLS")?;
        let result = kidyboard_http::connections::serve_with(
            self.listener,
            app,
            limits,
            self.state.metrics.clone(),
            tls,
            shutdown,
        )
        .await;
        sched.abort();
        backup.abort();
        retention.abort();
        notify.abort();
        if let Some(handle) = &self.state.sync {
            handle.shutdown();
        }
        for task in [sync, prefetch].into_iter().flatten() {
            task.abort();
        }
        // A clean stop leaves the whole database in kidyboard.sqlite, none of it in the -wal,
        // so copying that one file (by hand, or by a backup tool) copies every sale.
        let store = self.state.store.clone();
        match tokio::task::spawn_blocking(move || store.checkpoint()).await {
            Ok(Ok(())) => tracing::info!("database checkpointed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "could not checkpoint the database on stop"),
            Err(e) => tracing::warn!(error = %e, "checkpoint task failed"),
        }
        result.context("serving")
    }
}

/// Ctrl-C or SIGTERM.
pub use kidyboard_http::shutdown_signal;

/// Fetches and prepares every variant of the pictures the cloud catalogue points at, so a store
/// that goes offline already has them. Only absolute http(s) URLs are fetched.
async fn prefetch_images(state: AppState, mut urls: tokio::sync::mpsc::UnboundedReceiver<String>) {
    while let Some(url) = urls.recv().await {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            continue;
        }
        let (images, config) = (state.images.clone(), state.config.clone());
        let report = tokio::task::spawn_blocking(move || {
            let fetcher = crate::routes::images::fetcher(&config);
            let items = [kidyboard_images::PrefetchItem { url, hash: None }];
            kidyboard_images::prefetch(&images, &fetcher, &items)
        })
        .await;
        if let Err(e) = report {
            tracing::warn!(error = %e, "picture prefetch task failed");
        }
    }
}
