//! Handing children back by their pick-up code, the venue's occupancy, messages to the
//! speakers, and where guardians' notifications are sent.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::pickup::{
    self, Announcement, AnnouncementInput, Checkout, CheckoutInput, NotifySettings,
    NotifySettingsInput, Occupancy, PickupPreview,
};
use kidyboard_core::Permission;

use super::auth::authorize;
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The children on a pick-up code, the adults who may collect them and any overtime due.
#[utoipa::path(get, operation_id = "preview_checkout", path = "/api/v1/checkouts/{pickup_code}", tag = "pickup",
    responses((status = 200, body = PickupPreview), (status = 409, description = "Already collected (`already_checked_out`)", body = ErrorBody),
        (status = 422, description = "No child inside has that code (field `pickup_code`)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(st): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> ApiResult<Json<PickupPreview>> {
    auth.require(Permission::ReadGuardians)?;
    auth.require(Permission::OperateTimers)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| pickup::preview(c, &branch, &code, now_ms())))
            .await?,
    ))
}

/// Hands the children on a code to `collected_by` and stops their timers. Overtime still due is
/// charged first (a sale line `{timer_id, overtime: true}` per child) or waived here with
/// `waive_reason`; an adult not on the family's list needs a super_admin's `authorization`.
#[utoipa::path(post, operation_id = "checkout", path = "/api/v1/checkouts", tag = "pickup", request_body = CheckoutInput,
    responses((status = 201, body = Checkout),
        (status = 403, description = "Not on the list: a supervisor's authorization is needed (field `authorization`)", body = ErrorBody),
        (status = 409, description = "`already_checked_out`, or `overtime_due`", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, description = "Too many wrong PINs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn checkout(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> ApiResult<(StatusCode, Json<Checkout>)> {
    auth.require(Permission::ReadGuardians)?;
    auth.require(Permission::OperateTimers)?;
    let authorized_by = authorize(&st, address, input.authorization.as_ref()).await?;
    let actor = auth.actor();
    let c = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                pickup::checkout(tx, &input, authorized_by.as_deref())
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Children inside against the venue's capacity, per service, and when places free up.
#[utoipa::path(get, operation_id = "occupancy", path = "/api/v1/occupancy", tag = "pickup",
    responses((status = 200, body = Occupancy)), security(("bearer" = [])))]
pub async fn occupancy(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<Occupancy>> {
    auth.require(Permission::ReadTimers)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| pickup::occupancy(c, &branch, now_ms())))
            .await?,
    ))
}

/// Sends a message to the store's speakers (e.g. "Tutor de Sofía, favor de pasar a recepción").
#[utoipa::path(post, operation_id = "announce", path = "/api/v1/announcements", tag = "pickup", request_body = AnnouncementInput,
    responses((status = 201, body = Announcement), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn announce(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AnnouncementInput>,
) -> ApiResult<(StatusCode, Json<Announcement>)> {
    auth.require(Permission::Announce)?;
    let actor = auth.actor();
    let a = st
        .db(move |s| s.change(&actor, now_ms(), |tx| pickup::announce(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Where guardians' "time nearly up" notifications are posted (off while empty).
#[utoipa::path(get, operation_id = "notify_settings", path = "/api/v1/settings/notifications", tag = "pickup",
    responses((status = 200, body = NotifySettings)), security(("bearer" = [])))]
pub async fn notify_settings(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<NotifySettings>> {
    auth.require(Permission::WriteCatalog)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read(|c| pickup::notify_settings(c, &branch)))
            .await?,
    ))
}

#[utoipa::path(put, operation_id = "put_notify_settings", path = "/api/v1/settings/notifications", tag = "pickup",
    request_body = NotifySettingsInput,
    responses((status = 200, body = NotifySettings), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_notify_settings(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NotifySettingsInput>,
) -> ApiResult<Json<NotifySettings>> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                pickup::put_notify_settings(tx, &input)
            })
        })
        .await
        .map_err(|e: ApiError| e)?,
    ))
}
