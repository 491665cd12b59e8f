//! Catalogue routes: branches, products (with stock adjustments), services, packages, users.
//! Admins write; other roles read what their role allows.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::branches::{self, Branch, BranchInput};
use kidyboard_core::clock::now_ms;
use kidyboard_core::packages::{self, Package, PackageInput};
use kidyboard_core::products::{self, Product, ProductFilter, ProductInput};
use kidyboard_core::services::{self, Service, ServiceInput};
use kidyboard_core::stock::{self, StockAdjustment, StockMovement};
use kidyboard_core::users::{self, User, UserInput};
use kidyboard_core::Permission;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{check_id, list_of};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

list_of!(BranchList, Branch);
list_of!(ProductList, Product);
list_of!(ServiceList, Service);
list_of!(PackageList, Package);
list_of!(UserList, User);
list_of!(StockMovementList, StockMovement);

/// The catalogue's routes, each declared once with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_branches, create_branch))
        .routes(routes!(get_branch, update_branch))
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product, delete_product))
        .routes(routes!(adjust_stock))
        .routes(routes!(stock_movements))
        .routes(routes!(list_services, create_service))
        .routes(routes!(get_service, update_service, delete_service))
        .routes(routes!(list_packages, create_package))
        .routes(routes!(get_package, update_package, delete_package))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, delete_user))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// Name contains this, or barcode equals it.
    pub q: Option<String>,
    pub category: Option<String>,
    /// Include deactivated records (admins).
    #[serde(default)]
    pub include_inactive: bool,
}

// ---- branches ----

#[utoipa::path(get, path = "/api/v1/branches", tag = "catalog", responses((status = 200, body = BranchList)), security(("bearer" = [])))]
pub async fn list_branches(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<BranchList>> {
    auth.require(Permission::ReadBranches)?;
    let items = st.db(|s| s.read(branches::list)).await?;
    Ok(Json(BranchList { items }))
}

#[utoipa::path(get, path = "/api/v1/branches/{id}", tag = "catalog", responses((status = 200, body = Branch), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_branch(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Branch>> {
    auth.require(Permission::ReadBranches)?;
    check_id(&id)?;
    Ok(Json(
        st.db(move |s| s.read(|c| branches::get(c, &id))).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/branches", tag = "catalog", request_body = BranchInput, responses((status = 201, body = Branch), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_branch(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<BranchInput>,
) -> ApiResult<(StatusCode, Json<Branch>)> {
    auth.require(Permission::WriteCatalog)?;
    uploaded_pictures(&st, &input).await?;
    let actor = auth.actor();
    let b = st
        .db(move |s| s.change(&actor, now_ms(), |tx| branches::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(b)))
}

#[utoipa::path(patch, path = "/api/v1/branches/{id}", tag = "catalog", request_body = BranchInput, responses((status = 200, body = Branch), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_branch(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BranchInput>,
) -> ApiResult<Json<Branch>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    uploaded_pictures(&st, &input).await?;
    let actor = auth.actor();
    let b = st
        .db(move |s| s.change(&actor, now_ms(), |tx| branches::update(tx, &id, &input)))
        .await?;
    Ok(Json(b))
}

/// The totem's logo and promotion picture must be pictures this hub holds (uploaded with
/// `POST /images`), so the totem never shows a broken image.
async fn uploaded_pictures(st: &AppState, input: &BranchInput) -> ApiResult<()> {
    for (field, value) in [
        ("logo_image", &input.logo_image),
        ("promo_image", &input.promo_image),
    ] {
        let Some(hash) = value.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        let hash = hash.to_string();
        let held = super::images::blocking(st.images.clone(), move |s| s.original(&hash))
            .await
            .map(|o| o.is_some())
            // Not a hash at all: the core's check names the field.
            .unwrap_or(true);
        if !held {
            return Err(ApiError::validation(
                field,
                "esa imagen no está en este hub: súbela primero",
            ));
        }
    }
    Ok(())
}

