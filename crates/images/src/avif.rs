//! AVIF with 4:2:0 chroma: rav1e called directly, the container written by `avif-serialize`.
//!
//! `ravif` (the 4:4:4 path) always keeps chroma at full resolution. This module halves it both
//! ways, as JPEG does: full-range BT.601 YCbCr, Cb/Cr averaged over 2×2 blocks, then luma
//! corrected so that saturated edges keep their brightness once a decoder has upsampled the
//! chroma ([`fix_luma`]). Everything else is what ravif does — the same quality → quantizer
//! mapping and rav1e speed tweaks (so a quality number means the same on both paths), alpha
//! as a separate monochrome AV1 image, the colour under fully transparent pixels cleaned —
//! except loop restoration, which stays off (see [`SpeedTweaks::speed_settings`]).
//! What it buys, measured, is in `QUALITY.md`.
//!
//! The quantizer mapping and speed tweaks follow ravif 0.13 (`av1encoder.rs`, BSD-3-Clause,
//! Kornel Lesiński).

use rav1e::prelude::*;

use crate::decode::Pixels;

/// What the 4:2:0 encoder needs to know.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    /// 1–100, as for ravif.
    pub quality: f32,
    /// rav1e speed, 1–10.
    pub speed: u8,
    pub ten_bit: bool,
}

