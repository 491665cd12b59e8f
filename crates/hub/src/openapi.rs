//! The OpenAPI 3 document, generated from the handlers and types themselves.

use axum::Json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, ResponseBuilder};
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

#[derive(OpenApi)]
#[openapi(
    info(title = "Kidyboard hub API", description = "The store hub: catalogue, sales, play timers, day closing, reports and the live feed. Money is integer centavos; times are RFC 3339 UTC; business days are YYYY-MM-DD in the branch time zone. Every error is {error:{code,message,field?}}."),
    modifiers(&BearerAuth, &StandardErrors),
    paths(
        routes::auth::login, routes::auth::logout, routes::auth::me,
        routes::catalog::list_branches, routes::catalog::get_branch, routes::catalog::create_branch, routes::catalog::update_branch,
        routes::catalog::list_products, routes::catalog::get_product, routes::catalog::create_product, routes::catalog::update_product,
        routes::catalog::delete_product, routes::catalog::adjust_stock, routes::catalog::stock_movements,
        routes::catalog::list_services, routes::catalog::get_service, routes::catalog::create_service, routes::catalog::update_service, routes::catalog::delete_service,
        routes::catalog::list_packages, routes::catalog::get_package, routes::catalog::create_package, routes::catalog::update_package, routes::catalog::delete_package,
        routes::catalog::list_users, routes::catalog::get_user, routes::catalog::create_user, routes::catalog::update_user, routes::catalog::delete_user,
        routes::backups::list, routes::backups::take, routes::backups::restore,
        routes::sales::create, routes::sales::list, routes::sales::get,
        routes::timers::list, routes::timers::get, routes::timers::act,
        routes::day_close::current, routes::day_close::close, routes::day_close::list,
        routes::reports::summary, routes::events::list,
        routes::images::upload, routes::images::serve, routes::images::serve_remote,
        routes::sync::status, routes::sync::now, routes::sync::pair,
        routes::menus::list, routes::menus::get_one, routes::menus::create, routes::menus::update, routes::menus::remove,
        routes::menus::preview, routes::menus::preview_unsaved, routes::menus::export, routes::menus::totem,
        routes::reports::dashboard, routes::reports::revenue, routes::reports::heatmap, routes::reports::top_products,
        routes::reports::inventory, routes::reports::utilisation, routes::reports::day_closings, routes::reports::forecast,
        routes::report_files::export,
        routes::jobs::get, routes::jobs::cancel, routes::jobs::file,
        routes::audio::list_clips, routes::audio::upload, routes::audio::get_clip, routes::audio::clip_sound, routes::audio::delete_clip,
        routes::audio::list_schedules, routes::audio::create_schedule, routes::audio::update_schedule, routes::audio::delete_schedule,
        routes::audio::get_settings, routes::audio::put_settings, routes::audio::list_players, routes::audio::report_player,
        crate::ws::live,
        routes::health::healthz, routes::health::readyz, routes::health::metrics,
        routes::vision::record_visits, routes::vision::status, routes::vision::put_status,
        routes::vision::get_shifts, routes::vision::put_shifts, routes::vision::visitors,
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
