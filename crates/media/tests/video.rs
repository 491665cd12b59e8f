//! MP4 export checked with ffprobe and ffmpeg's own decoder.

mod common;

use std::sync::atomic::AtomicBool;

use common::{path_str, psnr, run, run_text, sample_content};
use kidyboard_media::{
    export_mp4, render_png, Canvas, MediaError, MenuDesign, ScreenSize, VideoOptions,
};

fn probe(path: &std::path::Path) -> serde_json::Value {
    let json = run_text(
        "ffprobe",
        &[
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            path_str(path),
        ],
    );
    serde_json::from_str(&json).expect("ffprobe JSON")
}

/// Decodes the frame at `seconds` with ffmpeg into RGB.
fn frame_at(path: &std::path::Path, seconds: f64, dir: &std::path::Path) -> image::RgbImage {
    let out = dir.join(format!("frame_{seconds}.png"));
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-ss",
            &format!("{seconds}"),
            "-i",
            path_str(path),
            "-vframes",
            "1",
            path_str(&out),
        ],
    );
    image::open(&out).expect("decoded frame").to_rgb8()
}

#[test]
fn slideshow_is_h264_yuv420p_at_the_asked_size_rate_and_length_and_matches_the_preview() {
    let design = MenuDesign {
        section_per_page: true,
        slides: kidyboard_media::SlideTiming {
            seconds_per_slide: 2.0,
            transition_seconds: 0.5,
        },
        ..MenuDesign::for_canvas(Canvas::Screen {
            size: ScreenSize::Hd1080,
        })
    };
    let content = sample_content(8, Some(240));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("menu.mp4");
    let file = std::fs::File::create(&path).expect("create mp4");
    let mut reports = 0;
    let export = export_mp4(
        &design,
        &content,
        &VideoOptions::default(),
        file,
        |_| reports += 1,
        &AtomicBool::new(false),
    )
    .expect("video export");
    assert_eq!(export.slides, 4, "one slide per section");
    assert_eq!(export.frames, 4 * 2 * 30);
    assert!(reports >= 8, "progress reported as frames are encoded");

    let info = probe(&path);
    let stream = &info["streams"][0];
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(stream["pix_fmt"], "yuv420p");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(stream["r_frame_rate"], "30/1");
    assert_eq!(stream["avg_frame_rate"], "30/1");
    assert_eq!(
        stream["nb_read_frames"], "240",
        "every frame is in the file"
    );
    let duration: f64 = info["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!(
        (duration - 8.0).abs() < 0.05,
        "4 slides × 2 s = 8 s, got {duration}"
    );

    // The whole stream decodes without a single complaint (the per-core runs join cleanly).
    let decode = run(
        "ffmpeg",
        &["-v", "error", "-i", path_str(&path), "-f", "null", "-"],
    );
    let complaints = String::from_utf8_lossy(&decode.stderr);
    assert!(
        complaints.trim().is_empty(),
        "ffmpeg reported decode errors: {complaints}"
    );
    let keyframes = run_text(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v",
            "-skip_frame",
            "nokey",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "csv=p=0",
            path_str(&path),
        ],
    );
    let keyframes: Vec<f64> = keyframes
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(
        keyframes,
        [0.0, 2.0, 4.0, 6.0],
        "a keyframe every 2 s for quick start and seeking"
    );

    // Middle of slide 0 and of slide 2 (away from the fades): the decoded frame must match the
    // renderer's own PNG of that slide.
    for (slide, t) in [(0usize, 0.7), (2, 4.7)] {
        let decoded = frame_at(&path, t, dir.path());
        let preview = render_png(&design, &content, slide, 96.0).expect("preview");
        let preview = image::load_from_memory(&preview.png)
            .expect("png")
            .to_rgb8();
        let db = psnr(&decoded, &preview);
        eprintln!("slide {slide}: decoded frame vs preview PSNR {db:.1} dB");
        assert!(
            db > 32.0,
            "slide {slide}: decoded frame vs preview PSNR {db:.1} dB should exceed 32 dB"
        );
    }
    // Mid-fade (frame 54 of slide 0's 60; the fade covers its last 15 frames) the picture is
    // the blend of slides 0 and 1, closer to that blend than to either slide.
    let fade = frame_at(&path, 1.8, dir.path());
    let a = image::load_from_memory(&render_png(&design, &content, 0, 96.0).expect("p0").png)
        .expect("png")
        .to_rgb8();
    let b = image::load_from_memory(&render_png(&design, &content, 1, 96.0).expect("p1").png)
        .expect("png")
        .to_rgb8();
    let t = 10.0 * 256.0 / 16.0 / 256.0;
    let mut blend = a.clone();
    for ((o, x), y) in blend.iter_mut().zip(a.iter()).zip(b.iter()) {
        *o = (f64::from(*x) * (1.0 - t) + f64::from(*y) * t).round() as u8;
    }
    let (to_blend, to_a, to_b) = (psnr(&fade, &blend), psnr(&fade, &a), psnr(&fade, &b));
    assert!(
        to_blend > 30.0 && to_blend > to_a && to_blend > to_b,
        "mid-fade frame should be the blend: PSNR to blend {to_blend:.1}, to slide 0 {to_a:.1}, to slide 1 {to_b:.1}"
    );
}

#[test]
fn vertical_screen_video_has_portrait_size() {
    let design = MenuDesign {
        slides: kidyboard_media::SlideTiming {
            seconds_per_slide: 1.0,
            transition_seconds: 0.0,
        },
        ..MenuDesign::for_canvas(Canvas::Screen {
            size: ScreenSize::Vertical1080,
        })
    };
    let mut out = Vec::new();
    let export = export_mp4(
        &design,
        &sample_content(3, None),
        &VideoOptions {
            fps: 25,
            ..Default::default()
        },
        &mut out,
        |_| {},
        &AtomicBool::new(false),
    )
    .expect("video export");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v.mp4");
    std::fs::write(&path, &out).expect("write");
    let info = probe(&path);
    let stream = &info["streams"][0];
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    assert_eq!(stream["r_frame_rate"], "25/1");
    assert_eq!(
        stream["nb_read_frames"]
            .as_str()
            .and_then(|n| n.parse::<u64>().ok()),
        Some(export.frames)
    );
}

#[test]
fn paper_design_cannot_become_a_video_and_cancel_stops_encoding() {
    let err = export_mp4(
        &MenuDesign::default(),
        &sample_content(1, None),
        &VideoOptions::default(),
        Vec::new(),
        |_| {},
        &AtomicBool::new(false),
    );
    assert!(
        matches!(err, Err(MediaError::InvalidDesign { ref field, .. }) if field == "canvas"),
        "got {err:?}"
    );

    let screen = MenuDesign::for_canvas(Canvas::Screen {
        size: ScreenSize::Hd1080,
    });
    let err = export_mp4(
        &screen,
        &sample_content(1, None),
        &VideoOptions::default(),
        Vec::new(),
        |_| {},
        &AtomicBool::new(true),
    );
    assert!(matches!(err, Err(MediaError::Cancelled)), "got {err:?}");
}
