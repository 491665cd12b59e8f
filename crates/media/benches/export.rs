//! `cargo bench -p kidyboard-media`: prints how long the exports take.
//! Targets on a 2-core machine: 100-item PDF with pictures < 500 ms; 30 s 1080p video < 10 s.
//! The same video frames piped as raw RGB into the `ffmpeg` command line (libx264) give a
//! baseline ratio.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use kidyboard_media::{
    export_mp4, export_pdf, Canvas, MenuDesign, MenuRenderer, ScreenSize, SlideTiming,
    VideoOptions, Yuv420,
};

/// CPU seconds used by this process so far (all threads), from /proc; 0 where unavailable.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let no_cancel = AtomicBool::new(false);
    println!(
        "machine: {} cores, load average {} at start (other builds share these cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    );

    // PDF: 100 items, each with a 640×480 JPEG photo.
    let content = common::sample_content(100, Some(640));
    let photos: usize = content
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|i| i.image.as_ref())
        .map(|i| i.0.len())
        .sum();
    let design = MenuDesign::default();
    let (cold_time, _) = best_of(1, || {
        export_pdf(&design, &content, |_| {}, &no_cancel).expect("pdf export")
    });
    let cpu_before = cpu_seconds();
    let (pdf_time, pdf) = best_of(3, || {
        export_pdf(&design, &content, |_| {}, &no_cancel).expect("pdf export")
    });
    println!(
        "pdf: 100 items with 640x480 photos ({} KiB of JPEG) -> {} pages, {} KiB in {:.0} ms (first export in the process, fonts parsed: {:.0} ms; target < 500 ms)",
        photos / 1024,
        pdf.pages,
        pdf.pdf.len() / 1024,
        pdf_time.as_secs_f64() * 1000.0,
        cold_time.as_secs_f64() * 1000.0
    );

    // Video: 1080p, 30 s, 30 fps, the same menu paginated into slides.
    let mut design = MenuDesign::for_canvas(Canvas::Screen {
        size: ScreenSize::Hd1080,
    });
    let slides = MenuRenderer::new(&design, &content)
        .expect("layout")
        .page_count();
    let per_slide = 30.0 / slides as f32;
    design.slides = SlideTiming {
        seconds_per_slide: per_slide,
        transition_seconds: (per_slide / 4.0).min(1.0),
    };
    let options = VideoOptions::default();
    let pdf_cpu = (cpu_seconds() - cpu_before) / 3.0;
    println!(
        "pdf: {:.0} ms of CPU per export (all threads)",
        pdf_cpu * 1000.0
    );
    let cpu_before = cpu_seconds();
    let (video_time, (video, bytes)) = best_of(1, || {
        let mut out = Vec::new();
        let v = export_mp4(&design, &content, &options, &mut out, |_| {}, &no_cancel)
            .expect("video export");
        (v, out.len())
    });
    println!(
        "mp4: {}x{} {} fps, {} slides, {:.1} s ({} frames) -> {} KiB in {:.2} s (target < 10 s), {:.0} frames/s",
        video.width,
        video.height,
        video.fps,
        video.slides,
        video.duration_seconds,
        video.frames,
        bytes / 1024,
        video_time.as_secs_f64(),
        video.frames as f64 / video_time.as_secs_f64()
    );

    println!(
        "mp4: {:.2} s of CPU (all threads), load average now {}",
        cpu_seconds() - cpu_before,
        load_average()
    );

    // Parts: one slide drawn, one RGB→YUV conversion.
    let mut renderer = MenuRenderer::new(&design, &content).expect("renderer");
    let (raster_time, (w, h, rgba)) = best_of(3, || renderer.render_rgba(0, 96.0).expect("slide"));
    let (yuv_time, _) = best_of(5, || Yuv420::from_rgb(&rgba, w as usize, h as usize, 4));
    println!(
        "parts: draw one 1080p slide {:.1} ms, RGB->YUV420 {:.2} ms/frame",
        raster_time.as_secs_f64() * 1000.0,
        yuv_time.as_secs_f64() * 1000.0
    );

    // Baseline: the same frames as raw RGB into ffmpeg/libx264 (default preset).
    let slides_rgb: Vec<Vec<u8>> = (0..video.slides)
        .map(|i| {
            let (_, _, px) = renderer.render_rgba(i, 96.0).expect("slide");
            px.chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect()
        })
        .collect();
    let fps = video.fps as usize;
    let per = (per_slide * fps as f32).round() as usize;
    let fade = (design.slides.transition_seconds * fps as f32).round() as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("x264.mp4");
    let started = Instant::now();
    let child = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            &format!("{w}x{h}"),
            "-r",
            "30",
            "-i",
            "-",
        ])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&out)
        .stdin(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        println!("ffmpeg baseline: ffmpeg not installed (apt-get install -y ffmpeg)");
        return;
    };
    let mut frame = vec![0u8; (w * h * 3) as usize];
    if let Some(stdin) = child.stdin.as_mut() {
        for n in 0..video.frames as usize {
            let (s, f) = (n / per, n % per);
            let next = (s + 1) % slides_rgb.len();
            let buf: &[u8] = if slides_rgb.len() > 1 && f >= per - fade {
                let t = ((f - (per - fade) + 1) * 256 / (fade + 1)) as u32;
                for ((o, a), b) in frame.iter_mut().zip(&slides_rgb[s]).zip(&slides_rgb[next]) {
                    *o = ((u32::from(*a) * (256 - t) + u32::from(*b) * t + 128) >> 8) as u8;
                }
                &frame
            } else {
                &slides_rgb[s]
            };
            if stdin.write_all(buf).is_err() {
                break;
            }
        }
    }
    drop(child.stdin.take());
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let x264_time = started.elapsed();
    let x264_bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "ffmpeg libx264 (same frames piped as raw RGB){}: {:.2} s, {} KiB; ours / ffmpeg time = {:.2}",
        if ok { "" } else { " FAILED" },
        x264_time.as_secs_f64(),
        x264_bytes / 1024,
        video_time.as_secs_f64() / x264_time.as_secs_f64()
    );
}
