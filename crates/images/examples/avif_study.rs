//! AVIF against mozjpeg at *equal quality, per picture*: for each photo, size and encoder
//! configuration, the lowest quality setting that meets each target, then the bytes. The
//! numbers behind the tables in `QUALITY.md`.
//!
//!     cargo run --release -p kidyboard-images --example avif_study -- \
//!         [--set small|large|all] [--configs 444s8b8,420s8b8,...] [--targets 0.002,0.003]
//!         [--metric dssim|ssimulacra2]
//!
//! Targets are DSSIM values (at or under) or, with `--metric ssimulacra2`, SSIMULACRA2 scores
//! (at or over, e.g. `--targets 70,80,85`).
//!
//! A configuration is `444` (ravif) or `420` (our rav1e path), `s` + rav1e speed, `b` + bit
//! depth. mozjpeg (the served JPEG settings) is always measured. Per-picture search, so the
//! ratio is "bytes at the same DSSIM on this picture", not a set-wide compromise; the bytes are
//! interpolated to exactly the target between the last quality step that misses it and the first
//! that meets it (a whole mozjpeg quality step is worth 3–8 % of the file).
//!
//! The large photos are read from where cargo unpacked them (they are not in the repository;
//! see `tests/data/SOURCES.md`): `webp-0.3.1/assets/lake.jpg` (CC0), `printpdf-0.12.8/examples/
//! assets/img/cat.jpg`, `jpeg-decoder-0.3.2/benches/large_image.jpg`. Missing ones are skipped.

#[path = "../tests/common/quality.rs"]
mod quality;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kidyboard_images::{
    decode, encode, resize, AvifChroma, EncodeSettings, Format, Limits, Pixels,
};

#[derive(Clone)]
struct Config {
    chroma: AvifChroma,
    speed: u8,
    ten_bit: bool,
    /// `avifenc` (libavif's tool) with these arguments instead of our encoder.
    tool: Option<String>,
}

impl Config {
    fn parse(s: &str) -> Config {
        if let Some(args) = s.strip_prefix("avifenc") {
            return Config {
                chroma: AvifChroma::Yuv444,
                speed: 0,
                ten_bit: false,
                tool: Some(args.trim().to_string()),
            };
        }
        let chroma = if s.starts_with("420") {
            AvifChroma::Yuv420
        } else {
            AvifChroma::Yuv444
        };
        let speed = s
            .split('s')
            .nth(1)
            .and_then(|r| r.split('b').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(8);
        let ten_bit = s.ends_with("b10");
        Config {
            chroma,
            speed,
            ten_bit,
            tool: None,
        }
    }
    fn name(&self) -> String {
        if let Some(args) = &self.tool {
            return format!("avifenc {args}");
        }
        format!(
            "{}s{}b{}",
            if self.chroma == AvifChroma::Yuv420 {
                "420"
            } else {
                "444"
            },
            self.speed,
            if self.ten_bit { 10 } else { 8 }
        )
    }
}

/// The yardstick. Internally every target is a distortion, lower is better: DSSIM itself, or
/// 100 − the SSIMULACRA2 score.
#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Dssim,
    Ssimulacra2,
}

impl Metric {
    fn distortion(self, reference: &Pixels, back: &Pixels) -> f64 {
        match self {
            Metric::Dssim => quality::dssim(reference, back),
            Metric::Ssimulacra2 => 100.0 - quality::ssimulacra2(reference, back),
        }
    }
    /// A target as the user wrote it → a distortion, and back for printing.
    fn to_distortion(self, target: f64) -> f64 {
        match self {
            Metric::Dssim => target,
            Metric::Ssimulacra2 => 100.0 - target,
        }
    }
    fn shown(self, distortion: f64) -> String {
        match self {
            Metric::Dssim => format!("{distortion:.5}"),
            Metric::Ssimulacra2 => format!("{:.2}", 100.0 - distortion),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Metric::Dssim => "DSSIM",
            Metric::Ssimulacra2 => "SSIMULACRA2",
        }
    }
}

/// One encode: bytes, distortion (see `Metric`), milliseconds.
#[derive(Clone, Copy)]
struct Point {
    bytes: usize,
    dist: f64,
    ms: f64,
}

/// What the search found for one target.
#[derive(Clone, Copy)]
struct Found {
    /// The lowest quality meeting the target, and its encode.
    quality: f32,
    point: Point,
    /// Bytes at exactly the target: interpolated between that encode and the one a step below.
    bytes_at_target: f64,
}

