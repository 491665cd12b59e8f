//! EXIF: orientation is honoured, everything else (GPS, camera make) never reaches a variant.

mod common;

use common::{contains, decode_independently, photo, quality::dssim, with_exif, GPS_MARKER};
use kidyboard_images::{
    decode, optimize_bytes, EncodeSettings, Format, ImageStore, Limits, Pixels, StoreConfig,
};

fn rotate_90_clockwise(p: &Pixels) -> Pixels {
    let img = image::RgbImage::from_raw(p.width, p.height, p.data.clone()).expect("rgb buffer");
    common::quality::rgb_pixels(image::imageops::rotate90(&img))
}

#[test]
fn exif_orientation_is_applied_and_gps_is_stripped() {
    // A 300×200 landscape JPEG that says "rotate 90° clockwise to display" and carries GPS.
    let plain = optimize_bytes(
        &photo("coffee.png"),
        300,
        Format::Jpeg,
        &Limits::default(),
        &EncodeSettings::default(),
    )
    .expect("makes a JPEG");
    assert_eq!((plain.width, plain.height), (300, 200));
    let tagged = with_exif(&plain.bytes, 6);
    assert!(
        contains(&tagged, &GPS_MARKER) && contains(&tagged, b"KidyCam"),
        "the test file carries GPS and a camera make"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    let ingested = store.ingest(&tagged).expect("accepted");
    assert_eq!(
        (ingested.original.width, ingested.original.height),
        (200, 300),
        "EXIF orientation 6 turns the landscape picture portrait"
    );

    let upright = rotate_90_clockwise(&decode(&plain.bytes, &Limits::default()).expect("decodes"));
    for format in Format::ALL {
        let served = store
            .get_variant(&ingested.original.hash, 3840, format)
            .expect("variant");
        for needle in [&b"Exif"[..], &b"KidyCam"[..], &GPS_MARKER[..]] {
            assert!(
                !contains(&served.bytes, needle),
                "{format} variant must not carry metadata {:?}",
                String::from_utf8_lossy(needle)
            );
        }
        let decoded = decode_independently(&served.bytes, format);
        assert_eq!(
            (decoded.width, decoded.height),
            (200, 300),
            "{format} variant is portrait"
        );
        let d = dssim(&upright, &decoded);
        assert!(
            d < 0.01,
            "{format} variant should show the picture rotated clockwise (DSSIM {d:.4})"
        );
    }
}

#[test]
fn every_exif_orientation_gives_the_displayed_size() {
    let plain = optimize_bytes(
        &photo("chelsea.png"),
        90,
        Format::Jpeg,
        &Limits::default(),
        &EncodeSettings::default(),
    )
    .expect("makes a JPEG");
    let (w, h) = (plain.width, plain.height);
    for orientation in 1..=8u16 {
        let pixels =
            decode(&with_exif(&plain.bytes, orientation), &Limits::default()).expect("decodes");
        let expected = if orientation >= 5 { (h, w) } else { (w, h) };
        assert_eq!(
            (pixels.width, pixels.height),
            expected,
            "orientation {orientation}"
        );
    }
}
