//! Downscaling that keeps the aspect ratio, with `fast_image_resize` (SIMD convolution).
//! Never upscales: a request wider than the picture gets the picture's own width.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::decode::Pixels;
use crate::error::{Error, Result};

/// The output size for a target width: same aspect ratio, at least 1 pixel high, no upscaling.
pub fn fitted_size(width: u32, height: u32, target_width: u32) -> (u32, u32) {
    let w = target_width.clamp(1, width.max(1));
    let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width.max(1));
    (w, (h as u32).max(1))
}

/// Resizes to `target_width` (clamped to the source width). Lanczos3, the same kernel
/// libvips' `thumbnail` uses, so our quality comparisons against it are fair. Alpha is
/// premultiplied during the convolution so transparent edges do not bleed dark fringes.
pub fn resize_to_width(src: &Pixels, target_width: u32) -> Result<Pixels> {
    let (w, h) = fitted_size(src.width, src.height, target_width);
    if (w, h) == (src.width, src.height) {
        return Ok(src.clone());
    }
    let pixel_type = if src.has_alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let resize_err = |e: &dyn std::fmt::Display| Error::Encode {
        format: "resize",
        reason: e.to_string(),
    };
    let src_image =
        ImageRef::new(src.width, src.height, &src.data, pixel_type).map_err(|e| resize_err(&e))?;
    let mut dst_image = Image::new(w, h, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&src_image, &mut dst_image, &options)
        .map_err(|e| resize_err(&e))?;
    Ok(Pixels {
        width: w,
        height: h,
        has_alpha: src.has_alpha,
        data: dst_image.into_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_ratio_is_kept_and_nothing_is_upscaled() {
        assert_eq!(fitted_size(600, 400, 300), (300, 200));
        assert_eq!(fitted_size(451, 300, 160), (160, 106));
        assert_eq!(fitted_size(600, 400, 4000), (600, 400));
        assert_eq!(fitted_size(10_000, 1, 100), (100, 1));
        assert_eq!(fitted_size(1, 10_000, 1), (1, 10_000));
    }

    #[test]
    fn resizes_rgb_and_rgba() {
        for has_alpha in [false, true] {
            let ch = if has_alpha { 4 } else { 3 };
            let src = Pixels {
                width: 64,
                height: 32,
                has_alpha,
                data: vec![200; 64 * 32 * ch],
            };
            let out = resize_to_width(&src, 16).expect("resize should work");
            assert_eq!((out.width, out.height), (16, 8));
            assert_eq!(out.data.len(), 16 * 8 * ch);
            assert!(
                out.data.iter().all(|&v| v.abs_diff(200) <= 1),
                "flat colour stays flat"
            );
        }
    }
}