/// Encodes `pixels` as a 4:2:0 AVIF (plus a monochrome alpha image when any pixel is
/// translucent). Any width and height ≥ 1 works; odd sizes round the chroma planes up.
pub(crate) fn encode_420(pixels: &Pixels, p: Params) -> Result<Vec<u8>, String> {
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    if w == 0 || h == 0 {
        return Err("empty picture".into());
    }
    let quality = p.quality.clamp(1.0, 100.0);
    let quantizer = quality_to_quantizer(quality);
    let speed = p.speed.clamp(1, 10);
    let depth: u8 = if p.ten_bit { 10 } else { 8 };
    let rgba;
    let (rgb, alpha): (Vec<[u8; 3]>, Option<Vec<u8>>) = if pixels.has_alpha {
        rgba = clean_transparent(pixels);
        let alpha: Vec<u8> = rgba.iter().map(|px| px[3]).collect();
        let rgb = rgba.iter().map(|px| [px[0], px[1], px[2]]).collect();
        (rgb, alpha.iter().any(|&a| a != 255).then_some(alpha))
    } else {
        let rgb = pixels
            .data
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        (rgb, None)
    };
    let planes = to_ycbcr_420(&rgb, w, h, depth);
    let colour_cfg = Av1Config {
        width: w,
        height: h,
        depth,
        quantizer,
        speed,
        chroma: ChromaSampling::Cs420,
        colour: Some(ColorDescription {
            transfer_characteristics: TransferCharacteristics::SRGB,
            color_primaries: ColorPrimaries::BT709,
            matrix_coefficients: MatrixCoefficients::BT601,
        }),
    };
    let alpha_cfg = Av1Config {
        chroma: ChromaSampling::Cs400,
        colour: None,
        ..colour_cfg
    };
    // Colour and alpha are independent AV1 images: encode them side by side.
    let (colour, alpha) = std::thread::scope(|s| {
        let alpha_job = alpha.as_ref().map(|a| {
            s.spawn(move || {
                let plane = Samples {
                    samples: a.iter().map(|&v| scale(v, depth)).collect(),
                    width: w,
                    height: h,
                };
                encode_av1(&alpha_cfg, &[plane])
            })
        });
        let colour = encode_av1(&colour_cfg, &planes);
        let alpha = alpha_job.map(|j| j.join().unwrap_or_else(|_| Err("alpha panicked".into())));
        (colour, alpha)
    });
    let colour = colour?;
    let alpha = alpha.transpose()?;
    let mut avif = avif_serialize::Aviffy::new();
    avif.set_chroma_subsampling((true, true))
        .set_seq_profile(0)
        .set_matrix_coefficients(avif_serialize::constants::MatrixCoefficients::Bt601)
        .set_full_color_range(true);
    let mut out = Vec::new();
    avif.write(
        &mut out,
        &colour,
        alpha.as_deref(),
        pixels.width,
        pixels.height,
        depth,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// One plane's samples, row-major, already at the coded bit depth.
struct Samples {
    samples: Vec<u16>,
    width: usize,
    height: usize,
}

fn scale(v: u8, depth: u8) -> u16 {
    if depth == 8 {
        u16::from(v)
    } else {
        (u16::from(v) << 2) | (u16::from(v) >> 6)
    }
}

/// Full-range BT.601 YCbCr 4:2:0: Cb/Cr averaged over each 2×2 block (fewer samples at odd
/// right/bottom edges), the way JPEG does it, then Y chosen by [`fix_luma`].
fn to_ycbcr_420(rgb: &[[u8; 3]], w: usize, h: usize, depth: u8) -> [Samples; 3] {
    const KR: f32 = 0.299;
    const KB: f32 = 0.114;
    const KG: f32 = 1.0 - KR - KB;
    let max = f32::from((1u16 << depth) - 1);
    let k = max / 255.0;
    let mid = (max * 0.5).round();
    let luma = |p: [u8; 3]| KR * f32::from(p[0]) + KG * f32::from(p[1]) + KB * f32::from(p[2]);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut cb = Vec::with_capacity(cw * ch);
    let mut cr = Vec::with_capacity(cw * ch);
    for by in 0..ch {
        for bx in 0..cw {
            let (mut sb, mut sr, mut n) = (0.0f32, 0.0f32, 0.0f32);
            for yy in 2 * by..(2 * by + 2).min(h) {
                for xx in 2 * bx..(2 * bx + 2).min(w) {
                    let p = rgb[yy * w + xx];
                    let l = luma(p);
                    sb += (f32::from(p[2]) - l) / (2.0 * (1.0 - KB));
                    sr += (f32::from(p[0]) - l) / (2.0 * (1.0 - KR));
                    n += 1.0;
                }
            }
            let clamp = |v: f32| (v * k / n + mid).round().clamp(0.0, max) as u16;
            cb.push(clamp(sb));
            cr.push(clamp(sr));
        }
    }
    let y = fix_luma(rgb, w, h, &cb, &cr, depth);
    [
        Samples {
            samples: y,
            width: w,
            height: h,
        },
        Samples {
            samples: cb,
            width: cw,
            height: ch,
        },
        Samples {
            samples: cr,
            width: cw,
            height: ch,
        },
    ]
}

/// Steps per 8-bit code value in the linear-light tables.
const LIN_STEPS: f32 = 16.0;

/// sRGB → linear light over the 8-bit range, `LIN_STEPS` entries per code value, and its
/// derivative (per code value), so Newton needs no finite differences.
fn linear_tables() -> (Vec<f32>, Vec<f32>) {
    let n = 255 * LIN_STEPS as usize;
    let lin = |v: f32| {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let value = (0..=n).map(|i| lin(i as f32 / n as f32)).collect();
    let slope = (0..=n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n));
            (lin(b as f32 / n as f32) - lin(a as f32 / n as f32)) * LIN_STEPS / (b - a) as f32
        })
        .collect();
    (value, slope)
}

/// Luma chosen per pixel so that, once a decoder has upsampled our halved chroma (bilinear,
/// centred samples), the pixel's *linear-light* luminance is the source's. Averaging chroma
/// in gamma space otherwise darkens or brightens saturated edges (a red petal on green).
///
/// Rows are split between the cores: this runs before rav1e starts, while they are idle, and
/// on one core it took about a sixth of a whole 4:2:0 encode.
fn fix_luma(rgb: &[[u8; 3]], w: usize, h: usize, cb: &[u16], cr: &[u16], depth: u8) -> Vec<u16> {
    let tables = linear_tables();
    let mut out = vec![0u16; w * h];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // At least 64 rows each: below that a thread costs more than it saves.
    let rows_each = h.div_ceil(threads).max(64);
    std::thread::scope(|s| {
        for (i, part) in out.chunks_mut(rows_each * w).enumerate() {
            let job = FixLuma {
                rgb,
                w,
                h,
                cb,
                cr,
                depth,
                tables: &tables,
            };
            s.spawn(move || job.rows(i * rows_each, part));
        }
    });
    out
}

