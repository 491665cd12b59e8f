//! `cargo bench -p kidyboard-images`: our resize + encode against libvips (`vips thumbnail`),
//! `cwebp` and `avifenc` on the sample photos, side by side in time, bytes and DSSIM; then the
//! cache-hit latency. Prints a table; judges the targets of issue 6 in its last lines.
//!
//! Sizes: the small photos at the card width (400), and `lake.jpg` at the widths we serve for
//! menus and full screen (960, 1920). For every AVIF, mozjpeg's quality and libaom's quantizer
//! (`avifenc` at speed 6, and at its slow speed 2) are searched so that each lands on the AVIF's
//! DSSIM (bytes interpolated between the two settings either side): "AVIF bytes / JPEG bytes at
//! equal quality", per size, beside what libaom reaches on the same pictures. The same ratio
//! is given at equal SSIMULACRA2 too (mozjpeg searched to our AVIF's score), the perceptual
//! metric that is harder on JPEG's blocking than DSSIM is.
//!
//! Timings are medians of several runs. Ours run in-process from the file's bytes (decode,
//! resize, encode); the tools run as processes from the file (their times include process
//! start, a few ms). For AVIF, `avifenc` cannot resize, so it gets a PNG of our own resize (not
//! timed), our chroma subsampling (`-y 420` or `444`), and the quantizer that lands on *our*
//! DSSIM: same pixels, same quality, then compare time and bytes.

#[path = "../tests/common/quality.rs"]
mod quality;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kidyboard_images::{
    decode, encode, resize, AvifChroma, EncodeSettings, Format, ImageStore, Limits, Pixels,
    StoreConfig,
};

/// (photo, width): the card preset for the small photos, menu and full screen for the large one.
const CASES: [(&str, u32); 5] = [
    ("coffee.png", 400),
    ("chelsea.png", 400),
    ("grace_hopper.jpg", 400),
    ("lake.jpg", 960),
    ("lake.jpg", 1920),
];
const CARD: u32 = 400; // the "card" preset, for the cache-hit latency
const RUNS: usize = 5;

struct Row {
    photo: &'static str,
    width: u32,
    format: Format,
    ours_ms: f64,
    ours_bytes: usize,
    ours_dssim: f64,
    tool: String,
    tool_ms: f64,
    tool_bytes: usize,
    tool_dssim: f64,
    /// For AVIF rows: other encoders' bytes at exactly our AVIF's DSSIM.
    equal: Option<EqualBytes>,
}

/// Bytes at exactly our AVIF's DSSIM, each interpolated between the two settings either side.
struct EqualBytes {
    /// mozjpeg, our JPEG settings, quality searched.
    jpeg: f64,
    /// Our AVIF's SSIMULACRA2 score, and mozjpeg's bytes at exactly that score.
    ssimulacra2: f64,
    jpeg_at_ssimulacra2: f64,
    /// libaom (`avifenc`) at the speed the time target uses.
    aom: f64,
    /// libaom at its slowest preset in reach of the bench's time budget (`AOM_SLOW`).
    aom_slow: f64,
}

