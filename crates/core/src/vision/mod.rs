//! The totem's anonymous visitor counter, on the hub's side: visits (first and last time a person
//! was seen — never an image), each camera runner's status, shifts, and the visitors report.

pub mod aggregate;
pub mod report;
pub mod shifts;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::tx::Tx;
use crate::validate;

/// Most visits one batch may carry.
pub const MAX_BATCH: usize = 500;
/// Longest visit accepted: nobody stands in front of a totem for a whole day.
pub const MAX_DWELL_MS: i64 = 24 * 3_600_000;
/// How far ahead of the hub's clock a visit may end (a runner's clock may drift a little).
const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60_000;

/// One visit as the runner reports it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitInput {
    /// A ULID made by the runner; the same id again is ignored, so a retried batch adds nothing.
    pub id: String,
    /// When the person was first seen (RFC 3339).
    pub started_at: String,
    /// When the person was last seen (RFC 3339).
    pub ended_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitBatch {
    /// The camera's device (e.g. `totem-entrada`).
    pub device_id: String,
    pub visits: Vec<VisitInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VisitBatchResult {
    /// Visits stored now.
    pub recorded: i64,
    /// Visits already stored by an earlier delivery of the same batch.
    pub duplicates: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    pub id: String,
    pub device_id: String,
    pub started_at: String,
    pub ended_at: String,
    pub dwell_ms: i64,
}

struct CheckedVisit {
    id: String,
    started_at: Millis,
    ended_at: Millis,
}

/// A camera's name as runners report it (`totem`, `entrada`): a short single line.
pub fn device_name(field: &str, v: &str) -> Result<String> {
    let name = validate::name(field, v)?;
    if name.len() > 64 {
        return Err(CoreError::validation(
            field,
            "es demasiado largo (máximo 64)",
        ));
    }
    Ok(name)
}

fn check_batch(batch: &VisitBatch, now: Millis) -> Result<(String, Vec<CheckedVisit>)> {
    let device = device_name("device_id", &batch.device_id)?;
    if batch.visits.is_empty() || batch.visits.len() > MAX_BATCH {
        return Err(CoreError::validation(
            "visits",
            format!("se esperan entre 1 y {MAX_BATCH} visitas"),
        ));
    }
    let mut out = Vec::with_capacity(batch.visits.len());
    for (i, v) in batch.visits.iter().enumerate() {
        let id = validate::id(&format!("visits[{i}].id"), &v.id)?;
        let started_at = clock::parse_rfc3339(&format!("visits[{i}].started_at"), &v.started_at)?;
        let ended_at = clock::parse_rfc3339(&format!("visits[{i}].ended_at"), &v.ended_at)?;
        let field = format!("visits[{i}].ended_at");
        if ended_at < started_at {
            return Err(CoreError::validation(
                field,
                "no puede ser anterior a started_at",
            ));
        }
        if ended_at - started_at > MAX_DWELL_MS {
            return Err(CoreError::validation(
                field,
                "una visita dura a lo más 24 horas",
            ));
        }
        if ended_at > now + MAX_CLOCK_AHEAD_MS {
            return Err(CoreError::validation(
                field,
                "está en el futuro (revisa el reloj del tótem)",
            ));
        }
        out.push(CheckedVisit {
            id,
            started_at,
            ended_at,
        });
    }
    Ok((device, out))
}

/// Stores a batch of visits; ids already stored are skipped. One event records the new ones.
pub fn record(tx: &Tx<'_>, batch: &VisitBatch) -> Result<VisitBatchResult> {
    let (device, visits) = check_batch(batch, tx.now())?;
    let branch = tx.branch_id().to_string();
    let mut stored = Vec::new();
    for v in &visits {
        let n = tx.conn.execute(
            "INSERT INTO vision_visits (id, branch_id, device_id, started_at, ended_at, dwell_ms, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO NOTHING",
            params![v.id, branch, device, v.started_at, v.ended_at, v.ended_at - v.started_at, tx.now()],
        )?;
        if n == 1 {
            stored.push(Visit {
                id: v.id.clone(),
                device_id: device.clone(),
                started_at: clock::to_rfc3339(v.started_at),
                ended_at: clock::to_rfc3339(v.ended_at),
                dwell_ms: v.ended_at - v.started_at,
            });
        }
    }
    let recorded = stored.len() as i64;
    if recorded > 0 {
        tx.event("vision.visits_recorded", "vision_device", &device, &stored)?;
    }
    Ok(VisitBatchResult {
        recorded,
        duplicates: visits.len() as i64 - recorded,
    })
}

/// Visits that started in `[from, to)`, oldest first.
pub fn visits_between(
    conn: &Connection,
    branch_id: &str,
    from: Millis,
    to: Millis,
) -> Result<Vec<Visit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, device_id, started_at, ended_at, dwell_ms FROM vision_visits
         WHERE branch_id = ?1 AND started_at >= ?2 AND started_at < ?3 ORDER BY started_at, id",
    )?;
    let rows = stmt.query_map(params![branch_id, from, to], |r| {
        Ok(Visit {
            id: r.get(0)?,
            device_id: r.get(1)?,
            started_at: clock::to_rfc3339(r.get(2)?),
            ended_at: clock::to_rfc3339(r.get(3)?),
            dwell_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What a camera runner is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisionState {
    /// Opening the camera and loading the model.
    Starting,
    /// Counting.
    Ok,
    /// No camera was found (or the one asked for is missing).
    NoCamera,
    /// The detector model or the ONNX Runtime library could not be loaded.
    ModelError,
    /// The camera stopped giving frames mid-run (unplugged); the runner retries.
    Unplugged,
    /// A video or folder source reached its end.
    Finished,
    /// The runner was stopped.
    Stopped,
}

impl VisionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VisionState::Starting => "starting",
            VisionState::Ok => "ok",
            VisionState::NoCamera => "no_camera",
            VisionState::ModelError => "model_error",
            VisionState::Unplugged => "unplugged",
            VisionState::Finished => "finished",
            VisionState::Stopped => "stopped",
        }
    }
}

/// A runner's report of its state (sent every few seconds and on every change).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisionStatusInput {
    pub device_id: String,
    pub state: VisionState,
    /// A sentence for the admin: what is wrong and what to try.
    #[serde(default)]
    pub message: String,
    /// What it reads from (`camera:0`, `dir:…`).
    #[serde(default)]
    pub source: String,
    /// People in front of the camera now.
    #[serde(default)]
    pub in_view: i64,
    #[serde(default)]
    pub fps: f64,
    /// When the last frame was read (RFC 3339).
    #[serde(default)]
    pub last_frame_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisionStatus {
    pub device_id: String,
    pub state: VisionState,
    pub message: String,
    pub source: String,
    pub in_view: i64,
    pub fps: f64,
    pub last_frame_at: Option<String>,
    pub updated_at: String,
    /// An admin is watching this camera's live preview (the runner then sends frames).
    #[serde(default)]
    pub preview_wanted: bool,
}

/// Keeps a runner's latest status. Device telemetry, not a business change: it is overwritten
/// every few seconds and written without an event, so it does not flood the synced log.
pub fn put_status(
    conn: &Connection,
    branch_id: &str,
    input: &VisionStatusInput,
    now: Millis,
) -> Result<VisionStatus> {
    let device = device_name("device_id", &input.device_id)?;
    let message = validate::text("message", &input.message)?;
    let source = validate::short("source", &input.source)?;
    let in_view = validate::non_negative("in_view", input.in_view, 1_000)?;
    if !input.fps.is_finite() || !(0.0..=1_000.0).contains(&input.fps) {
        return Err(CoreError::validation("fps", "debe estar entre 0 y 1000"));
    }
    let last_frame_at = match &input.last_frame_at {
        Some(s) => Some(clock::parse_rfc3339("last_frame_at", s)?),
        None => None,
    };
    conn.execute(
        "INSERT INTO vision_status (device_id, branch_id, state, message, source, in_view, fps, last_frame_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(device_id) DO UPDATE SET branch_id = ?2, state = ?3, message = ?4, source = ?5,
             in_view = ?6, fps = ?7, last_frame_at = ?8, updated_at = ?9",
        params![device, branch_id, input.state.as_str(), message, source, in_view, input.fps, last_frame_at, now],
    )?;
    status(conn, &device)?.ok_or_else(|| CoreError::Corrupt("vision status vanished".into()))
}

fn parse_state(s: &str) -> VisionState {
    [
        VisionState::Starting,
        VisionState::Ok,
        VisionState::NoCamera,
        VisionState::ModelError,
        VisionState::Unplugged,
        VisionState::Finished,
        VisionState::Stopped,
    ]
    .into_iter()
    .find(|v| v.as_str() == s)
    .unwrap_or(VisionState::Stopped)
}

const STATUS_COLUMNS: &str =
    "device_id, state, message, source, in_view, fps, last_frame_at, updated_at";

fn status_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VisionStatus> {
    let state: String = r.get(1)?;
    Ok(VisionStatus {
        device_id: r.get(0)?,
        state: parse_state(&state),
        message: r.get(2)?,
        source: r.get(3)?,
        in_view: r.get(4)?,
        fps: r.get(5)?,
        last_frame_at: r.get::<_, Option<i64>>(6)?.map(clock::to_rfc3339),
        updated_at: clock::to_rfc3339(r.get(7)?),
        preview_wanted: false,
    })
}

pub fn status(conn: &Connection, device_id: &str) -> Result<Option<VisionStatus>> {
    Ok(conn
        .query_row(
            &format!("SELECT {STATUS_COLUMNS} FROM vision_status WHERE device_id = ?1"),
            [device_id],
            status_row,
        )
        .optional()?)
}

/// Every camera of the branch, most recently heard from first.
pub fn statuses(conn: &Connection, branch_id: &str) -> Result<Vec<VisionStatus>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STATUS_COLUMNS} FROM vision_status WHERE branch_id = ?1 ORDER BY updated_at DESC, device_id"
    ))?;
    let rows = stmt.query_map([branch_id], status_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
