//! Real decompression bombs: small files that decode to hundreds of megabytes. They are made
//! row by row, so the tests never hold the canvases they describe.

pub use png::ColorType;

/// A complete, decodable PNG of `side`×`side` pixels of one `shade` (8-bit `color`), with
/// `padding` bytes of incompressible filler in a private chunk that decoders skip (to reach any
/// file size). 7071×7071 RGB is about 150–200 KB and decodes to 150 MB; another `shade` makes
/// another file (another content hash) of the same size.
pub fn flat_png(side: u32, color: ColorType, shade: u8, padding: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().expect("png header");
    if padding > 0 {
        writer
            .write_chunk(png::chunk::ChunkType(*b"pdNg"), &filler(padding))
            .expect("padding chunk");
    }
    let row = vec![shade; side as usize * color.samples()];
    {
        let mut stream = writer.stream_writer().expect("png stream");
        for _ in 0..side {
            std::io::Write::write_all(&mut stream, &row).expect("png row");
        }
        stream.finish().expect("png end");
    }
    writer.finish().expect("png finish");
    out
}

/// Bytes that do not compress (a xorshift sequence), so padding really is file size.
pub fn filler(len: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
