//! The totem's anonymous visitor counter. Frames come from a camera, a video file or a folder of
//! pictures ([`source`]); the YuNet face detector finds faces ([`detector`]); the [`tracker`]
//! turns them into visitors with a dwell time; the [`runner`] ties them together, keeps a status
//! the admin can read, and hands finished visits to the hub ([`hub`]), keeping those the hub has
//! not taken yet in a file ([`spool`]) so a restart during an outage loses none.
//!
//! Privacy by construction: frames live only in memory and are dropped after detection. Nothing
//! here writes or sends a frame, a crop or a face descriptor; only counts and durations leave.
//! The optional live preview for installers keeps one annotated JPEG in memory and serves it to
//! admins on the local network only.

pub mod demo;
pub mod detector;
pub mod error;
pub mod frame;
pub mod hub;
pub mod preview;
pub mod runner;
pub mod runtime;
pub mod source;
pub mod spool;
pub mod tracker;

pub use detector::{Detection, DetectorOptions, FaceDetector};
pub use error::{Result, VisionError};
pub use frame::Frame;
pub use runner::{
    PreviewTap, RunnerConfig, RunnerEvent, RunnerStatus, VisionHandle, VisionService,
};
pub use runtime::ModelPaths;
pub use source::{SourceOptions, SourceSpec};
pub use tracker::{FinishedVisit, Tracker, TrackerOptions};
