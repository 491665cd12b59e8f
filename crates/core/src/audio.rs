//! The store's sound: the clip library's metadata, the schedule of jingles and messages, and the
//! per-branch audio settings. The sound files themselves live in the data dir (the hub writes
//! them); everything here goes through `Store::change` with an event like any catalogue edit.

pub mod plan;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tx::Tx;
use crate::validate;

/// An uploaded clip, stored normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AudioClip {
    pub id: String,
    pub name: String,
    /// sha256 of the stored (normalised) WAV.
    pub hash: String,
    /// `wav`, `mp3`, `ogg` or `flac`: what was uploaded.
    pub source_format: String,
    /// Integrated loudness of the upload before normalising (LUFS).
    pub source_lufs: f64,
    pub duration_ms: i64,
    /// Integrated loudness as stored (LUFS, ≈ −16).
    pub loudness_lufs: f64,
    pub true_peak_dbtp: f64,
    pub bytes: i64,
    /// Where players and the admin preview fetch the sound.
    pub url: String,
    pub created_at: String,
}

/// What the hub knows after decoding and normalising an upload.
pub struct NewClip<'a> {
    pub name: &'a str,
    pub hash: &'a str,
    pub source_format: &'a str,
    pub source_lufs: f64,
    pub duration_ms: i64,
    pub loudness_lufs: f64,
    pub true_peak_dbtp: f64,
    pub bytes: i64,
}

/// When a clip plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AudioSchedule {
    pub id: String,
    pub name: String,
    pub clip_id: String,
    /// ISO weekdays: 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// Fixed times of day, "HH:MM" (branch time).
    pub times: Vec<String>,
    /// Repeat every N minutes between `window_start` and `window_end` (inclusive).
    pub every_minutes: Option<u32>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// First and last business day (YYYY-MM-DD), both optional.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// 0–100, applied on top of the day-part volume.
    pub volume: u8,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScheduleInput {
    pub name: String,
    pub clip_id: String,
    pub days: Vec<u8>,
    #[serde(default)]
    pub times: Vec<String>,
    pub every_minutes: Option<u32>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub volume: Option<u8>,
    pub enabled: Option<bool>,
}

/// A volume that applies from `start` until the next part starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DayPart {
    /// "HH:MM"
    pub start: String,
    /// 0–100
    pub volume: u8,
}

/// How the branch's speakers behave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AudioSettings {
    /// Language of announcements: `es` or `en`.
    pub language: String,
    /// Announcement text with `{name}`; empty = the language's default.
    pub template: String,
    /// espeak-ng voice; empty = the language's default (`es-419`, `en-us`).
    pub voice: String,
    /// Scheduled clips are silent between these times ("HH:MM", may wrap midnight).
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub day_parts: Vec<DayPart>,
    /// Whether a timer's expiry is announced at all.
    pub announce_expiry: bool,
    /// A clip looped as background music (ducked under every announcement and jingle, silent in
    /// quiet hours); `None` for none.
    pub background_clip_id: Option<String>,
    /// The background music's level, 0–100 (on top of the day-part volume).
    pub background_volume: u8,
}

/// What a speaker player is doing: what it reports to the hub (`PUT /audio/players/{name}`,
/// where only `state` is required) and what `kidyboard audio status` shows. One type for both
/// sides; the hub's document has called it `PlayerStatusInput` from the start. (The fields carry
/// plain comments so the document, and the UI types made from it, stay as they were.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = PlayerStatusInput, description = "A player's status as it sends it.")]
pub struct PlayerStatus {
    // `ok`, `no_device` (running, but nothing can be heard) or `error`.
    pub state: String,
    // The open output (device name and format, or the WAV file).
    #[serde(default)]
    pub output: String,
    // Whether the live feed is connected.
    #[serde(default)]
    pub connected: bool,
    pub last_error: Option<String>,
    pub last_announcement: Option<String>,
    // Items playing or waiting.
    #[serde(default)]
    pub queued: usize,
}

impl Default for AudioSettings {
    fn default() -> Self {
        AudioSettings {
            language: "es".into(),
            template: String::new(),
            voice: String::new(),
            quiet_start: None,
            quiet_end: None,
            day_parts: Vec::new(),
            announce_expiry: true,
            background_clip_id: None,
            background_volume: 30,
        }
    }
}

const MAX_TIMES: usize = 96;
const MAX_DAY_PARTS: usize = 24;

