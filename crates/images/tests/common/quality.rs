//! How far an encoded picture is from its reference, and the decoding to measure it. Shared by
//! the tests, the examples and the bench.
//! - DSSIM (`dssim-core`, the metric behind the `dssim` tool): 0 = identical, larger = worse.
//!   Our calibration and test thresholds use it.
//! - SSIMULACRA2 (`ssimulacra2`, the rust-av port of libjxl's tool): 100 = identical, 90 ≈
//!   visually lossless, 70 ≈ high quality, 50 ≈ medium. Built to rank codecs' artifacts the way
//!   people do (blocking, ringing, blur), where DSSIM is kinder to JPEG's blocking.

use kidyboard_images::{Format, Pixels};

/// Decodes an encoded picture to RGB to measure it: `avifdec` for AVIF (the `image` crate here
/// is built without an AV1 decoder), `image` for WebP and JPEG.
pub fn decode_to_measure(bytes: &[u8], format: Format) -> Pixels {
    rgb_pixels(match format {
        Format::Avif => avifdec(bytes).into_rgb8(),
        _ => image::load_from_memory(bytes).expect("decodes").into_rgb8(),
    })
}

/// Decodes an AVIF with libavif's `avifdec`, through a PNG in a temp dir.
pub fn avifdec(bytes: &[u8]) -> image::DynamicImage {
    let dir = tempfile::tempdir().expect("temp dir");
    let (i, o) = (dir.path().join("in.avif"), dir.path().join("out.png"));
    std::fs::write(&i, bytes).expect("write");
    let out = std::process::Command::new("avifdec")
        .arg(&i)
        .arg(&o)
        .output()
        .expect("avifdec (apt-get install libavif-bin)");
    assert!(
        out.status.success(),
        "avifdec failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    image::open(&o).expect("png")
}

/// An RGB image as the pipeline's `Pixels`.
pub fn rgb_pixels(rgb: image::RgbImage) -> Pixels {
    Pixels {
        width: rgb.width(),
        height: rgb.height(),
        has_alpha: false,
        data: rgb.into_raw(),
    }
}

pub fn dssim(reference: &Pixels, candidate: &Pixels) -> f64 {
    assert_eq!(
        (reference.width, reference.height),
        (candidate.width, candidate.height),
        "DSSIM needs pictures of the same size"
    );
    let d = dssim_core::Dssim::new();
    let to_image = |p: &Pixels| {
        let rgb: Vec<rgb::RGB8> = rgb_bytes(p)
            .chunks_exact(3)
            .map(|c| rgb::RGB8::new(c[0], c[1], c[2]))
            .collect();
        d.create_image_rgb(&rgb, p.width as usize, p.height as usize)
            .expect("dssim image")
    };
    let (val, _) = d.compare(&to_image(reference), to_image(candidate));
    f64::from(val)
}

fn rgb_bytes(p: &Pixels) -> Vec<u8> {
    if p.has_alpha {
        p.data
            .chunks_exact(4)
            .flat_map(|c| [c[0], c[1], c[2]])
            .collect()
    } else {
        p.data.clone()
    }
}

/// SSIMULACRA2 score of `candidate` against `reference` (sRGB, BT.709 primaries).
pub fn ssimulacra2(reference: &Pixels, candidate: &Pixels) -> f64 {
    use ssimulacra2::{ColorPrimaries, Rgb, TransferCharacteristic};
    let to_rgb = |p: &Pixels| {
        let data: Vec<[f32; 3]> = rgb_bytes(p)
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]].map(|v| f32::from(v) / 255.0))
            .collect();
        Rgb::new(
            data,
            p.width as usize,
            p.height as usize,
            TransferCharacteristic::SRGB,
            ColorPrimaries::BT709,
        )
        .expect("rgb frame")
    };
    ssimulacra2::compute_frame_ssimulacra2(to_rgb(reference), to_rgb(candidate))
        .expect("SSIMULACRA2 needs pictures of the same size, at least 8×8")
}
