//! Refunds and voids: `POST /sales/{id}/refunds` with an `Idempotency-Key`, and a refund by id.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::refunds::{self, Refund, RefundRequest};
use kidyboard_core::Permission;

use super::auth::authorize;
use super::check_id;
use super::sales::idempotency_key;
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Gives money back for lines of a sale (without `items`, all of it: a void). Reception and the
/// kid bar need a super_admin's `authorization` (username + PIN), unless the branch lets refunds
/// below an amount through; the supervisor is recorded. The same `Idempotency-Key` again
/// answers the first refund.
#[utoipa::path(post, operation_id = "refund_sale", path = "/api/v1/sales/{id}/refunds", tag = "sales",
    request_body = RefundRequest,
    params(("id" = String, Path, description = "The sale"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key answers the first refund")),
    responses((status = 201, body = Refund),
        (status = 403, description = "Not this role's, or a supervisor's authorization is needed (field `authorization`)", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already refunded", body = ErrorBody),
        (status = 422, description = "Unknown line, too many, payments that don't add up", body = ErrorBody),
        (status = 429, description = "Too many wrong PINs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    Path(sale_id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefundRequest>,
) -> ApiResult<Response> {
    auth.require(Permission::RefundSales)?;
    check_id(&sale_id)?;
    let key = idempotency_key(&headers)?;
    // The supervisor's PIN is checked before the write (the hash is slow on purpose), under the
    // same throttle as sign-ins: a refund screen is no way around it.
    let authorized_by = authorize(&st, address, req.authorization.as_ref()).await?;
    let actor = auth.actor();
    let outcome = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                refunds::create(tx, &sale_id, &req, authorized_by.as_deref(), key.as_deref())
            })
        })
        .await?;
    let mut res = (StatusCode::CREATED, Json(outcome.refund)).into_response();
    if outcome.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// A refund with its lines and how the money went back.
#[utoipa::path(get, operation_id = "get_refund", path = "/api/v1/refunds/{id}", tag = "sales",
    responses((status = 200, body = Refund), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Refund>> {
    auth.require(Permission::ReadSales)?;
    check_id(&id)?;
    let role = auth.user.role;
    let branch = st.store.branch_id().to_string();
    let refund = st
        .db(move |s| {
            s.read_tx(|c| {
                let refund = refunds::get(c, &id)?;
                // A refund of a sale this role may not see does not exist for it.
                refunds::visible_sale(c, &branch, &refund.sale_id, role, now_ms())?;
                Ok(refund)
            })
        })
        .await?;
    Ok(Json(refund))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// `text` (default, for the browser) or `escpos` (bytes for a thermal printer).
    pub format: Option<String>,
    /// Paper width in mm: 58 or 80 (default).
    pub paper: Option<u32>,
}

impl ReceiptQuery {
    /// The paper (default `default_mm`) and whether ESC/POS bytes were asked for.
    fn printout(&self, default_mm: u32) -> ApiResult<(kidyboard_receipt::Paper, bool)> {
        use kidyboard_receipt::Paper;
        let paper = match self.paper.unwrap_or(default_mm) {
            58 => Paper::Mm58,
            80 => Paper::Mm80,
            _ => return Err(ApiError::validation("paper", "el papel mide 58 u 80 mm")),
        };
        let escpos = match self.format.as_deref().unwrap_or("text") {
            "text" => false,
            "escpos" => true,
            _ => return Err(ApiError::validation("format", "formato: text o escpos")),
        };
        Ok((paper, escpos))
    }
}

/// Pages of printed lines as the answer: ESC/POS bytes (each page cut; a copy never opens the
/// cash drawer) or plain text (pages parted by a blank line).
fn printed(
    pages: &[Vec<kidyboard_receipt::Line>],
    paper: kidyboard_receipt::Paper,
    escpos: bool,
) -> Response {
    use kidyboard_receipt::{escpos as encoder, EscPosOptions};
    if escpos {
        let options = EscPosOptions {
            paper,
            open_drawer: false,
            ..EscPosOptions::default()
        };
        let bytes: Vec<u8> = pages
            .iter()
            .flat_map(|p| encoder::encode(p, &options))
            .collect();
        (
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            bytes,
        )
            .into_response()
    } else {
        let text: Vec<String> = pages
            .iter()
            .map(|p| encoder::plain_text(p, paper.columns()))
            .collect();
        (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            text.join("\n"),
        )
            .into_response()
    }
}

/// A sale's receipt again, marked "COPIA", with its folio and any refunds since: as plain text
/// for the browser, or as ESC/POS bytes for the desk's printer.
#[utoipa::path(get, operation_id = "sale_receipt", path = "/api/v1/sales/{id}/receipt", tag = "sales",
    params(("id" = String, Path, description = "The sale"), ReceiptQuery),
    responses((status = 200, description = "The receipt (text/plain, or application/octet-stream for escpos)", content_type = "text/plain"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn receipt(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ReceiptQuery>,
) -> ApiResult<Response> {
    use kidyboard_receipt::{ReceiptHeader, SaleReceipt};
    auth.require(Permission::ReadSales)?;
    check_id(&id)?;
    let (paper, escpos) = q.printout(80)?;
    let role = auth.user.role;
    let branch_id = st.store.branch_id().to_string();
    let (sale, branch, tz) = st
        .db(move |s| {
            s.read_tx(|c| {
                let sale = refunds::visible_sale(c, &branch_id, &id, role, now_ms())?;
                let branch = kidyboard_core::branches::get(c, &branch_id)?;
                let tz = kidyboard_core::branches::timezone(c, &branch_id)?;
                Ok((sale, branch, tz))
            })
        })
        .await?;
    let sold_at = kidyboard_core::clock::parse_rfc3339("created_at", &sale.created_at)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default();
    let json = serde_json::to_value(&sale).map_err(|_| ApiError::internal())?;
    let mut layout = SaleReceipt::from_json(&json).map_err(|_| ApiError::internal())?;
    layout.copy = true;
    let header = ReceiptHeader {
        store_name: branch.name,
        address: branch.address,
        printed_at: sold_at,
        footer: (!branch.receipt_footer.trim().is_empty()).then_some(branch.receipt_footer),
        legal_name: branch.legal_name,
        rfc: branch.rfc,
        phone: branch.phone,
    };
    let lines = layout.lines(&header, paper.columns());
    Ok(printed(&[lines], paper, escpos))
}

/// One wristband label per child a check-in ticket let in (name, pick-up code, time out in the
/// branch's time, allergies), each cut on its own: text for the browser, ESC/POS for the printer.
#[utoipa::path(get, operation_id = "sale_wristbands", path = "/api/v1/sales/{id}/wristbands", tag = "sales",
    params(("id" = String, Path, description = "The sale"), ReceiptQuery),
    responses((status = 200, description = "The labels (text/plain, a blank line between them; or application/octet-stream)", content_type = "text/plain"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn wristbands(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ReceiptQuery>,
) -> ApiResult<Response> {
    use kidyboard_receipt::SaleReceipt;
    auth.require(Permission::ReadGuardians)?;
    auth.require(Permission::OperateTimers)?;
    check_id(&id)?;
    let (paper, escpos) = q.printout(58)?;
    let role = auth.user.role;
    let branch_id = st.store.branch_id().to_string();
    let (sale, tz) = st
        .db(move |s| {
            s.read_tx(|c| {
                let sale = refunds::visible_sale(c, &branch_id, &id, role, now_ms())?;
                let tz = kidyboard_core::branches::timezone(c, &branch_id)?;
                Ok((sale, tz))
            })
        })
        .await?;
    let json = serde_json::to_value(&sale).map_err(|_| ApiError::internal())?;
    let layout = SaleReceipt::from_json(&json).map_err(|_| ApiError::internal())?;
    let labels = layout.wristbands(paper.columns(), |end| {
        kidyboard_core::clock::parse_rfc3339("ends_at", end)
            .ok()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
            .unwrap_or_default()
    });
    if labels.is_empty() {
        return Err(ApiError::validation(
            "id",
            "esa venta no dejó entrar a ningún niño",
        ));
    }
    Ok(printed(&labels, paper, escpos))
}
