//! Background prefetch: the hub's sync worker hands over the catalogue's pictures; we fetch
//! the missing originals, check them like uploads, and prepare every variant, so a store that
//! goes offline afterwards already has every picture at every size in every format.
//!
//! Blocking by design (it decodes and encodes): run it on a worker thread or `spawn_blocking`.

use crate::error::{Error, Result};
use crate::originals;
use crate::store::ImageStore;

/// One catalogue picture: where to get it, and its content hash when the catalogue knows it
/// (then nothing is fetched if we already have it, and the bytes are checked against it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefetchItem {
    pub url: String,
    pub hash: Option<String>,
}

/// Fetches bytes by URL. The hub may implement it over its own HTTP client;
/// [`crate::UreqFetcher`] is a blocking one that keeps to a [`crate::FetchPolicy`].
pub trait Fetch: Send + Sync {
    /// The body of `url`, refusing bodies longer than `max_bytes` (`Error::TooLarge`).
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>>;
}

/// What a prefetch run did.
#[derive(Debug, Default)]
pub struct PrefetchReport {
    /// Hashes whose variants are all ready.
    pub ready: Vec<String>,
    /// Originals downloaded in this run.
    pub fetched: usize,
    /// Variants encoded in this run.
    pub encoded: usize,
    /// Items that failed, with why (the rest still ran).
    pub failed: Vec<(PrefetchItem, Error)>,
}

/// Fetches what is missing and prepares every variant of every item. One bad picture does
/// not stop the others; it is reported in `failed`.
pub fn prefetch(store: &ImageStore, fetcher: &dyn Fetch, items: &[PrefetchItem]) -> PrefetchReport {
    let mut report = PrefetchReport::default();
    for item in items {
        match prefetch_one(store, fetcher, item, &mut report) {
            Ok(hash) => report.ready.push(hash),
            Err(err) => {
                tracing::warn!(url = %item.url, code = err.code(), error = %err, "image prefetch failed");
                report.failed.push((item.clone(), err));
            }
        }
    }
    report
}

fn prefetch_one(
    store: &ImageStore,
    fetcher: &dyn Fetch,
    item: &PrefetchItem,
    report: &mut PrefetchReport,
) -> Result<String> {
    if let Some(expected) = &item.hash {
        originals::validate_hash(expected)?;
    }
    let known = match &item.hash {
        Some(hash) => store.original(hash)?.map(|o| o.hash),
        None => store.hash_for_url(&item.url)?,
    };
    let hash = match known {
        Some(hash) => hash,
        None => {
            let bytes = fetcher.fetch(&item.url, store.config().limits.max_bytes)?;
            report.fetched += 1;
            if let Some(expected) = &item.hash {
                let actual = originals::content_hash(&bytes);
                if &actual != expected {
                    return Err(Error::HashMismatch {
                        expected: expected.clone(),
                        actual,
                    });
                }
            }
            let hash = store.ingest(&bytes)?.original.hash;
            store.remember_source(&item.url, &hash)?;
            hash
        }
    };
    report.encoded += store.prepare_all(&hash)?;
    Ok(hash)
}

/// The content hash of the picture at `url`: the remembered one, or fetched now, checked like
/// an upload, stored and remembered (variants are made on demand or by [`prefetch`]). This is
/// the fetch a screen's request can cause, so it is gated: a few at once per store, and an
/// address that just failed is not tried again for a few minutes. Two callers asking at once
/// may both download it; the store keeps it once.
pub fn fetch_source(store: &ImageStore, fetcher: &dyn Fetch, url: &str) -> Result<String> {
    if let Some(hash) = store.hash_for_url(url)? {
        return Ok(hash);
    }
    let admitted = store.remote.admit(url)?;
    let bytes = fetcher.fetch(url, store.config().limits.max_bytes)?;
    let hash = store.ingest(&bytes)?.original.hash;
    store.remember_source(url, &hash)?;
    admitted.succeeded();
    Ok(hash)
}