fn hhmm(field: &str, s: &str) -> Result<String> {
    plan::parse_hhmm(s)
        .map(|t| t.format("%H:%M").to_string())
        .ok_or_else(|| CoreError::validation(field, "hora inválida (HH:MM)"))
}

fn opt_hhmm(field: &str, s: &Option<String>) -> Result<Option<String>> {
    s.as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| hhmm(field, v))
        .transpose()
}

fn opt_day(field: &str, s: &Option<String>) -> Result<Option<String>> {
    s.as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| clock::parse_day(field, v).map(|d| d.to_string()))
        .transpose()
}

fn volume(field: &str, v: u8) -> Result<u8> {
    if v > 100 {
        return Err(CoreError::validation(field, "el volumen va de 0 a 100"));
    }
    Ok(v)
}

impl AudioSettings {
    /// Checked and normalised (times as HH:MM, known language).
    pub fn validated(mut self) -> Result<AudioSettings> {
        if !matches!(self.language.as_str(), "es" | "en") {
            return Err(CoreError::validation(
                "language",
                "idioma desconocido (es, en)",
            ));
        }
        self.template = validate::short("template", &self.template)?;
        if !self.template.is_empty() && !self.template.contains("{name}") {
            return Err(CoreError::validation("template", "debe incluir {name}"));
        }
        self.voice = validate::short("voice", &self.voice)?;
        if self
            .voice
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || "-_+/".contains(c)))
        {
            return Err(CoreError::validation("voice", "nombre de voz inválido"));
        }
        self.quiet_start = opt_hhmm("quiet_start", &self.quiet_start)?;
        self.quiet_end = opt_hhmm("quiet_end", &self.quiet_end)?;
        if self.quiet_start.is_some() != self.quiet_end.is_some() {
            return Err(CoreError::validation(
                "quiet_end",
                "indica el inicio y el fin del horario silencioso",
            ));
        }
        if self.day_parts.len() > MAX_DAY_PARTS {
            return Err(CoreError::validation("day_parts", "demasiadas franjas"));
        }
        for (i, p) in self.day_parts.iter_mut().enumerate() {
            p.start = hhmm(&format!("day_parts[{i}].start"), &p.start)?;
            volume(&format!("day_parts[{i}].volume"), p.volume)?;
        }
        self.day_parts.sort_by(|a, b| a.start.cmp(&b.start));
        volume("background_volume", self.background_volume)?;
        self.background_clip_id = self.background_clip_id.filter(|id| !id.is_empty());
        Ok(self)
    }
}

const CLIP_COLUMNS: &str = "id, name, hash, source_format, source_lufs, duration_ms, loudness_lufs, true_peak_dbtp, bytes, created_at";

fn clip_row(r: &Row<'_>) -> rusqlite::Result<AudioClip> {
    let id: String = r.get(0)?;
    Ok(AudioClip {
        url: format!("/api/v1/audio/clips/{id}/sound"),
        id,
        name: r.get(1)?,
        hash: r.get(2)?,
        source_format: r.get(3)?,
        source_lufs: r.get(4)?,
        duration_ms: r.get(5)?,
        loudness_lufs: r.get(6)?,
        true_peak_dbtp: r.get(7)?,
        bytes: r.get(8)?,
        created_at: clock::to_rfc3339(r.get(9)?),
    })
}