/// What one thread of [`fix_luma`] reads.
#[derive(Clone, Copy)]
struct FixLuma<'a> {
    rgb: &'a [[u8; 3]],
    w: usize,
    h: usize,
    cb: &'a [u16],
    cr: &'a [u16],
    depth: u8,
    tables: &'a (Vec<f32>, Vec<f32>),
}

impl FixLuma<'_> {
    /// Fills `out` with the luma of the rows from `first_row` on.
    fn rows(self, first_row: usize, out: &mut [u16]) {
        let (w, h) = (self.w, self.h);
        let max = f32::from((1u16 << self.depth) - 1);
        let k = max / 255.0;
        let mid = (max * 0.5).round();
        let (lin_t, slope_t) = self.tables;
        // (`as usize` after +0.5 rather than `round()`, which is a libm call on baseline x86-64.)
        let at = |v: f32| (v.clamp(0.0, 255.0) * LIN_STEPS + 0.5) as usize;
        let cw = w.div_ceil(2);
        let ch = h.div_ceil(2);
        // Chroma in 8-bit units around 0.
        let c8 = |plane: &[u16], x: usize, y: usize| (f32::from(plane[y * cw + x]) - mid) / k;
        // The two chroma columns (rows) a pixel interpolates between, the nearer one's weight 3/4.
        let taps = |i: usize, n: usize| -> (usize, usize) {
            let j = i / 2;
            let other = if i.is_multiple_of(2) {
                j.saturating_sub(1)
            } else {
                (j + 1).min(n - 1)
            };
            (j, other)
        };
        const WEIGHTS: [f32; 3] = [0.2126, 0.7152, 0.0722];
        for (dy, out_row) in out.chunks_exact_mut(w).enumerate() {
            let y = first_row + dy;
            let (y0, y1) = taps(y, ch);
            for (x, dst) in out_row.iter_mut().enumerate() {
                let (x0, x1) = taps(x, cw);
                let up = |plane: &[u16]| {
                    0.5625 * c8(plane, x0, y0)
                        + 0.1875 * c8(plane, x1, y0)
                        + 0.1875 * c8(plane, x0, y1)
                        + 0.0625 * c8(plane, x1, y1)
                };
                let (u, v) = (up(self.cb), up(self.cr));
                let p = self.rgb[y * w + x];
                let [r8, g8, b8] = p.map(f32::from);
                let y_gamma = 0.299 * r8 + 0.587 * g8 + 0.114 * b8;
                // Where the decoder's chroma is the pixel's own (flat colour), gamma luma is exact.
                if (u - (b8 - y_gamma) / 1.772).abs() + (v - (r8 - y_gamma) / 1.402).abs() < 0.5 {
                    *dst = (y_gamma * k + 0.5) as u16;
                    continue;
                }
                let d = [1.402 * v, -0.344_136 * u - 0.714_136 * v, 1.772 * u];
                let target = WEIGHTS[0] * lin_t[usize::from(p[0]) * LIN_STEPS as usize]
                    + WEIGHTS[1] * lin_t[usize::from(p[1]) * LIN_STEPS as usize]
                    + WEIGHTS[2] * lin_t[usize::from(p[2]) * LIN_STEPS as usize];
                // Newton from gamma luma (the answer when chroma is exact); luminance only grows
                // with luma, so a few steps land within a fraction of a code value.
                let mut yy = y_gamma;
                for _ in 0..3 {
                    let (mut f, mut slope) = (-target, 0.0);
                    for c in 0..3 {
                        let v = yy + d[c];
                        let i = at(v);
                        f += WEIGHTS[c] * lin_t[i];
                        // Clamped at black or white, this channel no longer moves.
                        if (0.0..=255.0).contains(&v) {
                            slope += WEIGHTS[c] * slope_t[i];
                        }
                    }
                    let step = f / slope.max(1e-6);
                    yy = (yy - step).clamp(0.0, 255.0);
                    if step.abs() < 0.05 {
                        break;
                    }
                }
                *dst = (yy * k + 0.5).clamp(0.0, max) as u16;
            }
        }
    }
}

