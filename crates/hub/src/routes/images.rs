//! Pictures: admins upload them (`POST /api/v1/images`); every screen loads them from
//! `GET /img/{hash}` in the best format it accepts, cached for a year (the URL is the content).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_core::Permission;
use kidyboard_images::{etag_matches, negotiate, Format, ImageStore};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::config::Config;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// A stored picture.
#[derive(Serialize, ToSchema)]
pub struct UploadedImage {
    /// sha256 of the original bytes: the picture's permanent name.
    pub hash: String,
    /// Where screens load it (`?w=` and `?format=` optional); put it in `image_url`.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// False when the same picture was already stored.
    pub newly_stored: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImageQuery {
    /// Width in pixels, snapped up to a preset (160…3840); default 800.
    pub w: Option<u32>,
    /// `avif`, `webp` or `jpeg`; default: the best one `Accept` allows.
    pub format: Option<String>,
}

fn image_error(e: kidyboard_images::Error) -> ApiError {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(error = %e, "image pipeline failed");
        return ApiError::internal();
    }
    if matches!(e, kidyboard_images::Error::Bomb { .. }) {
        tracing::warn!(error = %e, "picture refused as a decompression bomb");
    }
    let mut api = ApiError::new(status, e.code(), spanish(&e));
    api.field = Some("image".into());
    api
}

/// What the person at the screen reads: the pipeline's errors in Spanish, with the figures
/// that let them fix the file.
fn spanish(e: &kidyboard_images::Error) -> String {
    use kidyboard_images::Error as E;
    const MB: u64 = 1024 * 1024;
    match e {
        E::NotAnImage => "el archivo no es una imagen: sube un JPEG, PNG o WebP".into(),
        E::UnsupportedFormat(name) => {
            format!("no se aceptan imágenes {name}: sube un JPEG, PNG o WebP")
        }
        E::SvgRefused => {
            "no se aceptan imágenes SVG (pueden llevar scripts): sube un JPEG, PNG o WebP".into()
        }
        E::TooLarge { actual, limit } => format!(
            "el archivo pesa {:.1} MB; el máximo es {} MB",
            *actual as f64 / MB as f64,
            limit / MB
        ),
        E::TooManyPixels {
            width,
            height,
            max_pixels,
            max_side,
        } => format!(
            "la imagen mide {width}×{height} píxeles; el máximo es {} megapíxeles y {max_side} píxeles por lado",
            max_pixels / 1_000_000
        ),
        E::DecodeTooLarge {
            width,
            height,
            needed,
            limit,
        } => format!(
            "abrir esta imagen de {width}×{height} píxeles necesitaría {} MB de memoria y el máximo es {} MB: redúcela o guárdala a 8 bits por canal",
            needed / MB,
            limit / MB
        ),
        E::Bomb {
            width,
            height,
            file_bytes,
        } => format!(
            "la imagen dice medir {width}×{height} píxeles en solo {} KB, algo que ninguna foto real hace: se rechaza como bomba de descompresión. Redúcela (por ejemplo a 4000 píxeles de ancho) y vuelve a subirla",
            file_bytes / 1024
        ),
        E::Truncated => "la imagen está incompleta: el archivo termina antes que la imagen".into(),
        E::Corrupt(_) => "los datos de la imagen están dañados".into(),
        E::InvalidHash(_) => {
            "no es un identificador de imagen (64 dígitos hexadecimales en minúscula)".into()
        }
        E::InvalidWidth(w) => format!(
            "el ancho {w} no está disponible; va de 1 a {}",
            kidyboard_images::variants::MAX_WIDTH
        ),
        E::InvalidFormat(_) => "formato desconocido (avif, webp, jpeg)".into(),
        E::NotFound(_) => "no hay ninguna imagen con ese identificador".into(),
        _ => "la imagen no se pudo procesar".into(),
    }
}

/// The image store's settings from the hub's configuration.
pub fn store_config(config: &Config) -> kidyboard_images::StoreConfig {
    let defaults = kidyboard_images::StoreConfig::default();
    kidyboard_images::StoreConfig {
        decode_budget_bytes: config
            .image_decode_budget_mb
            .saturating_mul(1024 * 1024)
            .max(1),
        ..defaults
    }
}

/// The fetcher for catalogue pictures (prefetch and `/img/remote`): bounded in time, size and
/// redirects, and kept off loopback and private addresses unless the configuration allows them.
pub fn fetcher(config: &Config) -> kidyboard_images::UreqFetcher {
    kidyboard_images::UreqFetcher::with_policy(kidyboard_images::FetchPolicy {
        allow_private: config.image_fetch_private,
        ..kidyboard_images::FetchPolicy::default()
    })
}

pub(crate) async fn blocking<T: Send + 'static>(
    images: Arc<ImageStore>,
    f: impl FnOnce(&ImageStore) -> kidyboard_images::Result<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(move || f(&images))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(image_error)
}

/// Stores a picture (the raw bytes as the body: JPEG, PNG or WebP). Refuses what is not an
/// image, SVG, files over the byte limit and pictures over the pixel limit, storing nothing. The
/// variants every screen needs are prepared in the background.
#[utoipa::path(post, path = "/api/v1/images", tag = "images",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The picture's bytes"),
    responses((status = 201, body = UploadedImage), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(st): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<UploadedImage>)> {
    auth.require(Permission::WriteCatalog)?;
    if body.is_empty() {
        return Err(ApiError::validation(
            "image",
            "el cuerpo está vacío: envía los bytes de la imagen",
        ));
    }
    let ingested = blocking(st.images.clone(), move |s| s.ingest(&body)).await?;
    let o = ingested.original;
    if ingested.newly_stored {
        let (images, hash) = (st.images.clone(), o.hash.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = images.prepare_all(&hash) {
                tracing::warn!(error = %e, %hash, "preparing image variants failed");
            }
        });
    }
    Ok((
        StatusCode::CREATED,
        Json(UploadedImage {
            url: format!("/img/{}", o.hash),
            hash: o.hash,
            width: o.width,
            height: o.height,
            bytes: o.bytes,
            newly_stored: ingested.newly_stored,
        }),
    ))
}

