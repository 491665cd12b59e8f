//! The cloud terminates TLS itself (rustls, certificate and key from PEM files, as Let's Encrypt
//! writes them): a client that trusts the certificate gets HTTPS with HSTS; plain HTTP on that
//! port and a client that does not trust the certificate get nothing.

mod common;

use std::process::Command;

use common::TestCloud;

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cloud_serves_https_with_its_own_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let file = |name: &str| dir.path().join(name);
    let (cert, key, ca, ca_key, csr, ext) = (
        file("fullchain.pem"),
        file("privkey.pem"),
        file("ca.pem"),
        file("ca.key"),
        file("leaf.csr"),
        file("leaf.ext"),
    );
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("extensions");
    // A test authority and a server certificate it signed, as a real chain is.
    for args in [
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=Kidyboard test CA",
            "-keyout",
            path(&ca_key),
            "-out",
            path(&ca),
        ],
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            path(&key),
            "-out",
            path(&csr),
        ],
        vec![
            "x509",
            "-req",
            "-in",
            path(&csr),
            "-CA",
            path(&ca),
            "-CAkey",
            path(&ca_key),
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            path(&ext),
            "-out",
            path(&cert),
        ],
    ] {
        let made = Command::new("openssl")
            .args(&args)
            .output()
            .expect("openssl runs");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
    }

    let pg = common::pg::Postgres::start();
    let url = pg.create_database("tls").await;
    let (c, k) = (cert.clone(), key.clone());
    let cloud = TestCloud::start_with(&url, "127.0.0.1:0".parse().expect("addr"), move |cfg| {
        cfg.tls_cert_file = Some(c);
        cfg.tls_key_file = Some(k);
    });
    let https = format!("https://localhost:{}", cloud.addr.port());

    let pem = std::fs::read(&ca).expect("ca");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
        .resolve("localhost", cloud.addr)
        .build()
        .expect("client");
    let res = trusting
        .get(format!("{https}/readyz"))
        .send()
        .await
        .expect("HTTPS answers");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()
            .get("strict-transport-security")
            .is_some_and(|v| v.to_str().unwrap_or_default().contains("max-age=")),
        "HSTS over HTTPS"
    );
    assert_eq!(res.text().await.expect("body"), "ready");
    let res = trusting
        .get(format!("{https}/api/v1/nada"))
        .send()
        .await
        .expect("HTTPS answers");
    assert_eq!(res.status(), 404);

    let stranger = reqwest::Client::builder()
        .resolve("localhost", cloud.addr)
        .build()
        .expect("client");
    assert!(
        stranger
            .get(format!("{https}/readyz"))
            .send()
            .await
            .is_err(),
        "an untrusted certificate is refused by the client"
    );
    let plain = reqwest::Client::new()
        .get(format!("http://{}/readyz", cloud.addr))
        .send()
        .await;
    assert!(
        plain.map(|r| r.status() != 200).unwrap_or(true),
        "plain HTTP on the TLS port gets no answer"
    );
}
