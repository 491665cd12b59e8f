//! Database backups for the owner: list them, take one now, restore one into the running hub.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::{CoreError, Permission};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::backups::{self, BackupInfo, BackupKind};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::restore::{self, Restored};
use crate::state::AppState;

/// The backups, newest first, and where they are kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupList {
    pub items: Vec<BackupInfo>,
    /// The backups folder on this computer.
    pub dir: String,
    /// The second place (USB drive, network folder), when one is configured.
    pub copy_dir: Option<String>,
    /// The second place exists right now (a drive may be unplugged).
    pub copy_dir_available: bool,
}

/// A failure of blocking backup work: core errors keep their status (404, 409, 422), anything
/// else is logged and answered 500.
fn api_error(e: anyhow::Error) -> ApiError {
    match e.downcast::<CoreError>() {
        Ok(core) => ApiError::from(core),
        Err(other) => {
            tracing::error!(error = %format!("{other:#}"), "backup work failed");
            ApiError::internal()
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(api_error),
        Err(e) => {
            tracing::error!(error = %e, "backup task failed");
            Err(ApiError::internal())
        }
    }
}

#[utoipa::path(get, operation_id = "list_backups", path = "/api/v1/backups", tag = "backups",
    responses((status = 200, body = BackupList), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<BackupList>> {
    auth.require(Permission::ManageBackups)?;
    let config = st.config.clone();
    let items =
        blocking(move || backups::list(&config.backups_dir(), config.backup_copy_dir.as_deref()))
            .await?;
    let copy_dir = st.config.backup_copy_dir.clone();
    Ok(Json(BackupList {
        items,
        dir: st.config.backups_dir().display().to_string(),
        copy_dir_available: copy_dir.as_deref().is_some_and(std::path::Path::is_dir),
        copy_dir: copy_dir.map(|d| d.display().to_string()),
    }))
}

#[utoipa::path(post, operation_id = "take_backup", path = "/api/v1/backups", tag = "backups",
    responses((status = 201, body = BackupInfo), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn take(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<(StatusCode, Json<BackupInfo>)> {
    auth.require(Permission::ManageBackups)?;
    let (store, config) = (st.store.clone(), st.config.clone());
    let taken = blocking(move || backups::take(&store, &config, BackupKind::Manual)).await;
    let metric = match &taken {
        Ok(_) => &st.metrics.backups_total,
        Err(_) => &st.metrics.backup_failures_total,
    };
    metric.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok((StatusCode::CREATED, Json(taken?)))
}

/// Replaces the whole database with the backup `name` (checked first; what it replaces is kept
/// as a `prerestore` backup). The hub goes on serving from the restored data: sales wait while
/// it runs, and open sessions whose user exists in the backup stay signed in.
#[utoipa::path(post, operation_id = "restore_backup", path = "/api/v1/backups/{name}/restore", tag = "backups",
    params(("name" = String, Path, description = "A name from the list")),
    responses((status = 200, body = Restored), (status = 404, description = "No backup of that name", body = ErrorBody),
        (status = 409, description = "A backup of another installation", body = ErrorBody),
        (status = 422, description = "The backup is damaged", body = ErrorBody)), security(("bearer" = [])))]
pub async fn restore(
    State(st): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Restored>> {
    auth.require(Permission::ManageBackups)?;
    let (store, config) = (st.store.clone(), st.config.clone());
    let restored = blocking(move || restore::restore_running(&store, &config, &name)).await?;
    tracing::warn!(restored = %restored.restored, kept_aside = %restored.kept_aside, user = %auth.user.username, "database restored from a backup");
    // Timers now are the backup's: the scheduler recomputes its next deadline; every screen
    // reloads what it shows, and live feeds of sessions the backup does not hold are closed.
    st.timers_changed.notify_one();
    st.live.publish(crate::live::LiveMessage::Resync);
    st.live.sessions_changed();
    Ok(Json(restored))
}
