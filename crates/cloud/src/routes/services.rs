//! The owner's play-time services in the cloud: like products, each edit becomes a catalogue
//! event that every branch of the organisation pulls.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::catalog::{cents, create, list, start, text, update, CatalogItem, CatalogList, Edit};
use crate::auth::{Member, Owner};
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use kidyboard_http::ApiJson;

/// Fields of a service (absent = unchanged on PATCH; `name`, `duration_minutes` and
/// `price_cents` needed on POST).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i64>,
    pub price_cents: Option<i64>,
    /// Children at once (0 = unlimited).
    pub capacity: Option<i64>,
    pub active: Option<bool>,
}

impl Edit for ServiceEdit {
    const ENTITY: &'static str = "service";
    const WHAT: &'static str = "el servicio";

    fn merge(&self, id: &str, base: &serde_json::Value) -> Result<serde_json::Value> {
        merge_service(id, base, self)
    }
}

fn merge_service(id: &str, base: &serde_json::Value, e: &ServiceEdit) -> Result<serde_json::Value> {
    let mut r = start(id, base);
    if let Some(v) = &e.name {
        r.insert("name".into(), text("name", v, 120, true)?.into());
    }
    if let Some(v) = &e.description {
        r.insert(
            "description".into(),
            text("description", v, 2_000, false)?.into(),
        );
    }
    if let Some(v) = e.duration_minutes {
        if !(1..=24 * 60).contains(&v) {
            return Err(CloudError::validation(
                "duration_minutes",
                "de 1 a 1440 minutos",
            ));
        }
        r.insert("duration_minutes".into(), v.into());
    }
    if let Some(v) = e.price_cents {
        r.insert("price_cents".into(), cents("price_cents", v)?.into());
    }
    if let Some(v) = e.capacity {
        if !(0..=100_000).contains(&v) {
            return Err(CloudError::validation("capacity", "de 0 a 100000"));
        }
        r.insert("capacity".into(), v.into());
    }
    if let Some(v) = e.active {
        r.insert("active".into(), v.into());
    }
    r.entry("description").or_insert(serde_json::json!(""));
    r.entry("capacity").or_insert(serde_json::json!(0));
    r.entry("active").or_insert(serde_json::json!(true));
    for required in ["name", "duration_minutes", "price_cents"] {
        if !r.contains_key(required) {
            return Err(CloudError::validation(required, "es obligatorio"));
        }
    }
    Ok(serde_json::Value::Object(r))
}

/// The organisation's services, as the latest version of each.
#[utoipa::path(get, path = "/api/v1/catalog/services", responses((status = 200, body = CatalogList)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn list_services(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<CatalogList>> {
    list(&st, &member.org_id, ServiceEdit::ENTITY).await
}

/// Creates a service for every branch.
#[utoipa::path(post, path = "/api/v1/catalog/services", request_body = ServiceEdit,
    responses((status = 201, body = CatalogItem), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn create_service(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(edit): ApiJson<ServiceEdit>,
) -> Result<(StatusCode, Json<CatalogItem>)> {
    create(&st, &owner, &edit).await
}

/// Changes a service for every branch.
#[utoipa::path(patch, path = "/api/v1/catalog/services/{id}", request_body = ServiceEdit,
    params(("id" = String, Path, description = "service id")),
    responses((status = 200, body = CatalogItem), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn update_service(
    State(st): State<CloudState>,
    owner: Owner,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<ServiceEdit>,
) -> Result<Json<CatalogItem>> {
    update(&st, &owner, id, &edit).await
}
