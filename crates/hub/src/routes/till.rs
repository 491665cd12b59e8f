//! The cash drawer: the day's float, drops and deposits, and a clerk's shift report (corte X).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::till::{
    self, MovementRequest, OpenRequest, ShiftReport, TillDay, TillFloat, TillMovement,
};
use kidyboard_core::{sales, Permission};
use kidyboard_receipt::{escpos, Align, EscPosOptions, Line, Paper};
use serde::Deserialize;
use utoipa::IntoParams;

use super::check_id;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Opens a drawer for the business day with its float (once per till and day).
#[utoipa::path(post, operation_id = "open_till", path = "/api/v1/till/open", tag = "till", request_body = OpenRequest,
    responses((status = 201, body = TillFloat), (status = 409, description = "This till is open already (`till_already_open`)", body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn open(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<OpenRequest>,
) -> ApiResult<(StatusCode, Json<TillFloat>)> {
    auth.require(Permission::OperateTill)?;
    let actor = auth.actor();
    let f = st
        .db(move |s| s.change(&actor, now_ms(), |tx| till::open(tx, &req)))
        .await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// A cash drop (to the safe) or deposit, with its reason. A drop larger than the cash the day's
/// drawers hold is refused (`422 amount_cents`).
#[utoipa::path(post, operation_id = "till_movement", path = "/api/v1/till/movements", tag = "till", request_body = MovementRequest,
    responses((status = 201, body = TillMovement), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn movement(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<MovementRequest>,
) -> ApiResult<(StatusCode, Json<TillMovement>)> {
    auth.require(Permission::OperateTill)?;
    let actor = auth.actor();
    let m = st
        .db(move |s| s.change(&actor, now_ms(), |tx| till::movement(tx, &req)))
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TillQuery {
    /// A business day (default: the drawers' day now, which is tomorrow once today is closed).
    pub business_day: Option<String>,
}

/// Resolves `business_day`, defaulting to the day drawer work counts on now.
async fn drawer_day(st: &AppState, day: Option<String>) -> ApiResult<chrono::NaiveDate> {
    if let Some(d) = day {
        return Ok(clock::parse_day("business_day", &d)?);
    }
    let branch = st.store.branch_id().to_string();
    st.db(move |s| s.read(|c| sales::business_day_for(c, &branch, now_ms())))
        .await
}

/// The day's floats, drops and deposits (no expected cash: the count is blind).
#[utoipa::path(get, operation_id = "till_day", path = "/api/v1/till", tag = "till", params(TillQuery),
    responses((status = 200, body = TillDay), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn day(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<TillQuery>,
) -> ApiResult<Json<TillDay>> {
    auth.require(Permission::OperateTill)?;
    let day = drawer_day(&st, q.business_day).await?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| till::day(c, &branch, day)))
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShiftQuery {
    /// Whose shift (default: the signed-in user; another user's needs an admin).
    pub user_id: Option<String>,
    pub business_day: Option<String>,
    /// `json` (default), `text` (for the browser) or `escpos` (bytes for the desk's printer).
    pub format: Option<String>,
    /// Paper width in mm for `text` and `escpos`: 58 or 80 (default).
    pub paper: Option<u32>,
}

/// A clerk's shift report (corte X): their sales and refunds by method and their drawer work
/// on one business day. Freezes nothing; print it any time.
#[utoipa::path(get, operation_id = "till_shift", path = "/api/v1/till/shift", tag = "till", params(ShiftQuery),
    responses((status = 200, body = ShiftReport, description = "JSON, or text/plain with format=text"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn shift(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ShiftQuery>,
) -> ApiResult<Response> {
    auth.require(Permission::OperateTill)?;
    let user_id = match q.user_id {
        Some(u) if u != auth.user.id => {
            auth.require(Permission::ReadReports)?;
            check_id(&u)?;
            u
        }
        _ => auth.user.id.clone(),
    };
    let paper = match q.paper.unwrap_or(80) {
        58 => Paper::Mm58,
        80 => Paper::Mm80,
        _ => return Err(ApiError::validation("paper", "el papel mide 58 u 80 mm")),
    };
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !["json", "text", "escpos"].contains(&format.as_str()) {
        return Err(ApiError::validation(
            "format",
            "formato: json, text o escpos",
        ));
    }
    let day = drawer_day(&st, q.business_day).await?;
    let branch = st.store.branch_id().to_string();
    let now = now_ms();
    let (report, branch_name, tz) = st
        .db(move |s| {
            s.read_tx(|c| {
                let name = kidyboard_core::branches::get(c, &branch)?.name;
                let tz = kidyboard_core::branches::timezone(c, &branch)?;
                Ok((till::shift(c, &branch, &user_id, day, now)?, name, tz))
            })
        })
        .await?;
    if format == "json" {
        return Ok(Json(report).into_response());
    }
    let printed_at = chrono::DateTime::from_timestamp_millis(now)
        .map(|t| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default();
    let text = till::shift_text(&report, &branch_name, &printed_at, paper.columns());
    if format == "text" {
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response());
    }
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line {
            text: l.to_string(),
            align: Align::Left,
            bold: false,
            large: false,
        })
        .collect();
    // A report never opens the cash drawer.
    let options = EscPosOptions {
        paper,
        open_drawer: false,
        ..EscPosOptions::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        escpos::encode(&lines, &options),
    )
        .into_response())
}
