//! The installer's live preview: the latest frame with face boxes drawn, as a JPEG kept only in
//! memory (never written), and a small server that hands it to signed-in admins on the loopback
//! or the store's LAN.

use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

use crate::detector::Detection;
use crate::frame::Frame;
use crate::tracker::Tracker;

/// Draws the boxes (green for counted visitors, amber for not yet counted) and encodes a JPEG.
pub fn annotate(frame: &Frame, faces: &[Detection], tracker: &Tracker) -> Option<Vec<u8>> {
    let mut img = image::RgbImage::from_raw(frame.width, frame.height, frame.rgb.clone())?;
    for f in faces {
        let counted = tracker.tracks().iter().any(|t| {
            t.confirmed && t.last_seen == frame.captured_at && t.bbox == [f.x, f.y, f.w, f.h]
        });
        let colour = if counted {
            [40, 220, 90]
        } else {
            [250, 180, 30]
        };
        draw_box(&mut img, f, image::Rgb(colour));
    }
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&img)
        .ok()?;
    Some(out.into_inner())
}

fn draw_box(img: &mut image::RgbImage, f: &Detection, colour: image::Rgb<u8>) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (x0, y0) = (f.x as i64, f.y as i64);
    let (x1, y1) = ((f.x + f.w) as i64, (f.y + f.h) as i64);
    for t in 0..3 {
        for x in x0..=x1 {
            for y in [y0 + t, y1 - t] {
                if (0..w).contains(&x) && (0..h).contains(&y) {
                    img.put_pixel(x as u32, y as u32, colour);
                }
            }
        }
        for y in y0..=y1 {
            for x in [x0 + t, x1 - t] {
                if (0..w).contains(&x) && (0..h).contains(&y) {
                    img.put_pixel(x as u32, y as u32, colour);
                }
            }
        }
    }
}

/// The preview may only listen on the loopback or a private LAN address, never a public one.
pub fn check_listen(addr: SocketAddr) -> Result<(), String> {
    let ok = match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        IpAddr::V6(ip) => ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the preview listens only on the loopback or a private LAN address, not {addr}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_and_private_addresses_may_serve_the_preview() {
        for ok in [
            "127.0.0.1:1",
            "192.168.1.20:8081",
            "10.0.0.5:1",
            "[::1]:1",
            "[fd00::1]:1",
        ] {
            assert!(check_listen(ok.parse().expect(ok)).is_ok(), "{ok}");
        }
        for bad in ["0.0.0.0:1", "8.8.8.8:1", "[::]:1", "[2001:db8::1]:1"] {
            assert!(check_listen(bad.parse().expect(bad)).is_err(), "{bad}");
        }
    }
}
