//! The owner's catalogue in the cloud (products): edits become catalogue events that every
//! branch of the organisation pulls.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_http::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Member, Owner};
use crate::error::{CloudError, Result};
use crate::feed;
use crate::state::CloudState;

/// Fields of a product (absent = unchanged on PATCH; `name` and `price_cents` needed on POST).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductEdit {
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub cost_cents: Option<i64>,
    pub low_stock_threshold: Option<i64>,
    pub barcode: Option<String>,
    pub image_url: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CatalogItem {
    pub id: String,
    /// The record as the branches apply it.
    pub record: serde_json::Value,
    /// Who wrote the winning version ("cloud" or a store's device id).
    pub device_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CatalogList {
    pub items: Vec<CatalogItem>,
}

const MAX_CENTS: i64 = 10_000_000_000;

pub(crate) fn text(field: &str, v: &str, max: usize, required: bool) -> Result<String> {
    let t = v.trim();
    if (required && t.is_empty()) || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(CloudError::validation(
            field,
            format!("de {} a {max} caracteres", usize::from(required)),
        ));
    }
    Ok(t.to_string())
}

pub(crate) fn cents(field: &str, v: i64) -> Result<i64> {
    if !(0..=MAX_CENTS).contains(&v) {
        return Err(CloudError::validation(field, "monto fuera de rango"));
    }
    Ok(v)
}

/// An owner's edit of one kind of catalogue record: how it merges into the current record (a
/// JSON object shaped like the hub's), checking every field.
pub(crate) trait Edit {
    /// The entity name in the catalogue feed (`product`, `service`).
    const ENTITY: &'static str;
    /// The record, for "… no existe".
    const WHAT: &'static str;
    fn merge(&self, id: &str, base: &serde_json::Value) -> Result<serde_json::Value>;
}

/// The current record as a map with its id, or a new one.
pub(crate) fn start(
    id: &str,
    base: &serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    let mut r = match base {
        serde_json::Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    r.insert("id".into(), id.into());
    r
}

impl Edit for ProductEdit {
    const ENTITY: &'static str = "product";
    const WHAT: &'static str = "el producto";

    fn merge(&self, id: &str, base: &serde_json::Value) -> Result<serde_json::Value> {
        merge_product(id, base, self)
    }
}

fn merge_product(id: &str, base: &serde_json::Value, e: &ProductEdit) -> Result<serde_json::Value> {
    let mut r = start(id, base);
    if let Some(v) = &e.name {
        r.insert("name".into(), text("name", v, 120, true)?.into());
    }
    if let Some(v) = &e.category {
        r.insert("category".into(), text("category", v, 120, false)?.into());
    }
    if let Some(v) = &e.description {
        r.insert(
            "description".into(),
            text("description", v, 2_000, false)?.into(),
        );
    }
    if let Some(v) = e.price_cents {
        r.insert("price_cents".into(), cents("price_cents", v)?.into());
    }
    if let Some(v) = e.cost_cents {
        r.insert("cost_cents".into(), cents("cost_cents", v)?.into());
    }
    if let Some(v) = e.low_stock_threshold {
        r.insert(
            "low_stock_threshold".into(),
            cents("low_stock_threshold", v)?.into(),
        );
    }
    if let Some(v) = &e.barcode {
        let b = text("barcode", v, 64, false)?;
        r.insert(
            "barcode".into(),
            if b.is_empty() {
                serde_json::Value::Null
            } else {
                b.into()
            },
        );
    }
    if let Some(v) = &e.image_url {
        let u = text("image_url", v, 1_000, false)?;
        r.insert(
            "image_url".into(),
            if u.is_empty() {
                serde_json::Value::Null
            } else {
                u.into()
            },
        );
    }
    if let Some(v) = e.active {
        r.insert("active".into(), v.into());
    }
    for (k, default) in [
        ("category", serde_json::json!("")),
        ("description", serde_json::json!("")),
        ("cost_cents", serde_json::json!(0)),
        ("low_stock_threshold", serde_json::json!(0)),
        ("active", serde_json::json!(true)),
    ] {
        r.entry(k).or_insert(default);
    }
    if !r.contains_key("name") {
        return Err(CloudError::validation("name", "el nombre es obligatorio"));
    }
    if !r.contains_key("price_cents") {
        return Err(CloudError::validation(
            "price_cents",
            "el precio es obligatorio",
        ));
    }
    Ok(serde_json::Value::Object(r))
}

/// The organisation's products, as the latest version of each.
#[utoipa::path(get, path = "/api/v1/catalog/products", responses((status = 200, body = CatalogList)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn list_products(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<CatalogList>> {
    list(&st, &member.org_id, ProductEdit::ENTITY).await
}

