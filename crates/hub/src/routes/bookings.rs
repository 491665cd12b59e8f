//! Parties and bookings: the areas and party packages an admin sets up, the branch's hours, the
//! calendar every device shares (`409 slot_taken` when two book the same slot), cancelling with
//! the refund rule, checking a party in on its day, and the read-only iCalendar feed.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::bookings::rules::BookingState;
use kidyboard_core::bookings::setup::{
    self, Area, AreaInput, BookingSettings, BookingSettingsInput, PartyPackage, PartyPackageInput,
};
use kidyboard_core::bookings::{
    self, feed, Booking, BookingInput, BookingPatch, BookingQuery, CancelInput, CheckInInput,
};
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::refunds::Refund;
use kidyboard_core::sales::Sale;
use kidyboard_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::authorize;
use super::{check_id, list_of, today};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(AreaList, Area);
list_of!(PartyPackageList, PartyPackage);
list_of!(BookingList, Booking);

#[utoipa::path(get, operation_id = "list_areas", path = "/api/v1/areas", tag = "bookings",
    responses((status = 200, body = AreaList), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_areas(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<AreaList>> {
    auth.require(Permission::ReadBookings)?;
    let branch = st.store.branch_id().to_string();
    let items = st.db(move |s| s.read(|c| setup::areas(c, &branch))).await?;
    Ok(Json(AreaList { items }))
}

/// A party room (`room`: one party at a time) or a shared zone (`zone`: parties side by side up
/// to its capacity).
#[utoipa::path(post, operation_id = "create_area", path = "/api/v1/areas", tag = "bookings", request_body = AreaInput,
    responses((status = 201, body = Area), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_area(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AreaInput>,
) -> ApiResult<(StatusCode, Json<Area>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let a = st
        .db(move |s| s.change(&actor, now_ms(), |tx| setup::create_area(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(patch, operation_id = "update_area", path = "/api/v1/areas/{id}", tag = "bookings", request_body = AreaInput,
    responses((status = 200, body = Area), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_area(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AreaInput>,
) -> ApiResult<Json<Area>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| setup::update_area(tx, &id, &input)))
            .await?,
    ))
}

#[utoipa::path(get, operation_id = "list_party_packages", path = "/api/v1/party-packages", tag = "bookings",
    responses((status = 200, body = PartyPackageList), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_packages(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<PartyPackageList>> {
    auth.require(Permission::ReadBookings)?;
    let branch = st.store.branch_id().to_string();
    let items = st
        .db(move |s| s.read(|c| setup::party_packages(c, &branch)))
        .await?;
    Ok(Json(PartyPackageList { items }))
}

/// A party package: its area, length, children included, price per extra child, included
/// products, deposit and cleaning buffer.
#[utoipa::path(post, operation_id = "create_party_package", path = "/api/v1/party-packages", tag = "bookings",
    request_body = PartyPackageInput,
    responses((status = 201, body = PartyPackage), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_package(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PartyPackageInput>,
) -> ApiResult<(StatusCode, Json<PartyPackage>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let p = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                setup::create_party_package(tx, &input)
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(patch, operation_id = "update_party_package", path = "/api/v1/party-packages/{id}", tag = "bookings",
    request_body = PartyPackageInput,
    responses((status = 200, body = PartyPackage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_package(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PartyPackageInput>,
) -> ApiResult<Json<PartyPackage>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                setup::update_party_package(tx, &id, &input)
            })
        })
        .await?,
    ))
}

/// Business hours per weekday, closed days, how long a tentative booking holds its slot and how
/// many days before the party a cancellation gets the deposit back.
#[utoipa::path(get, operation_id = "get_booking_settings", path = "/api/v1/booking-settings", tag = "bookings",
    responses((status = 200, body = BookingSettings), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn settings(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<BookingSettings>> {
    auth.require(Permission::ReadBookings)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read(|c| setup::settings(c, &branch)))
            .await?,
    ))
}

#[utoipa::path(put, operation_id = "put_booking_settings", path = "/api/v1/booking-settings", tag = "bookings",
    request_body = BookingSettingsInput,
    responses((status = 200, body = BookingSettings), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_settings(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<BookingSettingsInput>,
) -> ApiResult<Json<BookingSettings>> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| setup::put_settings(tx, &input)))
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingRange {
    /// First local day (`YYYY-MM-DD`, default today).
    pub from: Option<String>,
    /// Last local day (default `from`); at most 92 days after it.
    pub to: Option<String>,
    pub area_id: Option<String>,
    /// `tentative`, `confirmed`, `checked_in`, `completed` or `cancelled`.
    pub state: Option<String>,
}

/// The bookings whose party starts on the given local days, in start order.
#[utoipa::path(get, operation_id = "list_bookings", path = "/api/v1/bookings", tag = "bookings", params(BookingRange),
    responses((status = 200, body = BookingList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<BookingRange>,
) -> ApiResult<Json<BookingList>> {
    auth.require(Permission::ReadBookings)?;
    let today = today(&st).await?;
    let from = match &q.from {
        Some(s) => clock::parse_day("from", s)?,
        None => today,
    };
    let to = match &q.to {
        Some(s) => clock::parse_day("to", s)?,
        None => from,
    };
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(BookingState::parse(s).ok_or_else(|| {
            ApiError::validation(
                "state",
                "tentative, confirmed, checked_in, completed o cancelled",
            )
        })?),
        None => None,
    };
    if let Some(a) = &q.area_id {
        check_id(a).map_err(|_| ApiError::validation("area_id", "no existe esa área"))?;
    }
    let query = BookingQuery {
        from,
        to,
        area_id: q.area_id,
        state,
    };
    let branch = st.store.branch_id().to_string();
    let items = st
        .db(move |s| s.read_tx(|c| bookings::list(c, &branch, &query, now_ms())))
        .await?;
    Ok(Json(BookingList { items }))
}

#[utoipa::path(get, operation_id = "get_booking", path = "/api/v1/bookings/{id}", tag = "bookings",
    responses((status = 200, body = Booking), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Booking>> {
    auth.require(Permission::ReadBookings)?;
    check_id(&id)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read(|c| bookings::get(c, &id, &branch, now_ms())))
            .await?,
    ))
}

