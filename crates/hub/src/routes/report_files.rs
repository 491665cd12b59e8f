//! `GET /reports/export`: any report as CSV, XLSX or PDF. The report is read on a snapshot, laid
//! out as tables (Spanish headings, money as centavos in typed cells) and written by
//! kidyboard-exports off the async threads; the answer carries Content-Length so a browser can
//! show real progress while it downloads.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kidyboard_core::Permission;
use kidyboard_exports::Format;
use serde::Deserialize;
use utoipa::IntoParams;

use super::reports::ReportQuery;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Which report, which format, and the report's own filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `dashboard`, `revenue`, `heatmap`, `top-products`, `inventory`, `utilisation`,
    /// `day-closings`, `forecast` or `taxes` (each day's sales with subtotal, IVA and total by
    /// rate, for the accountant).
    pub report: String,
    /// `csv`, `xlsx` or `pdf`.
    pub format: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub branch_id: Option<String>,
    pub open_hours: Option<i64>,
    pub kind: Option<String>,
    pub limit: Option<i64>,
}

pub const REPORTS: [&str; 10] = [
    "dashboard",
    "revenue",
    "heatmap",
    "top-products",
    "inventory",
    "utilisation",
    "day-closings",
    "forecast",
    "taxes",
    "customers",
];

#[utoipa::path(get, operation_id = "report_export", path = "/api/v1/reports/export", tag = "reports", params(ExportQuery),
    responses((status = 200, description = "The file, with Content-Disposition and Content-Length", content_type = "application/octet-stream"),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    auth.require(Permission::ReadReports)?;
    if !REPORTS.contains(&q.report.as_str()) {
        return Err(ApiError::validation(
            "report",
            format!("uno de: {}", REPORTS.join(", ")),
        ));
    }
    let format = Format::parse(&q.format)
        .ok_or_else(|| ApiError::validation("format", "csv, xlsx o pdf"))?;
    let rq = ReportQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        branch_id: q.branch_id.clone(),
        open_hours: q.open_hours,
        kind: q.kind.clone(),
        limit: q.limit,
    };
    let mut period = rq.period(&st).await?;
    if q.report == "forecast" {
        // Forecasts start today whatever range the page shows.
        period = ReportQuery {
            branch_id: q.branch_id.clone(),
            ..Default::default()
        }
        .period(&st)
        .await?;
    }
    let params = (rq.open_hours()?, rq.kind()?, rq.limit()?);
    let report = q.report.clone();
    let name = format!(
        "kidyboard-{}-{}_{}.{}",
        report,
        period.from,
        period.to,
        format.extension()
    );
    let doc = st
        .db(move |s| s.read_tx(|c| super::report_documents::document(c, &report, &period, params)))
        .await?;
    let bytes =
        tokio::task::spawn_blocking(move || kidyboard_exports::write(&doc, format, &mut |_| {}))
            .await
            .map_err(|_| ApiError::internal())?
            .map_err(|e| {
                tracing::error!(error = %e, "export failed");
                ApiError::internal()
            })?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CONTENT_LENGTH, bytes.len().to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
