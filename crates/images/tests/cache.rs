//! The variant cache: single-flight, LRU eviction under a byte budget, survival across
//! restarts, originals never evicted, and the serving contract (ETag, headers).

mod common;

use std::sync::{Arc, Barrier};

use common::{files_under, photo};
use kidyboard_images::{Format, ImageStore, StoreConfig, CACHE_CONTROL, VARY};

fn open(dir: &std::path::Path, budget: u64) -> ImageStore {
    let config = StoreConfig {
        variant_budget_bytes: budget,
        ..StoreConfig::default()
    };
    ImageStore::open(dir, config).expect("store opens")
}

#[test]
fn concurrent_requests_for_a_missing_variant_encode_it_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(open(dir.path(), u64::MAX));
    let hash = store
        .ingest(&photo("coffee.png"))
        .expect("accepted")
        .original
        .hash;
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, barrier, hash) = (Arc::clone(&store), Arc::clone(&barrier), hash.clone());
            std::thread::spawn(move || {
                barrier.wait();
                store
                    .get_variant(&hash, 400, Format::WebP)
                    .expect("variant")
            })
        })
        .collect();
    let served: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    assert_eq!(
        store.stats().encodes,
        1,
        "eight simultaneous requests must encode the variant once"
    );
    assert_eq!(
        store.stats().hits,
        threads as u64 - 1,
        "the others are served the one result"
    );
    assert!(
        served.iter().all(|s| s == &served[0]),
        "everyone gets the same bytes and ETag"
    );
}

#[test]
fn least_recently_used_variants_are_evicted_and_the_index_survives_a_restart() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let sizes = {
        let s = open(scratch.path(), u64::MAX);
        let h = s
            .ingest(&photo("coffee.png"))
            .expect("accepted")
            .original
            .hash;
        [160, 320, 400].map(|w| {
            s.get_variant(&h, w, Format::Jpeg)
                .expect("variant")
                .bytes
                .len() as u64
        })
    };
    let (a, b, c) = (sizes[0], sizes[1], sizes[2]);
    let budget = a + b + c - 1; // room for any two, not all three

    let dir = tempfile::tempdir().expect("temp dir");
    let hash = {
        let store = open(dir.path(), budget);
        let hash = store
            .ingest(&photo("coffee.png"))
            .expect("accepted")
            .original
            .hash;
        store.get_variant(&hash, 160, Format::Jpeg).expect("A");
        store.get_variant(&hash, 320, Format::Jpeg).expect("B");
        store
            .get_variant(&hash, 160, Format::Jpeg)
            .expect("A again: now B is the least recent");
        store
            .get_variant(&hash, 400, Format::Jpeg)
            .expect("C pushes the cache over budget");
        assert!(
            !store.variant_path(&hash, 320, Format::Jpeg).exists(),
            "B, least recently used, is evicted"
        );
        assert!(
            store.variant_path(&hash, 160, Format::Jpeg).exists(),
            "A was used recently and stays"
        );
        assert_eq!(store.cache_usage().expect("usage").variant_bytes, a + c);
        hash
    };

    // Restart: the index remembers what is cached and how recently it was used.
    let store = open(dir.path(), budget);
    assert_eq!(
        store.cache_usage().expect("usage").variant_bytes,
        a + c,
        "usage survives the restart"
    );
    store.get_variant(&hash, 400, Format::Jpeg).expect("C");
    store.get_variant(&hash, 160, Format::Jpeg).expect("A");
    assert_eq!(
        store.stats().encodes,
        0,
        "cached variants are hits after a restart"
    );
    store
        .get_variant(&hash, 320, Format::Jpeg)
        .expect("B is made again");
    assert_eq!(store.stats().encodes, 1);
    assert!(
        !store.variant_path(&hash, 400, Format::Jpeg).exists(),
        "C became the least recent after the restart"
    );
}

