//! The totem's visitor counter: visits and status from the vision runner, shifts, and the
//! visitors report for admins. Only counts and durations arrive here, never an image.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::vision::report::{self, VisitorsReport};
use kidyboard_core::vision::shifts::{self, ShiftList};
use kidyboard_core::vision::{self, VisionStatus, VisionStatusInput, VisitBatch, VisitBatchResult};
use kidyboard_core::Permission;
use serde::Serialize;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{list_of, today, DayRange};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::previews::MAX_FRAME_BYTES;
use crate::state::AppState;

list_of!(VisionStatusList, VisionStatus);

/// The visitor counter's routes, each declared once with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_visits))
        .routes(routes!(status, put_status))
        .routes(routes!(get_shifts, put_shifts))
        .routes(routes!(visitors))
        .routes(routes!(preview))
}

/// The counter's preview frames: a JPEG body, with its own limit instead of the JSON one.
pub fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(offer_preview))
        .layer(RequestBodyLimitLayer::new(MAX_FRAME_BYTES))
        .layer(axum::extract::DefaultBodyLimit::disable())
}

/// Admins read the counter; the totem reads what it reports.
fn may_read(auth: &Auth) -> ApiResult<()> {
    if auth.user.role.can(Permission::ReadReports) || auth.user.role.can(Permission::RecordVisits) {
        Ok(())
    } else {
        auth.require(Permission::ReadReports)
    }
}

#[utoipa::path(post, operation_id = "record_visits", path = "/api/v1/vision/visits", tag = "vision", request_body = VisitBatch,
    responses((status = 200, description = "Stored; ids already stored are counted as duplicates", body = VisitBatchResult),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn record_visits(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(batch): ApiJson<VisitBatch>,
) -> ApiResult<Json<VisitBatchResult>> {
    auth.require(Permission::RecordVisits)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| vision::record(tx, &batch)))
            .await?,
    ))
}

#[utoipa::path(get, operation_id = "vision_status", path = "/api/v1/vision/status", tag = "vision",
    responses((status = 200, description = "Each camera's latest status", body = VisionStatusList)), security(("bearer" = [])))]
pub async fn status(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<VisionStatusList>> {
    may_read(&auth)?;
    let branch = st.store.branch_id().to_string();
    let mut items = st
        .db(move |s| s.read(|c| vision::statuses(c, &branch)))
        .await?;
    for cam in &mut items {
        cam.preview_wanted = st.previews.wanted(&cam.device_id);
    }
    Ok(Json(VisionStatusList { items }))
}

#[utoipa::path(put, operation_id = "put_vision_status", path = "/api/v1/vision/status", tag = "vision", request_body = VisionStatusInput,
    responses((status = 200, body = VisionStatus), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_status(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<VisionStatusInput>,
) -> ApiResult<Json<VisionStatus>> {
    auth.require(Permission::RecordVisits)?;
    let branch = st.store.branch_id().to_string();
    let mut status = st
        .db(move |s| s.write(|c| vision::put_status(c, &branch, &input, now_ms())))
        .await?;
    status.preview_wanted = st.previews.wanted(&status.device_id);
    Ok(Json(status))
}

/// Whether an admin still watches the camera that sent a frame.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewReceipt {
    pub preview_wanted: bool,
}

/// The camera's live preview for admins: its newest annotated frame (JPEG). Asking is what makes
/// the counter send frames (within a few seconds, for the next 15 s); frames stay in memory only.
#[utoipa::path(get, operation_id = "vision_preview", path = "/api/v1/vision/preview/{device_id}", tag = "vision",
    params(("device_id" = String, Path, description = "The camera's name, as its status lists it")),
    responses((status = 200, description = "The newest frame", content_type = "image/jpeg", body = Vec<u8>),
        (status = 403, body = ErrorBody),
        (status = 404, description = "`preview_not_ready`: no frame yet; ask again in a second", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(st): State<AppState>,
    auth: Auth,
    Path(device_id): Path<String>,
) -> ApiResult<Response> {
    auth.require(Permission::ReadReports)?;
    let device = vision::device_name("device_id", &device_id)?;
    let Some(jpeg) = st.previews.watch(&device) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "preview_not_ready",
            "la cámara todavía no envía la vista previa: tarda unos segundos",
        ));
    };
    let mut res = jpeg.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A frame from the counter (`totem` role), kept only while an admin watches that camera.
#[utoipa::path(put, operation_id = "offer_vision_preview", path = "/api/v1/vision/preview/{device_id}", tag = "vision",
    params(("device_id" = String, Path, description = "The camera's name")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "One annotated frame"),
    responses((status = 200, body = PreviewReceipt), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn offer_preview(
    State(st): State<AppState>,
    auth: Auth,
    Path(device_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<PreviewReceipt>> {
    auth.require(Permission::RecordVisits)?;
    let device = vision::device_name("device_id", &device_id)?;
    // A JPEG starts with its SOI marker and ends with EOI; anything else is not shown to anyone.
    if body.len() < 4 || !body.starts_with(&[0xFF, 0xD8, 0xFF]) || !body.ends_with(&[0xFF, 0xD9]) {
        return Err(ApiError::validation(
            "body",
            "la vista previa debe ser una imagen JPEG",
        ));
    }
    Ok(Json(PreviewReceipt {
        preview_wanted: st.previews.offer(&device, body),
    }))
}

#[utoipa::path(get, operation_id = "vision_shifts", path = "/api/v1/vision/shifts", tag = "vision",
    responses((status = 200, description = "The branch's shifts (defaults until set)", body = ShiftList)), security(("bearer" = [])))]
pub async fn get_shifts(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<ShiftList>> {
    may_read(&auth)?;
    let branch = st.store.branch_id().to_string();
    let items = st.db(move |s| s.read(|c| shifts::list(c, &branch))).await?;
    Ok(Json(ShiftList { items }))
}

#[utoipa::path(put, operation_id = "put_vision_shifts", path = "/api/v1/vision/shifts", tag = "vision", request_body = ShiftList,
    responses((status = 200, body = ShiftList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_shifts(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(list): ApiJson<ShiftList>,
) -> ApiResult<Json<ShiftList>> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let items = st
        .db(move |s| s.change(&actor, now_ms(), |tx| shifts::replace(tx, &list.items)))
        .await?;
    Ok(Json(ShiftList { items }))
}

#[utoipa::path(get, operation_id = "report_visitors", path = "/api/v1/reports/visitors", tag = "reports", params(DayRange),
    responses((status = 200, body = VisitorsReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn visitors(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(range): ApiQuery<DayRange>,
) -> ApiResult<Json<VisitorsReport>> {
    auth.require(Permission::ReadReports)?;
    let (from, to) = range.resolve(today(&st).await?)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| report::visitors(c, &branch, from, to)))
            .await?,
    ))
}
