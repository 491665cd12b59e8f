//! DSSIM between two RGB pictures of the same size (0 = identical; larger = worse), with
//! `dssim-core`, the metric behind the `dssim` tool. Shared by the tests and `calibrate`.

use kidyboard_images::Pixels;

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
