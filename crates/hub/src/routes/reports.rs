//! Reports for admins: the dashboard in one call, each report family, forecasts, and exports.
//! Every range is of business days in the branch's time zone; `branch_id` defaults to this
//! store's branch.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use kidyboard_core::reports::{
    self, closings::ClosingsReport, courtesies::CourtesiesReport, figures::Dashboard,
    figures::Heatmap, figures::RevenueReport, forecast::ForecastReport, items::Inventory,
    items::TopItems, utilisation::Utilisation, Period, Summary,
};
use kidyboard_core::sales::ItemKind;
use kidyboard_core::{clock, CoreError, Permission};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{check_id, today, DayRange};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Branch and range of business days.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First business day, `YYYY-MM-DD` (default: today in the branch time zone).
    pub from: Option<String>,
    /// Last business day (default: `from`).
    pub to: Option<String>,
    /// Branch (default: this store's branch).
    pub branch_id: Option<String>,
    /// Hours the branch is open a day, 1–24, for capacity figures (default 10).
    pub open_hours: Option<i64>,
    /// Top items: only `product`, `service` or `package` (default: all kinds).
    pub kind: Option<String>,
    /// Top items: how many, 1–100 (default 10).
    pub limit: Option<i64>,
}

impl ReportQuery {
    pub(crate) fn open_hours(&self) -> ApiResult<i64> {
        match self.open_hours {
            None => Ok(reports::utilisation::DEFAULT_OPEN_HOURS),
            Some(h) if (1..=24).contains(&h) => Ok(h),
            Some(_) => Err(ApiError::validation("open_hours", "de 1 a 24 horas")),
        }
    }

    pub(crate) fn kind(&self) -> ApiResult<Option<ItemKind>> {
        match self.kind.as_deref() {
            None | Some("") => Ok(None),
            Some("product") => Ok(Some(ItemKind::Product)),
            Some("service") => Ok(Some(ItemKind::Service)),
            Some("package") => Ok(Some(ItemKind::Package)),
            Some(_) => Err(ApiError::validation("kind", "product, service o package")),
        }
    }

    pub(crate) fn limit(&self) -> ApiResult<usize> {
        match self.limit {
            None => Ok(10),
            Some(n) if (1..=100).contains(&n) => Ok(n as usize),
            Some(_) => Err(ApiError::validation("limit", "de 1 a 100")),
        }
    }

    pub(crate) fn branch(&self, st: &AppState) -> ApiResult<String> {
        match &self.branch_id {
            None => Ok(st.store.branch_id().to_string()),
            Some(id) => {
                check_id(id)
                    .map_err(|_| ApiError::validation("branch_id", "sucursal desconocida"))?;
                Ok(id.clone())
            }
        }
    }

    /// The branch and its range, checked.
    pub(crate) async fn period(&self, st: &AppState) -> ApiResult<Period> {
        let branch = self.branch(st)?;
        let today = branch_today(st, &branch).await?;
        let range = DayRange {
            from: self.from.clone(),
            to: self.to.clone(),
        };
        let (from, to) = range.resolve(today)?;
        st.db(move |s| s.read(|c| Period::new(c, &branch, from, to)))
            .await
            .map_err(unknown_branch)
    }
}

fn unknown_branch(e: ApiError) -> ApiError {
    if e.status == axum::http::StatusCode::NOT_FOUND {
        ApiError::validation("branch_id", "sucursal desconocida")
    } else {
        e
    }
}

/// Today on the branch's clock (the store's own branch when it is unknown, so the caller's
/// check of the branch gives the error).
async fn branch_today(st: &AppState, branch: &str) -> ApiResult<NaiveDate> {
    let branch = branch.to_string();
    let now = clock::now_ms();
    let found = st
        .db(move |s| {
            s.read(|c| match kidyboard_core::branches::timezone(c, &branch) {
                Ok(tz) => Ok(Some(clock::local_day(now, tz))),
                Err(CoreError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            })
        })
        .await?;
    match found {
        Some(d) => Ok(d),
        None => today(st).await,
    }
}

/// Runs a report on a read snapshot.
async fn run<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&rusqlite::Connection) -> kidyboard_core::Result<T> + Send + 'static,
) -> ApiResult<T> {
    st.db(move |s| s.read_tx(f)).await
}

