//! Prefetch over real HTTP (a tiny server on 127.0.0.1) with the `ureq` fetcher: afterwards
//! every variant is served without a single encode, as an offline store needs.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::photo;
use kidyboard_images::{
    content_hash, prefetch, variants, Fetch, FetchPolicy, Format, ImageStore, PrefetchItem,
    StoreConfig, UreqFetcher,
};

/// The test servers are on loopback, which the default policy refuses to reach.
fn loopback_fetcher() -> UreqFetcher {
    UreqFetcher::with_policy(FetchPolicy {
        allow_private: true,
        ..FetchPolicy::default()
    })
}

/// Serves `routes` on 127.0.0.1 until the returned guard is dropped; counts requests.
struct TestServer {
    base: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    fn start(routes: Vec<(&'static str, Vec<u8>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (req, st) = (Arc::clone(&requests), Arc::clone(&stop));
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming().take(100) {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                        break;
                    }
                }
                req.fetch_add(1, Ordering::SeqCst);
                let body = routes
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, b)| b.clone());
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", b"missing".to_vec()),
                };
                let content_type = if path.ends_with(".html") {
                    "Content-Type: text/html\r\n"
                } else {
                    ""
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\n{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        TestServer {
            base,
            requests,
            stop,
            handle: Some(handle),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[test]
fn prefetch_prepares_every_variant_so_serving_needs_no_encode() {
    let coffee = photo("coffee.png");
    let server = TestServer::start(vec![
        ("/coffee.png", coffee.clone()),
        ("/chelsea.png", photo("chelsea.png")),
        ("/page.html", b"<html>not a picture</html>".to_vec()),
    ]);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    let fetcher = loopback_fetcher();
    let coffee_hash = content_hash(&coffee);
    let items = vec![
        PrefetchItem {
            url: server.url("/coffee.png"),
            hash: Some(coffee_hash.clone()),
        },
        PrefetchItem {
            url: server.url("/page.html"),
            hash: None,
        },
        PrefetchItem {
            url: server.url("/chelsea.png"),
            hash: Some("ab".repeat(32)),
        },
        PrefetchItem {
            url: server.url("/gone.png"),
            hash: None,
        },
    ];
    let report = prefetch(&store, &fetcher, &items);
    assert_eq!(report.ready, vec![coffee_hash.clone()]);
    let codes: Vec<&str> = report.failed.iter().map(|(_, e)| e.code()).collect();
    // The page is refused by its Content-Type, before its body is read.
    assert_eq!(
        codes,
        vec!["fetch_failed", "hash_mismatch", "fetch_failed"],
        "each failure says why"
    );
    let widths = variants::widths_for(600);
    assert_eq!(
        report.encoded,
        widths.len() * Format::ALL.len(),
        "every width in every format"
    );

    // Offline now: every variant is a hit.
    drop(server);
    let encodes_before = store.stats().encodes;
    for &w in &widths {
        for format in Format::ALL {
            store
                .get_variant(&coffee_hash, w, format)
                .expect("served offline");
        }
    }
    assert_eq!(
        store.stats().encodes,
        encodes_before,
        "no variant had to be made on demand"
    );

    // Known hashes are not fetched again (the server is gone, so a fetch would fail).
    let again = prefetch(&store, &fetcher, &items[..1]);
    assert_eq!(
        (again.fetched, again.encoded, again.failed.len()),
        (0, 0, 0)
    );
}

#[test]
fn the_fetcher_refuses_bodies_over_the_limit() {
    let server = TestServer::start(vec![("/big", vec![0u8; 5000])]);
    let fetcher = loopback_fetcher();
    let err = fetcher
        .fetch(&server.url("/big"), 1000)
        .expect_err("5000 bytes over a 1000 limit");
    assert_eq!(err.code(), "too_large");
    assert_eq!(
        fetcher
            .fetch(&server.url("/big"), 5000)
            .expect("at the limit")
            .len(),
        5000
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
}

#[test]
fn pictures_known_only_by_url_are_remembered_and_not_fetched_again() {
    let chelsea = photo("chelsea.png");
    let server = TestServer::start(vec![("/chelsea.png", chelsea.clone())]);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store opens");
    let fetcher = loopback_fetcher();
    let url = server.url("/chelsea.png");
    let items = [PrefetchItem {
        url: url.clone(),
        hash: None,
    }];
    assert_eq!(store.hash_for_url(&url).expect("lookup"), None);
    let report = prefetch(&store, &fetcher, &items);
    assert_eq!(report.ready, vec![content_hash(&chelsea)]);
    assert_eq!(
        store.hash_for_url(&url).expect("lookup"),
        Some(content_hash(&chelsea))
    );
    drop(server);

    // Offline and after a restart: the URL still names the stored picture.
    drop(store);
    let store = ImageStore::open(dir.path(), StoreConfig::default()).expect("store reopens");
    let again = prefetch(&store, &fetcher, &items);
    assert_eq!((again.fetched, again.failed.len()), (0, 0));
    assert_eq!(
        store.hash_for_url(&url).expect("lookup"),
        Some(content_hash(&chelsea))
    );
}

#[test]
fn by_default_the_fetcher_reaches_neither_the_hub_nor_the_shop_network() {
    let server = TestServer::start(vec![("/coffee.png", photo("coffee.png"))]);
    let fetcher = UreqFetcher::default();
    for url in [
        server.url("/coffee.png"),
        server.url("/coffee.png").replace("127.0.0.1", "localhost"),
    ] {
        let err = fetcher
            .fetch(&url, 1_000_000)
            .expect_err("loopback is not the internet");
        assert_eq!(err.code(), "fetch_failed", "{url}: {err}");
    }
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "not even a connection reached the loopback server"
    );
    let allowed = loopback_fetcher()
        .fetch(&server.url("/coffee.png"), 1_000_000)
        .expect("allowed when configured");
    assert_eq!(allowed, photo("coffee.png"));
}
