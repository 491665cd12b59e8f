//! The owner's packages in the cloud (a party for ten, a combo of play time and a drink): like
//! products and services, each edit becomes a catalogue event every branch pulls.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::{cents, create, list, start, text, update, CatalogItem, CatalogList, Edit};
use crate::auth::{Member, Owner};
use crate::error::{CloudError, Result};
use crate::state::CloudState;
use kidyboard_http::ApiJson;

/// One line of a package: a product or a service, so many of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageItem {
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub service_id: Option<String>,
    pub quantity: i64,
}

/// Fields of a package (absent = unchanged on PATCH; `name`, `price_cents` and `items` needed
/// on POST).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub items: Option<Vec<PackageItem>>,
}

impl Edit for PackageEdit {
    const ENTITY: &'static str = "package";
    const WHAT: &'static str = "el paquete";

    fn merge(&self, id: &str, base: &serde_json::Value) -> Result<serde_json::Value> {
        let mut r = start(id, base);
        if let Some(v) = &self.name {
            r.insert("name".into(), text("name", v, 120, true)?.into());
        }
        if let Some(v) = &self.description {
            r.insert(
                "description".into(),
                text("description", v, 2_000, false)?.into(),
            );
        }
        if let Some(v) = self.price_cents {
            r.insert("price_cents".into(), cents("price_cents", v)?.into());
        }
        if let Some(v) = self.active {
            r.insert("active".into(), v.into());
        }
        if let Some(items) = &self.items {
            if items.is_empty() || items.len() > 50 {
                return Err(CloudError::validation(
                    "items",
                    "un paquete lleva de 1 a 50 artículos",
                ));
            }
            for (i, item) in items.iter().enumerate() {
                if item.product_id.is_some() == item.service_id.is_some() {
                    return Err(CloudError::validation(
                        format!("items[{i}]"),
                        "cada artículo es un producto o un servicio",
                    ));
                }
                if !(1..=1_000).contains(&item.quantity) {
                    return Err(CloudError::validation(
                        format!("items[{i}].quantity"),
                        "de 1 a 1000",
                    ));
                }
            }
            let items = serde_json::to_value(items)
                .map_err(|e| CloudError::Internal(format!("items: {e}")))?;
            r.insert("items".into(), items);
        }
        r.entry("description").or_insert(serde_json::json!(""));
        r.entry("active").or_insert(serde_json::json!(true));
        for required in ["name", "price_cents", "items"] {
            if !r.contains_key(required) {
                return Err(CloudError::validation(required, "es obligatorio"));
            }
        }
        Ok(serde_json::Value::Object(r))
    }
}

/// Every product and service a package names is in the organisation's catalogue.
async fn check_items(st: &CloudState, org_id: &str, edit: &PackageEdit) -> Result<()> {
    let Some(items) = &edit.items else {
        return Ok(());
    };
    let db = st.db().await?;
    for (i, item) in items.iter().enumerate() {
        let (entity, id, field) = match (&item.product_id, &item.service_id) {
            (Some(p), _) => ("product", p, "product_id"),
            (None, Some(s)) => ("service", s, "service_id"),
            (None, None) => continue,
        };
        let known = db
            .query_opt(
                "SELECT 1 FROM catalog_records WHERE org_id = $1 AND entity = $2 AND entity_id = $3",
                &[&org_id, &entity, id],
            )
            .await?
            .is_some();
        if !known {
            return Err(CloudError::validation(
                format!("items[{i}].{field}"),
                "no está en el catálogo de la organización",
            ));
        }
    }
    Ok(())
}

/// The organisation's packages, as the latest version of each.
#[utoipa::path(get, path = "/api/v1/catalog/packages", responses((status = 200, body = CatalogList)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn list_packages(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<CatalogList>> {
    list(&st, &member.org_id, PackageEdit::ENTITY).await
}

/// Creates a package for every branch.
#[utoipa::path(post, path = "/api/v1/catalog/packages", request_body = PackageEdit,
    responses((status = 201, body = CatalogItem), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn create_package(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(edit): ApiJson<PackageEdit>,
) -> Result<(StatusCode, Json<CatalogItem>)> {
    check_items(&st, &owner.org_id, &edit).await?;
    create(&st, &owner, &edit).await
}

/// Changes a package for every branch.
#[utoipa::path(patch, path = "/api/v1/catalog/packages/{id}", request_body = PackageEdit,
    params(("id" = String, Path, description = "package id")),
    responses((status = 200, body = CatalogItem), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn update_package(
    State(st): State<CloudState>,
    owner: Owner,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<PackageEdit>,
) -> Result<Json<CatalogItem>> {
    check_items(&st, &owner.org_id, &edit).await?;
    update(&st, &owner, id, &edit).await
}
