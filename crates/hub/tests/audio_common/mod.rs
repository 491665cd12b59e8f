//! Helpers for the audio tests: uploads to the real hub, besides the sounds made by ffmpeg (a
//! real encoder), its EBU R128 meter and the signal measures on WAV files read with hound that
//! the audio crate's tests use too (`kidyboard_testkit::sound`).
#![allow(dead_code)]

use std::time::Duration;

pub use kidyboard_testkit::sound::*;

use crate::common::{Answer, Client, TestHub};

pub async fn upload(c: &Client, name: &str, bytes: Vec<u8>) -> Answer {
    let res = c
        .http
        .post(format!("{}/api/v1/audio/clips?name={name}", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        headers: Default::default(),
    }
}

pub async fn declared_upload(hub: &TestHub, token: &str, len: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = hub.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!("POST /api/v1/audio/clips?name=enorme HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n");
    s.write_all(head.as_bytes()).await.expect("write");
    s.write_all(&[0u8; 4096]).await.expect("a first chunk");
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("answer in time")
        .expect("read");
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

pub fn stored_files(hub: &TestHub) -> usize {
    std::fs::read_dir(hub.dir.join("audio"))
        .map(|d| d.count())
        .unwrap_or(0)
}
