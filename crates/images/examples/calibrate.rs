//! Finds, per format, the encoder quality that lands on the same visual quality (DSSIM
//! `TARGET_DSSIM`) on our sample photos, and prints the table that `QUALITY.md` records.
//!
//!     cargo run --release -p kidyboard-images --example calibrate [TARGET_DSSIM] [AVIF_SPEED] [8|10] [420|444]
//!
//! Bit depth and chroma default to `EncodeSettings::default()`'s.
//!
//! For each format, a bisection on the quality setting finds the lowest quality whose *mean*
//! DSSIM over the photos (card width 400 and full size) stays at or under the target. The
//! per-photo lines give bytes / DSSIM / SSIMULACRA2 score at the chosen settings.

#[path = "../tests/common/quality.rs"]
mod quality;

use kidyboard_images::{
    decode, encode, resize, AvifChroma, EncodeSettings, Format, Limits, Pixels, TARGET_DSSIM,
};

const PHOTOS: [&str; 3] = ["coffee.png", "chelsea.png", "grace_hopper.jpg"];
const WIDTHS: [u32; 2] = [400, 4000];

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let limits = Limits::default();
    let mut refs: Vec<(String, Pixels)> = Vec::new();
    for name in PHOTOS {
        let bytes = std::fs::read(dir.join(name)).expect("sample photo");
        let pixels = decode::decode(&bytes, &limits).expect("decodes");
        for w in WIDTHS {
            let r = resize::resize_to_width(&pixels, w).expect("resizes");
            refs.push((format!("{name}@{}", r.width), r));
        }
    }
    let mut args = std::env::args().skip(1);
    let target: f64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(TARGET_DSSIM);
    let speed: u8 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(EncodeSettings::default().avif_speed);
    let defaults = EncodeSettings::default();
    let ten_bit = args
        .next()
        .map_or(defaults.avif_ten_bit, |a| a.as_str() == "10");
    let chroma = match args.next().as_deref() {
        Some("444") => AvifChroma::Yuv444,
        Some("420") => AvifChroma::Yuv420,
        _ => defaults.avif_chroma,
    };
    println!("target DSSIM {target}, AVIF speed {speed}, 10-bit {ten_bit}, chroma {chroma:?}");
    println!(
        "{:<6} {:>7} {:>11} {:>11} {:>10}",
        "format", "quality", "worst dssim", "mean dssim", "bytes"
    );
    let mut chosen = EncodeSettings {
        avif_speed: speed,
        avif_ten_bit: ten_bit,
        avif_chroma: chroma,
        ..EncodeSettings::default()
    };
    let mut bytes_at = Vec::new();
    for format in Format::ALL {
        let (mut lo, mut hi) = (1.0f32, 100.0f32);
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).round();
            let (_, mean, _) = measure(format, mid, &chosen, &refs);
            if mean <= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let (worst, mean, bytes) = measure(format, hi, &chosen, &refs);
        println!(
            "{:<6} {:>7} {:>11.5} {:>11.5} {:>10}",
            format.name(),
            hi,
            worst,
            mean,
            bytes
        );
        set_quality(&mut chosen, format, hi);
        bytes_at.push((format, bytes));
    }
    for (name, r) in &refs {
        let mut line = format!("{name:<24}");
        for format in Format::ALL {
            let enc = encode::encode(r, format, &chosen).expect("encodes");
            let back = decode_own(&enc, format, r);
            line += &format!(
                " {}={}B/{:.5}/s2 {:.1}",
                format.name(),
                enc.len(),
                quality::dssim(r, &back),
                quality::ssimulacra2(r, &back)
            );
        }
        println!("{line}");
    }
    let jpeg = bytes_at
        .iter()
        .find(|(f, _)| *f == Format::Jpeg)
        .map(|(_, b)| *b)
        .unwrap_or(1);
    for (format, bytes) in &bytes_at {
        println!(
            "{:<6} bytes vs JPEG: {:.2}×",
            format.name(),
            *bytes as f64 / jpeg as f64
        );
    }
}

fn set_quality(s: &mut EncodeSettings, format: Format, q: f32) {
    match format {
        Format::Avif => s.avif_quality = q,
        Format::WebP => s.webp_quality = q,
        Format::Jpeg => s.jpeg_quality = q,
    }
}

/// (worst DSSIM, mean DSSIM, total bytes) over the references at quality `q`.
fn measure(
    format: Format,
    q: f32,
    base: &EncodeSettings,
    refs: &[(String, Pixels)],
) -> (f64, f64, usize) {
    let mut settings = *base;
    set_quality(&mut settings, format, q);
    let (mut worst, mut sum, mut bytes) = (0.0f64, 0.0, 0);
    for (_, r) in refs {
        let enc = encode::encode(r, format, &settings).expect("encodes");
        bytes += enc.len();
        let d = quality::dssim(r, &decode_own(&enc, format, r));
        worst = worst.max(d);
        sum += d;
    }
    (worst, sum / refs.len() as f64, bytes)
}

/// Decodes our output, checking it kept the reference's size.
fn decode_own(bytes: &[u8], format: Format, like: &Pixels) -> Pixels {
    let back = quality::decode_to_measure(bytes, format);
    assert_eq!((back.width, back.height), (like.width, like.height));
    back
}
