//! The store's sound: the clip library (uploads are decoded, refused when corrupt or too big or
//! too long, normalised to −16 LUFS and stored by content hash under `<data-dir>/audio/`), the
//! schedule of jingles, the audio settings, and the status each speaker player reports.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_audio::pcm::{self, DecodeLimits};
use kidyboard_audio::{loudness, wav, PlayerStatus};
use kidyboard_core::audio::{
    self, AudioClip, AudioSchedule, AudioSettings, NewClip, ScheduleInput,
};
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::Permission;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{check_id, list_of};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Largest upload accepted (the body limit of `POST /audio/clips`).
pub const MAX_UPLOAD_BYTES: usize = 30 * 1024 * 1024;
/// Longest clip accepted: jingles and messages, not whole albums.
pub const MAX_CLIP_SECONDS: u64 = 10 * 60;
/// How many players' statuses are remembered (a store has a handful).
const MAX_PLAYERS: usize = 32;

list_of!(ClipList, AudioClip);
list_of!(ScheduleList, AudioSchedule);
list_of!(PlayerList, PlayerReport);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The clip's name in the library (unique).
    pub name: String,
}

/// A player's last report, as the admin page shows it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PlayerReport {
    pub name: String,
    /// `ok`, `no_device` or `error`.
    pub state: String,
    pub output: String,
    pub connected: bool,
    pub last_error: Option<String>,
    pub last_announcement: Option<String>,
    pub queued: usize,
    /// When the hub received this report.
    pub reported_at: String,
}

/// The sound routes whose body is JSON, each declared once with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clips))
        .routes(routes!(get_clip, delete_clip))
        .routes(routes!(clip_sound))
        .routes(routes!(list_schedules, create_schedule))
        .routes(routes!(update_schedule, delete_schedule))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_players))
        .routes(routes!(report_player))
}

/// The clip upload, with its own body limit instead of the JSON one.
pub fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BYTES))
        .layer(axum::extract::DefaultBodyLimit::disable())
}

fn audio_dir(st: &AppState) -> PathBuf {
    st.config.data_dir.join("audio")
}

fn audio_error(e: kidyboard_audio::AudioError) -> ApiError {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(error = %e, "audio processing failed");
        return ApiError::internal();
    }
    let mut api = ApiError::new(status, e.code(), e.to_string());
    api.field = Some("file".into());
    api
}

#[utoipa::path(get, path = "/api/v1/audio/clips", tag = "audio",
    responses((status = 200, body = ClipList)), security(("bearer" = [])))]
