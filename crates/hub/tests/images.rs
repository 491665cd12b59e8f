//! Pictures through the hub: an admin uploads a real photo, every screen gets it in the format
//! its browser accepts, with strong ETags and immutable caching; bad uploads store nothing.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{test_config, TestHub};
use kidyboard_testkit::bombs::{flat_png, ColorType};

const PHOTO: &[u8] = include_bytes!("../../images/tests/data/chelsea.png");

async fn upload(hub: &TestHub, token: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(hub.url("/api/v1/images"))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

#[tokio::test]
async fn an_uploaded_photo_is_served_in_the_negotiated_format() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let (status, img) = upload(&hub, &admin.token, PHOTO.to_vec()).await;
    assert_eq!(status, 201, "{img}");
    let url = img["url"].as_str().expect("url").to_string();
    assert!(url.starts_with("/img/") && img["hash"].as_str().is_some_and(|h| h.len() == 64));
    let (again, dup) = upload(&hub, &admin.token, PHOTO.to_vec()).await;
    assert_eq!(again, 201);
    assert_eq!(dup["newly_stored"], false, "the same bytes are stored once");

    let http = reqwest::Client::new();
    for (accept, content_type, magic) in [
        ("image/avif,image/webp,*/*", "image/avif", &b"ftypavif"[..]),
        ("image/webp,*/*", "image/webp", &b"WEBP"[..]),
        ("*/*", "image/jpeg", &[0xFF, 0xD8, 0xFF][..]),
    ] {
        let res = http
            .get(hub.url(&format!("{url}?w=320")))
            .header("accept", accept)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 200, "{accept}");
        let h = res.headers().clone();
        assert_eq!(h["content-type"], content_type, "Accept: {accept}");
        assert_eq!(h["vary"], "Accept");
        assert!(h["cache-control"]
            .to_str()
            .unwrap_or("")
            .contains("immutable"));
        let etag = h["etag"].to_str().expect("etag").to_string();
        assert!(etag.starts_with('"'), "a strong ETag");
        let bytes = res.bytes().await.expect("bytes");
        assert!(
            bytes.windows(magic.len()).take(16).any(|w| w == magic),
            "{content_type} bytes"
        );
        assert!(
            bytes.len() < PHOTO.len(),
            "the 320 px variant is smaller than the original"
        );
        let cached = http
            .get(hub.url(&format!("{url}?w=320")))
            .header("accept", accept)
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("get");
        assert_eq!(cached.status(), 304, "a client that has it gets 304");
    }
    let explicit = http
        .get(hub.url(&format!("{url}?format=webp")))
        .header("accept", "image/avif")
        .send()
        .await
        .expect("get");
    assert_eq!(
        explicit.headers()["content-type"],
        "image/webp",
        "?format= wins over Accept"
    );
    let bad = http
        .get(hub.url(&format!("{url}?format=gif")))
        .send()
        .await
        .expect("get");
    assert_eq!(bad.status(), 422);
    let missing = http
        .get(hub.url(&format!("/img/{}", "0".repeat(64))))
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");

    // The picture goes on a product like any URL.
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    let p = admin
        .patch(
            &format!("/products/{water}"),
            serde_json::json!({"image_url": url}),
        )
        .await;
    assert_eq!(p.body["image_url"], url.as_str());

    // Every preset width in every format is made ahead of time, without anyone asking for it.
    // (Waiting for it also keeps that background work from writing into a removed data dir.)
    let hash = img["hash"].as_str().expect("hash");
    let width = img["width"].as_u64().and_then(|w| u32::try_from(w).ok());
    let widths = kidyboard_images::variants::widths_for(width.expect("width"));
    assert!(
        widths.len() >= 3,
        "card, thumbnail and 2× presets: {widths:?}"
    );
    let expected: Vec<_> = widths
        .iter()
        .flat_map(|&w| {
            kidyboard_images::Format::ALL.map(|f| hub.state.images.variant_path(hash, w, f))
        })
        .collect();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while expected.iter().any(|p| !p.is_file()) {
        assert!(
            std::time::Instant::now() < until,
            "variants not prepared: {:?}",
            expected.iter().filter(|p| !p.is_file()).collect::<Vec<_>>()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn bad_uploads_are_refused_and_nothing_is_stored() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let originals = hub.dir.join("images/originals");
    let count = || {
        std::fs::read_dir(&originals)
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let before = count();
    let mut truncated = PHOTO.to_vec();
    truncated.truncate(PHOTO.len() / 3);
    for (body, status, code) in [
        (
            b"<html><body>not a picture</body></html>".to_vec(),
            415,
            "not_an_image",
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            415,
            "svg_refused",
        ),
        (truncated, 422, "truncated"),
        (Vec::new(), 422, "validation"),
    ] {
        let (s, b) = upload(&hub, &admin.token, body).await;
        assert_eq!(s, status, "{b}");
        assert_eq!(b["error"]["code"], code, "{b}");
    }
    let huge = vec![0u8; 31 * 1024 * 1024];
    let (s, b) = upload(&hub, &admin.token, huge).await;
    assert_eq!(s, 413, "{b}");
    assert_eq!(count(), before, "nothing was stored");
    let kid = hub.login("kidibar").await;
    let (s, _) = upload(&hub, &kid.token, PHOTO.to_vec()).await;
    assert_eq!(s, 403, "only admins upload");
}

/// Serves `body` at `/p.png` on 127.0.0.1 until the handle is aborted (a cloud picture host),
/// counting the requests that reach it.
async fn picture_host(
    body: &'static [u8],
) -> (String, tokio::task::JoinHandle<()>, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().route(
        "/p.png",
        axum::routing::get(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async move { body }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/p.png"), task, hits)
}

/// A hub allowed to fetch pictures from loopback, where the tests' picture hosts live.
async fn hub_fetching_from_loopback() -> (TestHub, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = kidyboard_hub::Config {
        image_fetch_private: true,
        ..test_config(tmp.path())
    };
    (TestHub::start_in(tmp.path(), config).await, tmp)
}

async fn get_remote(hub: &TestHub, url: &str, w: u32) -> reqwest::Response {
    reqwest::Client::new()
        .get(hub.url("/img/remote"))
        .query(&[("url", url), ("w", &w.to_string())])
        .header("accept", "image/avif,image/webp,*/*")
        .send()
        .await
        .expect("get remote")
}

#[tokio::test]
async fn catalogue_pictures_by_address_are_kept_and_served_offline() {
    let (hub, _tmp) = hub_fetching_from_loopback().await;
    let admin = hub.login("admin").await;
    let (url, host, _) = picture_host(PHOTO).await;

    // Not referenced by any product: the hub refuses to fetch it (no open proxy).
    let res = get_remote(&hub, &url, 320).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");

    let created = admin
        .post(
            "/products",
            serde_json::json!({ "name": "Paleta de la nube", "price_cents": 2500, "image_url": url }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let res = get_remote(&hub, &url, 320).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/avif");
    assert_eq!(res.headers()["vary"], "Accept");
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.windows(8).take(16).any(|w| w == b"ftypavif"));

    // The host goes away (the store is offline): other widths and formats still come.
    host.abort();
    let _ = host.await;
    let offline = get_remote(&hub, &url, 160).await;
    assert_eq!(offline.status(), 200, "served from the store while offline");
    let jpeg = reqwest::Client::new()
        .get(hub.url("/img/remote"))
        .query(&[("url", url.as_str()), ("format", "jpeg")])
        .send()
        .await
        .expect("jpeg");
    assert_eq!(jpeg.headers()["content-type"], "image/jpeg");

    // A referenced picture that was never fetched and cannot be now: a clear 404.
    let (gone, gone_host, _) = picture_host(PHOTO).await;
    gone_host.abort();
    let _ = gone_host.await;
    let gone = gone.replace("/p.png", "/q.png");
    let created = admin
        .post(
            "/products",
            serde_json::json!({ "name": "Paleta sin red", "price_cents": 2500, "image_url": gone }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let res = get_remote(&hub, &gone, 320).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "image_unavailable");

    // Bad addresses are validation errors naming the field.
    for bad in ["ftp://example.invalid/p.png", "/img/abc", ""] {
        let res = get_remote(&hub, bad, 320).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["error"]["field"], "url", "{bad}");
    }

    // The picture store's figures are on /metrics.
    let metrics = reqwest::get(hub.url("/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for name in [
        "kidyboard_image_cache_hits_total",
        "kidyboard_image_encodes_total",
        "kidyboard_image_cache_bytes",
    ] {
        assert!(metrics.contains(name), "{name} in /metrics");
    }
}

/// The bomb: 190 KB of PNG that decodes to 150 MB. Four at once used to take 3 GB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_bomb_uploads_at_once_are_refused_before_decoding_and_the_hub_keeps_serving() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let bombs: Vec<Vec<u8>> = (0..4u8)
        .map(|i| flat_png(7071, ColorType::Rgb, 40 + i, 0))
        .collect();
    let uploads = bombs
        .into_iter()
        .map(|bomb| upload(&hub, &admin.token, bomb));
    let health = async {
        reqwest::get(hub.url("/healthz"))
            .await
            .expect("healthz")
            .status()
    };
    let (answers, health) = tokio::join!(futures_util::future::join_all(uploads), health);
    for (status, body) in answers {
        assert_eq!(status, 413, "a bomb is refused: {body}");
        assert_eq!(body["error"]["code"], "decompression_bomb", "{body}");
        assert_eq!(body["error"]["field"], "image", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("7071×7071") && message.contains("bomba de descompresión"),
            "the message says what was wrong, in Spanish: {message}"
        );
    }
    assert_eq!(health, 200, "the hub answers while refusing bombs");
    assert_eq!(
        hub.state.images.stats().decodes,
        0,
        "every bomb was refused from its header, before any decode"
    );
    let stored = std::fs::read_dir(hub.dir.join("images/originals"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "nothing stored");
    // The hub still takes a real photo afterwards.
    let (status, body) = upload(&hub, &admin.token, PHOTO.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    wait_for_variants(&hub, &body).await;
}

/// Waits for the background preparation of an upload's variants (so it does not write into a
/// removed temp dir after the test).
async fn wait_for_variants(hub: &TestHub, img: &serde_json::Value) {
    let hash = img["hash"].as_str().expect("hash");
    let width = img["width"].as_u64().and_then(|w| u32::try_from(w).ok());
    let widths = kidyboard_images::variants::widths_for(width.expect("width"));
    let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let ready = || {
        widths.iter().all(|&w| {
            kidyboard_images::Format::ALL
                .iter()
                .all(|&f| hub.state.images.variant_path(hash, w, f).is_file())
        })
    };
    while !ready() {
        assert!(std::time::Instant::now() < until, "variants not prepared");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_stranger_cannot_make_the_hub_fetch_what_they_choose() {
    // No login: /img/remote is public. The hub on loopback; by default it fetches nothing
    // from loopback or the shop's network.
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let (url, _host, hits) = picture_host(PHOTO).await;

    // An address no product uses: refused without a request leaving the hub.
    let res = get_remote(&hub, &url, 320).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");

    // Even an address the catalogue uses is not fetched when it points into the shop's own
    // network or at the hub itself (a catalogue edit or the cloud could put one there).
    let created = admin
        .post(
            "/products",
            serde_json::json!({ "name": "Paleta local", "price_cents": 2500, "image_url": url }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    for _ in 0..3 {
        let res = get_remote(&hub, &url, 320).await;
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["error"]["code"], "image_unavailable", "{body}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request reached the loopback host"
    );
    assert_eq!(hub.state.images.stats().decodes, 0);
}

#[tokio::test]
async fn a_catalogue_picture_that_is_a_bomb_is_refused_like_an_upload() {
    let (hub, _tmp) = hub_fetching_from_loopback().await;
    let admin = hub.login("admin").await;
    let bomb: &'static [u8] = Box::leak(flat_png(7071, ColorType::Rgb, 90, 0).into_boxed_slice());
    let (url, _host, hits) = picture_host(bomb).await;
    let created = admin
        .post(
            "/products",
            serde_json::json!({ "name": "Paleta bomba", "price_cents": 2500, "image_url": url }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let res = get_remote(&hub, &url, 320).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "image_unavailable", "{body}");
    // A failed address rests: asking again does not fetch it again.
    let again = get_remote(&hub, &url, 320).await;
    assert_eq!(again.status(), 404);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "fetched once, not per request"
    );
    assert_eq!(
        hub.state.images.stats().decodes,
        0,
        "refused before decoding"
    );
}