/// Creates a product for every branch.
#[utoipa::path(post, path = "/api/v1/catalog/products", request_body = ProductEdit,
    responses((status = 201, body = CatalogItem), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn create_product(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(edit): ApiJson<ProductEdit>,
) -> Result<(StatusCode, Json<CatalogItem>)> {
    create(&st, &owner, &edit).await
}

/// Changes a product for every branch (last writer by hybrid logical clock wins everywhere).
#[utoipa::path(patch, path = "/api/v1/catalog/products/{id}", request_body = ProductEdit,
    params(("id" = String, Path, description = "product id")),
    responses((status = 200, body = CatalogItem), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn update_product(
    State(st): State<CloudState>,
    owner: Owner,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<ProductEdit>,
) -> Result<Json<CatalogItem>> {
    update(&st, &owner, id, &edit).await
}

/// The latest version of every record of `entity` in the owner's organisation.
pub(crate) async fn list(st: &CloudState, org_id: &str, entity: &str) -> Result<Json<CatalogList>> {
    let rows = st
        .db()
        .await?
        .query(
            "SELECT entity_id, record, device_id FROM catalog_records WHERE org_id = $1 AND entity = $2
             ORDER BY record->>'name'",
            &[&org_id, &entity],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| CatalogItem {
            id: r.get(0),
            record: r.get(1),
            device_id: r.get(2),
        })
        .collect();
    Ok(Json(CatalogList { items }))
}

/// A new record, appended to the organisation's catalogue feed.
pub(crate) async fn create<E: Edit>(
    st: &CloudState,
    owner: &Owner,
    edit: &E,
) -> Result<(StatusCode, Json<CatalogItem>)> {
    let id = ulid::Ulid::new().to_string();
    let record = edit.merge(&id, &serde_json::Value::Null)?;
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    feed::append_owner_edit(
        &tx,
        &owner.org_id,
        &format!("{}.created", E::ENTITY),
        E::ENTITY,
        &id,
        &record,
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CatalogItem {
            id,
            record,
            device_id: feed::CLOUD_DEVICE_ID.into(),
        }),
    ))
}

/// A change to a record (locked while it merges, so two owner edits do not lose one).
pub(crate) async fn update<E: Edit>(
    st: &CloudState,
    owner: &Owner,
    id: String,
    edit: &E,
) -> Result<Json<CatalogItem>> {
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    let current: serde_json::Value = tx
        .query_opt(
            "SELECT record FROM catalog_records WHERE org_id = $1 AND entity = $2 AND entity_id = $3 FOR UPDATE",
            &[&owner.org_id, &E::ENTITY, &id],
        )
        .await?
        .ok_or(CloudError::NotFound(E::WHAT))?
        .get(0);
    let record = edit.merge(&id, &current)?;
    feed::append_owner_edit(
        &tx,
        &owner.org_id,
        &format!("{}.updated", E::ENTITY),
        E::ENTITY,
        &id,
        &record,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(CatalogItem {
        id,
        record,
        device_id: feed::CLOUD_DEVICE_ID.into(),
    }))
}