fn main() {
    let mut set = "all".to_string();
    let mut configs = "444s8b8,420s8b8".to_string();
    let mut targets = "0.002,0.003".to_string();
    let mut metric = Metric::Dssim;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--set" => set = args.next().expect("--set value"),
            "--configs" => configs = args.next().expect("--configs value"),
            "--targets" => targets = args.next().expect("--targets value"),
            "--metric" => {
                metric = match args.next().as_deref() {
                    Some("dssim") => Metric::Dssim,
                    Some("ssimulacra2") => Metric::Ssimulacra2,
                    other => panic!("--metric dssim|ssimulacra2, not {other:?}"),
                }
            }
            _ => {}
        }
    }
    let configs: Vec<Config> = configs.split(',').map(Config::parse).collect();
    let targets: Vec<f64> = targets
        .split(',')
        .map(|t| t.parse().expect("target"))
        .collect();
    let limits: Vec<f64> = targets.iter().map(|&t| metric.to_distortion(t)).collect();
    let refs = pictures(&set);
    let work = std::env::temp_dir().join(format!("kidyboard-avif-study-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("temp dir");

    // (picture, encoder) → per target
    let mut found: BTreeMap<(usize, String), Vec<Found>> = BTreeMap::new();
    let encoders: Vec<Option<Config>> = std::iter::once(None)
        .chain(configs.iter().cloned().map(Some))
        .collect();
    println!(
        "picture\tencoder\ttarget\tquality\tbytes\t{}\tms\tbytes_at_target",
        metric.name()
    );
    for (i, (name, r)) in refs.iter().enumerate() {
        for enc in &encoders {
            let label = enc.as_ref().map_or("jpeg".to_string(), |c| c.name());
            if enc.as_ref().is_some_and(|c| c.tool.is_some()) {
                save_png(r, &work.join("ref.png"));
            }
            let mut memo: BTreeMap<u32, Point> = BTreeMap::new();
            let mut per_target = Vec::new();
            for (&t, &limit) in targets.iter().zip(&limits) {
                let step = match enc {
                    Some(c) if c.tool.is_none() => 0.25,
                    _ => 1.0,
                };
                let f = lowest_quality_at(limit, step, &mut memo, |q| {
                    measure(r, enc.as_ref(), q, &work, metric)
                });
                let p = f.point;
                println!(
                    "{name}\t{label}\t{t}\t{}\t{}\t{}\t{:.0}\t{:.0}",
                    f.quality,
                    p.bytes,
                    metric.shown(p.dist),
                    p.ms,
                    f.bytes_at_target
                );
                per_target.push(f);
            }
            found.insert((i, label), per_target);
        }
    }

    for (ti, t) in targets.iter().enumerate() {
        println!(
            "\n{} target {t}: AVIF bytes / mozjpeg bytes, both interpolated to exactly the target",
            metric.name()
        );
        let mut header = format!("{:<26}", "picture");
        for c in &configs {
            header += &format!(" {:>10}", c.name());
        }
        println!("{header}");
        let mut sums: Vec<(f64, f64)> = vec![(0.0, 0.0); configs.len()];
        for (i, (name, _)) in refs.iter().enumerate() {
            let jpeg = found[&(i, "jpeg".to_string())][ti].bytes_at_target;
            let mut line = format!("{name:<26}");
            for (ci, c) in configs.iter().enumerate() {
                let avif = found[&(i, c.name())][ti].bytes_at_target;
                sums[ci].0 += avif;
                sums[ci].1 += jpeg;
                line += &format!(" {:>9.2}×", avif / jpeg);
            }
            println!("{line}");
        }
        let mut line = format!("{:<26}", "sum of bytes");
        for (a, j) in &sums {
            line += &format!(" {:>9.2}×", a / j);
        }
        println!("{line}");
        let mut line = format!("{:<26}", "encode ms (sum)");
        for c in &configs {
            let ms: f64 = (0..refs.len())
                .map(|i| found[&(i, c.name())][ti].point.ms)
                .sum();
            line += &format!(" {:>10.0}", ms);
        }
        let jpeg_ms: f64 = (0..refs.len())
            .map(|i| found[&(i, "jpeg".to_string())][ti].point.ms)
            .sum();
        println!("{line}   (mozjpeg {jpeg_ms:.0})");
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The lowest quality in 1..=100, in steps of `step`, whose distortion is at or under `target`
/// (bisection, assuming distortion falls as quality rises), with the encode there. AVIF gets
/// quarter steps: above quality 82 one whole step moves ravif's quantizer by 6 or 7.
fn lowest_quality_at(
    target: f64,
    step: f32,
    memo: &mut BTreeMap<u32, Point>,
    mut run: impl FnMut(f32) -> Point,
) -> Found {
    let mut at = |i: u32, memo: &mut BTreeMap<u32, Point>| -> Point {
        *memo.entry(i).or_insert_with(|| run(i as f32 * step))
    };
    // In units of `step`; lo is assumed to fail, hi to pass.
    let (mut lo, mut hi) = ((1.0 / step) as u32, (100.0 / step) as u32);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if at(mid, memo).dist <= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let (pass, fail) = (at(hi, memo), at(lo, memo));
    // Log of bytes, linear in distortion, between the step that fails and the one that passes.
    let bytes_at_target = if fail.dist > pass.dist {
        let t = ((fail.dist - target) / (fail.dist - pass.dist)).clamp(0.0, 1.0);
        ((fail.bytes as f64).ln() * (1.0 - t) + (pass.bytes as f64).ln() * t).exp()
    } else {
        pass.bytes as f64
    };
    Found {
        quality: hi as f32 * step,
        point: pass,
        bytes_at_target,
    }
}

fn measure(r: &Pixels, enc: Option<&Config>, q: f32, work: &Path, metric: Metric) -> Point {
    if let Some(args) = enc.and_then(|c| c.tool.as_deref()) {
        return measure_avifenc(r, args, q, work, metric);
    }
    let (format, settings) = match enc {
        None => (
            Format::Jpeg,
            EncodeSettings {
                jpeg_quality: q,
                ..EncodeSettings::default()
            },
        ),
        Some(c) => (
            Format::Avif,
            EncodeSettings {
                avif_quality: q,
                avif_speed: c.speed,
                avif_ten_bit: c.ten_bit,
                avif_chroma: c.chroma,
                ..EncodeSettings::default()
            },
        ),
    };
    let start = Instant::now();
    let bytes = encode::encode(r, format, &settings).expect("encodes");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let back = quality::decode_to_measure(&bytes, format);
    assert_eq!((back.width, back.height), (r.width, r.height));
    Point {
        bytes: bytes.len(),
        dist: metric.distortion(r, &back),
        ms,
    }
}

/// `avifenc ARGS --min Q --max Q` on the reference saved as PNG, with the quantizer
/// `Q = 63 - (quality - 37)` so that "higher quality" still means better (quality 37..=100).
fn measure_avifenc(r: &Pixels, args: &str, q: f32, work: &Path, metric: Metric) -> Point {
    let qz = (100.0 - q).clamp(0.0, 63.0) as u32;
    let out = work.join("tool.avif");
    let start = Instant::now();
    let run = std::process::Command::new("avifenc")
        .args(args.split_whitespace())
        .args(["--min", &qz.to_string(), "--max", &qz.to_string()])
        .arg(work.join("ref.png"))
        .arg(&out)
        .output()
        .expect("avifenc (apt-get install libavif-bin)");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(
        run.status.success(),
        "avifenc failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).expect("avifenc output");
    let back = quality::decode_to_measure(&bytes, Format::Avif);
    Point {
        bytes: bytes.len(),
        dist: metric.distortion(r, &back),
        ms,
    }
}

fn save_png(r: &Pixels, path: &Path) {
    image::RgbImage::from_raw(r.width, r.height, r.data.clone())
        .expect("rgb")
        .save(path)
        .expect("save png");
}

/// The references: our Lanczos3 resize of each photo to each width.
fn pictures(set: &str) -> Vec<(String, Pixels)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut list: Vec<(PathBuf, Vec<u32>)> = Vec::new();
    if set == "small" || set == "all" {
        for name in ["coffee.png", "chelsea.png", "grace_hopper.jpg"] {
            list.push((data.join(name), vec![400, 4000]));
        }
    }
    if set == "large" || set == "all" {
        for rel in [
            "webp-0.3.1/assets/lake.jpg",
            "printpdf-0.12.8/examples/assets/img/cat.jpg",
            "jpeg-decoder-0.3.2/benches/large_image.jpg",
        ] {
            match registry_file(rel) {
                Some(p) => list.push((p, vec![960, 1280, 1920])),
                None => eprintln!("skipped (not unpacked by cargo): {rel}"),
            }
        }
    }
    let limits = Limits::default();
    let mut refs = Vec::new();
    for (path, widths) in list {
        let bytes = std::fs::read(&path).expect("photo");
        let pixels = decode::decode(&bytes, &limits).expect("decodes");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for w in widths {
            let r = resize::resize_to_width(&pixels, w).expect("resizes");
            let r = if r.has_alpha { drop_alpha(r) } else { r };
            refs.push((format!("{name}@{}x{}", r.width, r.height), r));
        }
    }
    refs
}

fn drop_alpha(p: Pixels) -> Pixels {
    Pixels {
        data: p
            .data
            .chunks_exact(4)
            .flat_map(|c| [c[0], c[1], c[2]])
            .collect(),
        has_alpha: false,
        ..p
    }
}

fn registry_file(rel: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = home.join("registry/src");
    std::fs::read_dir(src)
        .ok()?
        .flatten()
        .map(|e| e.path().join(rel))
        .find(|p| p.is_file())
}
