//! The store's side of the API: push events, pull the catalogue feed.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_http::ApiJson;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

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

/// What the cloud did with a picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct PictureReceipt {
    /// False when the organisation already had it.
    pub stored: bool,
}

fn picture_hash(hash: &str) -> Result<()> {
    if kidyboard_core::validate::is_sha256_hex(hash) {
        Ok(())
    } else {
        Err(CloudError::validation(
            "hash",
            "el sha256 de la imagen: 64 caracteres hexadecimales en minúsculas",
        ))
    }
}

/// A picture a menu design names, from the store that has it: kept once per organisation
/// under its content hash, which must be the sha256 of the bytes.
#[utoipa::path(put, path = "/api/v1/sync/pictures/{hash}",
    params(("hash" = String, Path, description = "sha256 of the bytes")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = PictureReceipt), (status = 401, body = crate::error::ErrorBody),
              (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "sync")]
pub async fn put_picture(
    State(st): State<CloudState>,
    device: Device,
    Path(hash): Path<String>,
    body: Bytes,
) -> Result<Json<PictureReceipt>> {
    crate::metrics::check(&st, &st.limits.sync, &device.device_id)?;
    picture_hash(&hash)?;
    let digest = crate::secrets::sha256_hex(&body);
    if body.is_empty() || digest != hash {
        return Err(CloudError::validation(
            "body",
            "los bytes no son los de esa imagen (su sha256 no coincide)",
        ));
    }
    let db = st.db().await?;
    let n = db
        .execute(
            "INSERT INTO pictures (org_id, hash, bytes) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, hash) DO NOTHING",
            &[&device.org_id, &hash, &body.as_ref()],
        )
        .await?;
    Ok(Json(PictureReceipt { stored: n == 1 }))
}

/// A picture of the store's organisation, for a menu design made at another branch.
#[utoipa::path(get, path = "/api/v1/sync/pictures/{hash}",
    params(("hash" = String, Path, description = "sha256 of the bytes")),
    responses((status = 200, description = "The picture's bytes", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "sync")]
pub async fn get_picture(
    State(st): State<CloudState>,
    device: Device,
    Path(hash): Path<String>,
) -> Result<Response> {
    crate::metrics::check(&st, &st.limits.sync, &device.device_id)?;
    picture_hash(&hash)?;
    let db = st.db().await?;
    let row = db
        .query_opt(
            "SELECT bytes FROM pictures WHERE org_id = $1 AND hash = $2",
            &[&device.org_id, &hash],
        )
        .await?
        .ok_or(CloudError::NotFound("imagen"))?;
    let bytes: Vec<u8> = row.get(0);
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
        ],
        bytes,
    )
        .into_response())
}
