//! Day closing (arqueo).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::day_close::{self, DayCloseRequest, DayClosing, DayStatus};
use kidyboard_core::Permission;

use super::{list_of, today, DayRange};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(DayClosingList, DayClosing);

#[utoipa::path(get, operation_id = "current_day", path = "/api/v1/day-closings/current", tag = "day closing",
    responses((status = 200, body = DayStatus)), security(("bearer" = [])))]
pub async fn current(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<DayStatus>> {
    auth.require(Permission::ReadDayClosings)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| day_close::status(c, &branch, now_ms())))
            .await?,
    ))
}

#[utoipa::path(post, operation_id = "close_day", path = "/api/v1/day-closings", tag = "day closing", request_body = DayCloseRequest,
    responses((status = 201, body = DayClosing), (status = 409, description = "Day already closed", body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<DayCloseRequest>,
) -> ApiResult<(StatusCode, Json<DayClosing>)> {
    auth.require(Permission::CloseDay)?;
    let actor = auth.actor();
    let closing = st
        .db(move |s| s.change(&actor, now_ms(), |tx| day_close::close(tx, &req)))
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
