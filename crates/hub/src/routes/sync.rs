//! The store's link to the cloud: its status for the admin screen, and "sync now".

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kidyboard_cloud::worker::SyncStatus;
use kidyboard_core::Permission;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

fn handle(st: &AppState) -> ApiResult<&kidyboard_cloud::worker::SyncHandle> {
    st.sync.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "sync_unavailable",
            "la sincronización no está en marcha",
        )
    })
}

/// Online or not, when it last succeeded, how many events wait, the last error.
#[utoipa::path(get, path = "/api/v1/sync/status", tag = "sync",
    responses((status = 200, body = SyncStatus), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn status(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<SyncStatus>> {
    auth.require(Permission::ReadReports)?;
    Ok(Json(handle(&st)?.status()))
}

/// Starts a sync round now, even while the circuit breaker waits.
#[utoipa::path(post, path = "/api/v1/sync/now", tag = "sync",
    responses((status = 202, body = SyncStatus), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn now(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<(StatusCode, Json<SyncStatus>)> {
    auth.require(Permission::WriteCatalog)?;
    let h = handle(&st)?;
    h.sync_now();
    Ok((StatusCode::ACCEPTED, Json(h.status())))
}
