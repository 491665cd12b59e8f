//! Helpers for the audio tests: sounds made by ffmpeg (a real encoder), its EBU R128 meter,
//! uploads to the real hub, and simple signal measures on WAV files read with hound.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{Answer, Client, TestHub};

pub fn ffmpeg_make(lavfi: &str, extra: &[&str], path: &Path) -> Vec<u8> {
    let ok = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            lavfi,
        ])
        .args(extra)
        .arg(path)
        .status()
        .expect("ffmpeg runs");
    assert!(ok.success(), "ffmpeg made {}", path.display());
    std::fs::read(path).expect("read")
}

pub fn ffmpeg_lufs(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    text.split("Summary:")
        .nth(1)
        .and_then(|s| s.lines().find_map(|l| l.trim().strip_prefix("I:")))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .expect("integrated loudness")
}

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

pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for i in 0..n {
        ab += a[i] as f64 * b[i] as f64;
        aa += (a[i] as f64).powi(2);
        bb += (b[i] as f64).powi(2);
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

pub fn read_wav(path: &Path) -> Vec<f32> {
    let r = hound::WavReader::open(path).expect("WAV opens");
    r.into_samples::<i16>()
        .map(|s| s.expect("sample") as f32 / 32767.0)
        .collect()
}
