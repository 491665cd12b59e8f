//! The store's link to the cloud: its status for the admin screen, and "sync now".

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::Permission;
use kidyboard_sync::worker::SyncStatus;
use kidyboard_sync::SyncError;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

fn handle(st: &AppState) -> ApiResult<&kidyboard_sync::SyncHandle> {
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

/// What the admin types to link this store with a cloud.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    /// The cloud's address, e.g. `https://nube.example.mx`.
    pub cloud_url: String,
    /// The single-use code the owner made for this branch in the cloud.
    pub code: String,
    /// How this store appears in the owner's list (default: the device id).
    pub name: Option<String>,
}

/// Links this store with a cloud using the owner's pairing code, then syncs at once. Pairing
/// again (a new code) replaces the store's device credential.
#[utoipa::path(post, path = "/api/v1/sync/pair", tag = "sync", request_body = PairRequest,
    responses((status = 200, body = SyncStatus), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pair(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<PairRequest>,
) -> ApiResult<Json<SyncStatus>> {
    auth.require(Permission::WriteCatalog)?;
    let h = handle(&st)?;
    let code = req.code.trim();
    if code.is_empty() || code.chars().count() > 64 {
        return Err(ApiError::validation(
            "code",
            "escribe el código de vinculación que te dio la nube",
        ));
    }
    if req.cloud_url.chars().count() > 500 {
        return Err(ApiError::validation(
            "cloud_url",
            "la dirección es demasiado larga",
        ));
    }
    let name = req
        .name
        .map(|n| n.trim().chars().take(120).collect::<String>())
        .filter(|n| !n.is_empty());
    let link = kidyboard_sync::worker::pairing::pair(st.store.clone(), &req.cloud_url, code, name)
        .await
        .map_err(pair_error)?;
    h.sync_now();
    // The worker's status catches up after its round; the answer already tells the new link.
    let mut status = h.status();
    status.paired = true;
    status.cloud_url = Some(link.cloud_url);
    Ok(Json(status))
}

/// A refused pairing names what to fix: the address (wrong or unreachable) or the code.
fn pair_error(e: SyncError) -> ApiError {
    let (field, code, message) = match e {
        SyncError::Validation { field, message } => {
            let field = if field == "url" {
                "cloud_url".into()
            } else {
                field
            };
            (field, "validation", message)
        }
        SyncError::Remote(detail) => (
            "cloud_url".into(),
            "cloud_unreachable",
            format!("no se pudo contactar la nube: {detail}"),
        ),
        SyncError::Refused { status, .. } if status == 401 || status == 404 || status == 422 => (
            "code".into(),
            "pairing_refused",
            "la nube no aceptó el código: revisa que esté bien escrito y no haya vencido".into(),
        ),
        SyncError::Refused { code, message, .. } => (
            "cloud_url".into(),
            "pairing_refused",
            format!("la nube rechazó la vinculación ({code}): {message}"),
        ),
        other => {
            tracing::error!(error = %other, "pairing failed");
            return ApiError::internal();
        }
    };
    let mut api = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    api.field = Some(field);
    api
}
