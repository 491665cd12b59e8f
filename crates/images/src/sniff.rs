//! What an upload really is, from its bytes: magic numbers, never the file name or the
//! client's Content-Type. Also a cheap structural walk that notices truncated files before
//! any decoder sees them (some decoders happily grey-fill a JPEG that stops half-way).

use crate::error::{Error, Result};

/// The input formats the pipeline decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Jpeg,
    Png,
    WebP,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Jpeg => "jpeg",
            InputFormat::Png => "png",
            InputFormat::WebP => "webp",
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            InputFormat::Jpeg => image::ImageFormat::Jpeg,
            InputFormat::Png => image::ImageFormat::Png,
            InputFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Identifies the format from the magic bytes. Known-but-refused formats get
/// `UnsupportedFormat`/`SvgRefused`; anything else is `NotAnImage`.
pub fn sniff(bytes: &[u8]) -> Result<InputFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(InputFormat::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(InputFormat::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(InputFormat::WebP);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Err(Error::UnsupportedFormat("GIF"));
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Err(Error::UnsupportedFormat("TIFF"));
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 26 {
        return Err(Error::UnsupportedFormat("BMP"));
    }
    if bytes.starts_with(&[0, 0, 1, 0]) {
        return Err(Error::UnsupportedFormat("ICO"));
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Err(match &bytes[8..12] {
            b"avif" | b"avis" => Error::UnsupportedFormat("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"mif1" | b"msf1" => Error::UnsupportedFormat("HEIC"),
            _ => Error::NotAnImage,
        });
    }
    if looks_like_svg(bytes) {
        return Err(Error::SvgRefused);
    }
    Err(Error::NotAnImage)
}

/// SVG is XML text: after an optional BOM and whitespace it starts with `<`, and an `<svg`
/// element appears early (after an XML declaration, comments or a DOCTYPE).
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    match start {
        Some(i) if head[i] == b'<' => head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg")),
        _ => false,
    }
}

/// Walks the container structure and answers `Truncated` when the file stops before the
/// image does. Cheap: it skips over segment payloads without decoding them.
pub fn check_complete(format: InputFormat, bytes: &[u8]) -> Result<()> {
    let complete = match format {
        InputFormat::Png => png_complete(bytes),
        InputFormat::Jpeg => jpeg_complete(bytes),
        InputFormat::WebP => webp_complete(bytes),
    };
    if complete {
        Ok(())
    } else {
        Err(Error::Truncated)
    }
}

/// Width and height as the file's header states them, read by us (not by a decoder), so a
/// bomb is refused before any decoder code runs. `None` when the header is unreadable.
pub fn header_dimensions(format: InputFormat, bytes: &[u8]) -> Option<(u32, u32)> {
    let be32 = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let le = |at: usize, n: usize| {
        bytes.get(at..at + n).map(|b| {
            b.iter()
                .rev()
                .fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
        })
    };
    match format {
        InputFormat::Png => {
            if bytes.get(12..16) != Some(b"IHDR") {
                return None;
            }
            Some((be32(16)?, be32(20)?))
        }
        InputFormat::Jpeg => jpeg_frame(bytes).map(|f| (f.width, f.height)),
        InputFormat::WebP => match bytes.get(12..16)? {
            b"VP8 " => Some((le(26, 2)? & 0x3FFF, le(28, 2)? & 0x3FFF)),
            b"VP8L" => {
                let bits = le(21, 4)?;
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            b"VP8X" => Some((le(24, 3)? + 1, le(27, 3)? + 1)),
            _ => None,
        },
    }
}

/// The memory a progressive JPEG's decoder holds for coefficients: every 16-bit coefficient
/// of every component, each at its own (subsampled) resolution, kept until the last scan.
/// Zero for baseline JPEGs, which are decoded a strip at a time.
pub fn jpeg_coefficient_bytes(bytes: &[u8]) -> u64 {
    let Some(frame) = jpeg_frame(bytes) else {
        return 0;
    };
    if !matches!(frame.marker, 0xC2 | 0xC6 | 0xCA | 0xCE) {
        return 0;
    }
    let h_max = frame.sampling.iter().map(|s| s.0).max().unwrap_or(1).max(1);
    let v_max = frame.sampling.iter().map(|s| s.1).max().unwrap_or(1).max(1);
    let blocks = |side: u32, factor: u32, max: u32| {
        (u64::from(side) * u64::from(factor)).div_ceil(u64::from(max) * 8) + 1
    };
    frame
        .sampling
        .iter()
        .map(|&(h, v)| blocks(frame.width, h, h_max) * blocks(frame.height, v, v_max) * 64 * 2)
        .sum()
}

/// A JPEG's first start-of-frame segment.
struct JpegFrame {
    marker: u8,
    width: u32,
    height: u32,
    /// Each component's horizontal and vertical sampling factors.
    sampling: Vec<(u32, u32)>,
}

/// The first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC).
fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    let mut pos = 2;
    loop {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes.get(pos)?;
        pos += 1;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return None;
        }
        let len = bytes.get(pos..pos + 2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let seg = bytes.get(pos + 2..pos + 8)?;
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let components = usize::from(seg[5]);
            let sampling = bytes
                .get(pos + 8..pos + 8 + 3 * components)
                .unwrap_or(&[])
                .chunks_exact(3)
                .map(|c| (u32::from(c[1] >> 4), u32::from(c[1] & 0x0F)))
                .collect();
            return Some(JpegFrame {
                marker,
                width,
                height,
                sampling,
            });
        }
        pos += len;
    }
}