/// One branch's own price or availability for a catalogue record (absent/null = as the
/// organisation; both null remove the override).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideEdit {
    pub branch_id: String,
    /// `product`, `service` or `package`.
    pub entity: String,
    pub entity_id: String,
    #[serde(default)]
    pub price_cents: Option<i64>,
    #[serde(default)]
    pub active: Option<bool>,
}

pub use kidyboard_core::overrides::CatalogOverride;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OverrideList {
    pub items: Vec<CatalogOverride>,
}

/// Sets one branch's own price or availability for a product, service or package; it reaches
/// that branch's stores through sync (the others keep the organisation's). Owners, and managers
/// of the branch.
#[utoipa::path(put, path = "/api/v1/catalog/overrides", request_body = OverrideEdit,
    responses((status = 200, body = CatalogOverride), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn put_override(
    State(st): State<CloudState>,
    member: Member,
    ApiJson(req): ApiJson<OverrideEdit>,
) -> Result<Json<CatalogOverride>> {
    if !["product", "service", "package"].contains(&req.entity.as_str()) {
        return Err(CloudError::validation(
            "entity",
            "product, service o package",
        ));
    }
    if let Some(p) = req.price_cents {
        cents("price_cents", p)?;
    }
    let mut db = st.db().await?;
    let known_branch = db
        .query_opt(
            "SELECT 1 FROM branches WHERE id = $1 AND org_id = $2",
            &[&req.branch_id, &member.org_id],
        )
        .await?
        .is_some();
    if !known_branch {
        return Err(CloudError::validation(
            "branch_id",
            "esa sucursal no es de la organización",
        ));
    }
    member
        .branch(&db, &req.branch_id, crate::auth::Access::Run)
        .await?;
    let known_record = db
        .query_opt(
            "SELECT 1 FROM catalog_records WHERE org_id = $1 AND entity = $2 AND entity_id = $3",
            &[&member.org_id, &req.entity, &req.entity_id],
        )
        .await?
        .is_some();
    if !known_record {
        return Err(CloudError::validation(
            "entity_id",
            "no está en el catálogo de la organización",
        ));
    }
    let id = kidyboard_core::overrides::record_id(&req.branch_id, &req.entity, &req.entity_id);
    let view = CatalogOverride {
        branch_id: req.branch_id,
        entity: req.entity,
        entity_id: req.entity_id,
        price_cents: req.price_cents,
        active: req.active,
    };
    let record = serde_json::to_value(&view).map_err(|e| CloudError::Internal(e.to_string()))?;
    let tx = db.transaction().await?;
    feed::append_owner_edit(
        &tx,
        &member.org_id,
        "catalog_override.set",
        kidyboard_core::overrides::ENTITY,
        &id,
        &record,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OverrideQuery {
    /// Only this branch's (default: every branch the person sees).
    pub branch_id: Option<String>,
}

/// The branches' own prices and availability in effect.
#[utoipa::path(get, path = "/api/v1/catalog/overrides", params(OverrideQuery),
    responses((status = 200, body = OverrideList), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "catalog")]
pub async fn list_overrides(
    State(st): State<CloudState>,
    member: Member,
    axum::extract::Query(q): axum::extract::Query<OverrideQuery>,
) -> Result<Json<OverrideList>> {
    let db = st.db().await?;
    let branches: Vec<String> =
        crate::routes::reports::covered(&db, &member, q.branch_id.as_deref())
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    let rows = db
        .query(
            "SELECT record FROM catalog_records
             WHERE org_id = $1 AND entity = 'catalog_override' AND record->>'branch_id' = ANY($2)
               AND (record->'price_cents' <> 'null'::jsonb OR record->'active' <> 'null'::jsonb)
             ORDER BY entity_id",
            &[&member.org_id, &branches],
        )
        .await?;
    let items = rows
        .iter()
        .filter_map(|r| serde_json::from_value(r.get::<_, serde_json::Value>(0)).ok())
        .collect();
    Ok(Json(OverrideList { items }))
}
