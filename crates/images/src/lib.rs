//! Kidyboard's image pipeline: product, service and menu pictures, uploaded by the admin or
//! pulled from the cloud catalogue, served instantly and offline in the smallest format each
//! screen supports.
//!
//! - Upload: [`ImageStore::ingest`] sniffs the real format, refuses non-images, SVG, oversized
//!   files and decompression bombs (dimensions, proportion to the file and decode memory
//!   checked from the header before decoding; decodes share one memory budget), honours EXIF
//!   orientation and stores the original once under its sha256.
//! - Serve: [`negotiate`] picks AVIF → WebP → JPEG from `Accept`; [`ImageStore::get_variant`]
//!   answers bytes + strong ETag + content type, computing a missing variant once however
//!   many ask; [`ServedVariant::headers`] lists the headers to set verbatim.
//! - Ahead of time: [`ImageStore::prepare_all`] and [`prefetch()`] make every preset width in
//!   every format; the variant cache is an LRU under a byte budget that survives restarts.
//! - Command line: [`optimize_file`] backs `kidyboard image optimize`.
//!
//! Everything blocks (decoding and encoding are CPU work): async callers use `spawn_blocking`.

mod avif;
mod budget;
mod cache;
pub mod decode;
pub mod encode;
pub mod error;
pub mod fetch;
pub mod format;
mod index;
pub mod limits;
pub mod negotiate;
pub mod optimize;
pub mod originals;
pub mod prefetch;
pub mod resize;
mod single_flight;
pub mod sniff;
pub mod store;
pub mod variants;

pub use cache::{CacheUsage, VariantKey};
pub use decode::{decode, probe, Pixels, Probe};
pub use encode::{encode, AvifChroma, EncodeSettings, MAX_DSSIM, TARGET_DSSIM};
pub use error::{Error, Result};
pub use fetch::{FetchPolicy, UreqFetcher};
pub use format::Format;
pub use limits::Limits;
pub use negotiate::{etag_matches, negotiate, CACHE_CONTROL, VARY};
pub use optimize::{optimize_bytes, optimize_file, Optimized};
pub use originals::{content_hash, validate_hash, Original};
pub use prefetch::{fetch_source, prefetch, Fetch, PrefetchItem, PrefetchReport};
pub use sniff::InputFormat;
pub use store::{ImageStore, Ingested, ServedVariant, StoreConfig, StoreStats};
