//! The totem's visitor counter: visits and status from the vision runner, shifts, and the
//! visitors report for admins. Only counts and durations arrive here, never an image.

use axum::extract::State;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::vision::report::{self, VisitorsReport};
use kidyboard_core::vision::shifts::{self, ShiftList};
use kidyboard_core::vision::{self, VisionStatus, VisionStatusInput, VisitBatch, VisitBatchResult};
use kidyboard_core::Permission;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{list_of, today, DayRange};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(VisionStatusList, VisionStatus);

/// The visitor counter's routes, each declared once with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_visits))
        .routes(routes!(status, put_status))
        .routes(routes!(get_shifts, put_shifts))
        .routes(routes!(visitors))
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
    let items = st
        .db(move |s| s.read(|c| vision::statuses(c, &branch)))
        .await?;
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
    Ok(Json(
        st.db(move |s| s.write(|c| vision::put_status(c, &branch, &input, now_ms())))
            .await?,
    ))
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
