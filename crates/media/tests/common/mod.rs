//! Shared helpers for the integration tests and the benchmark: procedural photos, sample menus,
//! and the real tools (poppler, ffmpeg) that check our output.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use kidyboard_media::{ImageBytes, MenuContent, MenuItem, Section};

/// Runs an external checker. A missing tool is a failure, not a skip: the project's set-up
/// installs poppler-utils and ffmpeg.
pub fn run(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("`{program}` must be installed for this test (apt-get install -y poppler-utils ffmpeg): {e}")
    });
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn run_text(program: &str, args: &[&str]) -> String {
    String::from_utf8_lossy(&run(program, args).stdout).into_owned()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// A small deterministic pseudo-random generator (no dependency needed).
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (self.next() as f32 / u32::MAX as f32) * (hi - lo)
    }
}

/// A photo-like picture: a lit gradient backdrop, a few soft round "snacks" and sensor noise,
/// so JPEG and the renderers see real photographic content, not flat colour.
pub fn photo_rgb(seed: u64, w: u32, h: u32) -> image::RgbImage {
    let mut rng = Rng::new(seed);
    let base = [
        rng.range(60.0, 220.0),
        rng.range(60.0, 220.0),
        rng.range(60.0, 220.0),
    ];
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..4)
        .map(|_| {
            (
                rng.range(0.2, 0.8) * w as f32,
                rng.range(0.2, 0.8) * h as f32,
                rng.range(0.12, 0.3) * w.min(h) as f32,
                [
                    rng.range(0.0, 255.0),
                    rng.range(0.0, 255.0),
                    rng.range(0.0, 255.0),
                ],
            )
        })
        .collect();
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let light = 0.6 + 0.5 * (1.0 - ((fx - 0.3).powi(2) + (fy - 0.2).powi(2)).sqrt());
        let mut c = [base[0] * light, base[1] * light, base[2] * (1.1 - fy * 0.3)];
        for (bx, by, r, col) in &blobs {
            let d = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)).sqrt() / r;
            if d < 1.0 {
                let shade = 1.0 - 0.4 * d * d;
                let a = ((1.0 - d) * 8.0).min(1.0);
                for k in 0..3 {
                    c[k] = c[k] * (1.0 - a) + col[k] * shade * a;
                }
            }
        }
        let noise = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed as u32)
            .wrapping_mul(2_654_435_761)
            >> 28) as f32
            - 8.0;
        image::Rgb([0, 1, 2].map(|k| (c[k] + noise).clamp(0.0, 255.0) as u8))
    })
}

pub fn photo_jpeg(seed: u64, w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&photo_rgb(seed, w, h))
        .expect("encode a test photo");
    out
}

/// A round logo with a transparent background, as PNG.
pub fn logo_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(300, 200, |x, y| {
        let d = ((x as f32 - 150.0).powi(2) / 140.0f32.powi(2)
            + (y as f32 - 100.0).powi(2) / 90.0f32.powi(2))
        .sqrt();
        if d < 1.0 {
            image::Rgba([230, 60 + (x / 3) as u8, 120, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode logo");
    out.into_inner()
}

const NAMES: [&str; 12] = [
    "Tiempo libre 1 hora",
    "Paquete Cumpleaños",
    "Piñata Mágica",
    "Jugo de Mango",
    "Café con Leche",
    "Quesadilla",
    "Palomitas Grandes",
    "Agua Natural",
    "Helado de Fresa",
    "Hot Dog Jumbo",
    "Calcetines Antiderrapantes",
    "Licuado de Plátano",
];

/// `items` items over four sections, each with a unique name, price and (optionally) a
/// `photo_px`-wide JPEG photo.
pub fn sample_content(items: usize, photo_px: Option<u32>) -> MenuContent {
    let titles = ["Tiempo de juego", "Paquetes", "Snacks", "Bebidas"];
    let mut sections: Vec<Section> = titles
        .iter()
        .map(|t| Section {
            title: (*t).to_string(),
            items: Vec::new(),
        })
        .collect();
    for i in 0..items {
        let name = format!("{} {}", NAMES[i % NAMES.len()], i + 1);
        let item = MenuItem {
            name,
            description: "Con salsa, limón y mucho cariño para niñas y niños.".to_string(),
            price_cents: 1_500 + (i as i64) * 12_345,
            image: photo_px.map(|w| ImageBytes(photo_jpeg(i as u64 + 1, w, w * 3 / 4))),
        };
        sections[i * titles.len() / items.max(1)].items.push(item);
    }
    MenuContent {
        title: "Kidyboard Centro Infantil".to_string(),
        logo: Some(ImageBytes(logo_png())),
        sections,
    }
}

/// Whitespace-insensitive text, for matching pdftotext output against wrapped names.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Peak signal-to-noise ratio of two same-size RGB images, in dB.
pub fn psnr(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(
        a.dimensions(),
        b.dimensions(),
        "images to compare must be the same size"
    );
    let mse = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        / a.as_raw().len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

pub fn mean_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(
        a.dimensions(),
        b.dimensions(),
        "images to compare must be the same size"
    );
    a.as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| f64::from(x.abs_diff(y)))
        .sum::<f64>()
        / a.as_raw().len() as f64
}
