//! The counter's speed on 640×480 frames: decode (a camera's MJPEG frame), preprocess,
//! inference, post-processing and tracking, each timed, and the frames per second they add up to
//! (target ≥ 15 fps on the totem). Needs `scripts/fetch-vision.sh`; run with
//! `cargo bench -p kidyboard-vision`.

use std::io::Cursor;
use std::time::{Duration, Instant};

use kidyboard_vision::{
    demo, runtime, DetectorOptions, FaceDetector, Frame, ModelPaths, Tracker, TrackerOptions,
};

const FRAMES: usize = 150;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0 / FRAMES as f64
}

fn main() {
    let photos = runtime::default_dir().join("photos");
    let dir = tempfile::tempdir().expect("tmp");
    demo::write_sequence(&photos, dir.path()).expect("run scripts/fetch-vision.sh first");
    // The camera's side: two people in view, sent as a JPEG like an MJPEG webcam does.
    let frame = Frame::open(&dir.path().join("frame-015.png"), 0).expect("frame");
    let img = image::RgbImage::from_raw(640, 480, frame.rgb.clone()).expect("image");
    let mut jpeg = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .expect("jpeg");
    let jpeg = jpeg.into_inner();

    for threads in [1, 2] {
        let options = DetectorOptions {
            threads,
            ..DetectorOptions::default()
        };
        let mut detector =
            FaceDetector::load(&ModelPaths::from_env(), options).expect("the detector loads");
        let mut tracker = Tracker::new(TrackerOptions::default());
        for _ in 0..5 {
            let f = Frame::decode(&jpeg, 0).expect("decode");
            detector.detect(&f).expect("warm-up");
        }
        let (mut decode, mut pre, mut infer, mut post, mut track) = Default::default();
        let mut faces_seen = 0;
        let started = Instant::now();
        for i in 0..FRAMES {
            let t0 = Instant::now();
            let f = Frame::decode(&jpeg, i as i64 * 66).expect("decode");
            decode += t0.elapsed();
            let (faces, stages) = detector.detect_timed(&f).expect("detect");
            pre += stages.preprocess;
            infer += stages.inference;
            post += stages.postprocess;
            let t1 = Instant::now();
            tracker.update(&faces, f.captured_at);
            track += t1.elapsed();
            faces_seen = faces.len();
        }
        let total = started.elapsed();
        println!("vision pipeline, 640×480, {FRAMES} frames, ONNX Runtime threads: {threads}");
        println!("  decode (JPEG)   {:7.2} ms/frame", ms(decode));
        println!("  preprocess      {:7.2} ms/frame", ms(pre));
        println!("  inference       {:7.2} ms/frame", ms(infer));
        println!("  postprocess     {:7.2} ms/frame", ms(post));
        println!("  tracking        {:7.3} ms/frame", ms(track));
        println!(
            "  total           {:7.2} ms/frame = {:.1} fps (target ≥ 15); faces per frame: {faces_seen}, visitors: {}",
            ms(total),
            FRAMES as f64 / total.as_secs_f64(),
            tracker.visitors()
        );
    }
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
