//! Serving the cloud: `router` apart from `serve` so tests and the CLI can put it on any socket.

use std::future::Future;

use axum::routing::{get, patch, post};
use axum::Router;
use tokio::net::TcpListener;

use crate::config::CloudConfig;
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use crate::{db, openapi, routes};

pub fn router(state: CloudState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route(
            "/api/v1/organisations",
            post(routes::orgs::create_organisation),
        )
        .route(
            "/api/v1/branches",
            post(routes::orgs::create_branch).get(routes::orgs::list_branches),
        )
        .route(
            "/api/v1/branches/{id}/pairing-codes",
            post(routes::orgs::create_pairing_code),
        )
        .route("/api/v1/devices/pair", post(routes::orgs::pair))
        .route("/api/v1/sync/push", post(routes::sync::push))
        .route("/api/v1/sync/catalog", get(routes::sync::catalog))
        .route(
            "/api/v1/catalog/products",
            get(routes::catalog::list_products).post(routes::catalog::create_product),
        )
        .route(
            "/api/v1/catalog/products/{id}",
            patch(routes::catalog::update_product),
        )
        .route(
            "/api/v1/catalog/services",
            get(routes::services::list_services).post(routes::services::create_service),
        )
        .route(
            "/api/v1/catalog/services/{id}",
            patch(routes::services::update_service),
        )
        .route("/api/v1/reports/summary", get(routes::reports::summary))
        .route("/api/v1/stock-alerts", get(routes::reports::stock_alerts))
        .route("/api/v1/timers", get(routes::reports::timers))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .fallback(|| async { CloudError::NotFound("la ruta") })
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Connects to PostgreSQL and applies the cloud's migrations.
pub async fn connect(config: &CloudConfig) -> Result<deadpool_postgres::Pool> {
    let pool = db::pool(&config.database_url, config.max_connections)?;
    let applied = db::migrate(&pool).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "cloud migrations applied");
    }
    Ok(pool)
}

/// `kidyboard cloud serve`: migrate, bind `config.listen`, serve until `shutdown` completes.
pub async fn serve(
    config: CloudConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let pool = connect(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| CloudError::Internal(format!("listening on {}: {e}", config.listen)))?;
    tracing::info!(addr = %config.listen, "cloud listening");
    serve_on(listener, CloudState::new(pool, config), shutdown).await
}

/// Serves on an already bound listener (tests bind 127.0.0.1:0).
pub async fn serve_on(
    listener: TcpListener,
    state: CloudState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| CloudError::Internal(format!("serving: {e}")))
}
