//! Menu designs: saved layouts per branch (admins write), live previews drawn by the same
//! renderer as the exports, export jobs (PDF, MP4, PNG), and what the totem plays.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::menus::{self, MenuDesignInput, MenuDesignRecord};
use kidyboard_core::Permission;
use kidyboard_media::MenuDesign;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{check_id, list_of};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::jobs::{JobFailure, JobStatus};
use crate::menu::{self, ExportFormat, MenuSource, Snapshot};
use crate::state::AppState;

/// A saved menu design.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuDesignView {
    pub id: String,
    pub branch_id: String,
    pub name: String,
    /// The heading printed on the menu.
    pub title: String,
    pub design: MenuDesign,
    /// Hash of the uploaded logo (`/img/{hash}`), if any.
    pub logo_image: Option<String>,
    /// Hash of the uploaded background photo, if any.
    pub background_image: Option<String>,
    /// Section titles left out (e.g. `Bebidas`).
    pub hidden_sections: Vec<String>,
    /// The design the totem plays (one per branch).
    pub on_totem: bool,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

list_of!(MenuDesignList, MenuDesignView);

fn view(rec: MenuDesignRecord) -> ApiResult<MenuDesignView> {
    let design = menu::design_of(&rec).map_err(|e| {
        tracing::error!(id = %rec.id, error = %e, "stored menu design no longer valid");
        ApiError::internal()
    })?;
    Ok(MenuDesignView {
        id: rec.id,
        branch_id: rec.branch_id,
        name: rec.name,
        title: rec.title,
        design,
        logo_image: rec.logo_image,
        background_image: rec.background_image,
        hidden_sections: rec.hidden_sections,
        on_totem: rec.on_totem,
        revision: rec.revision,
        created_at: rec.created_at,
        updated_at: rec.updated_at,
    })
}

/// A design to create, or the fields to change (absent = unchanged). `design` may be partial:
/// missing fields take the canvas's defaults. An empty `logo_image`/`background_image` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuDesignBody {
    pub name: Option<String>,
    pub title: Option<String>,
    /// A `MenuDesign`, whole or partial.
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub design: Option<serde_json::Value>,
    pub logo_image: Option<String>,
    pub background_image: Option<String>,
    pub hidden_sections: Option<Vec<String>>,
    pub on_totem: Option<bool>,
}

impl MenuDesignBody {
    /// The core's input, with the design checked and normalised by the renderer under `name`.
    fn into_input(
        self,
        design: Option<&serde_json::Value>,
        name: &str,
    ) -> ApiResult<MenuDesignInput> {
        let normalised = match design {
            Some(d) => Some(
                serde_json::to_value(menu::normalise(d, name)?)
                    .map_err(|_| ApiError::internal())?,
            ),
            None => None,
        };
        Ok(MenuDesignInput {
            name: self.name,
            title: self.title,
            design: normalised,
            logo_image: self.logo_image,
            background_image: self.background_image,
            hidden_sections: self.hidden_sections,
            on_totem: self.on_totem,
        })
    }
}

/// The menu designer's routes, each declared once with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, remove))
        .routes(routes!(preview))
        .routes(routes!(export))
        .routes(routes!(preview_unsaved))
        .routes(routes!(totem))
}

#[utoipa::path(get, path = "/api/v1/menus/designs", tag = "menus", responses((status = 200, body = MenuDesignList)), security(("bearer" = [])))]
pub async fn list(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<MenuDesignList>> {
    auth.require(Permission::ReadMenus)?;
    let branch = st.store.branch_id().to_string();
    let recs = st.db(move |s| s.read(|c| menus::list(c, &branch))).await?;
    let items = recs.into_iter().map(view).collect::<ApiResult<_>>()?;
    Ok(Json(MenuDesignList { items }))
}

#[utoipa::path(get, path = "/api/v1/menus/designs/{id}", tag = "menus", responses((status = 200, body = MenuDesignView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_one(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MenuDesignView>> {
    auth.require(Permission::ReadMenus)?;
    Ok(Json(view(record(&st, id).await?)?))
}

async fn record(st: &AppState, id: String) -> ApiResult<MenuDesignRecord> {
    check_id(&id)?;
    st.db(move |s| s.read(|c| menus::get(c, &id))).await
}

