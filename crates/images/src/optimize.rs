//! `kidyboard image optimize IN --width W --format avif|webp|jpeg -o OUT`: the same pipeline as
//! uploads (sniff, limits, orientation, resize, encode), one file in, one file out.

use std::path::Path;

use crate::decode;
use crate::encode::{self, EncodeSettings};
use crate::error::Result;
use crate::format::Format;
use crate::limits::Limits;
use crate::originals::write_atomically;
use crate::resize;

/// The result of one optimisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Optimized {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// Output dimensions (aspect ratio kept; never wider than the input).
    pub width: u32,
    pub height: u32,
}

/// Decodes `input` (JPEG, PNG or WebP, checked like an upload), resizes it to `width`
/// and encodes it as `format`. Any width is allowed here; the presets are for serving.
pub fn optimize_bytes(
    input: &[u8],
    width: u32,
    format: Format,
    limits: &Limits,
    settings: &EncodeSettings,
) -> Result<Optimized> {
    if width == 0 {
        return Err(crate::Error::InvalidWidth(width));
    }
    let pixels = decode::decode(input, limits)?;
    let resized = resize::resize_to_width(&pixels, width)?;
    let bytes = encode::encode(&resized, format, settings)?;
    Ok(Optimized {
        bytes,
        format,
        width: resized.width,
        height: resized.height,
    })
}

/// `optimize_bytes` from a file to a file, with default limits and settings. The output is
/// written atomically (a temporary file renamed into place), so a failure leaves no partial file.
pub fn optimize_file(input: &Path, output: &Path, width: u32, format: Format) -> Result<Optimized> {
    let limits = Limits::default();
    let len = std::fs::metadata(input)?.len();
    limits.check_bytes(usize::try_from(len).unwrap_or(usize::MAX))?;
    let bytes = std::fs::read(input)?;
    let optimized = optimize_bytes(&bytes, width, format, &limits, &EncodeSettings::default())?;
    write_atomically(output, &optimized.bytes)?;
    Ok(optimized)
}
