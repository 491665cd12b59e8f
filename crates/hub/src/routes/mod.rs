//! The `/api/v1` routes, one module per thing they own.

use chrono::NaiveDate;
use kidyboard_core::clock;
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[cfg(feature = "audio")]
pub mod audio;
pub mod auth;
pub mod backups;
pub mod bookings;
pub mod catalog;
pub mod day_close;
pub mod events;
pub mod families;
pub mod health;
pub mod images;
pub mod jobs;
#[cfg(feature = "media")]
pub mod menus;
pub mod pickup;
pub mod refunds;
pub mod report_documents;
pub mod report_files;
pub mod reports;
pub mod sales;
pub mod sync;
pub mod till;
pub mod timers;
#[cfg(feature = "vision")]
pub mod vision;

/// Every route of the hub, each declared once with its documentation: the router and the
/// OpenAPI document are two views of this one list (`crate::openapi::spec`).
pub fn all(config: &crate::Config) -> OpenApiRouter<AppState> {
    api()
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .merge(uploads(config.max_image_bytes))
        .merge(public())
}

/// The routes under `/api/v1` whose body is JSON, each declared once, with its
/// documentation: the router and the OpenAPI document are two views of this one list. Routes
/// carry their full path (`/api/v1/…`, as their `#[utoipa::path]` says).
pub fn api() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::pin_login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .merge(catalog::router())
        .routes(routes!(backups::list, backups::take))
        .routes(routes!(backups::restore))
        .routes(routes!(sales::create, sales::list))
        .routes(routes!(sales::get))
        .routes(routes!(refunds::create))
        .routes(routes!(refunds::get))
        .routes(routes!(refunds::receipt))
        .routes(routes!(refunds::wristbands))
        .routes(routes!(timers::list))
        .routes(routes!(timers::get, timers::rename))
        .routes(routes!(timers::act))
        .routes(routes!(day_close::close, day_close::list))
        .routes(routes!(day_close::current))
        .routes(routes!(day_close::amend))
        .routes(routes!(till::open))
        .routes(routes!(till::movement))
        .routes(routes!(till::day))
        .routes(routes!(till::shift))
        .routes(routes!(reports::summary))
        .routes(routes!(reports::dashboard))
        .routes(routes!(reports::revenue))
        .routes(routes!(reports::heatmap))
        .routes(routes!(reports::top_products))
        .routes(routes!(reports::inventory))
        .routes(routes!(reports::utilisation))
        .routes(routes!(reports::day_closings))
        .routes(routes!(reports::courtesies))
        .routes(routes!(reports::taxes))
        .routes(routes!(reports::customers))
        .routes(routes!(families::list, families::create))
        .routes(routes!(families::get, families::update))
        .routes(routes!(families::export))
        .routes(routes!(families::erase))
        .routes(routes!(families::accept_consent))
        .routes(routes!(families::consents, families::publish_consent))
        .routes(routes!(families::current_consent))
        .routes(routes!(families::retention))
        .routes(routes!(pickup::preview))
        .routes(routes!(pickup::checkout))
        .routes(routes!(pickup::occupancy))
        .routes(routes!(pickup::announce))
        .routes(routes!(
            pickup::notify_settings,
            pickup::put_notify_settings
        ))
        .routes(routes!(bookings::list_areas, bookings::create_area))
        .routes(routes!(bookings::update_area))
        .routes(routes!(bookings::list_packages, bookings::create_package))
        .routes(routes!(bookings::update_package))
        .routes(routes!(bookings::settings, bookings::put_settings))
        .routes(routes!(bookings::list, bookings::create))
        .routes(routes!(bookings::get, bookings::update))
        .routes(routes!(bookings::cancel))
        .routes(routes!(bookings::check_in))
        .routes(routes!(bookings::ics_status, bookings::ics_token))
        .routes(routes!(bookings::ics))
        .routes(routes!(reports::forecast))
        .routes(routes!(report_files::export))
        .routes(routes!(events::list))
        .routes(routes!(sync::status))
        .routes(routes!(sync::now))
        .routes(routes!(sync::pair))
        .routes(routes!(jobs::get, jobs::cancel))
        .routes(routes!(jobs::file))
        .routes(routes!(crate::ws::live));
    #[cfg(feature = "media")]
    let api = api.merge(menus::router());
    #[cfg(feature = "audio")]
    let api = api.merge(audio::router());
    #[cfg(feature = "vision")]
    let api = api.merge(vision::router());
    api
}