/// The libaom speed the time target compares against (avifenc's default).
const AOM_SPEED: u32 = 6;
/// libaom's slowest preset the bench can afford (about 10 s per encode at 1920 px on 2 cores):
/// the best AV1 bytes at our DSSIM available here, to show what the bytes target asks of AV1.
const AOM_SLOW: u32 = 2;

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let work = tempfile::tempdir().expect("temp dir");
    let settings = EncodeSettings::default();
    let limits = Limits::default();
    for tool in ["vips", "cwebp", "avifenc", "avifdec"] {
        assert!(
            tool_exists(tool),
            "{tool} missing: apt-get install -y libvips-tools webp libavif-bin"
        );
    }
    // The reference encoder works on the same chroma subsampling as ours.
    let aom = Aom {
        speed: AOM_SPEED,
        chroma: match settings.avif_chroma {
            AvifChroma::Yuv420 => "420",
            AvifChroma::Yuv444 => "444",
        },
    };
    let mut rows = Vec::new();
    for (photo, width) in CASES {
        let path = data.join(photo);
        let bytes = std::fs::read(&path).expect("sample photo");
        let reference =
            resize::resize_to_width(&decode::decode(&bytes, &limits).expect("decodes"), width)
                .expect("resizes");
        for format in Format::ALL {
            let (ours_ms, ours) = time_median(|| {
                let pixels = decode::decode(&bytes, &limits).expect("decodes");
                let resized = resize::resize_to_width(&pixels, width).expect("resizes");
                encode::encode(&resized, format, &settings).expect("encodes")
            });
            let ours_back = quality::decode_to_measure(&ours, format);
            let ours_dssim = quality::dssim(&reference, &ours_back);
            let mut aom_search = None;
            let baseline = match format {
                Format::Jpeg => vips_thumbnail(
                    &path,
                    format,
                    settings.jpeg_quality,
                    (width, reference.height),
                    work.path(),
                ),
                Format::WebP => vips_thumbnail(
                    &path,
                    format,
                    settings.webp_quality,
                    (width, reference.height),
                    work.path(),
                ),
                Format::Avif => {
                    let found = avifenc_search(ours_dssim, &reference, &aom, 24, work.path());
                    let timed = avifenc_timed(&found, &aom, work.path());
                    aom_search = Some(found);
                    timed
                }
            };
            let tool_dssim =
                quality::dssim(&reference, &quality::decode_to_measure(&baseline.1, format));
            let equal = aom_search.map(|fast| {
                let slow = Aom {
                    speed: AOM_SLOW,
                    ..aom
                };
                // SSIMULACRA2 as a distortion (100 − score) so the same search applies.
                let s2 = quality::ssimulacra2(&reference, &ours_back);
                let s2_distortion = |r: &Pixels, b: &Pixels| 100.0 - quality::ssimulacra2(r, b);
                EqualBytes {
                    jpeg: jpeg_bytes_at(ours_dssim, &reference, &settings, &quality::dssim),
                    ssimulacra2: s2,
                    jpeg_at_ssimulacra2: jpeg_bytes_at(
                        100.0 - s2,
                        &reference,
                        &settings,
                        &s2_distortion,
                    ),
                    aom: fast.bytes_at_target,
                    aom_slow: avifenc_search(ours_dssim, &reference, &slow, fast.q, work.path())
                        .bytes_at_target,
                }
            });
            rows.push(Row {
                photo,
                width: reference.width,
                format,
                ours_ms,
                ours_bytes: ours.len(),
                ours_dssim,
                tool: baseline.2,
                tool_ms: baseline.0,
                tool_bytes: baseline.1.len(),
                tool_dssim,
                equal,
            });
            if format == Format::WebP {
                let (ms, out, name) = cwebp(
                    &path,
                    settings.webp_quality,
                    (width, reference.height),
                    work.path(),
                );
                let d = quality::dssim(&reference, &quality::decode_to_measure(&out, format));
                rows.push(Row {
                    photo,
                    width: reference.width,
                    format,
                    ours_ms,
                    ours_bytes: ours.len(),
                    ours_dssim,
                    tool: name,
                    tool_ms: ms,
                    tool_bytes: out.len(),
                    tool_dssim: d,
                    equal: None,
                });
            }
        }
    }
    print_table(&rows);
    let tiny = work.path().join("tiny.v");
    let (startup, _) = time_median(|| {
        run(Command::new("vips")
            .arg("black")
            .arg(&tiny)
            .args(["1", "1"]))
    });
    println!("\nfor scale: `vips black 1×1` (process start + libvips init, no real work) takes {startup:.1} ms");
    let (p50, p99) = cache_hit_latency(&data.join("coffee.png"), work.path());
    println!(
        "\ncache hit (get_variant of a cached 400 px AVIF, 2000 calls): p50 {:.3} ms, p99 {:.3} ms",
        p50, p99
    );
    judge(&rows, p99);
}

