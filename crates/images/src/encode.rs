//! Pixels to bytes: AVIF with rav1e (4:2:0 through our own `avif` module by default, 4:4:4
//! through `ravif`), WebP with `webp` (bundled libwebp), JPEG with `mozjpeg`. Nothing but pixels goes in, so no metadata (EXIF GPS, camera serials, ICC
//! fingerprints) can come out.
//!
//! Quality is set per format for *equal visual quality*, not equal numbers: the defaults below
//! were picked by `cargo run --release -p kidyboard-images --example calibrate`, which searches
//! each encoder's quality for a DSSIM target on our sample photos (see `QUALITY.md`).

use crate::decode::Pixels;
use crate::error::{Error, Result};
use crate::format::Format;

/// Encoder settings. `Default` is the calibrated set; see `QUALITY.md` for how they were chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodeSettings {
    /// AVIF quality, 1–100, on ravif's scale (both chroma paths map it to the same quantizer).
    pub avif_quality: f32,
    /// rav1e speed, 1 (slowest, smallest) – 10 (fastest).
    pub avif_speed: u8,
    /// Encode AVIF in 10 bits per channel instead of 8: a few percent smaller at equal DSSIM
    /// only at slow speeds, and markedly slower (see `QUALITY.md`).
    pub avif_ten_bit: bool,
    /// AVIF chroma resolution: halved both ways (4:2:0, the default) or full (4:4:4).
    pub avif_chroma: AvifChroma,
    /// libwebp quality, 0–100.
    pub webp_quality: f32,
    /// libwebp method, 0 (fastest) – 6 (smallest).
    pub webp_method: i32,
    /// mozjpeg quality, 1–100.
    pub jpeg_quality: f32,
}

/// How much colour detail an AVIF keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvifChroma {
    /// Cb and Cr at full resolution, encoded by `ravif`.
    Yuv444,
    /// Cb and Cr averaged over 2×2 blocks (as JPEG does), rav1e called directly. The default:
    /// on our photos at equal DSSIM it is as small as 4:4:4 or slightly smaller, in 0.6–0.7×
    /// of the time (`QUALITY.md`).
    Yuv420,
}

/// The DSSIM the calibrated settings aim at (lower is closer to the source; 0 is identical).
/// About where trained eyes stop seeing a difference at arm's length on a photo.
pub const TARGET_DSSIM: f64 = 0.0020;

/// The worst DSSIM any variant may have: the tests fail above it. Above `TARGET_DSSIM` to
/// leave room for sizes and photos the calibration did not see.
pub const MAX_DSSIM: f64 = 0.0030;

impl Default for EncodeSettings {
    fn default() -> Self {
        EncodeSettings {
            avif_quality: 83.0,
            avif_speed: 8,
            avif_ten_bit: false,
            avif_chroma: AvifChroma::Yuv420,
            webp_quality: 80.0,
            webp_method: 4,
            jpeg_quality: 78.0,
        }
    }
}

/// Encodes pixels into `format`. Alpha is kept for AVIF and WebP and flattened onto white
/// for JPEG (product pictures with transparent backgrounds sit on white cards).
pub fn encode(pixels: &Pixels, format: Format, settings: &EncodeSettings) -> Result<Vec<u8>> {
    let result = std::panic::catch_unwind(|| match format {
        Format::Avif => encode_avif(pixels, settings),
        Format::WebP => encode_webp(pixels, settings),
        Format::Jpeg => encode_jpeg(pixels, settings),
    });
    result.unwrap_or_else(|_| {
        Err(Error::Encode {
            format: format.name(),
            reason: "the encoder panicked".into(),
        })
    })
}

