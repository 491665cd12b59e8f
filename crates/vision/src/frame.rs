//! A frame: RGB pixels in memory with the instant they were captured. Frames are never written
//! anywhere; they are dropped as soon as the detector (and the optional live preview) are done.

use std::path::Path;

use kidyboard_core::clock::Millis;

use crate::error::{Result, VisionError};

#[derive(Clone)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    /// Interleaved 8-bit RGB, `width * height * 3` bytes, rows top to bottom.
    pub rgb: Vec<u8>,
    /// UTC milliseconds.
    pub captured_at: Millis,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Frame({}×{} at {})",
            self.width, self.height, self.captured_at
        )
    }
}

/// Largest picture a source may hand over (a 4K camera frame fits).
pub const MAX_PIXELS: u64 = 4096 * 4096;

impl Frame {
    pub fn new(width: u32, height: u32, rgb: Vec<u8>, captured_at: Millis) -> Result<Frame> {
        let expected = width as u64 * height as u64 * 3;
        if width == 0 || height == 0 || width as u64 * height as u64 > MAX_PIXELS {
            return Err(VisionError::Decode(format!(
                "unsupported frame size {width}×{height}"
            )));
        }
        if rgb.len() as u64 != expected {
            return Err(VisionError::Decode(format!(
                "frame of {width}×{height} needs {expected} bytes, got {}",
                rgb.len()
            )));
        }
        Ok(Frame {
            width,
            height,
            rgb,
            captured_at,
        })
    }

    /// Decodes a PNG or JPEG held in memory.
    pub fn decode(bytes: &[u8], captured_at: Millis) -> Result<Frame> {
        let img = image::load_from_memory(bytes)
            .map_err(|e| VisionError::Decode(format!("cannot decode picture: {e}")))?
            .to_rgb8();
        let (w, h) = img.dimensions();
        Frame::new(w, h, img.into_raw(), captured_at)
    }

    /// Reads and decodes a picture file (the file is only read).
    pub fn open(path: &Path, captured_at: Millis) -> Result<Frame> {
        let bytes = std::fs::read(path)
            .map_err(|e| VisionError::Source(format!("cannot read {}: {e}", path.display())))?;
        Frame::decode(&bytes, captured_at)
    }

    /// The pixel at (x, y) as RGB.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}