/// PNG: chunks of `length, type, data, crc` until `IEND`.
fn png_complete(bytes: &[u8]) -> bool {
    let mut pos = PNG_SIGNATURE.len();
    loop {
        let Some(header) = bytes.get(pos..pos + 8) else {
            return false;
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = pos.saturating_add(12).saturating_add(len);
        if end > bytes.len() {
            return false;
        }
        if &header[4..8] == b"IEND" {
            return true;
        }
        pos = end;
    }
}

/// JPEG: marker segments from SOI; after each SOS, entropy-coded data runs to the next
/// marker that is neither a stuffed `FF 00` nor a restart marker. Complete when the
/// top-level EOI is reached (an EXIF thumbnail's EOI is inside APP1 and skipped by length).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let mut pos = 2; // after SOI
    loop {
        // Find the marker: 0xFF, possibly repeated as fill, then the code.
        if bytes.get(pos) != Some(&0xFF) {
            return false;
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return false;
        };
        pos += 1;
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = bytes.get(pos..pos + 2) else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 || pos + len > bytes.len() {
            return false;
        }
        pos += len;
        if marker == 0xDA {
            match skip_entropy_data(bytes, pos) {
                Some(next_marker) => pos = next_marker,
                None => return false,
            }
        }
    }
}

/// Position of the next real marker after entropy-coded data, if any.
fn skip_entropy_data(bytes: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    while pos + 1 < bytes.len() {
        if bytes[pos] == 0xFF {
            match bytes[pos + 1] {
                0x00 | 0xD0..=0xD7 | 0xFF => pos += 1,
                _ => return Some(pos),
            }
        }
        pos += 1;
    }
    None
}

/// WebP: the RIFF header says how long the file is.
fn webp_complete(bytes: &[u8]) -> bool {
    let Some(size) = bytes.get(4..8) else {
        return false;
    };
    let riff_len = u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as u64;
    riff_len + 8 <= bytes.len() as u64 && riff_len >= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_ignored_magic_decides() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").ok(), Some(InputFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0").ok(), Some(InputFormat::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(InputFormat::WebP));
    }

    #[test]
    fn refusals_carry_the_right_code() {
        let code = |b: &[u8]| sniff(b).err().map(|e| e.code());
        assert_eq!(code(b"GIF89a...."), Some("unsupported_format"));
        assert_eq!(code(b"\0\0\0\x1cftypavif\0\0"), Some("unsupported_format"));
        assert_eq!(code(b"\0\0\0\x18ftypheic\0\0"), Some("unsupported_format"));
        assert_eq!(
            code(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("svg_refused")
        );
        assert_eq!(code(b"  <SVG onload=alert(1)>"), Some("svg_refused"));
        assert_eq!(code(b"%PDF-1.7"), Some("not_an_image"));
        assert_eq!(code(b""), Some("not_an_image"));
        assert_eq!(code(b"<html><body>hi</body></html>"), Some("not_an_image"));
    }

    #[test]
    fn header_dimensions_are_read_without_a_decoder() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"\0\0\0\x0dIHDR\0\x01\x86\xa0\0\x01\x86\xa0");
        assert_eq!(
            header_dimensions(InputFormat::Png, &png),
            Some((100_000, 100_000))
        );
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xC2\x00\x0b\x08\x01\x2c\x01\xc3\x01\x01\x11\x00\xFF\xD9";
        assert_eq!(header_dimensions(InputFormat::Jpeg, jpeg), Some((451, 300)));
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        vp8x.extend_from_slice(&[0xC2, 0x01, 0x00, 0x2B, 0x01, 0x00]);
        assert_eq!(
            header_dimensions(InputFormat::WebP, &vp8x),
            Some((451, 300))
        );
        assert_eq!(header_dimensions(InputFormat::Jpeg, b"\xFF\xD8\xFF"), None);
    }

    #[test]
    fn jpeg_without_eoi_is_truncated() {
        // SOI, APP0 of length 4, SOS of length 4, two bytes of data, EOI.
        let full = b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xDA\x00\x04cd\x12\xFF\x00\x34\xFF\xD9";
        assert!(check_complete(InputFormat::Jpeg, full).is_ok());
        for cut in 3..full.len() {
            assert!(
                check_complete(InputFormat::Jpeg, &full[..cut]).is_err(),
                "a JPEG cut at {cut} bytes should be reported truncated"
            );
        }
    }
}
