//! Where frames come from: a camera (`camera`, `camera:1`, `camera:NAME`), a video file
//! (`file:PATH`, decoded by ffmpeg into memory) or a folder of pictures (`dir:PATH`, for demos
//! and tests). All hand over decoded frames in memory; none writes anything.

mod camera;
mod folder;
mod video;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kidyboard_core::clock::{self, Millis};

pub use camera::{list_cameras, CameraDevice};

use crate::error::{Result, VisionError};
use crate::frame::Frame;

/// Which camera to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraChoice {
    /// The first camera found.
    First,
    Index(u32),
    /// The first camera whose name contains this (case-insensitive).
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Camera(CameraChoice),
    File(PathBuf),
    Dir(PathBuf),
}

impl std::str::FromStr for SourceSpec {
    type Err = VisionError;

    fn from_str(s: &str) -> Result<SourceSpec> {
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        match kind {
            "camera" if rest.is_empty() => Ok(SourceSpec::Camera(CameraChoice::First)),
            "camera" => Ok(SourceSpec::Camera(match rest.parse::<u32>() {
                Ok(i) => CameraChoice::Index(i),
                Err(_) => CameraChoice::Name(rest.to_string()),
            })),
            "file" if !rest.is_empty() => Ok(SourceSpec::File(PathBuf::from(rest))),
            "dir" if !rest.is_empty() => Ok(SourceSpec::Dir(PathBuf::from(rest))),
            _ => Err(VisionError::Config(format!(
                "unknown source {s:?}: use camera, camera:INDEX, camera:NAME, file:PATH or dir:PATH"
            ))),
        }
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::Camera(CameraChoice::First) => write!(f, "camera"),
            SourceSpec::Camera(CameraChoice::Index(i)) => write!(f, "camera:{i}"),
            SourceSpec::Camera(CameraChoice::Name(n)) => write!(f, "camera:{n}"),
            SourceSpec::File(p) => write!(f, "file:{}", p.display()),
            SourceSpec::Dir(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

impl SourceSpec {
    /// A camera: errors are worth retrying (plugged back in). A file or folder is read once.
    pub fn is_live(&self) -> bool {
        matches!(self, SourceSpec::Camera(_))
    }
}

/// How a source is read.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceOptions {
    /// Camera resolution asked for (the closest the camera offers is used).
    pub width: u32,
    pub height: u32,
    /// Camera frame rate asked for; for files and folders, the rate their frames are stamped at.
    pub fps: u32,
    /// Files and folders: the instant of the first frame. Without one, frames are handed over
    /// at their own pace from when the source opens, so their times are never in the future.
    pub replay_start: Option<Millis>,
    /// Files and folders: hand frames over at their own pace even with a `replay_start`.
    pub realtime: bool,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            width: 640,
            height: 480,
            fps: 15,
            replay_start: None,
            realtime: false,
        }
    }
}

pub trait FrameSource {
    /// The next frame; `None` when a file or folder has ended. A camera error is `Source`.
    fn next_frame(&mut self) -> Result<Option<Frame>>;
}

pub fn open(spec: &SourceSpec, options: &SourceOptions) -> Result<Box<dyn FrameSource>> {
    Ok(match spec {
        SourceSpec::Camera(choice) => Box::new(camera::CameraSource::open(choice, options)?),
        SourceSpec::File(path) => {
            Box::new(video::VideoSource::open(path, ReplayClock::new(options))?)
        }
        SourceSpec::Dir(path) => {
            Box::new(folder::FolderSource::open(path, ReplayClock::new(options))?)
        }
    })
}

/// Stamps replayed frames at a steady rate from a chosen start, so a folder of pictures plays
/// like a camera and tests get exact, repeatable times.
#[derive(Debug)]
pub struct ReplayClock {
    start: Millis,
    interval_ms: f64,
    realtime: bool,
    opened: Instant,
    frames: u64,
}

impl ReplayClock {
    pub fn new(options: &SourceOptions) -> ReplayClock {
        ReplayClock {
            start: options.replay_start.unwrap_or_else(clock::now_ms),
            interval_ms: 1000.0 / options.fps.max(1) as f64,
            realtime: options.realtime || options.replay_start.is_none(),
            opened: Instant::now(),
            frames: 0,
        }
    }

    /// The instant of the next frame (waiting for it when replaying in real time).
    pub fn tick(&mut self) -> Millis {
        let offset = self.frames as f64 * self.interval_ms;
        self.frames += 1;
        if self.realtime {
            let due = self.opened + Duration::from_micros((offset * 1000.0) as u64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        self.start + offset.round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_specs_parse_and_print_back() {
        for s in [
            "camera",
            "camera:2",
            "camera:Logitech C920",
            "file:/v/a.mp4",
            "dir:/tmp/f",
        ] {
            let spec: SourceSpec = s.parse().expect(s);
            assert_eq!(spec.to_string(), s);
        }
        assert_eq!(
            "camera:1".parse::<SourceSpec>().ok(),
            Some(SourceSpec::Camera(CameraChoice::Index(1)))
        );
        assert!("webcam".parse::<SourceSpec>().is_err());
        assert!("dir:".parse::<SourceSpec>().is_err());
    }

    #[test]
    fn replay_clock_stamps_frames_at_the_asked_rate() {
        let mut c = ReplayClock::new(&SourceOptions {
            fps: 4,
            replay_start: Some(1_000),
            ..SourceOptions::default()
        });
        let stamps: Vec<Millis> = (0..4).map(|_| c.tick()).collect();
        assert_eq!(stamps, [1_000, 1_250, 1_500, 1_750]);
    }
}
