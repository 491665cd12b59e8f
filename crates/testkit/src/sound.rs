//! Sound for the audio tests, made and measured by tools independent of ours: ffmpeg encodes
//! (any format, from its `lavfi` sources) and meters loudness (its `ebur128` filter), hound reads
//! WAV files back; plus plain signal measures.

use std::path::Path;
use std::process::Command;

/// Encodes `lavfi` (an ffmpeg source such as `sine=frequency=440:duration=2`) to `path`, whose
/// extension picks the format, with `extra` arguments before the output (e.g. `["-af",
/// "volume=-10dB"]`); answers the file's bytes.
pub fn ffmpeg_make(lavfi: &str, extra: &[&str], path: &Path) -> Vec<u8> {
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            lavfi,
        ])
        .args(extra)
        .arg(path)
        .status()
        .expect("ffmpeg runs (Debian package ffmpeg)");
    assert!(status.success(), "ffmpeg made {}", path.display());
    std::fs::read(path).unwrap_or_else(|e| panic!("{} is readable: {e}", path.display()))
}

/// Integrated loudness (LUFS) as ffmpeg measures it (an implementation independent of ours).
pub fn ffmpeg_lufs(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text.split("Summary:").nth(1).expect("ebur128 summary");
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .expect("integrated loudness in ffmpeg's summary")
}

/// The true peak (dBTP) ffmpeg's EBU R128 meter reads in a file (4× oversampled).
pub fn ffmpeg_true_peak(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text.split("Summary:").nth(1).expect("ebur128 summary");
    let after = summary
        .split("True peak:")
        .nth(1)
        .expect("true peak in the summary");
    after
        .lines()
        .find_map(|l| l.trim().strip_prefix("Peak:"))
        .and_then(|v| v.trim().trim_end_matches("dBFS").trim().parse().ok())
        .expect("true peak in ffmpeg's summary")
}

/// The samples (−1…1) and sample rate of a mono WAV file, read with hound.
pub fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let r = hound::WavReader::open(path).expect("WAV opens");
    let spec = r.spec();
    assert_eq!(spec.channels, 1, "mono output");
    let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
    let s = r
        .into_samples::<i32>()
        .map(|v| v.expect("sample") as f32 / scale)
        .collect();
    (s, spec.sample_rate)
}

pub fn rms(s: &[f32]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    (s.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
}

/// A level ratio in decibels.
pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// Normalised correlation of two equally long signals (1 = same shape, any gain).
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for i in 0..n {
        let (x, y) = (a[i] as f64, b[i] as f64);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

pub fn espeak_available() -> bool {
    Command::new("espeak-ng")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
