//! The `/api/v1` routes, one module per thing they own.

use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use kidyboard_core::clock;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub mod audio;
pub mod auth;
pub mod backups;
pub mod catalog;
pub mod day_close;
pub mod events;
pub mod health;
pub mod images;
pub mod jobs;
pub mod menus;
pub mod report_documents;
pub mod report_files;
pub mod reports;
pub mod sales;
pub mod sync;
pub mod timers;
pub mod vision;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .merge(catalog::router())
        .route("/backups", get(backups::list).post(backups::take))
        .route("/backups/{name}/restore", post(backups::restore))
        .route("/sales", post(sales::create).get(sales::list))
        .route("/sales/{id}", get(sales::get))
        .route("/timers", get(timers::list))
        .route("/timers/{id}", get(timers::get))
        .route("/timers/{id}/{action}", post(timers::act))
        .route("/day-closings", post(day_close::close).get(day_close::list))
        .route("/day-closings/current", get(day_close::current))
        .route("/reports/summary", get(reports::summary))
        .route("/reports/dashboard", get(reports::dashboard))
        .route("/reports/revenue", get(reports::revenue))
        .route("/reports/heatmap", get(reports::heatmap))
        .route("/reports/top-products", get(reports::top_products))
        .route("/reports/inventory", get(reports::inventory))
        .route("/reports/utilisation", get(reports::utilisation))
        .route("/reports/day-closings", get(reports::day_closings))
        .route("/reports/forecast", get(reports::forecast))
        .route("/reports/export", get(report_files::export))
        .route("/events", get(events::list))
        .route("/sync/status", get(sync::status))
        .route("/sync/now", post(sync::now))
        .route("/sync/pair", post(sync::pair))
        .merge(menus::router())
        .route("/jobs/{id}", get(jobs::get).delete(jobs::cancel))
        .route("/jobs/{id}/file", get(jobs::file))
        .route("/live", get(crate::ws::live))
        .route("/audio/clips", get(audio::list_clips))
        .route(
            "/audio/clips/{id}",
            get(audio::get_clip).delete(audio::delete_clip),
        )
        .route("/audio/clips/{id}/sound", get(audio::clip_sound))
        .route(
            "/audio/schedules",
            get(audio::list_schedules).post(audio::create_schedule),
        )
        .route(
            "/audio/schedules/{id}",
            axum::routing::put(audio::update_schedule).delete(audio::delete_schedule),
        )
        .route(
            "/audio/settings",
            get(audio::get_settings).put(audio::put_settings),
        )
        .route("/audio/players", get(audio::list_players))
        .route(
            "/audio/players/{name}",
            axum::routing::put(audio::report_player),
        )
        .route("/openapi.json", get(crate::openapi::document))
        .route("/vision/visits", post(vision::record_visits))
        .route(
            "/vision/status",
            get(vision::status).put(vision::put_status),
        )
        .route(
            "/vision/shifts",
            get(vision::get_shifts).put(vision::put_shifts),
        )
        .route("/reports/visitors", get(vision::visitors))
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
