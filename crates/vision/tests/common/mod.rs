//! Shared by the vision tests: the real model and photos that `scripts/fetch-vision.sh` fetched
//! from PyPI. When they are missing the tests fail and say what to run; they never skip.

#![allow(dead_code)]

use std::path::PathBuf;

use kidyboard_vision::{DetectorOptions, FaceDetector, Frame, ModelPaths};

pub fn photos_dir() -> PathBuf {
    let dir = kidyboard_vision::runtime::default_dir().join("photos");
    assert!(
        dir.join("astronaut.png").is_file(),
        "test photos missing in {}: run scripts/fetch-vision.sh first",
        dir.display()
    );
    dir
}

pub fn photo(name: &str) -> Frame {
    Frame::open(&photos_dir().join(name), 0).unwrap_or_else(|e| panic!("photo {name}: {e}"))
}

pub fn detector() -> FaceDetector {
    FaceDetector::load(&ModelPaths::from_env(), DetectorOptions::default()).unwrap_or_else(|e| {
        panic!("the face detector must load (run scripts/fetch-vision.sh): {e}")
    })
}

/// Draws `src` scaled (nearest pixel) into `dst` with its top-left at (x, y).
pub fn paste(dst: &mut Frame, src: &Frame, x: u32, y: u32, w: u32, h: u32) {
    for yy in 0..h {
        for xx in 0..w {
            let (dx, dy) = (x + xx, y + yy);
            if dx >= dst.width || dy >= dst.height {
                continue;
            }
            let sx = (xx as u64 * src.width as u64 / w as u64) as u32;
            let sy = (yy as u64 * src.height as u64 / h as u64) as u32;
            let p = src.pixel(sx, sy);
            let i = ((dy * dst.width + dx) * 3) as usize;
            dst.rgb[i..i + 3].copy_from_slice(&p);
        }
    }
}

/// A plain grey canvas (a wall with nobody in front).
pub fn canvas(width: u32, height: u32, at: i64) -> Frame {
    Frame::new(width, height, vec![128; (width * height * 3) as usize], at).expect("canvas")
}
