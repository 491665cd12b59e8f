//! Reports for admins.

use axum::extract::State;
use axum::Json;
use kidyboard_core::reports::{self, Summary};
use kidyboard_core::Permission;

use super::{today, DayRange};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

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
        st.db(move |s| s.read_tx(|c| reports::summary(c, &branch, from, to)))
            .await?,
    ))
}
