//! Serving the cloud: `router` apart from `serve` so tests and the CLI can put it on any socket.

use std::future::Future;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::CloudConfig;
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use crate::{alerts, db, openapi, routes};

/// Every route of the cloud, each declared once with its documentation: the router and the
/// OpenAPI document (`openapi::spec`) are two views of this one list.
pub fn routes() -> OpenApiRouter<CloudState> {
    OpenApiRouter::new()
        .routes(routes!(routes::accounts::create_organisation))
        .routes(routes!(routes::accounts::signup))
        .routes(routes!(routes::accounts::login))
        .routes(routes!(routes::accounts::logout))
        .routes(routes!(routes::accounts::whoami))
        .routes(routes!(routes::accounts::list_sessions))
        .routes(routes!(routes::accounts::revoke_session))
        .routes(routes!(routes::accounts::change_password))
        .routes(routes!(routes::accounts::totp_setup))
        .routes(routes!(routes::accounts::totp_enable))
        .routes(routes!(routes::accounts::totp_disable))
        .routes(routes!(
            routes::accounts::create_invitation,
            routes::accounts::list_invitations
        ))
        .routes(routes!(routes::accounts::revoke_invitation))
        .routes(routes!(routes::accounts::preview_invitation))
        .routes(routes!(routes::accounts::accept_invitation))
        .routes(routes!(routes::accounts::list_users))
        .routes(routes!(routes::accounts::update_user))
        .routes(routes!(
            routes::orgs::create_branch,
            routes::orgs::list_branches
        ))
        .routes(routes!(routes::orgs::update_branch))
        .routes(routes!(routes::orgs::unpair_device))
        .routes(routes!(routes::orgs::create_pairing_code))
        .routes(routes!(routes::orgs::pair))
        .routes(routes!(routes::sync::push))
        .routes(routes!(routes::sync::catalog))
        .routes(routes!(
            routes::catalog::list_products,
            routes::catalog::create_product
        ))
        .routes(routes!(routes::catalog::update_product))
        .routes(routes!(
            routes::services::list_services,
            routes::services::create_service
        ))
        .routes(routes!(routes::services::update_service))
        .routes(routes!(routes::reports::summary))
        .routes(routes!(routes::reports::stock_alerts))
        .routes(routes!(routes::reports::timers))
        .routes(routes!(routes::reports::bookings))
        .routes(routes!(
            routes::alerts::get_settings,
            routes::alerts::put_settings
        ))
        .routes(routes!(routes::alerts::list_alerts))
        .routes(routes!(routes::health::healthz))
        .routes(routes!(routes::health::readyz))
}

pub fn router(state: CloudState) -> Router {
    let max_body = state.config.max_body_bytes;
    let (routes, _) = routes().split_for_parts();
    routes
        .route("/api/v1/openapi.json", get(openapi::document))
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

/// `kidyboard-cloud serve`: migrate, bind `config.listen`, serve until `shutdown` completes.
pub async fn serve(
    config: CloudConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    if let Some(files) = kidyboard_http::connections::raise_open_file_limit() {
        tracing::debug!(files, "open-file limit");
    }
    let pool = connect(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| CloudError::Internal(format!("listening on {}: {e}", config.listen)))?;
    tracing::info!(addr = %config.listen, "cloud listening");
    serve_on(listener, CloudState::new(pool, config), shutdown).await
}

/// Serves on an already bound listener (tests bind 127.0.0.1:0) through the shared listener:
/// connection caps, header and idle deadlines, then open requests finish on `shutdown`.
pub async fn serve_on(
    listener: TcpListener,
    state: CloudState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let limits = state.config.connection_limits();
    // Every process checks the alert rules; the database decides who raises each one.
    let checker = tokio::spawn(alerts::run(state.clone()));
    let served =
        kidyboard_http::connections::serve(listener, router(state), limits, Arc::new(()), shutdown)
            .await
            .map_err(|e| CloudError::Internal(format!("serving: {e}")));
    checker.abort();
    served
}

#[cfg(test)]
mod tests {
    /// Every route is declared with `routes!`, which adds it to the router and to the OpenAPI
    /// document at once; a plain `.route(…)` (besides the document's own) would serve a path
    /// the document does not show, and a `paths(...)` list would document one not served.
    #[test]
    fn routes_are_declared_only_together_with_their_documentation() {
        let server = include_str!("server.rs");
        let server = &server[..server.find("#[cfg(test)]").unwrap_or(server.len())];
        for (i, line) in server.lines().enumerate() {
            if line.contains(".route(") && !line.contains("\"/api/v1/openapi.json\"") {
                panic!("server.rs:{}: a route outside `routes!`: {line}", i + 1);
            }
        }
        assert!(!include_str!("openapi.rs").contains("paths("));
        let doc = crate::openapi::spec();
        let operations: usize = doc
            .paths
            .paths
            .values()
            .map(|item| {
                [
                    item.get.is_some(),
                    item.post.is_some(),
                    item.put.is_some(),
                    item.patch.is_some(),
                    item.delete.is_some(),
                ]
                .iter()
                .filter(|x| **x)
                .count()
            })
            .sum();
        assert_eq!(operations, 41, "every cloud route is in the document");
    }
}
