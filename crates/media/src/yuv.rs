//! RGB → YUV 4:2:0 (BT.709, limited range, as HD televisions expect), in fixed point on all
//! cores. openh264's own converter is the slowest part of its pipeline, so we do it ourselves.

use crate::pictures::parallel_map;

/// A frame as the H.264 encoder wants it: full-size luma, quarter-size chroma planes.
#[derive(Clone, Debug, PartialEq)]
pub struct Yuv420 {
    pub width: usize,
    pub height: usize,
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

// BT.709 coefficients scaled to limited range (Y 16–235, C 16–240), × 2^16.
const YR: i32 = 11966; // 0.18259
const YG: i32 = 40254; // 0.61423
const YB: i32 = 4064; // 0.06201
const UR: i32 = -6596; // -0.10064
const UG: i32 = -22189; // -0.33857
const UB: i32 = 28785; // 0.43922
const VR: i32 = 28785; // 0.43922
const VG: i32 = -26145; // -0.39894
const VB: i32 = -2640; // -0.04028
const HALF: i32 = 1 << 15;

impl Yuv420 {
    /// Converts packed RGBA or RGB (`channels` = 4 or 3) of even width and height.
    pub fn from_rgb(pixels: &[u8], width: usize, height: usize, channels: usize) -> Self {
        debug_assert!(
            width.is_multiple_of(2) && height.is_multiple_of(2),
            "4:2:0 needs even sizes"
        );
        debug_assert!(pixels.len() >= width * height * channels);
        let row_pairs: Vec<usize> = (0..height / 2).collect();
        let bands: Vec<&[usize]> = row_pairs
            .chunks(row_pairs.len().div_ceil(2).max(1))
            .collect();
        let converted = parallel_map(&bands, |band| {
            let mut y = Vec::with_capacity(band.len() * 2 * width);
            let mut u = Vec::with_capacity(band.len() * width / 2);
            let mut v = Vec::with_capacity(band.len() * width / 2);
            let mut row1 = vec![0u8; width];
            for &pair in *band {
                let top = &pixels[pair * 2 * width * channels..][..width * channels];
                let bottom = &pixels[(pair * 2 + 1) * width * channels..][..width * channels];
                for (x, px) in top.chunks_exact(channels).enumerate() {
                    y.push(luma(px));
                    row1[x] = luma(&bottom[x * channels..]);
                }
                y.extend_from_slice(&row1);
                for x in (0..width).step_by(2) {
                    let mut sum = [0i32; 3];
                    for px in [
                        &top[x * channels..],
                        &top[(x + 1) * channels..],
                        &bottom[x * channels..],
                        &bottom[(x + 1) * channels..],
                    ] {
                        sum[0] += i32::from(px[0]);
                        sum[1] += i32::from(px[1]);
                        sum[2] += i32::from(px[2]);
                    }
                    let (r, g, b) = (sum[0], sum[1], sum[2]);
                    // Sums of four pixels: divide by 4 inside the fixed-point shift.
                    u.push(clamp(((UR * r + UG * g + UB * b + 4 * HALF) >> 18) + 128));
                    v.push(clamp(((VR * r + VG * g + VB * b + 4 * HALF) >> 18) + 128));
                }
            }
            (y, u, v)
        });
        let mut out = Self {
            width,
            height,
            y: Vec::with_capacity(width * height),
            u: Vec::with_capacity(width * height / 4),
            v: Vec::with_capacity(width * height / 4),
        };
        for (y, u, v) in converted {
            out.y.extend_from_slice(&y);
            out.u.extend_from_slice(&u);
            out.v.extend_from_slice(&v);
        }
        out
    }

    /// `self` faded towards `other` by `t` in 0..=256 (256 = all `other`). The conversion is
    /// linear, so fading in YUV equals converting a fade done in RGB.
    pub fn blend_into(&self, other: &Self, t: u32, out: &mut Self) {
        let t = t.min(256);
        let s = 256 - t;
        let mix = |a: &[u8], b: &[u8], o: &mut Vec<u8>| {
            o.clear();
            o.extend(
                a.iter()
                    .zip(b)
                    .map(|(&a, &b)| ((u32::from(a) * s + u32::from(b) * t + 128) >> 8) as u8),
            );
        };
        out.width = self.width;
        out.height = self.height;
        mix(&self.y, &other.y, &mut out.y);
        mix(&self.u, &other.u, &mut out.u);
        mix(&self.v, &other.v, &mut out.v);
    }
}

#[inline]
fn luma(px: &[u8]) -> u8 {
    let (r, g, b) = (i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
    clamp(((YR * r + YG * g + YB * b + HALF) >> 16) + 16)
}

#[inline]
fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

impl openh264::formats::YUVSource for Yuv420 {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }
    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }
    fn y(&self) -> &[u8] {
        &self.y
    }
    fn u(&self) -> &[u8] {
        &self.u
    }
    fn v(&self) -> &[u8] {
        &self.v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_colours_match_bt709_limited_range() {
        // white, black, red, green, blue: Y, U, V from ITU-R BT.709 (8-bit, limited range).
        for (rgb, want) in [
            ([255u8, 255, 255], (235u8, 128u8, 128u8)),
            ([0, 0, 0], (16, 128, 128)),
            ([255, 0, 0], (63, 102, 240)),
            ([0, 255, 0], (173, 42, 26)),
            ([0, 0, 255], (32, 240, 118)),
        ] {
            let px: Vec<u8> = rgb.iter().copied().cycle().take(4 * 3).collect();
            let f = Yuv420::from_rgb(&px, 2, 2, 3);
            let got = (f.y[0], f.u[0], f.v[0]);
            let close = |a: u8, b: u8| a.abs_diff(b) <= 1;
            assert!(
                close(got.0, want.0) && close(got.1, want.1) && close(got.2, want.2),
                "{rgb:?}: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn blend_endpoints_are_the_inputs() {
        let a = Yuv420::from_rgb(&[10u8; 4 * 4 * 3], 4, 4, 3);
        let b = Yuv420::from_rgb(&[200u8; 4 * 4 * 3], 4, 4, 3);
        let mut out = a.clone();
        a.blend_into(&b, 0, &mut out);
        assert_eq!(out, a);
        a.blend_into(&b, 256, &mut out);
        assert_eq!(out, b);
    }
}
