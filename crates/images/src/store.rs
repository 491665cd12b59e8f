//! `ImageStore`: the one object the hub holds. Upload (`ingest`), serve (`get_variant`),
//! prepare ahead of time (`prepare_all`), all over a directory of its own.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::budget::{DecodeBudget, Reservation};
use crate::cache::{CacheUsage, VariantCache, VariantKey};
use crate::decode::{self, Pixels};
use crate::encode::{self, EncodeSettings};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::index::Index;
use crate::limits::Limits;
use crate::negotiate::{CACHE_CONTROL, VARY};
use crate::originals::{self, Original};
use crate::resize;
use crate::single_flight::SingleFlight;
use crate::variants;

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Upload limits (bytes, pixels).
    pub limits: Limits,
    /// Encoder qualities; the default is the calibrated set.
    pub encode: EncodeSettings,
    /// Byte budget for variants. Originals do not count and are never evicted. Size it to
    /// hold every variant of the catalogue (about 60 × the catalogue's image count in KB is
    /// plenty for typical photos), or an offline store will have to re-encode on demand.
    pub variant_budget_bytes: u64,
    /// Memory that decodes running at the same time may take together, in bytes (each
    /// reserves its header's estimate; the rest wait). At the default, one picture at the
    /// per-picture limit decodes at a time, or several ordinary photos side by side.
    pub decode_budget_bytes: u64,
    /// How many catalogue pictures `/img/remote` may be fetching at once; more wait for the
    /// next request (the screen shows its placeholder meanwhile).
    pub max_concurrent_fetches: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            limits: Limits::default(),
            encode: EncodeSettings::default(),
            variant_budget_bytes: 2 * 1024 * 1024 * 1024,
            decode_budget_bytes: Limits::default().max_decode_bytes,
            max_concurrent_fetches: 2,
        }
    }
}

/// What an upload became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub original: Original,
    /// False when the same bytes were already stored (the upload was a duplicate).
    pub newly_stored: bool,
}

/// A variant ready to send: the bytes and everything the response needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedVariant {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// The preset width served (the picture itself may be narrower: no upscaling).
    pub width: u32,
    /// Strong ETag, quoted, ready for the header.
    pub etag: String,
}

impl ServedVariant {
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// The response headers, to be set verbatim: `Content-Type`, `ETag`, `Cache-Control`,
    /// `Vary`.
    pub fn headers(&self) -> [(&'static str, String); 4] {
        [
            ("Content-Type", self.content_type().to_owned()),
            ("ETag", self.etag.clone()),
            ("Cache-Control", CACHE_CONTROL.to_owned()),
            ("Vary", VARY.to_owned()),
        ]
    }
}

/// Counters for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreStats {
    /// Variants served from the cache.
    pub hits: u64,
    /// Variants encoded (misses and prefetch).
    pub encodes: u64,
    /// Pictures decoded (uploads, variants, prefetch). A refused bomb does not count: it is
    /// refused from its header.
    pub decodes: u64,
}

/// The image store. `Send + Sync`: share one behind an `Arc`; calls block (they decode and
/// encode), so async callers use `spawn_blocking`.
pub struct ImageStore {
    root: PathBuf,
    config: StoreConfig,
    index: Index,
    cache: VariantCache,
    flight: SingleFlight<VariantKey>,
    budget: DecodeBudget,
    pub(crate) remote: crate::fetch::RemoteGate,
    hits: AtomicU64,
    encodes: AtomicU64,
    decodes: AtomicU64,
}