/// Uploads: each with its own, larger body limit instead of the JSON one.
pub fn uploads(max_image_bytes: usize) -> OpenApiRouter<AppState> {
    let images = OpenApiRouter::new()
        .routes(routes!(images::upload))
        .layer(RequestBodyLimitLayer::new(max_image_bytes))
        .layer(axum::extract::DefaultBodyLimit::disable());
    #[cfg(feature = "audio")]
    let images = images.merge(audio::uploads());
    #[cfg(feature = "vision")]
    let images = images.merge(vision::uploads());
    images
}

/// Routes outside `/api/v1`: health, metrics and pictures (no login).
pub fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::ca_certificate))
        .routes(routes!(images::serve_remote))
        .routes(routes!(images::serve))
}

/// A range of business days (`YYYY-MM-DD`, inclusive), in the branch time zone.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayRange {
    /// First business day (default: today in the branch time zone).
    pub from: Option<String>,
    /// Last business day (default: `from`).
    pub to: Option<String>,
}

/// Longest range a single request may ask for.
const MAX_RANGE_DAYS: i64 = 400;

impl DayRange {
    pub fn resolve(&self, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
        let from = match &self.from {
            Some(s) => clock::parse_day("from", s)?,
            None => today,
        };
        let to = match &self.to {
            Some(s) => clock::parse_day("to", s)?,
            None if self.from.is_some() => from,
            None => today,
        };
        if to < from {
            return Err(ApiError::validation(
                "to",
                "«to» no puede ser anterior a «from»",
            ));
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(ApiError::validation(
                "to",
                format!("el rango es de a lo más {MAX_RANGE_DAYS} días"),
            ));
        }
        Ok((from, to))
    }
}

/// Today in the store's branch time zone.
pub async fn today(state: &AppState) -> ApiResult<NaiveDate> {
    let branch = state.store.branch_id().to_string();
    let now = clock::now_ms();
    state
        .db(move |s| {
            s.read(|c| {
                Ok(clock::local_day(
                    now,
                    kidyboard_core::branches::timezone(c, &branch)?,
                ))
            })
        })
        .await
}

/// Ids from paths are checked before they reach a query: anything else is simply not found.
pub fn check_id(id: &str) -> ApiResult<()> {
    if kidyboard_core::ids::is_valid(id) {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

macro_rules! list_of {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
        }
    };
}
pub(crate) use list_of;

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Where a route may be added without `routes!`: the document itself, the JSON 404 for
    /// unknown API paths, and the static UI.
    const UNDOCUMENTED: [&str; 3] = [
        "\"/api/v1/openapi.json\"",
        "\"/api/{*rest}\"",
        "nest_service(\"/assets\"",
    ];

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// Every route is declared with `routes!`, which adds it to the router and to the OpenAPI
    /// document at once; a plain `.route(…)` would serve a path the document does not show.
    #[test]
    fn routes_are_declared_only_together_with_their_documentation() {
        // The hub's router: app.rs and the route modules (`vision_cli`'s camera preview is a
        // tool's own little server, not the hub).
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src.join("routes"), &mut files);
        for f in ["app.rs", "server.rs", "ws.rs", "openapi.rs"] {
            let path = src.join(f);
            let text = std::fs::read_to_string(&path).expect("source");
            files.push((path.display().to_string(), text));
        }
        // This test names what it looks for.
        for (_, text) in files.iter_mut() {
            if let Some(at) = text.find("#[cfg(test)]") {
                text.truncate(at);
            }
        }
        let needles = [".route(", ".nest(", ".route_service(", ".nest_service("];
        for (file, text) in &files {
            for (i, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if needles.iter().any(|n| line.contains(n))
                    && !UNDOCUMENTED.iter().any(|u| line.contains(u))
                {
                    panic!(
                        "{file}:{}: a route outside `routes!` has no OpenAPI entry: {line}",
                        i + 1
                    );
                }
            }
        }
        // And no document entry without its route: the document's paths come only from the
        // route list (`openapi::spec`), never from a hand-written `paths(...)`.
        let openapi = files
            .iter()
            .find(|(f, _)| f.ends_with("openapi.rs"))
            .expect("openapi.rs");
        assert!(
            !openapi.1.contains("paths("),
            "the OpenAPI document lists paths by hand beside the route list"
        );
    }
}