fn print_table(rows: &[Row]) {
    println!(
        "\nresize + encode, median of {RUNS} runs (DSSIM vs our Lanczos3 resize; lower is better)\n"
    );
    println!(
        "| {:<22} | {:<4} | {:>8} | {:>8} | {:>8} | {:<26} | {:>8} | {:>8} | {:>8} | {:>6} |",
        "photo", "fmt", "ours ms", "bytes", "dssim", "baseline", "ms", "bytes", "dssim", "time×"
    );
    println!("|{}|", "-".repeat(140));
    for r in rows {
        println!(
            "| {:<22} | {:<4} | {:>8.1} | {:>8} | {:>8.5} | {:<26} | {:>8.1} | {:>8} | {:>8.5} | {:>6.2} |",
            format!("{} @{}", r.photo, r.width), r.format.name(), r.ours_ms, r.ours_bytes, r.ours_dssim, r.tool, r.tool_ms, r.tool_bytes, r.tool_dssim,
            r.ours_ms / r.tool_ms
        );
    }
    println!(
        "\nAVIF bytes at equal DSSIM: each encoder's bytes interpolated to our AVIF's DSSIM, \
         and their ratio to mozjpeg's (libaom via avifenc, same chroma as ours)\n"
    );
    println!(
        "  {:<22} {:>8} {:>9} {:>15} {:>15} {:>15}",
        "case",
        "dssim",
        "mozjpeg",
        "ours",
        format!("aom -s {AOM_SPEED}"),
        format!("aom -s {AOM_SLOW}")
    );
    for r in rows.iter().filter(|r| r.format == Format::Avif) {
        let e = r.equal.as_ref().expect("searched for AVIF rows");
        let cell = |bytes: f64| format!("{:>8.0} {:>5.2}×", bytes, bytes / e.jpeg);
        println!(
            "  {:<22} {:>8.5} {:>9.0} {:>15} {:>15} {:>15}",
            format!("{} @{}", r.photo, r.width),
            r.ours_dssim,
            e.jpeg,
            cell(r.ours_bytes as f64),
            cell(e.aom),
            cell(e.aom_slow)
        );
    }
    println!(
        "\nAVIF bytes at equal SSIMULACRA2 (higher is better): mozjpeg searched to our AVIF's score\n"
    );
    println!(
        "  {:<22} {:>11} {:>9} {:>15}",
        "case", "ssimulacra2", "mozjpeg", "ours"
    );
    for r in rows.iter().filter(|r| r.format == Format::Avif) {
        let e = r.equal.as_ref().expect("searched for AVIF rows");
        println!(
            "  {:<22} {:>11.2} {:>9.0} {:>8} {:>5.2}×",
            format!("{} @{}", r.photo, r.width),
            e.ssimulacra2,
            e.jpeg_at_ssimulacra2,
            r.ours_bytes,
            r.ours_bytes as f64 / e.jpeg_at_ssimulacra2
        );
    }
}

fn judge(rows: &[Row], p99: f64) {
    println!("\ntargets (issue 6):");
    let sum = |f: Format, tool: &str, pick: &dyn Fn(&Row) -> f64| -> f64 {
        rows.iter()
            .filter(|r| r.format == f && r.tool.starts_with(tool))
            .map(pick)
            .sum()
    };
    for (f, tool, limit) in [
        (Format::Jpeg, "vips", 1.0),
        (Format::WebP, "vips", 1.0),
        (Format::Avif, "avifenc", 1.5),
    ] {
        let ours = sum(f, tool, &|r| r.ours_ms);
        let theirs = sum(f, tool, &|r| r.tool_ms);
        let ratio = ours / theirs;
        let tool = if f == Format::Avif {
            format!("avifenc -s {AOM_SPEED}")
        } else {
            tool.to_string()
        };
        println!(
            "  {:<4} time vs {:<13} {:>5.2}× (target ≤ {limit}×) {}",
            f.name(),
            tool,
            ratio,
            if ratio <= limit { "met" } else { "NOT met" }
        );
    }
    // The bytes target, and what libaom reaches at the same DSSIM: how far AV1 itself is
    // from the target at this quality on these photos, apart from our wrapper.
    let avif_rows = || rows.iter().filter(|r| r.format == Format::Avif);
    for (label, card) in [("card (400)", true), ("menu + full (960, 1920)", false)] {
        let picked = || {
            avif_rows()
                .filter(move |r| (r.width <= CARD) == card)
                .filter_map(|r| Some((r.ours_bytes as f64, r.equal.as_ref()?)))
        };
        let jpeg: f64 = picked().map(|(_, e)| e.jpeg).sum();
        let ratio = picked().map(|(ours, _)| ours).sum::<f64>() / jpeg;
        let aom = picked().map(|(_, e)| e.aom).sum::<f64>() / jpeg;
        let aom_slow = picked().map(|(_, e)| e.aom_slow).sum::<f64>() / jpeg;
        println!(
            "  AVIF bytes vs mozjpeg at equal DSSIM, {label}: {ratio:.2}× (target ≤ 0.6×) {}; \
             libaom there: -s {AOM_SPEED} {aom:.2}×, -s {AOM_SLOW} {aom_slow:.2}×",
            if ratio <= 0.6 { "met" } else { "NOT met" }
        );
        let s2_ratio = picked().map(|(ours, _)| ours).sum::<f64>()
            / picked().map(|(_, e)| e.jpeg_at_ssimulacra2).sum::<f64>();
        println!(
            "  AVIF bytes vs mozjpeg at equal SSIMULACRA2, {label}: {s2_ratio:.2}× (target ≤ 0.6×) {}",
            if s2_ratio <= 0.6 { "met" } else { "NOT met" }
        );
    }
    println!(
        "  cache hit p99 {p99:.3} ms (target < 1 ms) {}",
        if p99 < 1.0 { "met" } else { "NOT met" }
    );
}

