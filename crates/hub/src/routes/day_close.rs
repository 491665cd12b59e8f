//! Day closing (arqueo).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::day_close::{
    self, AmendRequest, CloseOutcome, DayCloseRequest, DayClosing, DayStatus,
};
use kidyboard_core::Permission;

use super::{check_id, list_of, today, DayRange};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(DayClosingList, DayClosing);

/// Today's status. The money expected (`expected`, `total_cents`) is shown only to the roles
/// that read reports: the desk counts blind and sees it once the day is closed.
#[utoipa::path(get, operation_id = "current_day", path = "/api/v1/day-closings/current", tag = "day closing",
    responses((status = 200, body = DayStatus)), security(("bearer" = [])))]
pub async fn current(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<DayStatus>> {
    auth.require(Permission::ReadDayClosings)?;
    let branch = st.store.branch_id().to_string();
    let show = auth.user.role.can(Permission::ReadReports);
    Ok(Json(
        st.db(move |s| s.read_tx(|c| day_close::status(c, &branch, now_ms(), show)))
            .await?,
    ))
}

/// Closes the day with the clerk's count. A count further from the expected money than the
/// branch's `recount_threshold_cents` answers `409 recount_required` (the attempt is recorded,
/// nothing is revealed); the next count is accepted and the first kept on the closing.
#[utoipa::path(post, operation_id = "close_day", path = "/api/v1/day-closings", tag = "day closing", request_body = DayCloseRequest,
    responses((status = 201, body = DayClosing),
        (status = 409, description = "Day already closed, or count again (`recount_required`)", body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<DayCloseRequest>,
) -> ApiResult<(StatusCode, Json<DayClosing>)> {
    auth.require(Permission::CloseDay)?;
    let actor = auth.actor();
    let outcome = st
        .db(move |s| s.change(&actor, now_ms(), |tx| day_close::close(tx, &req)))
        .await?;
    match outcome {
        CloseOutcome::Closed(closing) => Ok((StatusCode::CREATED, Json(*closing))),
        CloseOutcome::RecountRequired { business_day } => {
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                "recount_required",
                format!(
                    "el conteo del {business_day} no cuadra por más de lo permitido: vuelve a contar el efectivo y captúralo otra vez"
                ),
            );
            e.field = Some("counted_cash_cents".into());
            Err(e)
        }
    }
}

/// Corrects a closed day's count (super_admin, with a reason): a new amendment record; the
/// closing keeps what was counted then, and reports use the last amendment.
#[utoipa::path(post, operation_id = "amend_day_closing", path = "/api/v1/day-closings/{id}/amendments", tag = "day closing",
    request_body = AmendRequest, params(("id" = String, Path, description = "The closing")),
    responses((status = 201, body = DayClosing), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn amend(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AmendRequest>,
) -> ApiResult<(StatusCode, Json<DayClosing>)> {
    auth.require(Permission::AmendClosings)?;
    check_id(&id)?;
    let actor = auth.actor();
    let closing = st
        .db(move |s| s.change(&actor, now_ms(), |tx| day_close::amend(tx, &id, &req)))
        .await?;
    Ok((StatusCode::CREATED, Json(closing)))
}

#[utoipa::path(get, operation_id = "list_day_closings", path = "/api/v1/day-closings", tag = "day closing", params(DayRange),
    responses((status = 200, body = DayClosingList)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(range): ApiQuery<DayRange>,
) -> ApiResult<Json<DayClosingList>> {
    auth.require(Permission::ReadDayClosings)?;
    let today = today(&st).await?;
    let range = if range.from.is_none() && range.to.is_none() {
        DayRange {
            from: Some((today - chrono::Duration::days(30)).to_string()),
            to: Some(today.to_string()),
        }
    } else {
        range
    };
    let (from, to) = range.resolve(today)?;
    let branch = st.store.branch_id().to_string();
    let items = st
        .db(move |s| s.read(|c| day_close::list(c, &branch, from, to)))
        .await?;
    Ok(Json(DayClosingList { items }))
}
