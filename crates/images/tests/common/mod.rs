//! Shared helpers for the integration tests: the sample photos, independent decoders
//! (libavif's `avifdec`, libwebp's `dwebp`, libjpeg-turbo's `djpeg`), DSSIM, and crafted files.
#![allow(dead_code)]

pub mod quality;

use std::path::{Path, PathBuf};
use std::process::Command;

use kidyboard_images::{Format, Pixels};

/// The sample photos (see tests/data/SOURCES.md).
pub const PHOTOS: [&str; 3] = ["coffee.png", "chelsea.png", "grace_hopper.jpg"];

pub fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub fn photo(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name))
        .unwrap_or_else(|e| panic!("sample photo {name} should be readable: {e}"))
}

/// The tool for each format. Missing tools FAIL the test with the install hint.
pub fn decoder_for(format: Format) -> &'static str {
    match format {
        Format::Avif => "avifdec",
        Format::WebP => "dwebp",
        Format::Jpeg => "djpeg",
    }
}

pub fn require_tool(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is required by this test: apt-get install -y libavif-bin webp libjpeg-turbo-progs libvips-tools"
    );
}

/// Decodes `bytes` with the format's reference command-line decoder into RGB8 pixels.
pub fn decode_independently(bytes: &[u8], format: Format) -> Pixels {
    let tool = decoder_for(format);
    require_tool(tool);
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join(format!("in.{}", format.extension()));
    std::fs::write(&input, bytes).expect("write encoded file");
    let (output, args): (PathBuf, Vec<String>) = match format {
        Format::Avif => {
            let out = dir.path().join("out.png");
            (out.clone(), vec![path_arg(&input), path_arg(&out)])
        }
        Format::WebP => {
            let out = dir.path().join("out.png");
            (
                out.clone(),
                vec![path_arg(&input), "-o".into(), path_arg(&out)],
            )
        }
        Format::Jpeg => {
            let out = dir.path().join("out.ppm");
            (
                out.clone(),
                vec!["-outfile".into(), path_arg(&out), path_arg(&input)],
            )
        }
    };
    let run = Command::new(tool)
        .args(&args)
        .output()
        .expect("run decoder");
    assert!(
        run.status.success(),
        "{tool} should decode our {format} output: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let img = image::open(&output).expect("decoder output should be a readable image");
    quality::rgb_pixels(img.into_rgb8())
}

fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A PNG whose header claims `width`×`height`, with a valid CRC and a token IDAT.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    push_chunk(&mut png, b"IHDR", &ihdr);
    push_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    push_chunk(&mut png, b"IEND", &[]);
    png
}

pub fn push_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A baseline JPEG header whose SOF claims `width`×`height` (then EOI; no real data).
pub fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    // SOF0: length 17, precision 8, height, width, 3 components.
    j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    j.extend_from_slice(&height.to_be_bytes());
    j.extend_from_slice(&width.to_be_bytes());
    j.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// The GPS latitude we plant in EXIF, as it appears in the TIFF bytes (a recognisable
/// rational: 19/1 degrees, 25/1 minutes, 4242/100 seconds — Mexico City).
pub const GPS_MARKER: [u8; 8] = [19, 0, 0, 0, 1, 0, 0, 0];

/// Inserts an EXIF APP1 (Orientation = `orientation`, a GPS IFD with a latitude, a camera
/// "Make") right after a JPEG's SOI.
pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // Little-endian TIFF: header, IFD0 with 3 entries, then the GPS IFD with 2 entries.
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes()); // IFD0 at 8
    let ifd0_entries = 3u16;
    let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
    let make_offset = 8 + ifd0_len; // "KidyCam\0" (8 bytes)
    let gps_ifd_offset = make_offset + 8;
    t.extend_from_slice(&ifd0_entries.to_le_bytes());
    // Make (0x010F), ASCII, count 8, offset
    entry(&mut t, 0x010F, 2, 8, make_offset);
    // Orientation (0x0112), SHORT, 1, value in the first 2 bytes
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    // GPSInfo IFD pointer (0x8825), LONG
    entry(&mut t, 0x8825, 4, 1, gps_ifd_offset);
    t.extend_from_slice(&0u32.to_le_bytes()); // no IFD1
    t.extend_from_slice(b"KidyCam\0");
    let gps_entries = 2u16;
    let gps_len = 2 + 12 * u32::from(gps_entries) + 4;
    let lat_offset = gps_ifd_offset + gps_len;
    t.extend_from_slice(&gps_entries.to_le_bytes());
    // GPSLatitudeRef (1), ASCII count 2 "N\0" inline
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
    // GPSLatitude (2), RATIONAL count 3, offset
    entry(&mut t, 0x0002, 5, 3, lat_offset);
    t.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(19u32, 1u32), (25, 1), (4242, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    t.extend_from_slice(&tag.to_le_bytes());
    t.extend_from_slice(&kind.to_le_bytes());
    t.extend_from_slice(&count.to_le_bytes());
    t.extend_from_slice(&value.to_le_bytes());
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
