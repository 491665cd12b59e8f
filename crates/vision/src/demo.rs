//! A folder of frames in which people arrive, linger and leave, composed from real photos: for
//! trying the counter without a camera (`kidyboard vision demo-frames`) and for tests, which know
//! exactly whom it should count and for how long.

use std::path::Path;

use crate::error::{Result, VisionError};
use crate::frame::Frame;

/// The photos the sequence is made of (fetched by `scripts/fetch-vision.sh`).
pub const PHOTOS: [&str; 2] = ["astronaut.png", "grace_hopper.jpg"];

/// Who is in view in each frame of [`write_sequence`]: (astronaut, grace hopper).
pub const SCRIPT: [(bool, bool); 36] = {
    let mut s = [(false, false); 36];
    let mut i = 0;
    while i < 36 {
        s[i] = (i < 20, i >= 10 && i < 30);
        i += 1;
    }
    s
};

/// Frame index ranges in which each person is seen: astronaut 0–19, Grace Hopper 10–29.
pub const SEEN: [(usize, usize); 2] = [(0, 19), (10, 29)];

fn paste(dst: &mut Frame, src: &Frame, x: u32, y: u32, w: u32, h: u32) {
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

/// Writes the 36 frames (640×480 PNG, `frame-000.png`…) into `out`.
pub fn write_sequence(photos: &Path, out: &Path) -> Result<()> {
    let astronaut = Frame::open(&photos.join(PHOTOS[0]), 0)?;
    let grace = Frame::open(&photos.join(PHOTOS[1]), 0)?;
    std::fs::create_dir_all(out)
        .map_err(|e| VisionError::Config(format!("{}: {e}", out.display())))?;
    let mut encoded: Vec<((bool, bool), std::path::PathBuf)> = Vec::new();
    for (i, who) in SCRIPT.iter().enumerate() {
        let path = out.join(format!("frame-{i:03}.png"));
        if let Some((_, first)) = encoded.iter().find(|(w, _)| w == who) {
            std::fs::copy(first, &path)
                .map_err(|e| VisionError::Config(format!("{}: {e}", path.display())))?;
            continue;
        }
        let mut frame = Frame::new(640, 480, vec![128; 640 * 480 * 3], 0)?;
        if who.0 {
            paste(&mut frame, &astronaut, 20, 100, 280, 280);
        }
        if who.1 {
            paste(&mut frame, &grace, 340, 80, 260, 305);
        }
        image::save_buffer(&path, &frame.rgb, 640, 480, image::ColorType::Rgb8)
            .map_err(|e| VisionError::Config(format!("{}: {e}", path.display())))?;
        encoded.push((*who, path));
    }
    Ok(())
}