fn parse_format(s: &str) -> ApiResult<Format> {
    Format::ALL
        .into_iter()
        .find(|f| {
            f.name().eq_ignore_ascii_case(s)
                || (s.eq_ignore_ascii_case("jpg") && *f == Format::Jpeg)
        })
        .ok_or_else(|| ApiError::validation("format", "formato desconocido (avif, webp, jpeg)"))
}

/// A picture at a width, in AVIF, WebP or JPEG as negotiated from `Accept` (or `?format=`).
/// Strong ETag, `Vary: Accept`, immutable caching; `If-None-Match` answers 304.
#[utoipa::path(get, path = "/img/{hash}", tag = "images", params(("hash" = String, Path), ImageQuery),
    responses((status = 200, description = "The picture", content_type = "image/avif"), (status = 304), (status = 404, body = ErrorBody)))]
pub async fn serve(
    State(st): State<AppState>,
    Path(hash): Path<String>,
    ApiQuery(q): ApiQuery<ImageQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    answer(&st, hash, &q, &headers, true).await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoteImageQuery {
    /// The picture's address as written in the catalogue's `image_url`.
    pub url: String,
    /// Width in pixels, snapped up to a preset (160…3840); default 800.
    pub w: Option<u32>,
    /// `avif`, `webp` or `jpeg`; default: the best one `Accept` allows.
    pub format: Option<String>,
}

const MAX_URL_CHARS: usize = 1_000;

/// A catalogue picture known by its outside address (pictures from the cloud catalogue): served
/// from this hub's store, so it shows while offline, in the format and width each screen wants.
/// Fetched on first use when the store has not prefetched it yet; only addresses that the
/// catalogue references are fetched, so the hub cannot be used as an open proxy.
#[utoipa::path(get, path = "/img/remote", tag = "images", params(RemoteImageQuery),
    responses((status = 200, description = "The picture", content_type = "image/avif"), (status = 304), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn serve_remote(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RemoteImageQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let url = q.url.trim().to_owned();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.chars().count() > MAX_URL_CHARS {
        return Err(ApiError::validation(
            "url",
            format!("la dirección debe ser http(s) y de a lo más {MAX_URL_CHARS} caracteres"),
        ));
    }
    // Public, so anyone on the LAN can ask: besides the catalogue check below, the fetch itself
    // is bounded (`fetcher`: time, size, redirects, content type, public addresses only unless
    // configured), gated by the store (a few at once, a failed address rests a few minutes),
    // and what it brings is checked like an upload, bombs included.
    let known = {
        let url = url.clone();
        blocking(st.images.clone(), move |s| s.hash_for_url(&url)).await?
    };
    let hash = match known {
        Some(hash) => hash,
        None => {
            let referenced = {
                let (store, url) = (st.store.clone(), url.clone());
                tokio::task::spawn_blocking(move || {
                    store.read(|c| kidyboard_core::products::uses_image_url(c, &url))
                })
                .await
                .map_err(|_| ApiError::internal())??
            };
            if !referenced {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "ningún producto del catálogo usa esa imagen",
                ));
            }
            let (images, config) = (st.images.clone(), st.config.clone());
            let fetched = tokio::task::spawn_blocking(move || {
                kidyboard_images::fetch_source(&images, &fetcher(&config), &url)
            })
            .await
            .map_err(|_| ApiError::internal())?;
            match fetched {
                Ok(hash) => hash,
                // The address is down, or what it holds is not a picture we accept: the screen
                // shows its placeholder; a server fault on our side stays a server fault.
                Err(e) if e.is_client_error() || matches!(e.http_status(), 404 | 502) => {
                    tracing::info!(error = %e, "catalogue picture not fetched");
                    let mut api = ApiError::new(
                        StatusCode::NOT_FOUND,
                        "image_unavailable",
                        "la imagen todavía no está en este hub y no se pudo obtener",
                    );
                    api.field = Some("url".into());
                    return Err(api);
                }
                Err(e) => return Err(image_error(e)),
            }
        }
    };
    let q = ImageQuery {
        w: q.w,
        format: q.format,
    };
    answer(&st, hash, &q, &headers, false).await
}

/// The variant's bytes (or 304) with its headers. Pictures by hash are immutable; pictures by
/// outside address may change behind it, so browsers keep those an hour.
async fn answer(
    st: &AppState,
    hash: String,
    q: &ImageQuery,
    headers: &HeaderMap,
    immutable: bool,
) -> ApiResult<Response> {
    let requested = q.format.as_deref().map(parse_format).transpose()?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate(accept, requested);
    let width = q.w.unwrap_or(800);
    let variant = blocking(st.images.clone(), move |s| {
        s.get_variant(&hash, width, format)
    })
    .await?;
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let not_modified = if_none_match.is_some_and(|inm| etag_matches(inm, &variant.etag));
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        variant.bytes.clone().into_response()
    };
    for (name, value) in variant.headers() {
        if not_modified && name == "Content-Type" {
            continue;
        }
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    if !immutable {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        );
    }
    Ok(res)
}
