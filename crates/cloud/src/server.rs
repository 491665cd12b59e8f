//! Serving the cloud: `router` apart from `serve` so tests and the CLI can put it on any socket.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::CloudConfig;
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use crate::{alerts, db, metrics, openapi, routes};

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
            routes::catalog::put_override,
            routes::catalog::list_overrides
        ))
        .routes(routes!(
            routes::services::list_services,
            routes::services::create_service
        ))
        .routes(routes!(routes::services::update_service))
        .routes(routes!(routes::menus::list_menu_designs))
        .routes(routes!(
            routes::packages::list_packages,
            routes::packages::create_package
        ))
        .routes(routes!(routes::packages::update_package))
        .routes(routes!(routes::reports::summary))
        .routes(routes!(routes::reports::stock_alerts))
        .routes(routes!(routes::reports::timers))
        .routes(routes!(routes::reports::bookings))
        .routes(routes!(routes::dashboard::branches))
        .routes(routes!(routes::dashboard::branches_file))
        .routes(routes!(routes::dashboard::day_closings))
        .routes(routes!(routes::insights::heatmap))
        .routes(routes!(routes::insights::top_products))
        .routes(routes!(
            routes::sync::put_picture,
            routes::sync::get_picture
        ))
        .routes(routes!(
            routes::alerts::get_settings,
            routes::alerts::put_settings
        ))
        .routes(routes!(routes::alerts::list_alerts))
        .routes(routes!(routes::health::healthz))
        .routes(routes!(routes::health::readyz))
        .routes(routes!(metrics::metrics))
}

pub fn router(state: CloudState) -> Router {
    let max_body = state.config.max_body_bytes;
    let (routes, _) = routes().split_for_parts();
    let console = state.config.console_dir.clone();
    let cors = kidyboard_http::layers::cors(&state.config.cors_origins, &[]);
    let hsts = state.config.tls_cert_file.is_some() || state.config.behind_proxy;
    let app = routes
        .route("/api/v1/openapi.json", get(openapi::document))
        .fallback(move |req: Request| fallback(console.clone(), req))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(cors);
    // The console loads only its own scripts and talks only to this cloud.
    let app = kidyboard_http::layers::secure_headers(
        app,
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        Some("camera=(), microphone=(), geolocation=()"),
    );
    let app = if hsts {
        app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        app
    };
    app.with_state(state)
}

/// Paths no route took: under `/api/` a JSON 404; otherwise the console's files, with its
/// `index.html` for the console's own pages (or a 404 when no console is installed).
async fn fallback(console: Option<std::path::PathBuf>, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path == "/api" {
        return CloudError::NotFound("la ruta").into_response();
    }
    let Some(dir) = console else {
        return CloudError::NotFound("la consola (console_dir)").into_response();
    };
    // A missing build asset is a 404 (a broken deploy shows), never the index.
    let immutable = path.starts_with("/assets/");
    let served = if immutable {
        ServeDir::new(&dir).oneshot(req).await
    } else {
        ServeDir::new(&dir)
            .fallback(ServeFile::new(dir.join("index.html")))
            .oneshot(req)
            .await
    };
    let mut res = match served {
        Ok(res) => res.into_response(),
        Err(e) => match e {},
    };
    let cache = if immutable && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
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
    let listen = config.listen;
    let state = CloudState::new(pool, config)?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| CloudError::Internal(format!("listening on {listen}: {e}")))?;
    tracing::info!(addr = %listen, "cloud listening");
    serve_on(listener, state, shutdown).await
}

/// Serves on an already bound listener (tests bind 127.0.0.1:0) through the shared listener:
/// connection caps, header and idle deadlines, then open requests finish on `shutdown`.
pub async fn serve_on(
    listener: TcpListener,
    state: CloudState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let limits = state.config.connection_limits();
    // HTTPS on this listener when a certificate is configured (else a proxy in front does it).
    let tls = kidyboard_http::connections::tls_from_settings(
        state.config.tls_cert_file.as_deref(),
        state.config.tls_key_file.as_deref(),
    )
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => {
            CloudError::validation("tls_key_file", "tls_cert_file y tls_key_file van juntos")
        }
        _ => CloudError::Internal(format!("TLS: {e}")),
    })?;
    crate::sealed::seal_stored(&state).await?;
    // Every process checks the alert rules; the database decides who raises each one.
    let checker = tokio::spawn(alerts::run(state.clone()));
    let app = router(state);
    let served =
        kidyboard_http::connections::serve_with(listener, app, limits, Arc::new(()), tls, shutdown)
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
        assert_eq!(operations, 55, "every cloud route is in the document");
    }
}
