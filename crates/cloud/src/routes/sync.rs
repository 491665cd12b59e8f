//! The store's side of the API: push events, pull the catalogue feed.

use axum::extract::{Query, State};
use axum::Json;
use kidyboard_http::ApiJson;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Device;
use crate::error::{CloudError, Result};
use crate::feed::{self, CatalogPage};
use crate::ingest::{self, PushAnswer, PushRequest};
use crate::state::CloudState;

/// Stores a batch of the store's events, each once by id (a retried batch stores nothing twice).
#[utoipa::path(post, path = "/api/v1/sync/push", request_body = PushRequest,
    responses((status = 200, body = PushAnswer), (status = 401, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "sync")]
pub async fn push(
    State(st): State<CloudState>,
    device: Device,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushAnswer>> {
    crate::metrics::check(&st, &st.limits.sync, &device.device_id)?;
    let answer = ingest::push(&st, &device, req.events).await?;
    st.metrics
        .events_stored
        .fetch_add(answer.stored, std::sync::atomic::Ordering::Relaxed);
    st.metrics
        .events_duplicate
        .fetch_add(answer.duplicates, std::sync::atomic::Ordering::Relaxed);
    Ok(Json(answer))
}

#[derive(Deserialize, IntoParams)]
pub struct FeedQuery {
    /// The last feed position already applied (0 at first).
    #[serde(default)]
    pub after: i64,
    /// Page size, 1..=1000 (default 500).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Catalogue events of the store's organisation after its cursor.
#[utoipa::path(get, path = "/api/v1/sync/catalog", params(FeedQuery),
    responses((status = 200, body = CatalogPage), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "sync")]
pub async fn catalog(
    State(st): State<CloudState>,
    device: Device,
    headers: axum::http::HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Json<CatalogPage>> {
    crate::metrics::check(&st, &st.limits.sync, &device.device_id)?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(CloudError::validation("limit", "de 1 a 1000"));
    }
    if q.after < 0 {
        return Err(CloudError::validation("after", "no puede ser negativo"));
    }
    // What the store says of itself: its queue and its version (bounded, never trusted further).
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let pending = header(kidyboard_sync::wire::PENDING_HEADER)
        .and_then(|v| v.parse::<i64>().ok())
        .map(|n| n.clamp(0, i64::MAX / 2));
    let version: Option<String> = header(kidyboard_sync::wire::VERSION_HEADER).map(|v| {
        v.chars()
            .filter(|c| c.is_ascii_graphic())
            .take(40)
            .collect()
    });
    let db = st.db().await?;
    db.execute(
        "UPDATE devices SET last_seen_at = now(), pending_events = COALESCE($2, pending_events),
                app_version = COALESCE($3, app_version)
         WHERE id = $1",
        &[&device.device_id, &pending, &version],
    )
    .await?;
    Ok(Json(feed::page(&db, &device.org_id, q.after, limit).await?))
}
