//! The hub the shell starts when the store is hosted on the device: a real hub on 127.0.0.1:0
//! over a temp data dir, prepared as the setup screen does, reached over real HTTP.

use kidyboard_desktop::device::HubPlacement;
use kidyboard_desktop::hub::{embedded_config, prepare_store, probe, EmbeddedHub};
use serde_json::{json, Value};

async fn login(base: &str, username: &str, password: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("login request")
        .status()
}

#[tokio::test]
async fn a_store_hosted_here_gets_its_admin_and_answers_on_loopback() {
    let dir = tempfile::tempdir().expect("tmp");
    let placement = HubPlacement::Host {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: Some(dir.path().to_path_buf()),
    };
    let config = embedded_config(&placement).expect("config");
    assert_eq!(
        config.data_dir,
        dir.path(),
        "the data goes where the device says"
    );
    let mut hub = EmbeddedHub::start(config).await.expect("starts");
    assert!(hub.base_url.starts_with("http://127.0.0.1:"));
    probe(&hub.base_url).await.expect("a Kidyboard hub answers");

    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || prepare_store(&store, "clave-de-tienda", false))
        .await
        .expect("task")
        .expect("prepared");
    assert_eq!(
        login(&hub.base_url, "admin", "clave-de-tienda").await,
        200,
        "the owner logs in with the setup password"
    );
    assert_eq!(
        login(&hub.base_url, "recepcion", "demo1234").await,
        401,
        "no demo staff unless asked for"
    );

    // Setting up again (demo asked for) keeps the owner's password and adds the demo staff.
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || prepare_store(&store, "otra-clave-xyz", true))
        .await
        .expect("task")
        .expect("prepared again");
    assert_eq!(login(&hub.base_url, "admin", "clave-de-tienda").await, 200);
    assert_eq!(login(&hub.base_url, "recepcion", "demo1234").await, 200);
    let health: Value = reqwest::get(format!("{}/healthz", hub.base_url))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");

    hub.stop().await;
    assert!(
        probe(&hub.base_url).await.is_err(),
        "a stopped hub no longer answers"
    );
    assert!(
        dir.path().join("kidyboard.sqlite").is_file(),
        "the store is a file in the data dir"
    );
}

#[tokio::test]
async fn the_connection_test_tells_a_kidyboard_hub_from_anything_else() {
    // Something that answers HTTP but is not a hub.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhola!")
                .await;
        }
    });
    let err = probe(&format!("http://{addr}"))
        .await
        .expect_err("not a hub");
    assert!(err.contains("no es un hub de Kidyboard"), "{err}");

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let err = probe(&format!("http://127.0.0.1:{port}"))
        .await
        .expect_err("nobody there");
    assert!(err.starts_with("No se pudo conectar con el hub"), "{err}");
}
