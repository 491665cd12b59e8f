//! The cloud's OpenAPI 3 document, generated from the handlers and types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Kidyboard cloud API", description = "Sync for Kidyboard stores and the owner's view of every branch. Stores push their events (stored once by id) and pull the organisation's catalogue feed by cursor; owners manage branches, pairing codes and the catalogue, and read reports. Bearer tokens: operator (organisations), owner (everything of one organisation), device (push/pull). Every error is {error:{code,message,field?}}."),
    modifiers(&BearerAuth),
    paths(
        routes::orgs::create_organisation, routes::orgs::create_branch, routes::orgs::list_branches,
        routes::orgs::create_pairing_code, routes::orgs::pair,
        routes::sync::push, routes::sync::catalog,
        routes::catalog::list_products, routes::catalog::create_product, routes::catalog::update_product,
        routes::services::list_services, routes::services::create_service, routes::services::update_service,
        routes::reports::summary, routes::reports::stock_alerts, routes::reports::timers,
        routes::health::healthz, routes::health::readyz,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail))
)]
pub struct ApiDoc;

pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
