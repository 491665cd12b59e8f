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
    /// The most memory decoding it will take, in bytes (see [`Limits::max_decode_bytes`]).
    pub decode_bytes: u64,
}

/// Checks everything that can be checked without decoding: byte size, format, completeness,
/// dimensions, the canvas's proportion to the file, the memory the decode will take. An upload
/// that fails here costs almost nothing.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe> {
    limits.check_bytes(bytes.len())?;
    let format = sniff::sniff(bytes)?;
    sniff::check_complete(format, bytes)?;
    // Our own header read first: no decoder code runs on a bomb.
    if let Some((width, height)) = sniff::header_dimensions(format, bytes) {
        limits.check_dimensions(width, height)?;
        limits.check_proportion(width, height, bytes.len())?;
    }
    // Then the decoder's reading of the same header, in case ours was fooled.
    let mut decoder = header_decoder(bytes, format, limits)?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;
    limits.check_proportion(width, height, bytes.len())?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let working = match format {
        InputFormat::Jpeg => sniff::jpeg_coefficient_bytes(bytes),
        // The WebP decoder works in a full-size 4-byte-per-pixel buffer (or YUV planes) of
        // its own before filling ours.
        InputFormat::WebP => u64::from(width) * u64::from(height) * 4,
        InputFormat::Png => 0,
    };
    let decode_bytes = decode_cost(width, height, decoder.color_type(), orientation) + working;
    limits.check_decode_bytes(width, height, decode_bytes)?;
    Ok(Probe {
        format,
        width,
        height,
        decode_bytes,
    })
}

/// The peak memory of `decode_after_probe` in our own buffers, from the header alone: the
/// decoder's output, the 8-bit copy, the quarter-turned copy. (The decoders' working memory
/// is added by the caller, per format.)
fn decode_cost(
    width: u32,
    height: u32,
    color: image::ColorType,
    orientation: image::metadata::Orientation,
) -> u64 {
    use image::metadata::Orientation as O;
    let pixels = u64::from(width) * u64::from(height);
    let decoded = pixels * u64::from(color.bytes_per_pixel());
    let out = pixels * if color.has_alpha() { 4 } else { 3 };
    let converted = if matches!(color, image::ColorType::Rgb8 | image::ColorType::Rgba8) {
        0
    } else {
        out
    };
    let quarter_turn = matches!(
        orientation,
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH
    );
    let rotated = if quarter_turn { out } else { 0 };
    decoded + converted + rotated
}

/// Decodes to upright pixels. Never panics on hostile input: a decoder panic (a bug in a
/// dependency) is caught and reported as a corrupt image.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Pixels> {
    decode_probed(bytes, limits).map(|(_, pixels)| pixels)
}

/// `decode`, also answering what the header said.
pub fn decode_probed(bytes: &[u8], limits: &Limits) -> Result<(Probe, Pixels)> {
    let probe = probe(bytes, limits)?;
    decode_after_probe(bytes, probe, limits).map(|pixels| (probe, pixels))
}

/// The decode itself, for callers that probed first (to reserve `probe.decode_bytes` of
/// memory before spending it).
pub fn decode_after_probe(bytes: &[u8], probe: Probe, limits: &Limits) -> Result<Pixels> {
    let decoded = std::panic::catch_unwind(|| decode_pixels(bytes, probe, limits));
    match decoded {
        Ok(result) => result,
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
    let img = DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(e, limits, dims))?;
    // To 8 bits before turning, so a quarter turn copies the smaller buffer; each step
    // consumes the one before, so at most two buffers are alive at once.
    let mut img = if img.color().has_alpha() {
        DynamicImage::ImageRgba8(img.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.into_rgb8())
    };
    img.apply_orientation(orientation);
    Ok(into_pixels(img))
}

/// Keeps alpha only when a pixel actually uses it, so opaque PNGs take the cheaper RGB path.
/// The opaque case drops alpha in place: a copy would double the peak of the largest pictures.
fn into_pixels(img: DynamicImage) -> Pixels {
    let (width, height) = (img.width(), img.height());
    if !img.color().has_alpha() {
        return Pixels {
            width,
            height,
            has_alpha: false,
            data: img.into_rgb8().into_raw(),
        };
    }
    let mut data = img.into_rgba8().into_raw();
    if data.chunks_exact(4).any(|p| p[3] != 255) {
        return Pixels {
            width,
            height,
            has_alpha: true,
            data,
        };
    }
    // Pixel i moves from 4i to 3i: never ahead of where it is read, so in place is safe.
    let pixels = data.len() / 4;
    for i in 0..pixels {
        data.copy_within(4 * i..4 * i + 3, 3 * i);
    }
    data.truncate(pixels * 3);
    data.shrink_to_fit();
    Pixels {
        width,
        height,
        has_alpha: false,
        data,
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