impl ImageStore {
    /// Opens (creating if needed) a store in `root`: `originals/`, `variants/`, `index.sqlite`.
    pub fn open(root: impl AsRef<Path>, config: StoreConfig) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        std::fs::create_dir_all(root.join("originals"))?;
        let index = Index::open(&root.join("index.sqlite"))?;
        let cache = VariantCache::open(&root, &index, config.variant_budget_bytes)?;
        Ok(ImageStore {
            root,
            budget: DecodeBudget::new(config.decode_budget_bytes),
            remote: crate::fetch::RemoteGate::new(config.max_concurrent_fetches),
            config,
            index,
            cache,
            flight: SingleFlight::new(),
            hits: AtomicU64::new(0),
            encodes: AtomicU64::new(0),
            decodes: AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Validates an upload completely (format by magic bytes, size, header dimensions and
    /// proportion, a full decode under limits and the shared decode budget) and stores it once
    /// under its sha256. Nothing is written unless every check passed.
    pub fn ingest(&self, bytes: &[u8]) -> Result<Ingested> {
        let hash = originals::content_hash(bytes);
        if let Some(original) = originals::lookup(&self.index, &hash)? {
            return Ok(Ingested {
                original,
                newly_stored: false,
            });
        }
        let (probe, decoded) = self.decode_reserved(bytes, 0)?;
        // EXIF may have turned the picture: the upright size is the one screens see.
        let (width, height) = (decoded.pixels.width, decoded.pixels.height);
        drop(decoded);
        let original = Original {
            hash,
            format: probe.format,
            width,
            height,
            bytes: bytes.len() as u64,
        };
        originals::insert(&self.root, &self.index, &original, bytes)?;
        tracing::info!(hash = %original.hash, width = original.width, height = original.height, "stored image original");
        Ok(Ingested {
            original,
            newly_stored: true,
        })
    }

    /// Remembers that `url` (a picture referenced by the cloud catalogue) has the content
    /// `hash`, so screens can ask for it by URL and be served from the store while offline.
    pub fn remember_source(&self, url: &str, hash: &str) -> Result<()> {
        originals::validate_hash(hash)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        self.index.conn().execute(
            "INSERT INTO sources (url, hash, fetched_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (url) DO UPDATE SET hash = excluded.hash, fetched_at = excluded.fetched_at",
            rusqlite::params![url, hash, now],
        )?;
        Ok(())
    }

    /// The content hash of the picture fetched from `url`, when it has been fetched and its
    /// original is still stored.
    pub fn hash_for_url(&self, url: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        let hash: Option<String> = self
            .index
            .conn()
            .query_row(
                "SELECT s.hash FROM sources s JOIN originals o ON o.hash = s.hash WHERE s.url = ?1",
                rusqlite::params![url],
                |r| r.get(0),
            )
            .optional()?;
        Ok(hash)
    }

    /// The stored original's description, if any.
    pub fn original(&self, hash: &str) -> Result<Option<Original>> {
        originals::validate_hash(hash)?;
        originals::lookup(&self.index, hash)
    }

    /// The stored original's bytes, if any (to relay a picture to another branch).
    pub fn original_bytes(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        if self.original(hash)?.is_none() {
            return Ok(None);
        }
        originals::read(&self.root, hash).map(Some)
    }

    /// The variant of `hash` at `width` (snapped up to a preset, never wider than the picture)
    /// in `format`: from the cache, or computed once however many callers ask at the same time.
    pub fn get_variant(&self, hash: &str, width: u32, format: Format) -> Result<ServedVariant> {
        originals::validate_hash(hash)?;
        let original = originals::lookup(&self.index, hash)?
            .ok_or_else(|| Error::NotFound(hash.to_owned()))?;
        let key = VariantKey {
            hash: hash.to_owned(),
            width: served_width(width, original.width)?,
            format,
        };
        if let Some(hit) = self.hit(&key)? {
            return Ok(hit);
        }
        self.flight.run(&key, || {
            if let Some(hit) = self.hit(&key)? {
                return Ok(hit);
            }
            let working = variant_bytes(original.width, original.height, key.width);
            let decoded = self.decode_original(hash, working)?;
            let (bytes, etag) = self.encode_and_store(&decoded.pixels, &key)?;
            Ok(ServedVariant {
                bytes,
                format,
                width: key.width,
                etag,
            })
        })
    }

    /// Makes every preset width in every format for `hash` (decoding the original once).
    /// Answers how many variants were encoded (0 when all were already cached).
    pub fn prepare_all(&self, hash: &str) -> Result<usize> {
        originals::validate_hash(hash)?;
        let original = originals::lookup(&self.index, hash)?
            .ok_or_else(|| Error::NotFound(hash.to_owned()))?;
        let widths = variants::widths_for(original.width);
        let widest = widths.iter().copied().max().unwrap_or(variants::MAX_WIDTH);
        // The memory stays reserved until every variant is made: the decode, and the work of
        // the widest variant (the most any one of them takes).
        let working = variant_bytes(original.width, original.height, widest);
        let mut pixels: Option<Decoded<'_>> = None;
        let mut encoded = 0;
        for width in widths {
            for format in Format::ALL {
                let key = VariantKey {
                    hash: hash.to_owned(),
                    width,
                    format,
                };
                let made = self.flight.run(&key, || -> Result<bool> {
                    if self.cache.contains(&self.index, &key)? {
                        return Ok(false);
                    }
                    if pixels.is_none() {
                        let decoded = self.decode_original(hash, working)?;
                        pixels = Some(decoded.narrowed_to(widest)?);
                    }
                    match &pixels {
                        Some(d) => self.encode_and_store(&d.pixels, &key).map(|_| true),
                        None => Ok(false),
                    }
                })?;
                encoded += usize::from(made);
            }
        }
        Ok(encoded)
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            hits: self.hits.load(Ordering::Relaxed),
            encodes: self.encodes.load(Ordering::Relaxed),
            decodes: self.decodes.load(Ordering::Relaxed),
        }
    }

    pub fn cache_usage(&self) -> Result<CacheUsage> {
        self.cache.usage(&self.index)
    }

    /// Where a variant's file lives (for tests and for the hub's diagnostics).
    pub fn variant_path(&self, hash: &str, width: u32, format: Format) -> PathBuf {
        self.cache.path(&VariantKey {
            hash: hash.to_owned(),
            width,
            format,
        })
    }

    fn hit(&self, key: &VariantKey) -> Result<Option<ServedVariant>> {
        Ok(self.cache.get(&self.index, key)?.map(|(bytes, etag)| {
            self.hits.fetch_add(1, Ordering::Relaxed);
            ServedVariant {
                bytes,
                format: key.format,
                width: key.width,
                etag,
            }
        }))
    }

    /// The original's pixels, with `working` bytes more reserved for what is made from them.
    fn decode_original(&self, hash: &str, working: u64) -> Result<Decoded<'_>> {
        let bytes = originals::read(&self.root, hash)?;
        self.decode_reserved(&bytes, working)
            .map(|(_, decoded)| decoded)
    }

    /// Probes (cheap, refuses bombs), waits for the decode's memory (and `working` bytes more)
    /// to fit the budget, then decodes. The reservation must outlive the pixels.
    fn decode_reserved(&self, bytes: &[u8], working: u64) -> Result<(decode::Probe, Decoded<'_>)> {
        let probe = decode::probe(bytes, &self.config.limits)?;
        let reservation = self
            .budget
            .reserve(probe.decode_bytes.saturating_add(working));
        self.decodes.fetch_add(1, Ordering::Relaxed);
        let pixels = decode::decode_after_probe(bytes, probe, &self.config.limits)?;
        Ok((
            probe,
            Decoded {
                pixels,
                _reservation: reservation,
            },
        ))
    }

    fn encode_and_store(&self, pixels: &Pixels, key: &VariantKey) -> Result<(Vec<u8>, String)> {
        // At the picture's own width there is nothing to resize: encode it as it is rather
        // than from a copy (44 MB for the widest variant of a large picture).
        let (w, h) = resize::fitted_size(pixels.width, pixels.height, key.width);
        let bytes = if (w, h) == (pixels.width, pixels.height) {
            encode::encode(pixels, key.format, &self.config.encode)?
        } else {
            let resized = resize::resize_to_width(pixels, key.width)?;
            encode::encode(&resized, key.format, &self.config.encode)?
        };
        self.encodes.fetch_add(1, Ordering::Relaxed);
        let etag = self.cache.put(&self.index, key, &bytes)?;
        Ok((bytes, etag))
    }
}

/// Pixels and the decode memory reserved for them. Fields drop in order: the pixels are freed
/// before the reservation ends (and hands freed memory back to the system).
struct Decoded<'a> {
    pixels: Pixels,
    _reservation: Reservation<'a>,
}