pub fn list_clips(conn: &Connection) -> Result<Vec<AudioClip>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CLIP_COLUMNS} FROM audio_clips ORDER BY name"
    ))?;
    let rows = stmt.query_map([], clip_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn get_clip(conn: &Connection, id: &str) -> Result<AudioClip> {
    conn.query_row(
        &format!("SELECT {CLIP_COLUMNS} FROM audio_clips WHERE id = ?1"),
        [id],
        clip_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("clip", id))
}

/// A clip's name for the library, checked before its sound is processed.
pub fn check_clip_name(name: &str) -> Result<String> {
    validate::name("name", name)
}

pub fn create_clip(tx: &Tx<'_>, c: &NewClip<'_>) -> Result<AudioClip> {
    let name = check_clip_name(c.name)?;
    let taken: bool = tx.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audio_clips WHERE name = ?1)",
        [&name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(CoreError::Conflict {
            code: "duplicate_name",
            message: format!("ya existe un clip llamado «{name}»"),
            field: Some("name".into()),
        });
    }
    let id = ids::new_id();
    tx.conn.execute(
        &format!("INSERT INTO audio_clips ({CLIP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![id, name, c.hash, c.source_format, c.source_lufs, c.duration_ms, c.loudness_lufs, c.true_peak_dbtp, c.bytes, tx.now()],
    )?;
    let clip = get_clip(tx.conn, &id)?;
    tx.event("audio_clip.created", "audio_clip", &id, &clip)?;
    Ok(clip)
}

/// Removes a clip; refused while a schedule still plays it.
pub fn delete_clip(tx: &Tx<'_>, id: &str) -> Result<AudioClip> {
    let clip = get_clip(tx.conn, id)?;
    let used: i64 = tx.conn.query_row(
        "SELECT COUNT(*) FROM audio_schedules WHERE clip_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if used > 0 {
        return Err(CoreError::conflict(
            "clip_in_use",
            format!(
                "«{}» está en {used} programación(es); bórralas primero",
                clip.name
            ),
        ));
    }
    tx.conn
        .execute("DELETE FROM audio_clips WHERE id = ?1", [id])?;
    tx.event("audio_clip.deleted", "audio_clip", id, &clip)?;
    Ok(clip)
}

/// Whether any clip still uses this stored file (so it may be removed from disk).
pub fn hash_in_use(conn: &Connection, hash: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audio_clips WHERE hash = ?1)",
        [hash],
        |r| r.get(0),
    )?)
}

const SCHEDULE_COLUMNS: &str = "id, name, clip_id, days, times, every_minutes, window_start, window_end, start_date, end_date, volume, enabled, created_at, updated_at";

fn json_col<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn schedule_row(r: &Row<'_>) -> rusqlite::Result<AudioSchedule> {
    Ok(AudioSchedule {
        id: r.get(0)?,
        name: r.get(1)?,
        clip_id: r.get(2)?,
        days: json_col(r, 3)?,
        times: json_col(r, 4)?,
        every_minutes: r.get(5)?,
        window_start: r.get(6)?,
        window_end: r.get(7)?,
        start_date: r.get(8)?,
        end_date: r.get(9)?,
        volume: r.get(10)?,
        enabled: r.get(11)?,
        created_at: clock::to_rfc3339(r.get(12)?),
        updated_at: clock::to_rfc3339(r.get(13)?),
    })
}

pub fn list_schedules(conn: &Connection) -> Result<Vec<AudioSchedule>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM audio_schedules ORDER BY name"
    ))?;
    let rows = stmt.query_map([], schedule_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn get_schedule(conn: &Connection, id: &str) -> Result<AudioSchedule> {
    conn.query_row(
        &format!("SELECT {SCHEDULE_COLUMNS} FROM audio_schedules WHERE id = ?1"),
        [id],
        schedule_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("programación", id))
}

/// The input checked and normalised: known clip, weekdays 1–7, HH:MM times, a complete repeat
/// window, ordered dates, something to play.
fn check_schedule(conn: &Connection, i: &ScheduleInput) -> Result<ScheduleInput> {
    let mut out = i.clone();
    out.name = validate::name("name", &i.name)?;
    validate::id("clip_id", &i.clip_id)?;
    get_clip(conn, &i.clip_id)
        .map_err(|_| CoreError::validation("clip_id", "el clip no existe"))?;
    if i.days.is_empty() || i.days.iter().any(|d| !(1..=7).contains(d)) {
        return Err(CoreError::validation(
            "days",
            "elige días de la semana (1 = lunes … 7 = domingo)",
        ));
    }
    out.days.sort();
    out.days.dedup();
    if i.times.len() > MAX_TIMES {
        return Err(CoreError::validation(
            "times",
            format!("a lo más {MAX_TIMES} horas"),
        ));
    }
    out.times = i
        .times
        .iter()
        .enumerate()
        .map(|(n, t)| hhmm(&format!("times[{n}]"), t))
        .collect::<Result<_>>()?;
    out.times.sort();
    out.times.dedup();
    out.window_start = opt_hhmm("window_start", &i.window_start)?;
    out.window_end = opt_hhmm("window_end", &i.window_end)?;
    match (out.every_minutes, &out.window_start, &out.window_end) {
        (None, _, _) => {
            out.window_start = None;
            out.window_end = None;
        }
        (Some(m), Some(a), Some(b)) => {
            if !(1..=1440).contains(&m) {
                return Err(CoreError::validation(
                    "every_minutes",
                    "entre 1 y 1440 minutos",
                ));
            }
            if a > b {
                return Err(CoreError::validation(
                    "window_end",
                    "el fin debe ser después del inicio",
                ));
            }
        }
        (Some(_), _, _) => {
            return Err(CoreError::validation(
                "window_start",
                "la repetición necesita hora de inicio y de fin",
            ));
        }
    }
    if out.times.is_empty() && out.every_minutes.is_none() {
        return Err(CoreError::validation(
            "times",
            "indica al menos una hora o una repetición",
        ));
    }
    out.start_date = opt_day("start_date", &i.start_date)?;
    out.end_date = opt_day("end_date", &i.end_date)?;
    if let (Some(a), Some(b)) = (&out.start_date, &out.end_date) {
        if a > b {
            return Err(CoreError::validation(
                "end_date",
                "la fecha final es anterior a la inicial",
            ));
        }
    }
    volume("volume", i.volume.unwrap_or(100))?;
    Ok(out)
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Corrupt(e.to_string()))
}

