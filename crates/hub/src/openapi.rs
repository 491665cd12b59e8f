//! The OpenAPI 3 document, generated from the handlers and types themselves.

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
    info(title = "Kidyboard hub API", description = "The store hub: catalogue, sales, play timers, day closing, reports and the live feed. Money is integer centavos; times are RFC 3339 UTC; business days are YYYY-MM-DD in the branch time zone. Every error is {error:{code,message,field?}}."),
    modifiers(&BearerAuth),
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