#[test]
fn originals_are_never_evicted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path(), 0);
    let hash = store
        .ingest(&photo("chelsea.png"))
        .expect("accepted")
        .original
        .hash;
    for w in [160, 320, 400] {
        store
            .get_variant(&hash, w, Format::Jpeg)
            .expect("variant served even with no budget");
    }
    assert_eq!(
        files_under(&dir.path().join("variants")).len(),
        1,
        "with a zero budget only the newest variant stays"
    );
    assert!(
        store.original(&hash).expect("lookup").is_some(),
        "the original is still indexed"
    );
    assert_eq!(
        files_under(&dir.path().join("originals")).len(),
        1,
        "the original file is still there"
    );
}

#[test]
fn a_crash_between_file_and_index_is_repaired_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = {
        let store = open(dir.path(), u64::MAX);
        let hash = store
            .ingest(&photo("chelsea.png"))
            .expect("accepted")
            .original
            .hash;
        store
            .get_variant(&hash, 160, Format::Jpeg)
            .expect("variant");
        store
            .get_variant(&hash, 320, Format::Jpeg)
            .expect("variant");
        std::fs::remove_file(store.variant_path(&hash, 160, Format::Jpeg)).expect("lose a file");
        hash
    };
    let orphan = dir
        .path()
        .join("variants")
        .join(&hash[..2])
        .join(format!("{hash}-999.jpg.tmp42"));
    std::fs::write(&orphan, b"half-written").expect("orphan");
    let store = open(dir.path(), u64::MAX);
    assert!(
        !orphan.exists(),
        "files the index does not know are removed"
    );
    let served = store
        .get_variant(&hash, 160, Format::Jpeg)
        .expect("the lost variant is rebuilt");
    assert!(!served.bytes.is_empty());
    assert_eq!(
        store.stats().encodes,
        1,
        "the row without a file was dropped, so it was re-encoded"
    );
}

#[test]
fn served_variants_carry_strong_etags_and_the_headers_to_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path(), u64::MAX);
    let hash = store
        .ingest(&photo("chelsea.png"))
        .expect("accepted")
        .original
        .hash;
    let first = store
        .get_variant(&hash, 200, Format::Avif)
        .expect("variant");
    let again = store
        .get_variant(&hash, 300, Format::Avif)
        .expect("same preset (320)");
    assert_eq!(
        first, again,
        "widths snap to the same preset and hit the cache"
    );
    assert!(
        first.etag.starts_with('"') && first.etag.ends_with('"') && !first.etag.starts_with("W/"),
        "strong ETag"
    );
    let headers = first.headers();
    assert!(headers.contains(&("Content-Type", "image/avif".to_owned())));
    assert!(headers.contains(&("ETag", first.etag.clone())));
    assert!(headers.contains(&(
        "Cache-Control",
        "public, max-age=31536000, immutable".to_owned()
    )));
    assert!(headers.contains(&("Vary", "Accept".to_owned())));
    assert_eq!(
        (CACHE_CONTROL, VARY),
        ("public, max-age=31536000, immutable", "Accept")
    );
    let other = store
        .get_variant(&hash, 200, Format::WebP)
        .expect("variant");
    assert_ne!(first.etag, other.etag, "different bytes, different ETag");
}

#[test]
fn unknown_or_malformed_hashes_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path(), u64::MAX);
    let missing = "0".repeat(64);
    assert_eq!(
        store
            .get_variant(&missing, 160, Format::Jpeg)
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        store
            .get_variant("../../etc/passwd", 160, Format::Jpeg)
            .unwrap_err()
            .code(),
        "invalid_hash"
    );
    let hash = store
        .ingest(&photo("chelsea.png"))
        .expect("accepted")
        .original
        .hash;
    assert_eq!(
        store
            .get_variant(&hash, 5000, Format::Jpeg)
            .unwrap_err()
            .code(),
        "invalid_width"
    );
    assert_eq!(
        store
            .get_variant(&hash, 0, Format::Jpeg)
            .unwrap_err()
            .code(),
        "invalid_width"
    );
}
