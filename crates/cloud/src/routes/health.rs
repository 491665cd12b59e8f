//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::CloudState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "up")), tag = "health")]
pub async fn healthz() -> &'static str {
    "ok"
}

/// PostgreSQL answers.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "ready"), (status = 503, description = "database down")), tag = "health")]
pub async fn readyz(State(st): State<CloudState>) -> (StatusCode, &'static str) {
    match st.db().await {
        Ok(db) if db.simple_query("SELECT 1").await.is_ok() => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
