//! The runner end to end without a hub: the real detector and tracker on a folder of frames made
//! from real photos, and the statuses a missing camera, folder or model produce — never a panic.

mod common;

use std::time::{Duration, Instant};

use kidyboard_core::vision::VisionState;
use kidyboard_vision::{
    demo, ModelPaths, RunnerConfig, RunnerEvent, SourceOptions, SourceSpec, VisionService,
};

fn wait_for(
    handle: &kidyboard_vision::VisionHandle,
    state: VisionState,
) -> kidyboard_vision::RunnerStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = handle.status();
        if s.state == state {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "expected state {state:?}, still {s:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_folder_of_frames_gives_each_visitor_once_with_exact_times() {
    let dir = tempfile::tempdir().expect("tmp");
    demo::write_sequence(&common::photos_dir(), dir.path()).expect("frames");
    let mut config = RunnerConfig::new(SourceSpec::Dir(dir.path().to_path_buf()));
    config.source_options = SourceOptions {
        fps: 2,
        replay_start: Some(1_000_000),
        ..SourceOptions::default()
    };
    config.preview = true;
    let mut handle = VisionService::start(config);
    let mut events = handle.take_events().expect("events");
    let status = wait_for(&handle, VisionState::Finished);
    assert_eq!(status.frames, 36);
    assert_eq!(status.visitors, 2);
    assert!(
        handle
            .preview_jpeg()
            .is_some_and(|j| j.starts_with(&[0xFF, 0xD8])),
        "preview JPEG in memory"
    );
    let mut visits = Vec::new();
    let mut states = Vec::new();
    while let Ok(e) = events.try_recv() {
        match e {
            RunnerEvent::Visits(v) => visits.extend(v),
            RunnerEvent::Status(s) => states.push(s.state),
        }
    }
    visits.sort_by_key(|v| v.started_at);
    let spans: Vec<(i64, i64)> = visits
        .iter()
        .map(|v| (v.started_at - 1_000_000, v.ended_at - 1_000_000))
        .collect();
    // Frames every 500 ms: the astronaut in frames 0–19, Grace Hopper in 10–29.
    let expected: Vec<(i64, i64)> = demo::SEEN
        .iter()
        .map(|(a, b)| (*a as i64 * 500, *b as i64 * 500))
        .collect();
    assert_eq!(spans, expected);
    assert_eq!(states.first(), Some(&VisionState::Starting));
    assert_eq!(states.last(), Some(&VisionState::Finished));
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(
        files.len(),
        36,
        "the runner wrote nothing beside the input frames"
    );
}

#[test]
fn a_missing_model_is_a_model_error_status_and_the_runner_keeps_retrying() {
    let dir = tempfile::tempdir().expect("tmp");
    demo::write_sequence(&common::photos_dir(), dir.path()).expect("frames");
    let mut config = RunnerConfig::new(SourceSpec::Dir(dir.path().to_path_buf()));
    config.model = ModelPaths {
        model: dir.path().join("missing.onnx"),
        ..ModelPaths::from_env()
    };
    config.retry_min = Duration::from_millis(50);
    let handle = VisionService::start(config);
    let s = wait_for(&handle, VisionState::ModelError);
    assert!(
        s.message.contains("fetch-vision.sh"),
        "says what to run: {}",
        s.message
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(!handle.is_finished(), "still retrying");
    handle.retry_now();
    handle.stop();
}

#[test]
fn no_camera_and_a_missing_folder_are_no_camera_statuses() {
    for spec in [
        "camera:7",
        "camera:Nonexistent Cam",
        "dir:/nonexistent/frames",
    ] {
        let mut config = RunnerConfig::new(spec.parse().expect("spec"));
        config.retry_min = Duration::from_millis(50);
        let handle = VisionService::start(config);
        let s = wait_for(&handle, VisionState::NoCamera);
        assert!(!s.message.is_empty(), "{spec}: a message for the admin");
        handle.stop();
    }
}

#[test]
fn a_video_file_decoded_in_memory_gives_the_same_visitors() {
    let dir = tempfile::tempdir().expect("tmp");
    let frames = dir.path().join("frames");
    demo::write_sequence(&common::photos_dir(), &frames).expect("frames");
    let video = dir.path().join("visitors.mp4");
    let encoded = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-framerate", "2", "-i"])
        .arg(frames.join("frame-%03d.png"))
        .args(["-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .expect("Debian's ffmpeg runs");
    assert!(encoded.success(), "ffmpeg encoded the test video");
    let mut config = RunnerConfig::new(SourceSpec::File(video));
    config.source_options = SourceOptions {
        fps: 2,
        replay_start: Some(0),
        ..SourceOptions::default()
    };
    let mut handle = VisionService::start(config);
    let mut events = handle.take_events().expect("events");
    let status = wait_for(&handle, VisionState::Finished);
    assert_eq!(status.frames, 36, "every frame of the video");
    let mut visits = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let RunnerEvent::Visits(v) = e {
            visits.extend(v);
        }
    }
    visits.sort_by_key(|v| v.started_at);
    let spans: Vec<(i64, i64)> = visits.iter().map(|v| (v.started_at, v.ended_at)).collect();
    assert_eq!(spans, [(0, 9_500), (5_000, 14_500)]);
}