impl Decoded<'_> {
    /// A picture wider than the widest variant is brought down to it once, and the full-size
    /// pixels freed: the variants are made from this (a 50 MP original then needs 44 MB
    /// instead of 150 MB while the encoders work). Narrower pictures are kept as they are.
    fn narrowed_to(self, widest: u32) -> Result<Self> {
        if self.pixels.width <= widest {
            return Ok(self);
        }
        let Decoded {
            pixels,
            _reservation,
        } = self;
        let narrowed = resize::resize_to_width(&pixels, widest)?;
        drop(pixels);
        Ok(Decoded {
            pixels: narrowed,
            _reservation,
        })
    }
}

/// Working memory, beyond the source pixels, to make one variant `width` wide: the resize's
/// intermediate (as wide as the output, as tall as the source) and output buffers, and the
/// encoder's own, where AVIF's dominates: about 18 bytes a pixel at 3840×3840, measured with
/// `cargo bench -p kidyboard-hub -- images`.
fn variant_bytes(source_width: u32, source_height: u32, width: u32) -> u64 {
    let (w, h) = resize::fitted_size(source_width, source_height, width);
    let (w, h, source_height) = (u64::from(w), u64::from(h), u64::from(source_height));
    w * source_height * 4 + w * h * 4 + w * h * 20
}

impl Drop for ImageStore {
    /// Keeps the recency of the last hits across a restart.
    fn drop(&mut self) {
        if let Err(err) = self.cache.flush_touches(&self.index) {
            tracing::warn!(error = %err, "could not save image cache recency");
        }
    }
}

/// The preset a request is served at: snapped up, but no wider than the preset that already
/// covers the whole picture (so `widths_for` prepared it).
fn served_width(requested: u32, original_width: u32) -> Result<u32> {
    let snapped = variants::snap_width(requested)?;
    let covering = variants::snap_width(original_width.clamp(1, variants::MAX_WIDTH))?;
    Ok(snapped.min(covering))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<ImageStore>();
    }

    #[test]
    fn requests_never_go_past_the_preset_covering_the_picture() {
        assert_eq!(served_width(960, 600).ok(), Some(800));
        assert_eq!(served_width(100, 600).ok(), Some(160));
        assert_eq!(served_width(3840, 8000).ok(), Some(3840));
        assert_eq!(served_width(0, 600).unwrap_err().code(), "invalid_width");
        for w in variants::widths_for(600) {
            assert_eq!(
                served_width(w, 600).ok(),
                Some(w),
                "prefetched widths are served as-is"
            );
        }
    }
}
