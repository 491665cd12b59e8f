//! Size limits that keep hostile or absurd uploads from exhausting memory: bytes on the wire,
//! pixels claimed by the header (checked before any pixel is decoded), and the decoder's own
//! allocation cap as a second line of defence.

use crate::error::{Error, Result};

/// Upload limits. The defaults fit photos from any phone (a 48 MP sensor is 8000×6000) with
/// room to spare, while a 100000×100000 "bomb" is refused from its header alone.
///
/// Pixels alone do not bound memory: a 16-bit PNG needs twice the bytes of an 8-bit one, and
/// a tiny file can claim a huge canvas (a 190 KB single-colour PNG of 7071×7071 is 50 MP, just
/// under `max_pixels`). So the header is also checked for the memory its decode will take
/// (`max_decode_bytes`) and for a canvas out of all proportion to the file (`max_pixels_per_byte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest accepted width or height.
    pub max_side: u32,
    /// Largest memory one decode may take, estimated from the header: the decoder's buffer,
    /// the 8-bit copy when the file is not 8-bit RGB(A), a rotated copy when EXIF asks for a
    /// quarter turn, and a progressive JPEG's coefficients.
    pub max_decode_bytes: u64,
    /// Pictures over `dense_from_pixels` must carry at least one byte of file per this many
    /// pixels. Real photos carry one per 2–20; a single-colour bomb one per several hundred.
    pub max_pixels_per_byte: u64,
    /// Below this many pixels no proportion is asked: small flat logos compress very well and
    /// cost little to decode anyway.
    pub dense_from_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 30 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 12_000,
            // A 48 MP photo decodes to 144 MB (RGB), 192 MB (RGBA) or 288 MB (progressive
            // JPEG, with its coefficients); 16-bit pictures that large do not fit, and need
            // not: no screen shows more than 8 bits.
            max_decode_bytes: 320 * 1024 * 1024,
            max_pixels_per_byte: 100,
            // Past 4096×4096 a picture is already larger than the widest variant (3840).
            dense_from_pixels: 16_000_000,
        }
    }
}

impl Limits {
    pub fn check_bytes(&self, len: usize) -> Result<()> {
        let actual = len as u64;
        if actual > self.max_bytes {
            return Err(Error::TooLarge {
                actual,
                limit: self.max_bytes,
            });
        }
        Ok(())
    }

    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        let pixels = u64::from(width) * u64::from(height);
        if width > self.max_side || height > self.max_side || pixels > self.max_pixels {
            return Err(self.too_many_pixels(width, height));
        }
        if width == 0 || height == 0 {
            return Err(Error::Corrupt(format!(
                "the header claims {width}×{height} pixels"
            )));
        }
        Ok(())
    }

    pub(crate) fn too_many_pixels(&self, width: u32, height: u32) -> Error {
        Error::TooManyPixels {
            width,
            height,
            max_pixels: self.max_pixels,
            max_side: self.max_side,
        }
    }

    /// Refuses a canvas far larger than a file of `file_bytes` can honestly hold: the shape of
    /// a decompression bomb, caught before any decoder runs.
    pub fn check_proportion(&self, width: u32, height: u32, file_bytes: usize) -> Result<()> {
        let pixels = u64::from(width) * u64::from(height);
        let carried = (file_bytes as u64).saturating_mul(self.max_pixels_per_byte);
        if pixels > self.dense_from_pixels && pixels > carried {
            return Err(Error::Bomb {
                width,
                height,
                file_bytes: file_bytes as u64,
            });
        }
        Ok(())
    }

    pub fn check_decode_bytes(&self, width: u32, height: u32, needed: u64) -> Result<()> {
        if needed > self.max_decode_bytes {
            return Err(Error::DecodeTooLarge {
                width,
                height,
                needed,
                limit: self.max_decode_bytes,
            });
        }
        Ok(())
    }

    /// The same bounds, handed to the `image` decoders, which check them against their own
    /// reading of the header and cap their internal buffers (the PNG decoder) with them.
    pub(crate) fn decoder_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        limits.max_alloc = Some(self.max_decode_bytes);
        limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bomb_header_is_refused_by_dimensions_alone() {
        let limits = Limits::default();
        let err = limits.check_dimensions(100_000, 100_000).unwrap_err();
        assert_eq!(err.code(), "too_many_pixels");
        assert!(
            limits.check_dimensions(8000, 6000).is_ok(),
            "a 48 MP photo should pass"
        );
        assert_eq!(
            limits.check_dimensions(11_000, 11_000).unwrap_err().code(),
            "too_many_pixels"
        );
        assert_eq!(
            limits.check_dimensions(0, 10).unwrap_err().code(),
            "corrupt_image"
        );
    }

    #[test]
    fn a_huge_canvas_in_a_tiny_file_is_a_bomb() {
        let limits = Limits::default();
        let err = limits.check_proportion(7071, 7071, 190_000).unwrap_err();
        assert_eq!(err.code(), "decompression_bomb");
        assert!(
            limits.check_proportion(8000, 6000, 6_000_000).is_ok(),
            "a 6 MB 48 MP photo is a photo"
        );
        assert!(
            limits.check_proportion(4000, 4000, 20_000).is_ok(),
            "small canvases are not asked for proportion"
        );
    }

    #[test]
    fn bytes_over_the_limit_are_too_large() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert!(limits.check_bytes(10).is_ok());
        assert_eq!(limits.check_bytes(11).unwrap_err().code(), "too_large");
    }
}