/// Books an area: tentative until its deposit is paid (a sale line `{booking_id}`), confirmed at
/// once when the package asks none. Two clients booking the same slot: one gets 201, the other
/// 409 `slot_taken` naming the party in the way.
#[utoipa::path(post, operation_id = "create_booking", path = "/api/v1/bookings", tag = "bookings", request_body = BookingInput,
    responses((status = 201, body = Booking),
        (status = 409, description = "`slot_taken`: another party has the area then (cleaning included)", body = ErrorBody),
        (status = 422, description = "Outside hours, a closed day, in the past, over the area's capacity, unknown area or package", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<BookingInput>,
) -> ApiResult<(StatusCode, Json<Booking>)> {
    auth.require(Permission::WriteBookings)?;
    let actor = auth.actor();
    let b = st
        .db(move |s| s.change(&actor, now_ms(), |tx| bookings::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(b)))
}

/// Moves (a new start keeps the length), resizes or edits a booking, with the same checks as a
/// new one; `state` confirms it or completes it. Send the `version` you saw: a booking someone
/// else changed meanwhile answers 409 `stale`.
#[utoipa::path(patch, operation_id = "update_booking", path = "/api/v1/bookings/{id}", tag = "bookings", request_body = BookingPatch,
    responses((status = 200, body = Booking), (status = 404, body = ErrorBody),
        (status = 409, description = "`slot_taken`, `stale`, `booking_locked`, `deposit_due`, `invalid_transition`", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<BookingPatch>,
) -> ApiResult<Json<Booking>> {
    auth.require(Permission::WriteBookings)?;
    check_id(&id)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| bookings::update(tx, &id, &patch)))
            .await?,
    ))
}

/// A cancelled booking and the refunds of what was paid (none when it is kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct Cancellation {
    pub booking: Booking,
    pub refunds: Vec<Refund>,
}

