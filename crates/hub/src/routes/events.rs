//! The event log, for audits (and, later, the sync worker).

use axum::extract::State;
use axum::Json;
use kidyboard_core::events::{self, Event};
use kidyboard_core::Permission;
use serde::Deserialize;
use utoipa::IntoParams;

use super::list_of;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

list_of!(EventList, Event);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only events after this sequence number.
    #[serde(default)]
    pub after: i64,
    /// At most this many (1–1000, default 100).
    pub limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "list_events", path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, body = EventList)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<Json<EventList>> {
    auth.require(Permission::ReadEvents)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let after = q.after.max(0);
    let items = st
        .db(move |s| s.read(|c| events::list_after(c, after, limit)))
        .await?;
    Ok(Json(EventList { items }))
}
