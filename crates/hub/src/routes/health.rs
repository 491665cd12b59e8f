//! Liveness, readiness and metrics, for supervisors and Prometheus.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::Status;
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Status)))]
pub async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Status), (status = 503, body = Status)))]
pub async fn readyz(State(st): State<AppState>) -> (StatusCode, Json<Status>) {
    let store = st.store.clone();
    let ok = tokio::task::spawn_blocking(move || store.ping())
        .await
        .unwrap_or(false);
    if ok {
        (StatusCode::OK, Json(Status { status: "ready" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Status {
                status: "database unavailable",
            }),
        )
    }
}

#[utoipa::path(get, path = "/metrics", tag = "health", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    let store = st.store.clone();
    let images = st.images.clone();
    let (ready, active, usage) = tokio::task::spawn_blocking(move || {
        let active = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM timers WHERE state IN ('running', 'paused', 'expired')",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap_or(-1);
        (store.ping(), active, images.cache_usage().ok())
    })
    .await
    .unwrap_or((false, -1, None));
    let mut body = st.metrics.render(st.live.subscribers(), ready, active);
    body.push_str(&crate::metrics::render_images(st.images.stats(), usage));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