/// Cancels a booking. At least the branch's `refund_days` before the party, what was paid goes
/// back through refunds of its sale lines (a super_admin's `authorization` when the refund needs
/// one); later, the deposit is kept.
#[utoipa::path(post, operation_id = "cancel_booking", path = "/api/v1/bookings/{id}/cancel", tag = "bookings", request_body = CancelInput,
    responses((status = 200, body = Cancellation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`booking_locked`: checked in, completed or already cancelled", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, description = "Too many wrong PINs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> ApiResult<Json<Cancellation>> {
    auth.require(Permission::WriteBookings)?;
    check_id(&id)?;
    let authorized_by = authorize(&st, address, input.authorization.as_ref()).await?;
    let actor = auth.actor();
    let out = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                bookings::cancel(tx, &id, &input, authorized_by.as_deref())
            })
        })
        .await?;
    Ok(Json(Cancellation {
        booking: out.booking,
        refunds: out.refunds.into_iter().map(|r| r.refund).collect(),
    }))
}

/// A party checked in: the booking and its ticket (timers, pick-up code, any balance paid).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyCheckIn {
    pub booking: Booking,
    pub sale: Sale,
}

/// Checks a confirmed party in on its day: a timer per child until the party's end (grouped on
/// the wall), the included products taken from stock, extra children added to the total, and
/// the balance paid on the same ticket when `payments` come.
#[utoipa::path(post, operation_id = "check_in_booking", path = "/api/v1/bookings/{id}/check-in", tag = "bookings",
    request_body = CheckInInput,
    responses((status = 201, body = PartyCheckIn), (status = 404, body = ErrorBody),
        (status = 409, description = "`booking_cancelled`, `deposit_due`, `already_checked_in`, `not_today`, `party_over`, `capacity_full`", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_in(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CheckInInput>,
) -> ApiResult<(StatusCode, Json<PartyCheckIn>)> {
    auth.require(Permission::WriteBookings)?;
    check_id(&id)?;
    let authorized_by = authorize(&st, address, input.authorization.as_ref()).await?;
    let actor = auth.actor();
    let out = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                bookings::check_in(tx, &id, &input, authorized_by.as_deref())
            })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PartyCheckIn {
            booking: out.booking,
            sale: out.sale.sale,
        }),
    ))
}

/// The calendar feed's address.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedLink {
    pub url: String,
    pub token: String,
}

/// A new secret address for the branch's read-only calendar feed (subscribe to it from any
/// calendar app); the previous address stops working.
#[utoipa::path(post, operation_id = "renew_booking_feed", path = "/api/v1/bookings/ics-token", tag = "bookings",
    responses((status = 200, body = FeedLink), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn ics_token(
    State(st): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> ApiResult<Json<FeedLink>> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let token = st
        .db(move |s| s.change(&actor, now_ms(), feed::renew_token))
        .await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    Ok(Json(FeedLink {
        url: format!("http://{host}/api/v1/bookings.ics?token={token}"),
        token,
    }))
}

/// Whether the branch has a calendar feed address, and since when (the secret is shown only when
/// it is made).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedStatus {
    pub created_at: Option<String>,
}

#[utoipa::path(get, operation_id = "booking_feed_status", path = "/api/v1/bookings/ics-token", tag = "bookings",
    responses((status = 200, body = FeedStatus), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn ics_status(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<FeedStatus>> {
    auth.require(Permission::WriteCatalog)?;
    let branch = st.store.branch_id().to_string();
    let created = st
        .db(move |s| s.read(|c| feed::token_created_at(c, &branch)))
        .await?;
    Ok(Json(FeedStatus {
        created_at: created.map(clock::to_rfc3339),
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The secret from `POST /bookings/ics-token`.
    pub token: Option<String>,
}

/// The branch's parties as iCalendar (read-only, no login: the secret in the address is the key).
#[utoipa::path(get, operation_id = "booking_feed", path = "/api/v1/bookings.ics", tag = "bookings", params(FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String),
        (status = 404, description = "Unknown or renewed token", body = ErrorBody)))]
pub async fn ics(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> ApiResult<Response> {
    let token = q.token.unwrap_or_default();
    let body = st
        .db(move |s| {
            s.read_tx(|c| match feed::branch_of(c, &token)? {
                Some(branch) => feed::ics(c, &branch, now_ms()).map(Some),
                None => Ok(None),
            })
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
