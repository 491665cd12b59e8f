//! Hostile and broken input: bombs, truncated files, wrong extensions, random bytes. Each is
//! refused with a clear code, nothing is stored, and nothing panics.

mod common;

use std::path::Path;

use common::{files_under, jpeg_claiming, photo, png_claiming, PHOTOS};
use kidyboard_images::{
    content_hash, decode, encode, optimize_file, EncodeSettings, Format, ImageStore, Limits,
    Pixels, StoreConfig,
};
use proptest::prelude::*;

fn store() -> (tempfile::TempDir, ImageStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    (dir, store)
}

/// Refused with `code`, and neither a file nor a row was written for it.
fn assert_refused(store: &ImageStore, root: &Path, bytes: &[u8], code: &str, what: &str) {
    let err = store.ingest(bytes).expect_err(what);
    assert_eq!(err.code(), code, "{what}: {err}");
    assert!(
        !err.to_string().is_empty(),
        "{what}: the error should say why"
    );
    assert!(
        err.is_client_error(),
        "{what}: should be the client's fault (4xx)"
    );
    assert!(
        files_under(&root.join("originals")).is_empty(),
        "{what}: nothing may be stored for a refused upload"
    );
    assert_eq!(
        store.original(&content_hash(bytes)).expect("lookup"),
        None,
        "{what}: no index row"
    );
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    let (dir, store) = store();
    assert_refused(
        &store,
        dir.path(),
        &png_claiming(100_000, 100_000),
        "too_many_pixels",
        "100000×100000 PNG",
    );
    assert_refused(
        &store,
        dir.path(),
        &png_claiming(11_000, 11_000),
        "too_many_pixels",
        "121 MP PNG",
    );
    assert_refused(
        &store,
        dir.path(),
        &png_claiming(20_000, 10),
        "too_many_pixels",
        "20000 px wide PNG",
    );
    assert_refused(
        &store,
        dir.path(),
        &jpeg_claiming(65_000, 65_000),
        "too_many_pixels",
        "65000×65000 JPEG",
    );
}

#[test]
fn oversized_files_are_too_large() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = StoreConfig {
        limits: Limits {
            max_bytes: 100_000,
            ..Limits::default()
        },
        ..StoreConfig::default()
    };
    let store = ImageStore::open(dir.path(), config).expect("store opens");
    assert_refused(
        &store,
        dir.path(),
        &photo("coffee.png"),
        "too_large",
        "466 KB PNG over a 100 KB limit",
    );
}

#[test]
fn truncated_photos_are_refused() {
    let (dir, store) = store();
    let mut files: Vec<(String, Vec<u8>)> =
        PHOTOS.iter().map(|n| (n.to_string(), photo(n))).collect();
    let small = decode(&photo("chelsea.png"), &Limits::default()).expect("decodes");
    let webp = encode(&small, Format::WebP, &EncodeSettings::default()).expect("encodes");
    files.push(("chelsea.webp".into(), webp));
    for (name, bytes) in files {
        for cut in [
            bytes.len() / 10,
            bytes.len() / 2,
            bytes.len() * 9 / 10,
            bytes.len() - 1,
        ] {
            assert_refused(
                &store,
                dir.path(),
                &bytes[..cut],
                "truncated",
                &format!("{name} cut to {cut} bytes"),
            );
        }
    }
}

#[test]
fn the_extension_never_decides() {
    let (dir, store) = store();
    let cases: [(&[u8], &str); 5] = [
        (b"<html><body>not a picture</body></html>", "not_an_image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not_an_image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "not_an_image"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "unsupported_format"),
        (b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "svg_refused"),
    ];
    for (bytes, code) in cases {
        assert_refused(
            &store,
            dir.path(),
            bytes,
            code,
            &format!("{:?}", String::from_utf8_lossy(&bytes[..8])),
        );
        // Same through the command line path, with a picture's extension.
        let input = dir.path().join("photo.jpg");
        std::fs::write(&input, bytes).expect("write");
        let out = dir.path().join("out.webp");
        let err = optimize_file(&input, &out, 100, Format::WebP).expect_err("not a picture");
        assert_eq!(err.code(), code);
        assert!(!out.exists(), "no output is written for refused input");
    }
    // A real PNG named .jpg is a PNG: magic bytes decide, and it is accepted.
    let input = dir.path().join("actually-a-png.jpg");
    std::fs::write(&input, photo("chelsea.png")).expect("write");
    let out = dir.path().join("ok.jpg");
    optimize_file(&input, &out, 100, Format::Jpeg).expect("a PNG with a .jpg name is still a PNG");
}

/// Small valid files in each input format, for the fuzz-style tests.
fn small_inputs() -> Vec<Vec<u8>> {
    let pixels = Pixels {
        width: 24,
        height: 16,
        has_alpha: false,
        data: (0..24 * 16 * 3).map(|i| (i * 7 % 256) as u8).collect(),
    };
    let mut png = Vec::new();
    image::RgbImage::from_raw(24, 16, pixels.data.clone())
        .expect("buffer")
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    vec![
        png,
        encode(&pixels, Format::Jpeg, &EncodeSettings::default()).expect("jpeg"),
        encode(&pixels, Format::WebP, &EncodeSettings::default()).expect("webp"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_and_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let err = decode(&bytes, &Limits::default()).expect_err("random bytes are not an image");
        prop_assert!(err.is_client_error(), "code {}", err.code());
    }

    #[test]
    fn damaged_images_never_panic(which in 0usize..3, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let inputs = small_inputs();
        let mut bytes = inputs[which].clone();
        for (pos, value) in flips {
            let i = pos % bytes.len();
            bytes[i] = value;
        }
        // Either a clean refusal or a picture: never a panic, never a server error.
        if let Err(err) = decode(&bytes, &Limits::default()) {
            prop_assert!(err.is_client_error(), "code {}", err.code());
        }
        let short = &inputs[which][..cut % inputs[which].len()];
        let err = decode(short, &Limits::default()).expect_err("a cut file is refused");
        prop_assert!(err.is_client_error(), "code {}", err.code());
    }
}
