//! HTTPS on the store's network: `kidyboard tls init` makes the store's own authority and the
//! hub's certificate; the hub then serves HTTPS that a client trusting only that authority
//! accepts (by name and by LAN address), hands the authority out at `/ca.crt` for devices to
//! trust, and a later certificate for other names chains to the same authority.

mod common;

use std::process::Output;

use common::{kidyboard, serve_demo};

fn init(dir: &std::path::Path, names: &[&str]) -> Output {
    let mut cmd = kidyboard(dir);
    cmd.args(["tls", "init"]);
    for n in names {
        cmd.args(["--name", n]);
    }
    cmd.output().expect("tls init runs")
}

fn client(ca: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca).expect("pem"))
        .tls_built_in_root_certs(false)
        .https_only(true)
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_hub_serves_https_with_the_stores_own_authority() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let made = init(dir, &["127.0.0.1", "recepcion.local"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let said = String::from_utf8_lossy(&made.stdout);
    assert!(
        said.contains("ca.crt") && said.contains("recepcion.local"),
        "{said}"
    );
    let ca = std::fs::read(dir.join("tls/ca.crt")).expect("authority");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in ["tls/ca.key", "tls/hub.key"] {
            let mode = std::fs::metadata(dir.join(key))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{key} is private");
        }
    }

    let (mut hub, base) = serve_demo(dir, "127.0.0.1:0");
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let port = base.rsplit(':').next().expect("port").to_string();
    let trusting = client(&ca);
    for url in [
        format!("{base}/healthz"),
        format!("https://localhost:{port}/healthz"),
    ] {
        let res = trusting.get(&url).send().await.expect("https");
        assert_eq!(res.status(), 200, "{url}");
    }
    let res = trusting
        .get(format!("{base}/ca.crt"))
        .send()
        .await
        .expect("ca");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-x509-ca-cert");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), ca);
    // A client that does not trust the store's authority refuses the hub; plain HTTP gets no page.
    let stranger = reqwest::Client::builder()
        .tls_built_in_root_certs(true)
        .build()
        .expect("client");
    assert!(stranger
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_err());
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    let _ = hub.kill();
    let _ = hub.wait();

    // Another address later: the same authority signs it, so devices keep trusting the hub.
    let again = init(dir, &["10.0.0.5"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        std::fs::read(dir.join("tls/ca.crt")).expect("ca"),
        ca,
        "the same authority"
    );
    let (mut hub, base) = serve_demo(dir, "127.0.0.1:0");
    let res = client(&ca)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("https after a new certificate");
    assert_eq!(res.status(), 200);
    let _ = hub.kill();
    let _ = hub.wait();

    // A name that is neither a host name nor an address is refused, and nothing changes.
    let before = std::fs::read(dir.join("tls/hub.crt")).expect("cert");
    let bad = init(dir, &["no es un nombre"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no es un nombre de equipo"));
    assert_eq!(
        std::fs::read(dir.join("tls/hub.crt")).expect("cert"),
        before
    );
}

#[tokio::test]
async fn without_an_authority_the_certificate_route_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut hub, base) = serve_demo(tmp.path(), "127.0.0.1:0");
    assert!(base.starts_with("http://"));
    let res = reqwest::get(format!("{base}/ca.crt")).await.expect("get");
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
    let _ = hub.kill();
    let _ = hub.wait();
}
