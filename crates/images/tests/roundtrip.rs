//! Real photos through every format, decoded by independent decoders, held to the quality
//! threshold.

mod common;

use common::{decode_independently, photo, quality::dssim, PHOTOS};
use kidyboard_images::{
    decode, encode, resize, AvifChroma, EncodeSettings, Format, ImageStore, Limits, StoreConfig,
    MAX_DSSIM,
};

#[test]
fn every_photo_round_trips_through_every_format_above_the_quality_threshold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    let mut report = String::new();
    for name in PHOTOS {
        let bytes = photo(name);
        let ingested = store.ingest(&bytes).expect("a real photo is accepted");
        let original = decode(&bytes, &Limits::default()).expect("decodes");
        // A 2× thumbnail and the widest variant this photo has.
        for width in [320, 3840] {
            for format in Format::ALL {
                let served = store
                    .get_variant(&ingested.original.hash, width, format)
                    .expect("variant is made");
                let decoded = decode_independently(&served.bytes, format);
                let reference = resize::resize_to_width(&original, served.width).expect("resizes");
                assert_eq!(
                    (decoded.width, decoded.height),
                    (reference.width, reference.height),
                    "{name} {format} at {width}: the independent decoder should see the size we made"
                );
                let d = dssim(&reference, &decoded);
                report += &format!(
                    "{name} {format} {}px: {} bytes, dssim {d:.5}\n",
                    reference.width,
                    served.bytes.len()
                );
                assert!(
                    d <= MAX_DSSIM,
                    "{name} {format} at {}px has DSSIM {d:.5}, worse than the threshold {MAX_DSSIM}",
                    reference.width
                );
            }
        }
    }
    println!("{report}");
}

#[test]
fn aspect_ratio_is_kept_for_every_preset() {
    let bytes = photo("chelsea.png"); // 451×300
    let original = decode(&bytes, &Limits::default()).expect("decodes");
    for width in kidyboard_images::variants::widths_for(original.width) {
        let r = resize::resize_to_width(&original, width).expect("resizes");
        let expected = f64::from(original.height) * f64::from(r.width) / f64::from(original.width);
        assert!(
            (f64::from(r.height) - expected).abs() <= 0.5,
            "at width {} the height {} should be {expected:.1}",
            r.width,
            r.height
        );
        assert!(r.width <= original.width, "never upscaled");
    }
}

#[test]
fn full_resolution_chroma_stays_under_the_quality_threshold_too() {
    // 4:2:0 is the default; 4:4:4 (through ravif) stays a supported setting.
    let settings = EncodeSettings {
        avif_chroma: AvifChroma::Yuv444,
        ..EncodeSettings::default()
    };
    for name in PHOTOS {
        let original = decode(&photo(name), &Limits::default()).expect("decodes");
        let reference = resize::resize_to_width(&original, 400).expect("resizes");
        let avif = encode(&reference, Format::Avif, &settings).expect("encodes");
        let d = dssim(&reference, &decode_independently(&avif, Format::Avif));
        assert!(
            d <= MAX_DSSIM,
            "{name} as 4:4:4 AVIF at 400px has DSSIM {d:.5}, worse than the threshold {MAX_DSSIM}"
        );
    }
}