// ---- products ----

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(CatalogQuery), responses((status = 200, body = ProductList)), security(("bearer" = [])))]
pub async fn list_products(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> ApiResult<Json<ProductList>> {
    auth.require(Permission::ReadProducts)?;
    let filter = ProductFilter {
        query: q
            .q
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().chars().take(100).collect()),
        category: q.category.filter(|s| !s.is_empty()),
        include_inactive: q.include_inactive,
    };
    let items = st
        .db(move |s| s.read(|c| products::list(c, &filter)))
        .await?;
    Ok(Json(ProductList { items }))
}

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog", responses((status = 200, body = Product), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_product(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Product>> {
    auth.require(Permission::ReadProducts)?;
    check_id(&id)?;
    Ok(Json(
        st.db(move |s| s.read(|c| products::get(c, &id))).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput, responses((status = 201, body = Product), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_product(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ProductInput>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let p = st
        .db(move |s| s.change(&actor, now_ms(), |tx| products::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "catalog", request_body = ProductInput, responses((status = 200, body = Product), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_product(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProductInput>,
) -> ApiResult<Json<Product>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let p = st
        .db(move |s| s.change(&actor, now_ms(), |tx| products::update(tx, &id, &input)))
        .await?;
    Ok(Json(p))
}

#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "catalog", responses((status = 200, description = "Deactivated", body = Product)), security(("bearer" = [])))]
pub async fn delete_product(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Product>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let p = st
        .db(move |s| s.change(&actor, now_ms(), |tx| products::deactivate(tx, &id)))
        .await?;
    Ok(Json(p))
}

#[utoipa::path(post, path = "/api/v1/products/{id}/stock", tag = "catalog", request_body = StockAdjustment, responses((status = 200, body = Product), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn adjust_stock(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(adj): ApiJson<StockAdjustment>,
) -> ApiResult<Json<Product>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let change = st
        .db(move |s| s.change(&actor, now_ms(), |tx| stock::adjust(tx, &id, &adj)))
        .await?;
    Ok(Json(change.product))
}

#[utoipa::path(get, path = "/api/v1/products/{id}/stock-movements", tag = "catalog", responses((status = 200, body = StockMovementList)), security(("bearer" = [])))]
pub async fn stock_movements(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<StockMovementList>> {
    auth.require(Permission::ReadReports)?;
    check_id(&id)?;
    let items = st
        .db(move |s| s.read(|c| stock::movements(c, &id, 500)))
        .await?;
    Ok(Json(StockMovementList { items }))
}

// ---- services ----

#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", params(CatalogQuery), responses((status = 200, body = ServiceList)), security(("bearer" = [])))]
pub async fn list_services(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> ApiResult<Json<ServiceList>> {
    auth.require(Permission::ReadServicesAndPackages)?;
    let items = st
        .db(move |s| s.read(|c| services::list(c, q.include_inactive)))
        .await?;
    Ok(Json(ServiceList { items }))
}

#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "catalog", responses((status = 200, body = Service), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_service(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Service>> {
    auth.require(Permission::ReadServicesAndPackages)?;
    check_id(&id)?;
    Ok(Json(
        st.db(move |s| s.read(|c| services::get(c, &id))).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/services", tag = "catalog", request_body = ServiceInput, responses((status = 201, body = Service), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_service(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ServiceInput>,
) -> ApiResult<(StatusCode, Json<Service>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| services::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "catalog", request_body = ServiceInput, responses((status = 200, body = Service), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_service(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ServiceInput>,
) -> ApiResult<Json<Service>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| services::update(tx, &id, &input)))
        .await?;
    Ok(Json(v))
}

#[utoipa::path(delete, path = "/api/v1/services/{id}", tag = "catalog", responses((status = 200, description = "Deactivated", body = Service)), security(("bearer" = [])))]
pub async fn delete_service(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Service>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| services::deactivate(tx, &id)))
        .await?;
    Ok(Json(v))
}

// ---- packages ----

#[utoipa::path(get, path = "/api/v1/packages", tag = "catalog", params(CatalogQuery), responses((status = 200, body = PackageList)), security(("bearer" = [])))]
pub async fn list_packages(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> ApiResult<Json<PackageList>> {
    auth.require(Permission::ReadServicesAndPackages)?;
    let items = st
        .db(move |s| s.read(|c| packages::list(c, q.include_inactive)))
        .await?;
    Ok(Json(PackageList { items }))
}

#[utoipa::path(get, path = "/api/v1/packages/{id}", tag = "catalog", responses((status = 200, body = Package), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_package(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Package>> {
    auth.require(Permission::ReadServicesAndPackages)?;
    check_id(&id)?;
    Ok(Json(
        st.db(move |s| s.read(|c| packages::get(c, &id))).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/packages", tag = "catalog", request_body = PackageInput, responses((status = 201, body = Package), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_package(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PackageInput>,
) -> ApiResult<(StatusCode, Json<Package>)> {
    auth.require(Permission::WriteCatalog)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| packages::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/packages/{id}", tag = "catalog", request_body = PackageInput, responses((status = 200, body = Package), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_package(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PackageInput>,
) -> ApiResult<Json<Package>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| packages::update(tx, &id, &input)))
        .await?;
    Ok(Json(v))
}

#[utoipa::path(delete, path = "/api/v1/packages/{id}", tag = "catalog", responses((status = 200, description = "Deactivated", body = Package)), security(("bearer" = [])))]
pub async fn delete_package(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Package>> {
    auth.require(Permission::WriteCatalog)?;
    check_id(&id)?;
    let actor = auth.actor();
    let v = st
        .db(move |s| s.change(&actor, now_ms(), |tx| packages::deactivate(tx, &id)))
        .await?;
    Ok(Json(v))
}

// ---- users ----

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = UserList)), security(("bearer" = [])))]
pub async fn list_users(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<UserList>> {
    auth.require(Permission::ReadUsers)?;
    let items = st.db(|s| s.read(users::list)).await?;
    Ok(Json(UserList { items }))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = User), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_user(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    auth.require(Permission::ReadUsers)?;
    check_id(&id)?;
    Ok(Json(st.db(move |s| s.read(|c| users::get(c, &id))).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput, responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_user(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    auth.require(Permission::WriteUsers)?;
    let actor = auth.actor();
    let u = st
        .db(move |s| s.change(&actor, now_ms(), |tx| users::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(u)))
}

/// Changes a user (admins). Anyone signed in may set or remove their own `pin` alone.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserInput, responses((status = 200, body = User), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_user(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<Json<User>> {
    let own_pin_only = id == auth.user.id
        && input.pin.is_some()
        && input.username.is_none()
        && input.password.is_none()
        && input.role.is_none()
        && input.display_name.is_none()
        && input.active.is_none();
    if !own_pin_only {
        auth.require(Permission::WriteUsers)?;
    }
    check_id(&id)?;
    let actor = auth.actor();
    let u = st
        .db(move |s| s.change(&actor, now_ms(), |tx| users::update(tx, &id, &input)))
        .await?;
    Ok(Json(u))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, description = "Deactivated; their sessions end", body = User)), security(("bearer" = [])))]
pub async fn delete_user(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    auth.require(Permission::WriteUsers)?;
    check_id(&id)?;
    let actor = auth.actor();
    let input = UserInput {
        active: Some(false),
        ..Default::default()
    };
    let u = st
        .db(move |s| s.change(&actor, now_ms(), |tx| users::update(tx, &id, &input)))
        .await?;
    Ok(Json(u))
}
