//! Starting a hub: open the store, spawn the scheduler and backups, serve until shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use kidyboard_core::Store;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::state::AppState;
use crate::{app, backups, scheduler};

/// A hub bound to its socket, ready to serve.
pub struct Hub {
    pub state: AppState,
    pub listener: TcpListener,
}

impl Hub {
    /// Opens (creating if needed) the data dir and database, and binds the listener.
    pub async fn bind(config: Config) -> anyhow::Result<Hub> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let db = config.database_path();
        let store = tokio::task::spawn_blocking(move || Store::open(&db))
            .await?
            .with_context(|| format!("opening {}", config.database_path().display()))?;
        let images_dir = config.images_dir();
        let images = tokio::task::spawn_blocking(move || {
            kidyboard_images::ImageStore::open(
                &images_dir,
                kidyboard_images::StoreConfig::default(),
            )
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
        Ok(Hub {
            state: AppState::new(store, images, config),
            listener,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes; background tasks end with it.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sched = tokio::spawn(scheduler::run(self.state.clone()));
        let backup = tokio::spawn(backups::run(self.state.clone()));
        let app = app::router(self.state.clone());
        let result = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        sched.abort();
        backup.abort();
        result.context("serving")
    }
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
