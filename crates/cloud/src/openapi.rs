//! The cloud's OpenAPI 3 document, generated from the handlers and types.

use axum::Json;
use kidyboard_http::openapi::BearerAuth;
use utoipa::{Modify, OpenApi};

/// What the document says besides its paths (those come from the one route list).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kidyboard cloud API",
        description = "Sync for Kidyboard stores and the owner's view of every branch. Stores push their events (stored once by id) and pull the organisation's catalogue feed by cursor; owners manage people, branches, pairing codes and the catalogue, and read reports. People sign in with email and password (optionally a TOTP code) and use the session token as bearer: owners do everything in their organisation, managers run the branches given to them, viewers read. Other bearer tokens: operator (creates organisations), device (push/pull). Every error is {error:{code,message,field?}}."
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail))
)]
pub struct ApiDoc;

/// The document: every route of [`crate::server::routes`], the shared schemas and the bearer
/// scheme.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, paths) = crate::server::routes().split_for_parts();
    let mut doc = ApiDoc::openapi();
    doc.merge(paths);
    BearerAuth.modify(&mut doc);
    doc
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
