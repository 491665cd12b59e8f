//! Families (guardians, children, authorised adults), their consent, access requests and
//! erasure, and the retention period's run. Personal data: only the roles that hand children
//! back or administer the store (`ReadGuardians`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::families::{
    self, AcceptanceInput, ConsentAcceptance, ConsentInput, ConsentVersion, Family, FamilyExport,
    FamilyInput, RetentionRun,
};
use kidyboard_core::Permission;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{check_id, list_of};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(FamilyList, Family);
list_of!(ConsentVersionList, ConsentVersion);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FamilyQuery {
    /// A phone (any format, 3 digits or more) or names (guardians', children's, adults'),
    /// accents and case ignored. Absent: the most recent families.
    pub q: Option<String>,
}

/// Finds families as the clerk types (most recent visitors first, at most 20).
#[utoipa::path(get, operation_id = "list_families", path = "/api/v1/families", tag = "families", params(FamilyQuery),
    responses((status = 200, body = FamilyList), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<FamilyQuery>,
) -> ApiResult<Json<FamilyList>> {
    auth.require(Permission::ReadGuardians)?;
    let branch = st.store.branch_id().to_string();
    let items = match q.q.filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            if text.chars().count() > 100 {
                return Err(ApiError::validation(
                    "q",
                    "la búsqueda lleva a lo más 100 caracteres",
                ));
            }
            st.db(move |s| s.read(|c| families::search(c, &text, &branch)))
                .await?
        }
        None => {
            st.db(move |s| s.read(|c| families::recent(c, &branch, 20)))
                .await?
        }
    };
    Ok(Json(FamilyList { items }))
}

#[utoipa::path(post, operation_id = "create_family", path = "/api/v1/families", tag = "families", request_body = FamilyInput,
    responses((status = 201, body = Family), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<FamilyInput>,
) -> ApiResult<(StatusCode, Json<Family>)> {
    auth.require(Permission::WriteFamilies)?;
    let actor = auth.actor();
    let f = st
        .db(move |s| s.change(&actor, now_ms(), |tx| families::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(f)))
}

#[utoipa::path(get, operation_id = "get_family", path = "/api/v1/families/{id}", tag = "families",
    responses((status = 200, body = Family), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Family>> {
    auth.require(Permission::ReadGuardians)?;
    check_id(&id)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read(|c| families::get(c, &id, &branch)))
            .await?,
    ))
}

/// Changes guardians, children (the whole list; children left out stay on old tickets),
/// authorised adults or notes.
#[utoipa::path(patch, operation_id = "update_family", path = "/api/v1/families/{id}", tag = "families", request_body = FamilyInput,
    responses((status = 200, body = Family), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FamilyInput>,
) -> ApiResult<Json<Family>> {
    auth.require(Permission::WriteFamilies)?;
    check_id(&id)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| families::update(tx, &id, &input)))
            .await?,
    ))
}

/// Everything the store holds about a family, consents and signatures included (an access
/// request).
#[utoipa::path(get, operation_id = "export_family", path = "/api/v1/families/{id}/export", tag = "families",
    responses((status = 200, body = FamilyExport), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn export(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<FamilyExport>> {
    auth.require(Permission::EraseFamilies)?;
    check_id(&id)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read_tx(|c| families::export(c, &id, &branch, now_ms())))
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EraseRequest {
    /// Why (e.g. "solicitud del titular").
    pub reason: String,
}

/// Erases the family's personal data at this store and, through sync, at the others: names,
/// phones, notes and signatures; old tickets keep their money and say "Niño/a".
#[utoipa::path(post, operation_id = "erase_family", path = "/api/v1/families/{id}/erase", tag = "families", request_body = EraseRequest,
    responses((status = 200, body = Family), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn erase(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EraseRequest>,
) -> ApiResult<Json<Family>> {
    auth.require(Permission::EraseFamilies)?;
    check_id(&id)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), |tx| families::erase(tx, &id, &req.reason)))
            .await?,
    ))
}

/// The guardian accepts the branch's current consent and privacy notice, signing on screen.
#[utoipa::path(post, operation_id = "accept_consent", path = "/api/v1/families/{id}/consents", tag = "families",
    request_body = AcceptanceInput,
    responses((status = 201, body = ConsentAcceptance), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn accept_consent(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AcceptanceInput>,
) -> ApiResult<(StatusCode, Json<ConsentAcceptance>)> {
    auth.require(Permission::WriteFamilies)?;
    check_id(&id)?;
    let actor = auth.actor();
    let a = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                families::accept_consent(tx, &id, &input)
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Every version of this branch's consent, newest first.
#[utoipa::path(get, operation_id = "list_consents", path = "/api/v1/consents", tag = "families",
    responses((status = 200, body = ConsentVersionList)), security(("bearer" = [])))]
pub async fn consents(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<ConsentVersionList>> {
    auth.require(Permission::ReadGuardians)?;
    let branch = st.store.branch_id().to_string();
    let items = st
        .db(move |s| s.read(|c| families::consent_versions(c, &branch)))
        .await?;
    Ok(Json(ConsentVersionList { items }))
}

/// The consent and privacy notice guardians accept now (404 while none is published).
#[utoipa::path(get, operation_id = "current_consent", path = "/api/v1/consents/current", tag = "families",
    responses((status = 200, body = ConsentVersion), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn current_consent(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<ConsentVersion>> {
    auth.require(Permission::ReadGuardians)?;
    let branch = st.store.branch_id().to_string();
    st.db(move |s| s.read(|c| families::current_consent(c, &branch)))
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Publishes a new version: families are asked to accept it at their next check-in.
#[utoipa::path(post, operation_id = "publish_consent", path = "/api/v1/consents", tag = "families", request_body = ConsentInput,
    responses((status = 201, body = ConsentVersion), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn publish_consent(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ConsentInput>,
) -> ApiResult<(StatusCode, Json<ConsentVersion>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| families::publish_consent(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Applies the retention period now (the hub also does it at start and every few hours).
#[utoipa::path(post, operation_id = "apply_retention", path = "/api/v1/privacy/retention", tag = "families",
    responses((status = 200, body = RetentionRun)), security(("bearer" = [])))]
pub async fn retention(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<RetentionRun>> {
    auth.require(Permission::EraseFamilies)?;
    let actor = auth.actor();
    Ok(Json(
        st.db(move |s| s.change(&actor, now_ms(), families::apply_retention))
            .await?,
    ))
}