pub async fn list_clips(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<ClipList>> {
    auth.require(Permission::ReadAudio)?;
    let items = st.db(|s| s.read(audio::list_clips)).await?;
    Ok(Json(ClipList { items }))
}

/// Adds a clip to the library: the raw file as the body (WAV, MP3, OGG or FLAC), its name in
/// `?name=`. It is decoded, measured and normalised to −16 LUFS (EBU R128) before it is stored;
/// anything that is not audio, holds no sound, lasts over 10 minutes or weighs over 30 MB is
/// refused and nothing is stored.
#[utoipa::path(post, operation_id = "upload_audio_clip", path = "/api/v1/audio/clips", tag = "audio", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The sound file"),
    responses((status = 201, body = AudioClip), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<AudioClip>)> {
    auth.require(Permission::WriteAudio)?;
    let name = audio::check_clip_name(&q.name)?;
    if body.is_empty() {
        return Err(ApiError::validation(
            "file",
            "el cuerpo está vacío: envía el archivo de audio",
        ));
    }
    let dir = audio_dir(&st);
    // Decoding and normalising take a while: off the async threads. The file is written before
    // the row; if the row is refused (a name taken meanwhile) a file no row uses is removed.
    let stored = tokio::task::spawn_blocking(
        move || -> Result<StoredSound, kidyboard_audio::AudioError> {
            let format = pcm::sniff_format(&body).unwrap_or("unknown");
            let decoded = pcm::decode(
                &body,
                DecodeLimits {
                    max_bytes: MAX_UPLOAD_BYTES as u64,
                    max_seconds: MAX_CLIP_SECONDS,
                },
            )?;
            let (normalised, source) = loudness::normalise(&decoded)?;
            let after = loudness::measure(&normalised)?;
            let bytes = wav::mono_bytes(normalised.samples())?;
            let hash: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(format!("{hash}.wav"));
            let newly_written = !path.exists();
            if newly_written {
                let tmp = dir.join(format!("{hash}.part"));
                std::fs::write(&tmp, &bytes)?;
                std::fs::rename(&tmp, &path)?;
            }
            Ok(StoredSound {
                format,
                hash,
                path,
                newly_written,
                source_lufs: source.integrated_lufs,
                after,
                duration_ms: normalised.duration_ms() as i64,
                bytes: bytes.len() as i64,
            })
        },
    )
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(audio_error)?;
    let actor = auth.actor();
    let s = stored.clone_meta();
    let created = st
        .db(move |store| {
            store.change(&actor, now_ms(), |tx| {
                audio::create_clip(
                    tx,
                    &NewClip {
                        name: &name,
                        hash: &s.hash,
                        source_format: s.format,
                        source_lufs: s.source_lufs,
                        duration_ms: s.duration_ms,
                        loudness_lufs: s.after.integrated_lufs,
                        true_peak_dbtp: s.after.true_peak_dbtp,
                        bytes: s.bytes,
                    },
                )
            })
        })
        .await;
    match created {
        Ok(clip) => Ok((StatusCode::CREATED, Json(clip))),
        Err(e) => {
            if stored.newly_written {
                let _ = std::fs::remove_file(&stored.path);
            }
            Err(e)
        }
    }
}

struct StoredSound {
    format: &'static str,
    hash: String,
    path: PathBuf,
    newly_written: bool,
    source_lufs: f64,
    after: loudness::Loudness,
    duration_ms: i64,
    bytes: i64,
}

impl StoredSound {
    fn clone_meta(&self) -> StoredSound {
        StoredSound {
            hash: self.hash.clone(),
            path: self.path.clone(),
            ..*self
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audio/clips/{id}", tag = "audio",
    responses((status = 200, body = AudioClip), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_clip(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AudioClip>> {
    auth.require(Permission::ReadAudio)?;
    check_id(&id)?;
    Ok(Json(
        st.db(move |s| s.read(|c| audio::get_clip(c, &id))).await?,
    ))
}

/// The stored (normalised) sound as WAV: for players and the admin's preview.
#[utoipa::path(get, path = "/api/v1/audio/clips/{id}/sound", tag = "audio",
    responses((status = 200, description = "WAV, mono 44.1 kHz", content_type = "audio/wav"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn clip_sound(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    auth.require(Permission::ReadAudio)?;
    check_id(&id)?;
    let clip = st.db(move |s| s.read(|c| audio::get_clip(c, &id))).await?;
    let path = audio_dir(&st).join(format!("{}.wav", clip.hash));
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "clip sound missing");
        ApiError::not_found()
    })?;
    let mut res = bytes.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    // The id names one sound forever: its content never changes.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(res)
}

#[utoipa::path(delete, path = "/api/v1/audio/clips/{id}", tag = "audio",
    responses((status = 200, body = AudioClip), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_clip(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AudioClip>> {
    auth.require(Permission::WriteAudio)?;
    check_id(&id)?;
    let actor = auth.actor();
    let (clip, still_used) = st
        .db(move |s| {
            let clip = s.change(&actor, now_ms(), |tx| audio::delete_clip(tx, &id))?;
            let used = s.read(|c| audio::hash_in_use(c, &clip.hash))?;
            Ok((clip, used))
        })
        .await?;
    if !still_used {
        let _ = tokio::fs::remove_file(audio_dir(&st).join(format!("{}.wav", clip.hash))).await;
    }
    Ok(Json(clip))
}

#[utoipa::path(get, path = "/api/v1/audio/schedules", tag = "audio",
    responses((status = 200, body = ScheduleList)), security(("bearer" = [])))]
pub async fn list_schedules(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<ScheduleList>> {
    auth.require(Permission::ReadAudio)?;
    let items = st.db(|s| s.read(audio::list_schedules)).await?;
    Ok(Json(ScheduleList { items }))
}

#[utoipa::path(post, path = "/api/v1/audio/schedules", tag = "audio", request_body = ScheduleInput,
    responses((status = 201, body = AudioSchedule), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_schedule(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<(StatusCode, Json<AudioSchedule>)> {
    auth.require(Permission::WriteAudio)?;
    let actor = auth.actor();
    let s = st
        .db(move |s| s.change(&actor, now_ms(), |tx| audio::create_schedule(tx, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Replaces a schedule (the editor sends it whole).
#[utoipa::path(put, path = "/api/v1/audio/schedules/{id}", tag = "audio", request_body = ScheduleInput,
    responses((status = 200, body = AudioSchedule), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_schedule(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<Json<AudioSchedule>> {
    auth.require(Permission::WriteAudio)?;
    check_id(&id)?;
    let actor = auth.actor();
    let s = st
        .db(move |s| {
            s.change(&actor, now_ms(), |tx| {
                audio::update_schedule(tx, &id, &input)
            })
        })
        .await?;
    Ok(Json(s))
}

#[utoipa::path(delete, path = "/api/v1/audio/schedules/{id}", tag = "audio",
    responses((status = 200, body = AudioSchedule), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_schedule(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AudioSchedule>> {
    auth.require(Permission::WriteAudio)?;
    check_id(&id)?;
    let actor = auth.actor();
    let s = st
        .db(move |s| s.change(&actor, now_ms(), |tx| audio::delete_schedule(tx, &id)))
        .await?;
    Ok(Json(s))
}

#[utoipa::path(get, path = "/api/v1/audio/settings", tag = "audio",
    responses((status = 200, body = AudioSettings)), security(("bearer" = [])))]
pub async fn get_settings(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<AudioSettings>> {
    auth.require(Permission::ReadAudio)?;
    let branch = st.store.branch_id().to_string();
    Ok(Json(
        st.db(move |s| s.read(|c| audio::settings(c, &branch)))
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/audio/settings", tag = "audio", request_body = AudioSettings,
    responses((status = 200, body = AudioSettings), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_settings(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AudioSettings>,
) -> ApiResult<Json<AudioSettings>> {
    auth.require(Permission::WriteAudio)?;
    let actor = auth.actor();
    let s = st
        .db(move |s| s.change(&actor, now_ms(), |tx| audio::put_settings(tx, input)))
        .await?;
    Ok(Json(s))
}

#[utoipa::path(get, path = "/api/v1/audio/players", tag = "audio",
    responses((status = 200, body = PlayerList)), security(("bearer" = [])))]
pub async fn list_players(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<PlayerList>> {
    auth.require(Permission::ReadAudio)?;
    let mut items: Vec<PlayerReport> = lock_players(&st).values().cloned().collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(PlayerList { items }))
}

/// A speaker player's status report (kept in memory: it is live state, not history).
#[utoipa::path(put, path = "/api/v1/audio/players/{name}", tag = "audio", request_body = PlayerStatus,
    responses((status = 200, body = PlayerReport), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report_player(
    State(st): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<PlayerStatus>,
) -> ApiResult<Json<PlayerReport>> {
    auth.require(Permission::ReadAudio)?;
    let name = kidyboard_core::validate::name("name", &name)?;
    if !matches!(input.state.as_str(), "ok" | "no_device" | "error") {
        return Err(ApiError::validation(
            "state",
            "estado desconocido (ok, no_device, error)",
        ));
    }
    let short = |f: &str, v: &str| {
        kidyboard_core::validate::text(f, v).map(|s| s.chars().take(300).collect::<String>())
    };
    let report = PlayerReport {
        name: name.clone(),
        state: input.state,
        output: short("output", &input.output)?,
        connected: input.connected,
        last_error: input
            .last_error
            .as_deref()
            .map(|e| short("last_error", e))
            .transpose()?,
        last_announcement: input
            .last_announcement
            .as_deref()
            .map(|e| short("last_announcement", e))
            .transpose()?,
        queued: input.queued,
        reported_at: clock::to_rfc3339(now_ms()),
    };
    let mut players = lock_players(&st);
    if players.len() >= MAX_PLAYERS && !players.contains_key(&name) {
        // Forget the one silent the longest rather than refuse a real player.
        if let Some(oldest) = players
            .values()
            .min_by(|a, b| a.reported_at.cmp(&b.reported_at))
            .map(|p| p.name.clone())
        {
            players.remove(&oldest);
        }
    }
    players.insert(name, report.clone());
    Ok(Json(report))
}

fn lock_players(st: &AppState) -> std::sync::MutexGuard<'_, HashMap<String, PlayerReport>> {
    st.audio_players.lock().unwrap_or_else(|p| p.into_inner())
}