#[utoipa::path(get, operation_id = "report_summary", path = "/api/v1/reports/summary", tag = "reports", params(DayRange),
    responses((status = 200, body = Summary)), security(("bearer" = [])))]
pub async fn summary(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(range): ApiQuery<DayRange>,
) -> ApiResult<Json<Summary>> {
    auth.require(Permission::ReadReports)?;
    let (from, to) = range.resolve(today(&st).await?)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        run(&st, move |c| reports::summary(c, &branch, from, to)).await?,
    ))
}

macro_rules! report_route {
    ($name:ident, $op:literal, $path:literal, $body:ty, |$c:ident, $p:ident, $q:ident| $e:expr) => {
        #[utoipa::path(get, operation_id = $op, path = $path, tag = "reports", params(ReportQuery),
            responses((status = 200, body = $body), (status = 403, body = crate::error::ErrorBody),
                      (status = 422, body = crate::error::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $name(
            State(st): State<AppState>,
            auth: Auth,
            ApiQuery($q): ApiQuery<ReportQuery>,
        ) -> ApiResult<Json<$body>> {
            auth.require(Permission::ReadReports)?;
            let $p = $q.period(&st).await?;
            #[allow(unused_variables)]
            let $q = ($q.open_hours()?, $q.kind()?, $q.limit()?);
            Ok(Json(run(&st, move |$c| $e).await?))
        }
    };
}

report_route!(
    dashboard,
    "report_dashboard",
    "/api/v1/reports/dashboard",
    Dashboard,
    |c, p, q| reports::figures::dashboard(c, &p)
);
report_route!(
    revenue,
    "report_revenue",
    "/api/v1/reports/revenue",
    RevenueReport,
    |c, p, q| reports::figures::revenue(c, &p)
);
report_route!(
    heatmap,
    "report_heatmap",
    "/api/v1/reports/heatmap",
    Heatmap,
    |c, p, q| reports::figures::heatmap(c, &p)
);
report_route!(
    top_products,
    "report_top_products",
    "/api/v1/reports/top-products",
    TopItems,
    |c, p, q| reports::items::top_items(c, &p, q.1, q.2)
);
report_route!(
    inventory,
    "report_inventory",
    "/api/v1/reports/inventory",
    Inventory,
    |c, p, q| reports::items::inventory(c, &p)
);
report_route!(
    utilisation,
    "report_utilisation",
    "/api/v1/reports/utilisation",
    Utilisation,
    |c, p, q| reports::utilisation::utilisation(c, &p, q.0)
);
report_route!(
    day_closings,
    "report_day_closings",
    "/api/v1/reports/day-closings",
    ClosingsReport,
    |c, p, q| reports::closings::closings(c, &p)
);

report_route!(
    courtesies,
    "report_courtesies",
    "/api/v1/reports/courtesies",
    CourtesiesReport,
    |c, p, q| reports::courtesies::courtesies(c, &p)
);

report_route!(
    customers,
    "report_customers",
    "/api/v1/reports/customers",
    kidyboard_core::reports::customers::CustomersReport,
    |c, p, q| reports::customers::customers(c, &p)
);

report_route!(
    taxes,
    "report_taxes",
    "/api/v1/reports/taxes",
    kidyboard_core::tax::TaxReport,
    |c, p, q| kidyboard_core::tax::report(c, &p)
);

/// Forecasts start today in the branch; `from`/`to` are ignored.
#[utoipa::path(get, operation_id = "report_forecast", path = "/api/v1/reports/forecast", tag = "reports", params(ReportQuery),
    responses((status = 200, body = ForecastReport), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn forecast(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ForecastReport>> {
    auth.require(Permission::ReadReports)?;
    let p = ReportQuery {
        branch_id: q.branch_id.clone(),
        ..Default::default()
    }
    .period(&st)
    .await?;
    let open_hours = q.open_hours()?;
    Ok(Json(
        run(&st, move |c| {
            reports::forecast::forecast(c, &p.branch_id, p.from, open_hours)
        })
        .await?,
    ))
}