fn time_median<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    (ms(times[RUNS / 2]), last.expect("ran at least once"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `vips thumbnail IN OUT[Q=q] 400`: decode (with shrink-on-load), Lanczos3, encode.
/// The height is forced to ours (vips sometimes rounds it one pixel differently) so DSSIM
/// compares the same grid.
fn vips_thumbnail(
    input: &Path,
    format: Format,
    q: f32,
    (width, height): (u32, u32),
    work: &Path,
) -> (f64, Vec<u8>, String) {
    let out = work.join(format!("vips.{}", format.extension()));
    let target = format!("{}[Q={}]", out.display(), q.round());
    let (t, _) = time_median(|| {
        run(Command::new("vips")
            .arg("thumbnail")
            .arg(input)
            .arg(&target)
            .arg(width.to_string())
            .args(["--height", &height.to_string(), "--size", "force"]))
    });
    (
        t,
        std::fs::read(&out).expect("vips output"),
        format!("vips thumbnail Q={}", q.round()),
    )
}

/// `cwebp -q q -resize W H`: libwebp's own tool.
fn cwebp(input: &Path, q: f32, (width, height): (u32, u32), work: &Path) -> (f64, Vec<u8>, String) {
    let out = work.join("cwebp.webp");
    let (t, _) = time_median(|| {
        run(Command::new("cwebp")
            .arg("-quiet")
            .args(["-q", &q.round().to_string(), "-m", "4"])
            .args(["-resize", &width.to_string(), &height.to_string()])
            .arg(input)
            .arg("-o")
            .arg(&out))
    });
    (
        t,
        std::fs::read(&out).expect("cwebp output"),
        format!("cwebp -q {} -m 4", q.round()),
    )
}

/// libaom through `avifenc`: a speed preset and a chroma subsampling.
#[derive(Clone, Copy)]
struct Aom {
    speed: u32,
    chroma: &'static str,
}

impl Aom {
    fn name(&self, q: u32) -> String {
        format!("avifenc -s {} -y {} q{q}", self.speed, self.chroma)
    }

    /// Encodes the PNG at `input` with quantizer `q` into `out`.
    fn encode(&self, q: u32, input: &Path, out: &Path) {
        let q = q.to_string();
        run(Command::new("avifenc")
            .args(["-s", &self.speed.to_string(), "-j", "2", "-y", self.chroma])
            .args(["--min", &q, "--max", &q])
            .arg(input)
            .arg(out));
    }
}

/// Where [`avifenc_search`] landed.
struct AomSearch {
    /// The largest quantizer (smallest file) whose DSSIM is at or under the target, its file.
    q: u32,
    bytes: Vec<u8>,
    /// Bytes at exactly the target, between that quantizer and the next (which misses it).
    bytes_at_target: f64,
}

/// Searches `avifenc`'s quantizer (0–63) for DSSIM `target` on `reference`, walking from
/// `start` (near where it should land) so that the slow presets need only a few encodes.
fn avifenc_search(
    target: f64,
    reference: &Pixels,
    aom: &Aom,
    start: u32,
    work: &Path,
) -> AomSearch {
    let input = work.join("resized.png");
    // Our own Lanczos3 resize, so both encoders start from identical pixels.
    image::RgbImage::from_raw(reference.width, reference.height, reference.data.clone())
        .expect("rgb")
        .save(&input)
        .expect("save png");
    let out = work.join("avifenc.avif");
    let mut tried: BTreeMap<u32, (f64, Vec<u8>)> = BTreeMap::new();
    let mut at = |q: u32| -> (f64, usize) {
        let (d, bytes) = tried.entry(q).or_insert_with(|| {
            aom.encode(q, &input, &out);
            let bytes = std::fs::read(&out).expect("avifenc output");
            let d = quality::dssim(reference, &quality::decode_to_measure(&bytes, Format::Avif));
            (d, bytes)
        });
        (*d, bytes.len())
    };
    let mut q = start.min(63);
    if at(q).0 <= target {
        while q < 63 && at(q + 1).0 <= target {
            q += 1;
        }
    } else {
        while q > 0 && at(q).0 > target {
            q -= 1;
        }
    }
    let pass = at(q);
    let bytes_at_target = if q < 63 {
        interpolate(at(q + 1), pass, target)
    } else {
        pass.1 as f64
    };
    AomSearch {
        q,
        bytes: tried.remove(&q).expect("tried").1,
        bytes_at_target,
    }
}

/// `avifenc` at the quantizer [`avifenc_search`] found, timed.
fn avifenc_timed(found: &AomSearch, aom: &Aom, work: &Path) -> (f64, Vec<u8>, String) {
    let (input, out) = (work.join("resized.png"), work.join("timed.avif"));
    let (t, _) = time_median(|| aom.encode(found.q, &input, &out));
    (t, found.bytes.clone(), aom.name(found.q))
}

/// mozjpeg's bytes (our JPEG settings otherwise) at exactly `target` of `distortion` (lower is
/// better: DSSIM, or 100 − SSIMULACRA2): the two integer qualities either side of it,
/// interpolated (log of bytes, linear in distortion). One quality step moves a JPEG by 3–8 %,
/// too coarse for a ratio on its own.
fn jpeg_bytes_at(
    target: f64,
    reference: &Pixels,
    settings: &EncodeSettings,
    distortion: &dyn Fn(&Pixels, &Pixels) -> f64,
) -> f64 {
    let at = |q: u32| {
        let s = EncodeSettings {
            jpeg_quality: q as f32,
            ..*settings
        };
        let bytes = encode::encode(reference, Format::Jpeg, &s).expect("encodes");
        let back = quality::decode_to_measure(&bytes, Format::Jpeg);
        (distortion(reference, &back), bytes.len())
    };
    let (mut bad, mut good) = (1u32, 100u32);
    while good - bad > 1 {
        let mid = (bad + good) / 2;
        if at(mid).0 <= target {
            good = mid;
        } else {
            bad = mid;
        }
    }
    interpolate(at(bad), at(good), target)
}

/// Bytes at distortion `target` between a point above it and one at or below it.
fn interpolate((d_bad, b_bad): (f64, usize), (d_good, b_good): (f64, usize), target: f64) -> f64 {
    if d_bad <= d_good {
        return b_good as f64;
    }
    let t = ((d_bad - target) / (d_bad - d_good)).clamp(0.0, 1.0);
    ((b_bad as f64).ln() * (1.0 - t) + (b_good as f64).ln() * t).exp()
}

fn cache_hit_latency(photo: &Path, work: &Path) -> (f64, f64) {
    let store = ImageStore::open(work.join("store"), StoreConfig::default()).expect("store");
    let hash = store
        .ingest(&std::fs::read(photo).expect("photo"))
        .expect("ingest")
        .original
        .hash;
    store.get_variant(&hash, CARD, Format::Avif).expect("warm");
    let mut times: Vec<Duration> = (0..2000)
        .map(|_| {
            let start = Instant::now();
            let v = store.get_variant(&hash, CARD, Format::Avif).expect("hit");
            std::hint::black_box(v);
            start.elapsed()
        })
        .collect();
    times.sort();
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
    )
}

fn tool_exists(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