/// RGBA with the colour of fully transparent pixels replaced by a blur of their visible
/// neighbours, so AV1 does not spend bytes on colour nobody sees and the visible edge is not
/// smeared by an invisible one. Translucent and opaque pixels are left exactly as they are.
fn clean_transparent(pixels: &Pixels) -> Vec<[u8; 4]> {
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    let px: Vec<[u8; 4]> = pixels
        .data
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    if !px.iter().any(|p| p[3] == 0) {
        return px;
    }
    // Mean colour of the visible pixels, for transparent pixels far from any.
    let (mut sum, mut weight) = ([0u64; 3], 0u64);
    for p in px.iter().filter(|p| p[3] > 0) {
        for c in 0..3 {
            sum[c] += u64::from(p[c]) * u64::from(p[3]);
        }
        weight += u64::from(p[3]);
    }
    let fill = if weight == 0 {
        [255u8; 3]
    } else {
        sum.map(|s| (s / weight) as u8)
    };
    let neighbours = |x: usize, y: usize| {
        let (x0, x1) = (x.saturating_sub(1), (x + 1).min(w - 1));
        let (y0, y1) = (y.saturating_sub(1), (y + 1).min(h - 1));
        (y0..=y1).flat_map(move |yy| (x0..=x1).map(move |xx| yy * w + xx))
    };
    // 1. Bleed: each transparent pixel takes the alpha-weighted mean of its visible
    //    neighbours, or the overall mean when it has none.
    let mut bled = px.clone();
    for y in 0..h {
        for x in 0..w {
            if px[y * w + x][3] != 0 {
                continue;
            }
            let (mut s, mut wt) = ([0u32; 3], 0u32);
            for i in neighbours(x, y) {
                let a = u32::from(px[i][3]);
                for c in 0..3 {
                    s[c] += u32::from(px[i][c]) * a;
                }
                wt += a;
            }
            let rgb = if wt == 0 {
                fill
            } else {
                s.map(|v| (v / wt) as u8)
            };
            bled[y * w + x] = [rgb[0], rgb[1], rgb[2], 0];
        }
    }
    // 2. Blur the transparent pixels once so no sharp invisible edge remains.
    let mut out = bled.clone();
    for y in 0..h {
        for x in 0..w {
            if px[y * w + x][3] != 0 {
                continue;
            }
            let (mut s, mut n) = ([0u32; 3], 0u32);
            for i in neighbours(x, y) {
                for c in 0..3 {
                    s[c] += u32::from(bled[i][c]);
                }
                n += 1;
            }
            let rgb = s.map(|v| (v / n) as u8);
            out[y * w + x] = [rgb[0], rgb[1], rgb[2], 0];
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Av1Config {
    width: usize,
    height: usize,
    depth: u8,
    quantizer: u8,
    speed: u8,
    chroma: ChromaSampling,
    colour: Option<ColorDescription>,
}

fn encode_av1(cfg: &Av1Config, planes: &[Samples]) -> Result<Vec<u8>, String> {
    if cfg.depth == 8 {
        encode_av1_as::<u8>(cfg, planes)
    } else {
        encode_av1_as::<u16>(cfg, planes)
    }
}

fn encode_av1_as<P: Pixel>(cfg: &Av1Config, planes: &[Samples]) -> Result<Vec<u8>, String> {
    let tweaks = SpeedTweaks::from_preset(cfg.speed, cfg.quantizer);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // ravif's rule: one tile per thread, but no tiles smaller than `min_tile_size`².
    let tiles = threads.min(cfg.width * cfg.height / tweaks.min_tile_size.pow(2));
    let enc = EncoderConfig {
        width: cfg.width,
        height: cfg.height,
        time_base: Rational::new(1, 1),
        sample_aspect_ratio: Rational::new(1, 1),
        bit_depth: usize::from(cfg.depth),
        chroma_sampling: cfg.chroma,
        chroma_sample_position: ChromaSamplePosition::Unknown,
        pixel_range: PixelRange::Full,
        color_description: cfg.colour,
        mastering_display: None,
        content_light: None,
        enable_timing_info: false,
        still_picture: true,
        error_resilient: false,
        switch_frame_interval: 0,
        min_key_frame_interval: 0,
        max_key_frame_interval: 0,
        reservoir_frame_delay: None,
        low_latency: false,
        quantizer: usize::from(cfg.quantizer),
        min_quantizer: cfg.quantizer,
        bitrate: 0,
        tune: Tune::Psychovisual,
        tile_cols: 0,
        tile_rows: 0,
        tiles,
        film_grain_params: None,
        level_idx: None,
        speed_settings: tweaks.speed_settings(),
    };
    let mut ctx: Context<P> = Config::new()
        .with_encoder_config(enc)
        .new_context()
        .map_err(|e| format!("rav1e config: {e}"))?;
    let mut frame = ctx.new_frame();
    for (plane, src) in frame.planes.iter_mut().zip(planes) {
        let mut slice = plane.mut_slice(Default::default());
        for (dst, src_row) in slice
            .rows_iter_mut()
            .zip(src.samples.chunks_exact(src.width))
            .take(src.height)
        {
            for (d, &s) in dst[..src.width].iter_mut().zip(src_row) {
                *d = P::cast_from(s);
            }
        }
    }
    ctx.send_frame(frame)
        .map_err(|e| format!("rav1e send_frame: {e}"))?;
    ctx.flush();
    let mut out = Vec::new();
    loop {
        match ctx.receive_packet() {
            Ok(mut packet) => {
                if packet.frame_type == FrameType::KEY {
                    out.append(&mut packet.data);
                }
            }
            Err(EncoderStatus::Encoded) => {}
            Err(EncoderStatus::LimitReached) => break,
            Err(e) => return Err(format!("rav1e: {e}")),
        }
    }
    Ok(out)
}

/// ravif 0.13's mapping from quality 1–100 to the AV1 quantizer 0–255.
pub(crate) fn quality_to_quantizer(quality: f32) -> u8 {
    let q = quality / 100.;
    let x = if q >= 0.82 {
        (1. - q) * 2.6
    } else if q > 0.25 {
        q.mul_add(-0.5, 1. - 0.125)
    } else {
        1. - q
    };
    (x * 255.).round() as u8
}

/// ravif 0.13's adjustments of rav1e's speed presets for still pictures.
struct SpeedTweaks {
    speed: u8,
    low_quality: bool,
    high_quality: bool,
    min_tile_size: usize,
}

impl SpeedTweaks {
    fn from_preset(speed: u8, quantizer: u8) -> Self {
        let high_quality = quantizer > quality_to_quantizer(80.);
        SpeedTweaks {
            speed,
            low_quality: quantizer < quality_to_quantizer(55.),
            high_quality,
            min_tile_size: match speed {
                0 => 4096,
                1 => 2048,
                2 => 1024,
                3 => 512,
                4 => 256,
                _ => 128,
            } * if high_quality { 2 } else { 1 },
        }
    }

    fn speed_settings(&self) -> SpeedSettings {
        let (speed, low, high) = (self.speed, self.low_quality, self.high_quality);
        let mut s = SpeedSettings::from_preset(speed);

        s.multiref = false;
        s.rdo_lookahead_frames = 1;
        s.scene_detection_mode = SceneDetectionSpeed::None;
        s.motion.include_near_mvs = false;
        s.fast_deblock = speed >= 7 && !high;
        s.transform.reduced_tx_set = speed == 4 || speed >= 9;
        s.transform.tx_domain_rate = speed >= 10;
        s.partition.encode_bottomup = speed <= 2;
        s.transform.rdo_tx_decision = speed <= 4 && !high;
        s.cdef = low && speed <= 9;
        // ravif keeps loop restoration on at our qualities (`low && speed <= 8`). On our
        // photos it bought no bytes at equal DSSIM and cost a quarter of the encode time
        // (`examples/avif_study.rs`, QUALITY.md), so this path leaves it off.
        s.lrf = false;
        s.transform.enable_inter_tx_split = speed >= 9;
        s.sgr_complexity = if speed <= 2 {
            SGRComplexityLevel::Full
        } else {
            SGRComplexityLevel::Reduced
        };
        s.motion.use_satd_subpel = false;
        s.prediction.fine_directional_intra = speed <= 6;
        s.prediction.prediction_modes = if speed <= 1 {
            PredictionModesSetting::ComplexAll
        } else {
            PredictionModesSetting::Simple
        };
        let max_block = if high { 16 } else { 64 };
        let (min, max) = match speed {
            0 => (4, 64.min(max_block)),
            1 if low => (4, 64.min(max_block)),
            2 if low => (4, 32.min(max_block)),
            1..=4 => (4, 16),
            5..=8 => (8, 16),
            _ => (16, 16),
        };
        s.partition.partition_range = PartitionRange::new(block(min), block(max));
        s
    }
}

fn block(size: u8) -> BlockSize {
    match size {
        4 => BlockSize::BLOCK_4X4,
        8 => BlockSize::BLOCK_8X8,
        16 => BlockSize::BLOCK_16X16,
        32 => BlockSize::BLOCK_32X32,
        _ => BlockSize::BLOCK_64X64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_has_neutral_chroma_and_full_range_luma() {
        let rgb = vec![[0u8; 3], [255; 3], [128; 3]];
        let [y, cb, cr] = to_ycbcr_420(&rgb, 3, 1, 8);
        assert_eq!(y.samples, vec![0, 255, 128]);
        assert_eq!((cb.width, cb.height), (2, 1));
        assert_eq!(cb.samples, vec![128, 128]);
        assert_eq!(cr.samples, vec![128, 128]);
        let [y10, ..] = to_ycbcr_420(&rgb, 3, 1, 10);
        assert_eq!(y10.samples, vec![0, 1023, 514]);
    }

    #[test]
    fn chroma_is_the_mean_of_each_two_by_two_block() {
        // Pure red and pure blue side by side: the block's Cb and Cr are the means of both.
        let rgb = vec![[255, 0, 0], [0, 0, 255], [255, 0, 0], [0, 0, 255]];
        let [_, cb, cr] = to_ycbcr_420(&rgb, 2, 2, 8);
        assert_eq!(cb.samples.len(), 1);
        // Cb: red -43.0, blue +127.5 around 128 → mean 170.2. Cr: red +127.5, blue -20.7 →
        // mean 181.4.
        assert!(
            (i32::from(cb.samples[0]) - 170).abs() <= 1,
            "Cb should be the block mean 170: {:?}",
            cb.samples
        );
        assert!(
            (i32::from(cr.samples[0]) - 181).abs() <= 1,
            "Cr should be the block mean 181: {:?}",
            cr.samples
        );
    }

    #[test]
    fn luma_split_between_threads_matches_one_pass() {
        // Tall enough for several 64-row parts; saturated stripes so Newton runs everywhere.
        let (w, h) = (37, 301);
        let rgb: Vec<[u8; 3]> = (0..w * h)
            .map(|i| match (i % w / 3 + i / w / 5) % 3 {
                0 => [250, 10, 20],
                1 => [15, 200, 30],
                _ => [(i % 251) as u8, 40, 230],
            })
            .collect();
        let [split, cb, cr] = to_ycbcr_420(&rgb, w, h, 10);
        let tables = linear_tables();
        let mut whole = vec![0u16; w * h];
        FixLuma {
            rgb: &rgb,
            w,
            h,
            cb: &cb.samples,
            cr: &cr.samples,
            depth: 10,
            tables: &tables,
        }
        .rows(0, &mut whole);
        assert!(
            split.samples == whole,
            "luma computed in parts should equal luma computed in one pass"
        );
    }

    #[test]
    fn transparent_pixels_take_their_neighbours_colour() {
        let pixels = Pixels {
            width: 3,
            height: 1,
            has_alpha: true,
            data: vec![200, 10, 10, 255, 0, 0, 0, 0, 200, 10, 10, 255],
        };
        let out = clean_transparent(&pixels);
        assert_eq!(out[0], [200, 10, 10, 255]);
        assert_eq!(out[1][3], 0);
        assert!(out[1][0] > 150, "{:?}", out[1]);
    }
}
