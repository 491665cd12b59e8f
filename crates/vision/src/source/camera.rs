//! A real camera through nokhwa (V4L2 on Linux). Kept thin: open the asked device at the closest
//! format, hand over decoded RGB frames, and turn every failure into a clear error.

use kidyboard_core::clock;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use nokhwa::Camera;
use serde::Serialize;

use super::{CameraChoice, FrameSource, SourceOptions};
use crate::error::{Result, VisionError};
use crate::frame::Frame;

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CameraDevice {
    pub index: String,
    pub name: String,
    pub description: String,
}

pub fn list_cameras() -> Result<Vec<CameraDevice>> {
    let found = nokhwa::query(ApiBackend::Auto)
        .map_err(|e| VisionError::NoCamera(format!("cannot list cameras: {e}")))?;
    Ok(found
        .into_iter()
        .map(|c| CameraDevice {
            index: c.index().to_string(),
            name: c.human_name(),
            description: c.description().to_string(),
        })
        .collect())
}

pub struct CameraSource {
    camera: Camera,
}

fn pick(choice: &CameraChoice) -> Result<CameraIndex> {
    match choice {
        CameraChoice::Index(i) => Ok(CameraIndex::Index(*i)),
        CameraChoice::First | CameraChoice::Name(_) => {
            let devices = nokhwa::query(ApiBackend::Auto)
                .map_err(|e| VisionError::NoCamera(format!("cannot list cameras: {e}")))?;
            let found = match choice {
                CameraChoice::Name(n) => {
                    let n = n.to_lowercase();
                    devices
                        .into_iter()
                        .find(|d| d.human_name().to_lowercase().contains(&n))
                }
                _ => devices.into_iter().next(),
            };
            found.map(|d| d.index().clone()).ok_or_else(|| {
                VisionError::NoCamera(match choice {
                    CameraChoice::Name(n) => format!("no camera named like {n:?} is connected"),
                    _ => "no camera is connected".to_string(),
                })
            })
        }
    }
}

impl CameraSource {
    pub fn open(choice: &CameraChoice, options: &SourceOptions) -> Result<CameraSource> {
        let index = pick(choice)?;
        let format =
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(CameraFormat::new(
                Resolution::new(options.width, options.height),
                FrameFormat::MJPEG,
                options.fps,
            )));
        let mut camera = Camera::new(index.clone(), format)
            .map_err(|e| VisionError::NoCamera(format!("cannot open camera {index}: {e}")))?;
        camera
            .open_stream()
            .map_err(|e| VisionError::NoCamera(format!("cannot start camera {index}: {e}")))?;
        Ok(CameraSource { camera })
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let buffer = self.camera.frame().map_err(|e| {
            VisionError::Source(format!(
                "the camera stopped giving frames (unplugged?): {e}"
            ))
        })?;
        let captured_at = clock::now_ms();
        let img = buffer
            .decode_image::<RgbFormat>()
            .map_err(|e| VisionError::Decode(format!("cannot decode a camera frame: {e}")))?;
        let (w, h) = (img.width(), img.height());
        Frame::new(w, h, img.into_raw(), captured_at).map(Some)
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}
