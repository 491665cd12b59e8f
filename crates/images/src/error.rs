//! One error type for the whole pipeline. Each variant has a stable machine code (`code()`)
//! and a suggested HTTP status (`http_status()`), so the hub can answer
//! `{ "error": { "code", "message" } }` without knowing the pipeline's insides.

/// Everything that can go wrong between bytes in and bytes out.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not any image format we recognise (by magic bytes, never by extension).
    #[error("the file is not an image (its first bytes match no known image format)")]
    NotAnImage,
    /// An image, but of a format we do not accept (GIF, TIFF, HEIC, AVIF input, BMP…).
    #[error("image format {0} is not accepted; upload JPEG, PNG or WebP")]
    UnsupportedFormat(&'static str),
    /// SVG can carry scripts and external references; we refuse it rather than sanitise it.
    #[error("SVG images are refused (they can carry scripts); upload JPEG, PNG or WebP")]
    SvgRefused,
    /// More bytes than the limit.
    #[error("the file is {actual} bytes; the limit is {limit} bytes")]
    TooLarge { actual: u64, limit: u64 },
    /// The header claims more pixels (or a longer side) than the limit: a decompression bomb
    /// or simply a picture far larger than any screen needs.
    #[error("the image is {width}×{height} pixels; the limit is {max_pixels} pixels and {max_side} per side")]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    /// A canvas out of all proportion to the file's size: what a decompression bomb looks like
    /// (a 190 KB PNG claiming 7071×7071 pixels would take 150–400 MB to decode).
    #[error("the image claims {width}×{height} pixels in only {file_bytes} bytes: refused as a decompression bomb")]
    Bomb {
        width: u32,
        height: u32,
        file_bytes: u64,
    },
    /// Decoding would take more memory than one picture may (large and 16-bit, for instance).
    #[error("decoding this {width}×{height} image would take {needed} bytes of memory; the limit is {limit}")]
    DecodeTooLarge {
        width: u32,
        height: u32,
        needed: u64,
        limit: u64,
    },
    /// The file ends before the image does.
    #[error("the image file is truncated (it ends before the image data does)")]
    Truncated,
    /// The header parsed but the image data is damaged.
    #[error("the image data is corrupt: {0}")]
    Corrupt(String),
    /// Content hashes are 64 lowercase hex digits (sha256).
    #[error("`{0}` is not an image hash (64 lowercase hexadecimal digits)")]
    InvalidHash(String),
    /// A width of zero or beyond the largest variant.
    #[error("width {0} is not available; widths go from 1 to {max}", max = crate::variants::MAX_WIDTH)]
    InvalidWidth(u32),
    /// A format name other than avif, webp, jpeg/jpg.
    #[error("`{0}` is not an output format; use avif, webp or jpeg")]
    InvalidFormat(String),
    /// No original with this hash is stored.
    #[error("no image with hash {0}")]
    NotFound(String),
    /// Prefetched bytes do not hash to the hash the catalogue announced.
    #[error("downloaded image hashes to {actual}, expected {expected}")]
    HashMismatch { expected: String, actual: String },
    /// The HTTP fetch of a catalogue image failed.
    #[error("fetching {url} failed: {reason}")]
    Fetch { url: String, reason: String },
    /// An encoder refused our own pixels (a bug or resource exhaustion, not the user's fault).
    #[error("encoding {format} failed: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
    /// File-system trouble in the store or the cache.
    #[error("image store I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The cache index (SQLite) failed.
    #[error("image cache index error: {0}")]
    Index(#[from] rusqlite::Error),
}

impl Error {
    /// Stable, machine-readable code for clients to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotAnImage => "not_an_image",
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::SvgRefused => "svg_refused",
            Error::TooLarge { .. } => "too_large",
            Error::TooManyPixels { .. } | Error::DecodeTooLarge { .. } => "too_many_pixels",
            Error::Bomb { .. } => "decompression_bomb",
            Error::Truncated => "truncated",
            Error::Corrupt(_) => "corrupt_image",
            Error::InvalidHash(_) => "invalid_hash",
            Error::InvalidWidth(_) => "invalid_width",
            Error::InvalidFormat(_) => "invalid_format",
            Error::NotFound(_) => "not_found",
            Error::HashMismatch { .. } => "hash_mismatch",
            Error::Fetch { .. } => "fetch_failed",
            Error::Encode { .. } => "encode_failed",
            Error::Io(_) => "io_error",
            Error::Index(_) => "cache_index_error",
        }
    }

    /// The HTTP status the hub should answer with. 4xx are the client's fault and safe to show;
    /// 5xx messages should be logged and replaced by a generic one.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::NotAnImage | Error::UnsupportedFormat(_) | Error::SvgRefused => 415,
            Error::TooLarge { .. }
            | Error::TooManyPixels { .. }
            | Error::DecodeTooLarge { .. }
            | Error::Bomb { .. } => 413,
            Error::Truncated | Error::Corrupt(_) => 422,
            Error::InvalidHash(_) | Error::InvalidWidth(_) | Error::InvalidFormat(_) => 400,
            Error::NotFound(_) => 404,
            Error::HashMismatch { .. } | Error::Fetch { .. } => 502,
            Error::Encode { .. } | Error::Io(_) | Error::Index(_) => 500,
        }
    }

    /// True when the error is the caller's input, not our fault.
    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.http_status())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
