//! Background jobs (exports): their state and, when done, their file. A job is visible to the
//! user who started it and to admins; to anyone else it does not exist.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::Permission;

use super::check_id;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::jobs::{safe_file_name, JobStatus};
use crate::state::AppState;

fn visible(auth: &Auth, job: &JobStatus) -> bool {
    job.owner.as_deref() == Some(auth.user.id.as_str())
        || auth.user.role.can(Permission::ReadEvents)
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStatus>> {
    check_id(&id)?;
    match st.jobs.get(&id) {
        Some(job) if visible(&auth, &job) => Ok(Json(job)),
        _ => Err(ApiError::not_found()),
    }
}

/// Asks the job to stop (`state` becomes `cancelled`); a finished job is answered unchanged.
#[utoipa::path(delete, path = "/api/v1/jobs/{id}", tag = "jobs",
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn cancel(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStatus>> {
    check_id(&id)?;
    match st.jobs.get(&id) {
        Some(job) if visible(&auth, &job) => st
            .jobs
            .cancel(&id)
            .map(Json)
            .ok_or_else(ApiError::not_found),
        _ => Err(ApiError::not_found()),
    }
}

/// The finished file, as an attachment. 404 until the job is done (or after it was pruned).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/file", tag = "jobs",
    responses((status = 200, description = "The file (PDF, MP4, PNG…)", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    check_id(&id)?;
    let Some((job, path)) = st.jobs.file(&id).filter(|(job, _)| visible(&auth, job)) else {
        return Err(ApiError::not_found());
    };
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::warn!(error = %e, path = %path.display(), "export file missing");
        ApiError::not_found()
    })?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&job.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // ASCII fallback plus the UTF-8 name (RFC 6266), so "Menú.pdf" keeps its accent.
    let ascii: String = safe_file_name(&job.file_name)
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let utf8: String = job
        .file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
