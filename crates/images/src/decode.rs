//! From untrusted bytes to upright pixels, in the only safe order: size in bytes, magic bytes,
//! structure (truncation), dimensions from the header, then decoding under allocation limits,
//! then EXIF orientation. Metadata never leaves this module: only pixels do.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sniff::{self, InputFormat};

/// Decoded, upright pixels: RGB8 (3 bytes per pixel) or, when any pixel is translucent, RGBA8.
#[derive(Clone)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pixels")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("has_alpha", &self.has_alpha)
            .finish_non_exhaustive()
    }
}

impl Pixels {
    pub fn channels(&self) -> usize {
        if self.has_alpha {
            4
        } else {
            3
        }
    }
}

/// What the header says, read without decoding any pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub format: InputFormat,
    pub width: u32,
    pub height: u32,
}

/// Checks everything that can be checked without decoding: byte size, format, completeness,
/// dimensions. An upload that fails here costs almost nothing.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe> {
    limits.check_bytes(bytes.len())?;
    let format = sniff::sniff(bytes)?;
    sniff::check_complete(format, bytes)?;
    // Our own header read first: no decoder code runs on a bomb.
    if let Some((width, height)) = sniff::header_dimensions(format, bytes) {
        limits.check_dimensions(width, height)?;
    }
    let decoder = header_decoder(bytes, format, limits)?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;
    Ok(Probe {
        format,
        width,
        height,
    })
}

/// Decodes to upright pixels. Never panics on hostile input: a decoder panic (a bug in a
/// dependency) is caught and reported as a corrupt image.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Pixels> {
    decode_probed(bytes, limits).map(|(_, pixels)| pixels)
}

/// `decode`, also answering what the header said.
pub fn decode_probed(bytes: &[u8], limits: &Limits) -> Result<(Probe, Pixels)> {
    let probe = probe(bytes, limits)?;
    let decoded = std::panic::catch_unwind(|| decode_pixels(bytes, probe, limits));
    match decoded {
        Ok(result) => result.map(|pixels| (probe, pixels)),
        Err(_) => Err(Error::Corrupt("the decoder gave up on this file".into())),
    }
}

fn header_decoder<'a>(
    bytes: &'a [u8],
    format: InputFormat,
    limits: &Limits,
) -> Result<impl ImageDecoder + 'a> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits.decoder_limits());
    reader
        .into_decoder()
        .map_err(|e| map_image_error(e, limits, None))
}

fn decode_pixels(bytes: &[u8], probe: Probe, limits: &Limits) -> Result<Pixels> {
    let dims = Some((probe.width, probe.height));
    let mut decoder = header_decoder(bytes, probe.format, limits)?;
    // A broken EXIF block must not sink a good picture: fall back to "as stored".
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(e, limits, dims))?;
    img.apply_orientation(orientation);
    Ok(into_pixels(img))
}

/// Keeps alpha only when a pixel actually uses it, so opaque PNGs take the cheaper RGB path.
fn into_pixels(img: DynamicImage) -> Pixels {
    let (width, height) = (img.width(), img.height());
    if img.color().has_alpha() {
        let rgba = img.into_rgba8();
        let translucent = rgba.pixels().any(|p| p.0[3] != 255);
        if translucent {
            return Pixels {
                width,
                height,
                has_alpha: true,
                data: rgba.into_raw(),
            };
        }
        let data = rgba
            .into_raw()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        return Pixels {
            width,
            height,
            has_alpha: false,
            data,
        };
    }
    Pixels {
        width,
        height,
        has_alpha: false,
        data: img.into_rgb8().into_raw(),
    }
}

fn map_image_error(err: image::ImageError, limits: &Limits, dims: Option<(u32, u32)>) -> Error {
    use image::ImageError as E;
    match err {
        E::Limits(_) => {
            let (w, h) = dims.unwrap_or((0, 0));
            limits.too_many_pixels(w, h)
        }
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => Error::Truncated,
        E::Decoding(d) => {
            let msg = d.to_string();
            if msg.to_ascii_lowercase().contains("eof") || msg.contains("end of") {
                Error::Truncated
            } else {
                Error::Corrupt(msg)
            }
        }
        other => Error::Corrupt(other.to_string()),
    }
}
