//! Progress reports for export jobs; the hub forwards them over its live feed.

use serde::Serialize;

/// What an export is busy with.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Decoding and checking pictures.
    Pictures,
    /// The shared layout pass.
    Layout,
    /// PDF pages written (`done` of `total` pages).
    Pages,
    /// PDF file assembled (fonts subset, streams compressed).
    Writing,
    /// Slides drawn (`done` of `total` slides).
    Slides,
    /// Video frames encoded (`done` of `total` frames).
    Frames,
}

/// One progress report: `done` of `total` units of `stage`.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u32,
    pub total: u32,
}

impl Progress {
    /// 0.0 to 1.0 within the stage.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f32 / self.total as f32
        }
    }
}