#[utoipa::path(post, path = "/api/v1/menus/designs", tag = "menus", request_body = MenuDesignBody,
    responses((status = 201, body = MenuDesignView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MenuDesignBody>,
) -> ApiResult<(StatusCode, Json<MenuDesignView>)> {
    auth.require(Permission::WriteMenus)?;
    let name = kidyboard_core::validate::name("name", body.name.as_deref().unwrap_or(""))?;
    let design = body.design.clone().unwrap_or_else(|| serde_json::json!({}));
    let input = body.into_input(Some(&design), &name)?;
    let actor = auth.actor();
    let rec = st
        .db(move |s| s.change(&actor, now_ms(), |tx| menus::create(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(view(rec)?)))
}

#[utoipa::path(patch, path = "/api/v1/menus/designs/{id}", tag = "menus", request_body = MenuDesignBody,
    responses((status = 200, body = MenuDesignView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MenuDesignBody>,
) -> ApiResult<Json<MenuDesignView>> {
    auth.require(Permission::WriteMenus)?;
    let before = record(&st, id.clone()).await?;
    // A new name is written into the design too, so the layout is re-checked either way.
    let name = match &body.name {
        Some(n) => kidyboard_core::validate::name("name", n)?,
        None => before.name.clone(),
    };
    let design = body.design.clone().unwrap_or_else(|| before.design.clone());
    let input = body.into_input(Some(&design), &name)?;
    let actor = auth.actor();
    let rec = st
        .db(move |s| s.change(&actor, now_ms(), |tx| menus::update(tx, &id, &input)))
        .await?;
    Ok(Json(view(rec)?))
}

#[utoipa::path(delete, path = "/api/v1/menus/designs/{id}", tag = "menus",
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth.require(Permission::WriteMenus)?;
    check_id(&id)?;
    let actor = auth.actor();
    st.db(move |s| s.change(&actor, now_ms(), |tx| menus::delete(tx, &id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// Page or slide, 0-based (default 0).
    pub slide: Option<usize>,
    /// Wanted width in pixels for paper designs (screens render at their own size).
    pub w: Option<u32>,
    /// Any value; lets a screen name the version it wants so caches never mix versions.
    pub v: Option<String>,
}

/// Widest preview of a paper design.
const MAX_PREVIEW_WIDTH: u32 = 2400;

fn check_width(w: Option<u32>) -> ApiResult<()> {
    match w {
        Some(w) if !(100..=MAX_PREVIEW_WIDTH).contains(&w) => Err(ApiError::validation(
            "w",
            format!("el ancho debe estar entre 100 y {MAX_PREVIEW_WIDTH} píxeles"),
        )),
        _ => Ok(()),
    }
}

/// Builds the live menu and draws one slide, off the async threads.
async fn draw(
    st: &AppState,
    build: impl FnOnce(&AppState) -> Result<Snapshot, menu::MenuError> + Send + 'static,
    slide: usize,
    width: Option<u32>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let state = st.clone();
    let inm = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let drawn = tokio::task::spawn_blocking(move || -> ApiResult<Response> {
        let snap = build(&state)?;
        let dpi = menu::preview_dpi(&snap.design, width);
        let etag = format!("\"{}-{slide}-{}\"", snap.version, dpi.round());
        if inm.as_deref() == Some(etag.as_str()) {
            return Ok(StatusCode::NOT_MODIFIED.into_response());
        }
        let page = menu::render_preview(&snap, slide, dpi)?;
        let mut res = page.png.into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
        for (name, value) in [
            ("etag", etag),
            ("x-menu-pages", page.pages.to_string()),
            ("x-menu-version", snap.version),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-menu-pages, x-menu-version, etag"),
        );
        Ok(res)
    })
    .await;
    drawn.map_err(|_| ApiError::internal())?
}

/// A slide of a saved design as PNG, with today's catalogue (prices, names, pictures). Headers:
/// `X-Menu-Pages` (how many slides), `X-Menu-Version` (changes with the design or catalogue),
/// `ETag` (so an unchanged slide answers 304).
#[utoipa::path(get, path = "/api/v1/menus/designs/{id}/preview.png", tag = "menus", params(PreviewQuery),
    responses((status = 200, description = "The slide", content_type = "image/png"), (status = 304), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    auth.require(Permission::ReadMenus)?;
    check_width(q.w)?;
    let rec = record(&st, id).await?;
    let dpi_hint = q.w;
    draw(
        &st,
        move |s| {
            let source = MenuSource::of(&rec)?;
            let dpi = menu::preview_dpi(&source.design, dpi_hint);
            menu::snapshot(&s.store, &s.images, source, dpi)
        },
        q.slide.unwrap_or(0),
        q.w,
        &headers,
    )
    .await
}

/// An unsaved design to preview (the editor's live preview).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    /// A `MenuDesign`, whole or partial.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub design: serde_json::Value,
    pub title: Option<String>,
    pub logo_image: Option<String>,
    pub background_image: Option<String>,
    #[serde(default)]
    pub hidden_sections: Vec<String>,
    #[serde(default)]
    pub slide: usize,
    pub w: Option<u32>,
}

/// Draws a design that is not saved yet, exactly as the export will, with the live catalogue.
#[utoipa::path(post, path = "/api/v1/menus/preview", tag = "menus", request_body = PreviewBody,
    responses((status = 200, description = "The slide", content_type = "image/png"), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview_unsaved(
    State(st): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PreviewBody>,
) -> ApiResult<Response> {
    auth.require(Permission::ReadMenus)?;
    check_width(body.w)?;
    let title = kidyboard_core::validate::name("title", body.title.as_deref().unwrap_or("Menú"))?;
    let design = menu::normalise(&body.design, "Vista previa")?;
    let picture = |field: &str, v: &Option<String>| -> ApiResult<Option<String>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(h) => kidyboard_images::validate_hash(h)
                .map(|_| Some(h.to_string()))
                .map_err(|_| ApiError::validation(field, "hash de imagen inválido")),
        }
    };
    let logo = picture("logo_image", &body.logo_image)?;
    let background = picture("background_image", &body.background_image)?;
    let (slide, w, hidden) = (body.slide, body.w, body.hidden_sections);
    draw(
        &st,
        move |s| {
            let dpi = menu::preview_dpi(&design, w);
            let source = MenuSource {
                design,
                title: &title,
                logo_image: logo.as_deref(),
                background_image: background.as_deref(),
                hidden_sections: &hidden,
            };
            menu::snapshot(&s.store, &s.images, source, dpi)
        },
        slide,
        w,
        &headers,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// For `png`: which page or slide (0-based, default 0).
    #[serde(default)]
    pub slide: usize,
}

/// Starts an export as a background job: answers 202 with the job; progress arrives as
/// `job.progress` on the live feed and at `GET /api/v1/jobs/{id}`; the file at
/// `GET /api/v1/jobs/{id}/file`. Prices are read from the catalogue when the job runs.
#[utoipa::path(post, path = "/api/v1/menus/designs/{id}/export", tag = "menus", request_body = ExportRequest,
    responses((status = 202, body = JobStatus), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ExportRequest>,
) -> ApiResult<(StatusCode, Json<JobStatus>)> {
    auth.require(Permission::ExportMenus)?;
    let rec = record(&st, id).await?;
    let design = menu::design_of(&rec)?;
    if req.format == ExportFormat::Mp4
        && !matches!(design.canvas, kidyboard_media::Canvas::Screen { .. })
    {
        return Err(ApiError::validation(
            "format",
            "el video necesita un diseño de pantalla (1080p, 4K o vertical)",
        ));
    }
    let file_name = format!("{}.{}", rec.name, req.format.extension());
    let (store, images) = (st.store.clone(), st.images.clone());
    let (format, slide) = (req.format, req.slide);
    let job = st.jobs.start(
        &format!("menu.{}", format.extension()),
        Some(auth.user.id.clone()),
        file_name,
        format.content_type(),
        Box::new(move |ctx| {
            let source = MenuSource::of(&rec)?;
            let snap = menu::snapshot(&store, &images, source, menu::export_dpi(format))?;
            let out = ctx.out.to_path_buf();
            let cancel = ctx.cancel;
            let mut progress = |f: f32, stage: &str| ctx.progress(f, stage);
            menu::export(&snap, format, slide, &out, &mut progress, cancel)
                .map(Some)
                .map_err(JobFailure::from)
        }),
    );
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// What the totem plays: the chosen design, how many slides, and a version that changes
/// whenever the design or anything shown from the catalogue does.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotemMenu {
    pub design: Option<MenuDesignView>,
    /// Empty when no design is chosen.
    pub version: String,
    pub slides: usize,
    pub width: u32,
    pub height: u32,
    pub seconds_per_slide: f32,
    pub transition_seconds: f32,
}

#[utoipa::path(get, path = "/api/v1/menus/totem", tag = "menus", responses((status = 200, body = TotemMenu)), security(("bearer" = [])))]
pub async fn totem(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<TotemMenu>> {
    auth.require(Permission::ReadMenus)?;
    let branch = st.store.branch_id().to_string();
    let chosen = st
        .db(move |s| s.read(|c| menus::on_totem(c, &branch)))
        .await?;
    let Some(rec) = chosen else {
        return Ok(Json(TotemMenu {
            design: None,
            version: String::new(),
            slides: 0,
            width: 0,
            height: 0,
            seconds_per_slide: 0.0,
            transition_seconds: 0.0,
        }));
    };
    let state = st.clone();
    let r = rec.clone();
    let measured = tokio::task::spawn_blocking(move || -> ApiResult<_> {
        let source = MenuSource::of(&r)?;
        let dpi = menu::preview_dpi(&source.design, None);
        let snap =
            menu::snapshot(&state.store, &state.images, source, dpi).map_err(ApiError::from)?;
        let renderer = kidyboard_media::MenuRenderer::new(&snap.design, &snap.content)
            .map_err(|e| ApiError::from(menu::MenuError::from(e)))?;
        let (w, h) = snap.design.canvas.size();
        let scale = snap.design.canvas.pixels_per_unit(dpi);
        Ok((
            snap.version.clone(),
            renderer.page_count(),
            (w * scale).round() as u32,
            (h * scale).round() as u32,
            snap.design.slides.clone(),
        ))
    })
    .await
    .map_err(|_| ApiError::internal())??;
    let (version, slides, width, height, timing) = measured;
    Ok(Json(TotemMenu {
        design: Some(view(rec)?),
        version,
        slides,
        width,
        height,
        seconds_per_slide: timing.seconds_per_slide,
        transition_seconds: timing.transition_seconds,
    }))
}
