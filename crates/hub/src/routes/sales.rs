//! Selling: `POST /sales` with an `Idempotency-Key`, and the sales of a range of days.

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::privacy::RoleView;
use kidyboard_core::sales::{self, Sale, SaleRequest};
use kidyboard_core::Permission;

use super::auth::authorize;
use super::{check_id, today, DayRange};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get(IDEMPOTENCY_HEADER) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.len() <= sales::MAX_IDEMPOTENCY_KEY_LEN)
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation(
                    "Idempotency-Key",
                    "la clave de idempotencia debe ser texto visible de 1 a 200 caracteres",
                )
            }),
    }
}

/// Sells items with split payments. A service item with a `child` starts (or schedules) its timer
/// in the same transaction. Discounts beyond the branch's limit for the clerk's role need a
/// super_admin's `authorization` (username + PIN, checked under the sign-in throttle). The same
/// `Idempotency-Key` again answers the first sale.
#[utoipa::path(post, operation_id = "create_sale", path = "/api/v1/sales", tag = "sales", request_body = SaleRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key answers the first sale")),
    responses((status = 201, body = Sale), (status = 409, description = "Not enough stock, or capacity full", body = ErrorBody),
        (status = 422, description = "Invalid items or payments", body = ErrorBody),
        (status = 403, description = "Not this role's, or a discount beyond its limit without a supervisor's authorization (field `authorization`)", body = ErrorBody),
        (status = 429, description = "Too many wrong PINs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SaleRequest>,
) -> ApiResult<Response> {
    auth.require(Permission::SellProducts)?;
    let key = idempotency_key(&headers)?;
    let authorized_by = authorize(&st, address, req.authorization.as_ref()).await?;
    let actor = auth.actor();
    let started = Instant::now();
    let outcome = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                sales::create_authorized(tx, &req, key.as_deref(), authorized_by.as_deref())
            })
        })
        .await?;
    if !outcome.replayed {
        st.metrics
            .sale_commit_seconds
            .observe(started.elapsed().as_secs_f64());
        st.metrics.sales_total.fetch_add(1, Ordering::Relaxed);
    }
    let mut res = (StatusCode::CREATED, Json(outcome.sale)).into_response();
    if outcome.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// A page of sales: `cursor` is the previous page's `next_cursor`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalePageQuery {
    /// First business day (default: today in the branch time zone).
    pub from: Option<String>,
    /// Last business day (default: `from`).
    pub to: Option<String>,
    /// Where the page starts: the `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Sales per page (default 100, at most 500).
    pub limit: Option<usize>,
    /// Find sales by folio (`A-000123`), ticket number, amount (`150`, `$150.50`), payment method
    /// (`efectivo`, `tarjeta`, `transferencia`) or part of a child's or guardian's name.
    pub q: Option<String>,
}

/// Sales, newest first; `next_cursor` is absent on the last page.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SalePage {
    pub items: Vec<Sale>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, operation_id = "list_sales", path = "/api/v1/sales", tag = "sales", params(SalePageQuery),
    responses((status = 200, body = SalePage), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SalePageQuery>,
) -> ApiResult<Json<SalePage>> {
    auth.require(Permission::ReadSales)?;
    let range = DayRange {
        from: q.from,
        to: q.to,
    };
    let (from, to) = range.resolve(today(&st).await?)?;
    let before_number = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::validation("cursor", "cursor inválido"))?,
        ),
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=sales::MAX_PAGE).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            format!("«limit» va de 1 a {}", sales::MAX_PAGE),
        ));
    }
    let search = sales::SaleSearch::parse(q.q.as_deref().unwrap_or("")).map_err(ApiError::from)?;
    let role = auth.user.role;
    let query = sales::SaleQuery {
        branch_id: st.store.branch_id().to_string(),
        from,
        to,
        before_number,
        limit,
        products_only: !role.can(Permission::ReadAllSales),
        search,
    };
    let (items, next) = st
        .db(move |s| s.read_tx(|c| sales::page(c, &query, now_ms())))
        .await?;
    Ok(Json(SalePage {
        items: items.iter().filter_map(|s| s.for_role(role)).collect(),
        next_cursor: next.map(|n| n.to_string()),
    }))
}

#[utoipa::path(get, operation_id = "get_sale", path = "/api/v1/sales/{id}", tag = "sales",
    responses((status = 200, body = Sale), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Sale>> {
    auth.require(Permission::ReadSales)?;
    check_id(&id)?;
    let sale = st
        .db(move |s| s.read_tx(|c| sales::get(c, &id, now_ms())))
        .await?;
    // A sale this role may not see does not exist for it.
    sale.for_role(auth.user.role)
        .map(Json)
        .ok_or_else(ApiError::not_found)
}
