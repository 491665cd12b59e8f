//! Decompression bombs in every accepted format: a small file whose header claims a canvas that
//! takes hundreds of megabytes to decode. Each is refused from its header, before any decoder
//! allocates a pixel (the store's decode counter stays at zero), with a clear code.

mod common;

use common::{jpeg_claiming, png_claiming, push_chunk};
use kidyboard_images::{content_hash, probe, ImageStore, Limits, StoreConfig};
use kidyboard_testkit::bombs::{filler, flat_png, ColorType};

fn store() -> (tempfile::TempDir, ImageStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    (dir, store)
}

/// Refused with `code` and `status`, nothing stored, and no decode ran.
fn assert_refused_unread(store: &ImageStore, bytes: &[u8], code: &str, status: u16, what: &str) {
    let err = store.ingest(bytes).expect_err(what);
    assert_eq!(
        (err.code(), err.http_status()),
        (code, status),
        "{what}: {err}"
    );
    assert_eq!(
        store.stats().decodes,
        0,
        "{what}: refused from the header, before decoding"
    );
    assert_eq!(
        store.original(&content_hash(bytes)).expect("lookup"),
        None,
        "{what}: nothing stored"
    );
}

#[test]
fn a_190_kb_png_of_7071_by_7071_is_refused_before_decoding() {
    let bomb = flat_png(7071, ColorType::Rgb, 0x5A, 0);
    assert!(
        bomb.len() < 400_000,
        "the bomb is small: {} bytes for 150 MB of pixels",
        bomb.len()
    );
    let (_dir, store) = store();
    assert_refused_unread(
        &store,
        &bomb,
        "decompression_bomb",
        413,
        "7071×7071 PNG in a small file",
    );
    // Grey is the cheapest file for the largest decode (×3 when expanded to RGB).
    let grey = flat_png(7071, ColorType::Grayscale, 0x5A, 0);
    assert_refused_unread(
        &store,
        &grey,
        "decompression_bomb",
        413,
        "7071×7071 grey PNG",
    );
}

#[test]
fn a_padded_bomb_still_cannot_take_more_memory_than_one_picture_may() {
    // Padding gets past the proportion check; 16-bit RGBA at 6000×6000 would then need
    // 288 MB for the decoder's buffer and 144 MB for the 8-bit copy.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&6000u32.to_be_bytes());
    ihdr.extend_from_slice(&6000u32.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    push_chunk(&mut png, b"IHDR", &ihdr);
    push_chunk(&mut png, b"pdNg", &filler(400_000));
    push_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    push_chunk(&mut png, b"IEND", &[]);
    let (_dir, store) = store();
    assert_refused_unread(
        &store,
        &png,
        "too_many_pixels",
        413,
        "padded 16-bit 6000×6000 PNG",
    );
    let probed = probe(
        &flat_png(4000, ColorType::Rgba, 0x5A, 0),
        &Limits::default(),
    )
    .expect("an ordinary 16 MP RGBA picture passes");
    assert_eq!(
        probed.decode_bytes,
        4000 * 4000 * 4,
        "8-bit RGBA needs just its buffer"
    );
}

#[test]
fn bombs_in_jpeg_and_webp_are_refused_before_decoding() {
    let (_dir, store) = store();
    // A real grey baseline JPEG of 7071×7071, one flat colour: a few hundred KB.
    let side = 7071usize;
    let mut jpeg = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_GRAYSCALE);
    jpeg.set_size(side, side);
    jpeg.set_quality(80.0);
    let mut started = jpeg.start_compress(Vec::new()).expect("jpeg start");
    let row = vec![0x80u8; side];
    for _ in 0..side {
        started.write_scanlines(&row).expect("jpeg row");
    }
    let jpeg = started.finish().expect("jpeg finish");
    assert_refused_unread(
        &store,
        &jpeg,
        "decompression_bomb",
        413,
        "7071×7071 grey JPEG",
    );
    assert_refused_unread(
        &store,
        &jpeg_claiming(65_000, 65_000),
        "too_many_pixels",
        413,
        "65000×65000 JPEG header",
    );
    // WebP lossless (VP8L) header claiming 7071×7071 over a kilobyte of data.
    let mut vp8l = vec![0x2F];
    let bits: u32 = (7070) | (7070 << 14);
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&filler(1024));
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
    webp.extend_from_slice(b"WEBPVP8L");
    webp.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    webp.extend_from_slice(&vp8l);
    assert_refused_unread(
        &store,
        &webp,
        "decompression_bomb",
        413,
        "7071×7071 WebP header",
    );
}

#[test]
fn truncated_bombs_are_refused_before_decoding() {
    let (_dir, store) = store();
    let bomb = flat_png(7071, ColorType::Rgb, 0x5A, 0);
    assert_refused_unread(
        &store,
        &bomb[..bomb.len() / 2],
        "truncated",
        422,
        "a PNG bomb cut in half",
    );
    assert_refused_unread(
        &store,
        &png_claiming(7071, 7071)[..40],
        "truncated",
        422,
        "a PNG header cut short",
    );
    // GIF is not accepted at all; a truncated 65535×65535 GIF is refused for its format.
    assert_refused_unread(
        &store,
        b"GIF89a\xff\xff\xff\xff\xf7\x00\x00",
        "unsupported_format",
        415,
        "a truncated GIF claiming 65535×65535",
    );
}
