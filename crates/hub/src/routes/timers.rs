//! Play timers: the list for screens, and the actions reception takes.

use axum::extract::{Path, State};
use axum::Json;
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::timers::{self, Action, Timer, TimerState};
use kidyboard_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::authorize;
use super::check_id;
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use kidyboard_core::privacy::RoleView;

#[derive(Serialize, ToSchema)]
pub struct TimerList {
    pub items: Vec<Timer>,
    /// The hub's clock when this list was made: clients derive their clock offset from it.
    pub server_time: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimerQuery {
    /// Comma-separated states (default: scheduled,running,paused,expired).
    pub state: Option<String>,
}

/// Time given without selling it (`extend`): a super_admin's, or another role's with a
/// super_admin's `authorization`; always with a reason. Paid time is sold instead: a sale line
/// `{timer_id, extend_minutes}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    pub minutes: i64,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub authorization: Option<kidyboard_core::refunds::Authorization>,
}

/// The body of a timer action, as documented: `extend` reads `{minutes, reason, authorization?}`,
/// `stop` reads `{waive_reason?}`, the others nothing.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TimerActionBody {
    pub minutes: Option<i64>,
    pub reason: Option<String>,
    pub authorization: Option<kidyboard_core::refunds::Authorization>,
    pub waive_reason: Option<String>,
}

/// `stop`: a timer whose overtime is due is stopped by the sale that charges it, or here with
/// the reason it is waived.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopRequest {
    #[serde(default)]
    pub waive_reason: Option<String>,
}

#[utoipa::path(get, operation_id = "list_timers", path = "/api/v1/timers", tag = "timers", params(TimerQuery),
    responses((status = 200, body = TimerList)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<TimerQuery>,
) -> ApiResult<Json<TimerList>> {
    auth.require(Permission::ReadTimers)?;
    let states: Vec<TimerState> = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => s
            .split(',')
            .map(|x| TimerState::parse("state", x.trim()))
            .collect::<Result<_, _>>()?,
        None => TimerState::ACTIVE.to_vec(),
    };
    let rows = st.db(move |s| s.read(|c| timers::list(c, &states))).await?;
    let now = now_ms();
    let role = auth.user.role;
    Ok(Json(TimerList {
        items: rows
            .iter()
            .filter_map(|t| t.view(now).for_role(role))
            .collect(),
        server_time: clock::to_rfc3339(now),
    }))
}

#[utoipa::path(get, operation_id = "get_timer", path = "/api/v1/timers/{id}", tag = "timers",
    responses((status = 200, body = Timer), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Timer>> {
    auth.require(Permission::ReadTimers)?;
    check_id(&id)?;
    let row = st.db(move |s| s.read(|c| timers::get(c, &id))).await?;
    row.view(now_ms())
        .for_role(auth.user.role)
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// `start` (a scheduled timer, now), `pause`, `resume`, `extend {minutes, reason,
/// authorization?}` (free time: see `ExtendRequest`), `stop {waive_reason?}`, `cancel`.
#[utoipa::path(post, operation_id = "act_on_timer", path = "/api/v1/timers/{id}/{action}", tag = "timers",
    params(("id" = String, Path), ("action" = String, Path, description = "start | pause | resume | extend | stop | cancel")),
    request_body(content = Option<TimerActionBody>, description = "`{minutes, reason, authorization?}` for extend, `{waive_reason?}` for stop, nothing for the others"),
    responses((status = 200, body = Timer),
        (status = 403, description = "A free extension needs a super_admin's authorization (field `authorization`)", body = ErrorBody),
        (status = 409, description = "Not possible in the timer's state, or overtime is due (`overtime_due`, field `waive_reason`)", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, description = "Too many wrong PINs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    Path((id, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Timer>> {
    auth.require(Permission::OperateTimers)?;
    check_id(&id)?;
    let actor = auth.actor();
    let now = now_ms();
    let row = match action.as_str() {
        "start" | "pause" | "resume" | "cancel" => {
            let action = match action.as_str() {
                "start" => Action::Start,
                "pause" => Action::Pause,
                "resume" => Action::Resume,
                _ => Action::Cancel,
            };
            st.db(move |s| s.change(&actor, now, |tx| timers::act(tx, &id, action)))
                .await?
        }
        "stop" => {
            let req: StopRequest = if body.iter().all(u8::is_ascii_whitespace) {
                StopRequest::default()
            } else {
                crate::extract::parse_json(&body)?
            };
            st.db(move |s| {
                s.change(&actor, now, |tx| {
                    timers::stop(tx, &id, req.waive_reason.as_deref())
                })
            })
            .await?
        }
        "extend" => {
            let req: ExtendRequest = crate::extract::parse_json(&body)?;
            let authorized_by = authorize(&st, address, req.authorization.as_ref()).await?;
            st.db(move |s| {
                s.change(&actor, now, |tx| {
                    timers::extend_free(
                        tx,
                        &id,
                        req.minutes,
                        req.reason.as_deref(),
                        authorized_by.as_deref(),
                    )
                })
            })
            .await?
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(Json(row.view(now)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    pub child_name: String,
}

/// Names the child on a timer (a party guest listed as "Invitado 3" until named at the desk).
#[utoipa::path(patch, operation_id = "rename_timer", path = "/api/v1/timers/{id}", tag = "timers", request_body = RenameRequest,
    responses((status = 200, body = Timer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn rename(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    crate::extract::ApiJson(req): crate::extract::ApiJson<RenameRequest>,
) -> ApiResult<Json<Timer>> {
    auth.require(Permission::OperateTimers)?;
    check_id(&id)?;
    let actor = auth.actor();
    let row = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                timers::rename(tx, &id, &req.child_name)
            })
        })
        .await?;
    row.view(now_ms())
        .for_role(auth.user.role)
        .map(Json)
        .ok_or_else(ApiError::not_found)
}
