//! The OpenAPI 3 document, generated from the handlers and types themselves.

use axum::Json;
use kidyboard_http::openapi::BearerAuth;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// Operations that answer 429 when a client tries too often (besides what their handler says).
const THROTTLED: [(&str, &str); 2] = [("post", "/api/v1/auth/login"), ("get", "/api/v1/live")];

/// The answers every secured operation can give, declared once here instead of on each
/// handler: 401 (no valid session) and 403 (the role may not), and 429 on throttled ones, all
/// with the `ErrorBody` every error has. A handler's own description of them is kept.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        for (path, item) in api.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
                ("head", &mut item.head),
                ("options", &mut item.options),
                ("trace", &mut item.trace),
            ];
            for (method, op) in operations {
                let Some(op) = op.as_mut() else { continue };
                if is_secured(op) {
                    add_error(
                        op,
                        "401",
                        "Sin sesión válida: falta el token, caducó o se revocó",
                    );
                    add_error(op, "403", "El rol de la sesión no permite esta operación");
                }
                if THROTTLED.contains(&(method, path.as_str())) {
                    add_error(
                        op,
                        "429",
                        "Demasiados intentos: espera antes de volver a probar",
                    );
                }
            }
        }
    }
}

/// Secured = at least one security requirement names a scheme (an empty one only makes the
/// others optional, as on /metrics, which still answers 401/403 to an untrusted peer).
fn is_secured(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| *r != utoipa::openapi::security::SecurityRequirement::default())
    })
}

fn add_error(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                )
                .build()
                .into()
        });
}

/// What the document says besides its paths (those come from the one route list).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kidyboard hub API",
        description = "The store hub: catalogue, sales, play timers, day closing, reports and the live feed. Money is integer centavos; times are RFC 3339 UTC; business days are YYYY-MM-DD in the branch time zone. Every error is {error:{code,message,field?}}."
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail))
)]
pub struct ApiDoc;

/// The OpenAPI document: every route of [`crate::routes::all`], the shared schemas, the bearer
/// scheme and the answers every secured operation can give.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, paths) = crate::routes::all(&crate::Config::default()).split_for_parts();
    let mut doc = ApiDoc::openapi();
    doc.merge(paths);
    BearerAuth.modify(&mut doc);
    StandardErrors.modify(&mut doc);
    doc
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