pub fn create_schedule(tx: &Tx<'_>, input: &ScheduleInput) -> Result<AudioSchedule> {
    let i = check_schedule(tx.conn, input)?;
    let id = ids::new_id();
    tx.conn.execute(
        &format!("INSERT INTO audio_schedules ({SCHEDULE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"),
        params![id, i.name, i.clip_id, to_json(&i.days)?, to_json(&i.times)?, i.every_minutes, i.window_start, i.window_end, i.start_date, i.end_date, i.volume.unwrap_or(100), i.enabled.unwrap_or(true), tx.now()],
    )?;
    let s = get_schedule(tx.conn, &id)?;
    tx.event("audio_schedule.created", "audio_schedule", &id, &s)?;
    Ok(s)
}

/// Replaces a schedule with `input` (the editor always sends the whole schedule).
pub fn update_schedule(tx: &Tx<'_>, id: &str, input: &ScheduleInput) -> Result<AudioSchedule> {
    get_schedule(tx.conn, id)?;
    let i = check_schedule(tx.conn, input)?;
    tx.conn.execute(
        "UPDATE audio_schedules SET name = ?2, clip_id = ?3, days = ?4, times = ?5, every_minutes = ?6, window_start = ?7, window_end = ?8, start_date = ?9, end_date = ?10, volume = ?11, enabled = ?12, updated_at = ?13 WHERE id = ?1",
        params![id, i.name, i.clip_id, to_json(&i.days)?, to_json(&i.times)?, i.every_minutes, i.window_start, i.window_end, i.start_date, i.end_date, i.volume.unwrap_or(100), i.enabled.unwrap_or(true), tx.now()],
    )?;
    let s = get_schedule(tx.conn, id)?;
    tx.event("audio_schedule.updated", "audio_schedule", id, &s)?;
    Ok(s)
}

pub fn delete_schedule(tx: &Tx<'_>, id: &str) -> Result<AudioSchedule> {
    let s = get_schedule(tx.conn, id)?;
    tx.conn
        .execute("DELETE FROM audio_schedules WHERE id = ?1", [id])?;
    tx.event("audio_schedule.deleted", "audio_schedule", id, &s)?;
    Ok(s)
}

/// The branch's settings (defaults until first saved).
pub fn settings(conn: &Connection, branch_id: &str) -> Result<AudioSettings> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM audio_settings WHERE branch_id = ?1",
            [branch_id],
            |r| r.get(0),
        )
        .optional()?;
    match body {
        Some(b) => {
            serde_json::from_str(&b).map_err(|e| CoreError::Corrupt(format!("audio settings: {e}")))
        }
        None => Ok(AudioSettings::default()),
    }
}

pub fn put_settings(tx: &Tx<'_>, s: AudioSettings) -> Result<AudioSettings> {
    let s = s.validated()?;
    if let Some(id) = &s.background_clip_id {
        validate::id("background_clip_id", id)?;
        get_clip(tx.conn, id)
            .map_err(|_| CoreError::validation("background_clip_id", "el clip no existe"))?;
    }
    let branch = tx.branch_id().to_string();
    tx.conn.execute(
        "INSERT INTO audio_settings (branch_id, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (branch_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![branch, to_json(&s)?, tx.now()],
    )?;
    tx.event("audio_settings.updated", "audio_settings", &branch, &s)?;
    Ok(s)
}
