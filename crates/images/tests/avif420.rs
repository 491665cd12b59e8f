//! The 4:2:0 AVIF path (rav1e called directly): odd sizes, both bit depths and alpha, each
//! decoded by libavif's `avifdec`, which must see a 4:2:0, full-range, BT.601 picture that looks
//! like the source.

mod common;

use std::process::Command;

use common::{decode_independently, photo, quality::dssim, require_tool};
use kidyboard_images::{
    decode, encode, resize, AvifChroma, EncodeSettings, Format, Limits, Pixels, MAX_DSSIM,
};

fn settings(ten_bit: bool) -> EncodeSettings {
    EncodeSettings {
        avif_chroma: AvifChroma::Yuv420,
        avif_ten_bit: ten_bit,
        ..EncodeSettings::default()
    }
}

fn coffee() -> Pixels {
    decode(&photo("coffee.png"), &Limits::default()).expect("decodes")
}

/// The top-left `w`×`h` of `p` (RGB).
fn crop(p: &Pixels, w: u32, h: u32) -> Pixels {
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        let start = (y * p.width * 3) as usize;
        data.extend_from_slice(&p.data[start..start + (w * 3) as usize]);
    }
    Pixels {
        width: w,
        height: h,
        has_alpha: false,
        data,
    }
}

/// `avifdec --info` of an AVIF file.
fn avif_info(bytes: &[u8]) -> String {
    require_tool("avifdec");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("in.avif");
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("avifdec")
        .arg("--info")
        .arg(&path)
        .output()
        .expect("run avifdec");
    assert!(
        out.status.success(),
        "avifdec --info should read our file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Decodes with `avifdec` keeping the alpha channel.
fn decode_rgba(bytes: &[u8]) -> image::RgbaImage {
    require_tool("avifdec");
    common::quality::avifdec(bytes).into_rgba8()
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x.abs_diff(*y)))
        .sum::<f64>()
        / a.len() as f64
}

#[test]
fn odd_and_tiny_sizes_decode_at_their_size_in_both_bit_depths() {
    let source = coffee();
    for ten_bit in [false, true] {
        for (w, h) in [(1, 1), (1, 5), (3, 2), (17, 9), (64, 33), (201, 133)] {
            let px = crop(&source, w, h);
            let avif = encode(&px, Format::Avif, &settings(ten_bit)).expect("encodes");
            let info = avif_info(&avif);
            assert!(
                info.contains("YUV420") && info.contains("Range          : Full"),
                "{w}×{h}: should be full-range 4:2:0:\n{info}"
            );
            assert!(
                info.contains(&format!(
                    "Bit Depth      : {}",
                    if ten_bit { 10 } else { 8 }
                )),
                "{info}"
            );
            let back = decode_independently(&avif, Format::Avif);
            assert_eq!((back.width, back.height), (w, h), "{w}×{h} keeps its size");
            // Colours stay where they were (a wrong matrix, range or chroma offset would be
            // off by tens of levels everywhere).
            let err = mean_abs_diff(&px.data, &back.data);
            assert!(err < 6.0, "{w}×{h} ten_bit={ten_bit}: mean error {err:.2}");
        }
    }
}

#[test]
fn photos_at_default_quality_stay_under_the_threshold() {
    let source = coffee();
    for width in [399, 600] {
        let r = resize::resize_to_width(&source, width).expect("resizes");
        let avif = encode(&r, Format::Avif, &settings(false)).expect("encodes");
        let d = dssim(&r, &decode_independently(&avif, Format::Avif));
        assert!(d <= MAX_DSSIM, "coffee at {width}: DSSIM {d:.5}");
    }
}

#[test]
fn saturated_edges_keep_their_brightness() {
    // Magenta on green, split inside a 2×2 chroma block: the case where averaged chroma would shift
    // luminance at the edge if luma were not corrected for it.
    let (w, h) = (33u32, 16u32);
    let data = (0..w * h)
        .flat_map(|i| {
            if i % w < 15 {
                [230u8, 20, 150]
            } else {
                [30u8, 160, 40]
            }
        })
        .collect();
    let px = Pixels {
        width: w,
        height: h,
        has_alpha: false,
        data,
    };
    let s = EncodeSettings {
        avif_quality: 100.0,
        ..settings(false)
    };
    let back = decode_independently(
        &encode(&px, Format::Avif, &s).expect("encodes"),
        Format::Avif,
    );
    let lum = |p: &[u8]| {
        let lin = |c: u8| {
            let v = f64::from(c) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2])
    };
    for y in 0..h as usize {
        for x in 14..18usize {
            let i = (y * w as usize + x) * 3;
            let (want, got) = (lum(&px.data[i..i + 3]), lum(&back.data[i..i + 3]));
            assert!(
                (want - got).abs() < 0.04,
                "({x},{y}): luminance {got:.3}, source {want:.3}"
            );
        }
    }
}

#[test]
fn alpha_is_a_separate_plane_and_survives() {
    // An odd-sized crop with a soft-edged disc of opacity on a fully transparent background.
    let (w, h) = (201u32, 133u32);
    let rgb = crop(&coffee(), w, h);
    let (cx, cy, r) = (100.0f64, 66.0f64, 50.0f64);
    let alpha = |x: u32, y: u32| {
        let d = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
        ((r - d) * 32.0).clamp(0.0, 255.0) as u8
    };
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let i = ((y * w + x) * 3) as usize;
            data.extend_from_slice(&rgb.data[i..i + 3]);
            data.push(alpha(x, y));
        }
    }
    let px = Pixels {
        width: w,
        height: h,
        has_alpha: true,
        data,
    };
    let avif = encode(&px, Format::Avif, &settings(false)).expect("encodes");
    let info = avif_info(&avif);
    assert!(
        info.contains("Alpha          : Not premultiplied"),
        "the file should carry an alpha plane:\n{info}"
    );
    let back = decode_rgba(&avif);
    assert_eq!((back.width(), back.height()), (w, h));
    let a_src: Vec<u8> = px.data.chunks_exact(4).map(|p| p[3]).collect();
    let a_back: Vec<u8> = back.pixels().map(|p| p.0[3]).collect();
    let err = mean_abs_diff(&a_src, &a_back);
    assert!(err < 2.0, "alpha mean error {err:.2}");
    assert!(a_back[0] < 8, "the background stays transparent");
    // What a viewer sees: both composed over white.
    let over_white = |rgba: &[u8]| -> Pixels {
        let data = rgba
            .chunks_exact(4)
            .flat_map(|p| {
                let a = f64::from(p[3]) / 255.0;
                [0, 1, 2].map(|c| (f64::from(p[c]) * a + 255.0 * (1.0 - a)).round() as u8)
            })
            .collect();
        Pixels {
            width: w,
            height: h,
            has_alpha: false,
            data,
        }
    };
    let d = dssim(&over_white(&px.data), &over_white(back.as_raw()));
    assert!(d <= MAX_DSSIM, "alpha picture over white: DSSIM {d:.5}");
}
