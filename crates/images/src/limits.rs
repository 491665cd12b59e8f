//! Size limits that keep hostile or absurd uploads from exhausting memory: bytes on the wire,
//! pixels claimed by the header (checked before any pixel is decoded), and the decoder's own
//! allocation cap as a second line of defence.

use crate::error::{Error, Result};

/// Upload limits. The defaults fit photos from any phone (a 48 MP sensor is 8000×6000) with
/// room to spare, while a 100000×100000 "bomb" is refused from its header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest accepted width or height.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 30 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 12_000,
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

    /// The same bounds, handed to the `image` decoders so that they refuse to allocate more
    /// than an RGBA buffer of the largest accepted picture (plus slack for their own work).
    pub(crate) fn decoder_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        limits.max_alloc = Some(self.max_pixels.saturating_mul(4).saturating_mul(2));
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
    fn bytes_over_the_limit_are_too_large() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert!(limits.check_bytes(10).is_ok());
        assert_eq!(limits.check_bytes(11).unwrap_err().code(), "too_large");
    }
}
