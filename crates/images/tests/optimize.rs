//! The `kidyboard image optimize` library function, end to end with files and real decoders.

mod common;

use common::{data_path, decode_independently};
use kidyboard_images::{optimize_file, Format};

#[test]
fn optimize_writes_a_resized_file_in_each_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = data_path("grace_hopper.jpg"); // 512×600
    for format in Format::ALL {
        let out = dir.path().join(format!("hopper.{}", format.extension()));
        let made = optimize_file(&input, &out, 256, format).expect("optimizes");
        assert_eq!(
            (made.width, made.height),
            (256, 300),
            "{format}: aspect ratio kept"
        );
        let bytes = std::fs::read(&out).expect("output written");
        assert_eq!(bytes, made.bytes);
        let decoded = decode_independently(&bytes, format);
        assert_eq!(
            (decoded.width, decoded.height),
            (256, 300),
            "{format}: decoder agrees"
        );
    }
    let err = optimize_file(
        &dir.path().join("missing.png"),
        &dir.path().join("x.jpg"),
        100,
        Format::Jpeg,
    )
    .expect_err("a missing input is an error");
    assert_eq!(err.code(), "io_error");
    let err =
        optimize_file(&input, &dir.path().join("x.jpg"), 0, Format::Jpeg).expect_err("width 0");
    assert_eq!(err.code(), "invalid_width");
}
