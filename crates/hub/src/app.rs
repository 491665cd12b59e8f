//! The router: API, health, static UI, and the layers every request passes through.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

/// The whole hub as one router, so tests can serve it on any socket.
pub fn router(state: AppState) -> Router {
    let (routes, _) = routes::all(&state.config).split_for_parts();
    let mut app = routes
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        // Under /api every unknown path is a JSON 404, never the UI's index.html.
        .route("/api/{*rest}", any(|| async { ApiError::not_found() }));

    app = match state.config.ui_dir.clone() {
        Some(dir) => {
            // Client-side routes (/reception, /monitor…) all load index.html.
            let index = ServeFile::new(dir.join("index.html"));
            // A missing build asset is a 404 (a broken deploy shows), not index.html.
            let files = Router::new()
                .nest_service("/assets", ServeDir::new(dir.join("assets")))
                .fallback_service(ServeDir::new(&dir).fallback(index))
                .layer(middleware::from_fn(static_cache_headers));
            app.merge(files)
        }
        None => app.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::response::Html(
                    "<h1>Kidyboard</h1><p>La interfaz no está instalada en este hub. Ejecuta <code>scripts/setup.sh</code> o indica <code>KIDYBOARD_UI_DIR</code>.</p>",
                ),
            )
        }),
    };

    let cors = kidyboard_http::layers::cors(
        &state.config.cors_origins,
        &[HeaderName::from_static("idempotency-key")],
    );
    let app = app
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(middleware::from_fn(json_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(cors)
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal().into_response()
        }));
    // The hub's pages play sounds and pictures from blobs and keep a WebSocket open.
    kidyboard_http::layers::secure_headers(
        app,
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
        None,
    )
    .with_state(state)
}

/// Counts and times each request by its route pattern (not its raw path, which holds ids).
async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let route = kidyboard_http::layers::route_label(&req, "static");
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let secs = started.elapsed().as_secs_f64();
    st.metrics
        .record_request(&route, res.status().as_u16(), secs);
    if res.status().is_server_error() {
        tracing::error!(%method, %route, status = res.status().as_u16(), "request failed");
    } else {
        tracing::debug!(%method, %route, status = res.status().as_u16(), ms = secs * 1000.0, "request");
    }
    res
}

/// Content-hashed build assets never change, so they are cached for a year; everything else
/// (index.html and client routes) is revalidated so a UI update reaches every screen at once.
async fn static_cache_headers(req: Request, next: Next) -> Response {
    let immutable = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let value = if immutable && res.status().is_success() {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    };
    res.headers_mut().insert(header::CACHE_CONTROL, value);
    res
}

/// Rejections produced outside our handlers (body limit, timeouts, failed upgrades) come as plain
/// text; under `/api/` every error must be our JSON shape, so they are rewritten here.
async fn json_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/img/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || status.as_u16() < 400 || is_json {
        return res;
    }
    let (code, message) = match status.as_u16() {
        400 => ("bad_request", "solicitud inválida"),
        401 => ("unauthorized", "inicia sesión para continuar"),
        403 => ("forbidden", "no tienes permiso para esta acción"),
        404 => ("not_found", "no existe"),
        405 => ("method_not_allowed", "método no permitido"),
        408 => ("timeout", "la solicitud tardó demasiado"),
        413 => (
            "payload_too_large",
            "el cuerpo de la solicitud es demasiado grande",
        ),
        415 => ("unsupported_media_type", "tipo de contenido no admitido"),
        426 => ("upgrade_required", "se requiere una conexión WebSocket"),
        429 => ("too_many_attempts", "demasiadas solicitudes"),
        s if s < 500 => ("bad_request", "solicitud inválida"),
        _ => ("internal", "ocurrió un error interno; intenta de nuevo"),
    };
    ApiError::new(status, code, message).into_response()
}