fn encode_avif(pixels: &Pixels, settings: &EncodeSettings) -> Result<Vec<u8>> {
    if settings.avif_chroma == AvifChroma::Yuv420 {
        let params = crate::avif::Params {
            quality: settings.avif_quality,
            speed: settings.avif_speed,
            ten_bit: settings.avif_ten_bit,
        };
        return crate::avif::encode_420(pixels, params).map_err(|reason| Error::Encode {
            format: "avif",
            reason,
        });
    }
    let encoder = ravif::Encoder::new()
        .with_quality(settings.avif_quality.clamp(1.0, 100.0))
        .with_alpha_quality(settings.avif_quality.clamp(1.0, 100.0))
        .with_speed(settings.avif_speed.clamp(1, 10))
        .with_bit_depth(if settings.avif_ten_bit {
            ravif::BitDepth::Ten
        } else {
            ravif::BitDepth::Eight
        });
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    let encoded = if pixels.has_alpha {
        let px: Vec<ravif::RGBA8> = pixels
            .data
            .chunks_exact(4)
            .map(|p| ravif::RGBA8::new(p[0], p[1], p[2], p[3]))
            .collect();
        encoder.encode_rgba(ravif::Img::new(&px[..], w, h))
    } else {
        let px: Vec<ravif::RGB8> = pixels
            .data
            .chunks_exact(3)
            .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
            .collect();
        encoder.encode_rgb(ravif::Img::new(&px[..], w, h))
    };
    encoded.map(|e| e.avif_file).map_err(|e| Error::Encode {
        format: "avif",
        reason: e.to_string(),
    })
}

fn encode_webp(pixels: &Pixels, settings: &EncodeSettings) -> Result<Vec<u8>> {
    let encode_err = |reason: String| Error::Encode {
        format: "webp",
        reason,
    };
    let encoder = if pixels.has_alpha {
        webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
    } else {
        webp::Encoder::from_rgb(&pixels.data, pixels.width, pixels.height)
    };
    let mut config =
        webp::WebPConfig::new().map_err(|()| encode_err("libwebp refused its config".into()))?;
    config.quality = settings.webp_quality.clamp(0.0, 100.0);
    config.method = settings.webp_method.clamp(0, 6);
    config.alpha_compression = 1;
    let memory = encoder
        .encode_advanced(&config)
        .map_err(|e| encode_err(format!("{e:?}")))?;
    Ok(memory.to_vec())
}

fn encode_jpeg(pixels: &Pixels, settings: &EncodeSettings) -> Result<Vec<u8>> {
    let rgb = if pixels.has_alpha {
        flatten_on_white(&pixels.data)
    } else {
        pixels.data.clone()
    };
    let mut comp = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    comp.set_size(pixels.width as usize, pixels.height as usize);
    comp.set_quality(settings.jpeg_quality.clamp(1.0, 100.0));
    comp.set_progressive_mode();
    comp.set_optimize_coding(true);
    let io_err = |e: std::io::Error| Error::Encode {
        format: "jpeg",
        reason: e.to_string(),
    };
    let mut started = comp.start_compress(Vec::new()).map_err(io_err)?;
    started.write_scanlines(&rgb).map_err(io_err)?;
    started.finish().map_err(io_err)
}

fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
            [blend(p[0]), blend(p[1]), blend(p[2])]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_pixels_become_white_in_jpeg() {
        assert_eq!(flatten_on_white(&[0, 0, 0, 0]), vec![255, 255, 255]);
        assert_eq!(flatten_on_white(&[10, 20, 30, 255]), vec![10, 20, 30]);
    }

    #[test]
    fn every_format_has_its_magic_bytes() {
        let pixels = Pixels {
            width: 16,
            height: 8,
            has_alpha: true,
            data: (0..16 * 8 * 4).map(|i| (i % 251) as u8).collect(),
        };
        let s = EncodeSettings::default();
        let avif = encode(&pixels, Format::Avif, &s).expect("avif encodes");
        assert_eq!(&avif[4..12], b"ftypavif");
        let webp = encode(&pixels, Format::WebP, &s).expect("webp encodes");
        assert_eq!((&webp[0..4], &webp[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
        let jpeg = encode(&pixels, Format::Jpeg, &s).expect("jpeg encodes");
        assert_eq!(&jpeg[0..3], &[0xFF, 0xD8, 0xFF]);
    }
}
