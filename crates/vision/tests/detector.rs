//! The real YuNet model on ONNX Runtime, on real photos shipped by scikit-image and matplotlib,
//! alone and composed side by side into group pictures with a known number of faces.

mod common;

use common::{canvas, detector, paste, photo};
use kidyboard_vision::{DetectorOptions, FaceDetector, ModelPaths, VisionError};

fn inside(d: &kidyboard_vision::Detection, x: (f32, f32), y: (f32, f32)) -> bool {
    let (cx, cy) = d.center();
    cx > x.0 && cx < x.1 && cy > y.0 && cy < y.1
}

#[test]
fn the_astronaut_has_one_face_where_her_face_is() {
    let faces = detector().detect(&photo("astronaut.png")).expect("detect");
    assert_eq!(faces.len(), 1, "astronaut.png shows one face: {faces:?}");
    let f = faces[0];
    // Eileen Collins' face is in the upper middle of the 512×512 picture.
    assert!(inside(&f, (180.0, 300.0), (60.0, 180.0)), "face box {f:?}");
    assert!(
        f.w > 60.0 && f.w < 140.0 && f.h > 70.0 && f.h < 160.0,
        "face size {f:?}"
    );
    let eyes_above_mouth =
        f.landmarks[0].1 < f.landmarks[3].1 && f.landmarks[1].1 < f.landmarks[4].1;
    assert!(
        eyes_above_mouth,
        "landmarks in face order: {:?}",
        f.landmarks
    );
}

#[test]
fn grace_hopper_has_one_face() {
    let faces = detector()
        .detect(&photo("grace_hopper.jpg"))
        .expect("detect");
    assert_eq!(faces.len(), 1, "grace_hopper.jpg shows one face: {faces:?}");
    assert!(
        inside(&faces[0], (180.0, 360.0), (130.0, 340.0)),
        "face box {:?}",
        faces[0]
    );
}

#[test]
fn pictures_without_people_have_no_faces() {
    let mut d = detector();
    for name in ["coffee.png", "chelsea.png", "rocket.jpg"] {
        let faces = d.detect(&photo(name)).expect("detect");
        assert!(faces.is_empty(), "{name} has no human face: {faces:?}");
    }
    let empty = canvas(640, 480, 0);
    assert!(
        d.detect(&empty).expect("detect").is_empty(),
        "a blank wall has no face"
    );
}

#[test]
fn two_people_side_by_side_in_a_camera_frame_are_two_faces() {
    let (a, g) = (photo("astronaut.png"), photo("grace_hopper.jpg"));
    let mut frame = canvas(640, 480, 0);
    paste(&mut frame, &a, 20, 100, 280, 280);
    paste(&mut frame, &g, 340, 80, 260, 305);
    let mut faces = detector().detect(&frame).expect("detect");
    faces.sort_by(|p, q| p.x.total_cmp(&q.x));
    assert_eq!(faces.len(), 2, "two faces: {faces:?}");
    assert!(
        faces[0].center().0 < 300.0 && faces[1].center().0 > 340.0,
        "one face per half: {faces:?}"
    );
}

#[test]
fn a_grid_of_four_photos_is_four_faces() {
    let (a, g) = (photo("astronaut.png"), photo("grace_hopper.jpg"));
    let mut frame = canvas(640, 480, 0);
    paste(&mut frame, &a, 0, 0, 320, 240);
    paste(&mut frame, &g, 320, 0, 320, 240);
    paste(&mut frame, &g, 0, 240, 320, 240);
    paste(&mut frame, &a, 320, 240, 320, 240);
    let faces = detector().detect(&frame).expect("detect");
    assert_eq!(faces.len(), 4, "one face per tile: {faces:?}");
    for (qx, qy) in [(0.0, 0.0), (320.0, 0.0), (0.0, 240.0), (320.0, 240.0)] {
        let n = faces
            .iter()
            .filter(|f| inside(f, (qx, qx + 320.0), (qy, qy + 240.0)))
            .count();
        assert_eq!(
            n, 1,
            "exactly one face in the tile at ({qx}, {qy}): {faces:?}"
        );
    }
}

#[test]
fn a_larger_group_picture_downscaled_into_the_model_keeps_every_face() {
    // 3×2 tiles of 400×400 → a 1200×800 picture, scaled by the letterbox to 640×427.
    let (a, g) = (photo("astronaut.png"), photo("grace_hopper.jpg"));
    let mut frame = canvas(1200, 800, 0);
    for i in 0..6u32 {
        let src = if i % 2 == 0 { &a } else { &g };
        paste(&mut frame, src, (i % 3) * 400, (i / 3) * 400, 400, 400);
    }
    let faces = detector().detect(&frame).expect("detect");
    assert_eq!(faces.len(), 6, "six faces: {faces:?}");
    assert!(
        faces
            .iter()
            .all(|f| f.x >= 0.0 && f.x + f.w <= 1200.0 && f.y + f.h <= 800.0),
        "boxes in frame pixels"
    );
}

#[test]
fn a_missing_model_is_a_clear_error_not_a_panic() {
    let paths = ModelPaths {
        model: std::path::PathBuf::from("/nonexistent/yunet.onnx"),
        ..ModelPaths::from_env()
    };
    let err = FaceDetector::load(&paths, DetectorOptions::default())
        .err()
        .expect("must fail");
    assert!(matches!(err, VisionError::Model(_)), "{err:?}");
    assert!(
        err.to_string().contains("fetch-vision.sh"),
        "says what to run: {err}"
    );
}

#[test]
fn a_broken_model_file_is_a_model_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("broken.onnx");
    std::fs::write(&bad, b"not an onnx model").expect("write");
    let paths = ModelPaths {
        model: bad,
        ..ModelPaths::from_env()
    };
    let err = FaceDetector::load(&paths, DetectorOptions::default())
        .err()
        .expect("must fail");
    assert!(matches!(err, VisionError::Model(_)), "{err:?}");
}
