//! The player's side of the hub's public API: audio settings, schedules and clip sounds over
//! HTTP, status reports, and the live feed (WebSocket) that brings timer expiries.

use std::path::{Path, PathBuf};

use futures_util::{SinkExt, StreamExt};
use kidyboard_core::audio::{AudioClip, AudioSchedule, AudioSettings};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio_tungstenite::tungstenite::Message;

use crate::error::{AudioError, Result};

#[derive(Clone)]
pub struct HubClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

fn hub_err(e: impl std::fmt::Display) -> AudioError {
    AudioError::Hub(e.to_string())
}

impl HubClient {
    /// `base` is the hub's address (`http://host:port`).
    pub fn new(base: &str, token: &str) -> HubClient {
        HubClient {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Logs in with a username and password and answers a client holding the token.
    pub async fn login(base: &str, username: &str, password: &str) -> Result<HubClient> {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", base.trim_end_matches('/')))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .map_err(hub_err)?;
        if !res.status().is_success() {
            return Err(AudioError::Hub(format!(
                "inicio de sesión rechazado ({})",
                res.status()
            )));
        }
        let body: serde_json::Value = res.json().await.map_err(hub_err)?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| hub_err("respuesta sin token"))?;
        Ok(HubClient::new(base, token))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let res = self
            .http
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(hub_err)?;
        if !res.status().is_success() {
            return Err(AudioError::Hub(format!("GET {path}: {}", res.status())));
        }
        res.json().await.map_err(hub_err)
    }

    pub async fn settings(&self) -> Result<AudioSettings> {
        self.get("/audio/settings").await
    }

    pub async fn schedules(&self) -> Result<Vec<AudioSchedule>> {
        Ok(self
            .get::<Items<AudioSchedule>>("/audio/schedules")
            .await?
            .items)
    }

    pub async fn clips(&self) -> Result<Vec<AudioClip>> {
        Ok(self.get::<Items<AudioClip>>("/audio/clips").await?.items)
    }

    /// The clip's stored WAV, downloaded once into `dir` (named by its content hash).
    pub async fn clip_file(&self, clip: &AudioClip, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(format!("{}.wav", clip.hash));
        if path.exists() {
            return Ok(path);
        }
        tokio::fs::create_dir_all(dir).await?;
        let res = self
            .http
            .get(format!("{}{}", self.base, clip.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(hub_err)?;
        if !res.status().is_success() {
            return Err(AudioError::Hub(format!(
                "clip {}: {}",
                clip.id,
                res.status()
            )));
        }
        let bytes = res.bytes().await.map_err(hub_err)?;
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(path)
    }

    /// Tells the hub how this player is doing (shown in the admin's audio page).
    pub async fn report(&self, name: &str, status: &crate::player::PlayerStatus) -> Result<()> {
        let res = self
            .http
            .put(format!(
                "{}/api/v1/audio/players/{}",
                self.base,
                urlencode(name)
            ))
            .bearer_auth(&self.token)
            .json(status)
            .send()
            .await
            .map_err(hub_err)?;
        if !res.status().is_success() {
            return Err(AudioError::Hub(format!(
                "estado del reproductor: {}",
                res.status()
            )));
        }
        Ok(())
    }

    /// Opens the live feed; answers the stream and its `hello` message.
    pub async fn live(&self) -> Result<(LiveStream, serde_json::Value)> {
        let url = format!(
            "{}/api/v1/live",
            self.base
                .replacen("http://", "ws://", 1)
                .replacen("https://", "wss://", 1)
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(hub_err)?;
        // The token goes in the first message rather than the URL, so it never lands in logs.
        let auth = serde_json::json!({ "type": "auth", "token": self.token }).to_string();
        ws.send(Message::Text(auth.into())).await.map_err(hub_err)?;
        let mut stream = LiveStream { ws };
        let hello = stream
            .next()
            .await?
            .ok_or_else(|| hub_err("el hub cerró la conexión"))?;
        if hello["type"] != "hello" {
            return Err(AudioError::Hub(format!("el hub respondió {hello}")));
        }
        Ok((stream, hello))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct LiveStream {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl LiveStream {
    /// The next JSON message; `None` when the hub closed the feed.
    pub async fn next(&mut self) -> Result<Option<serde_json::Value>> {
        while let Some(msg) = self.ws.next().await {
            match msg.map_err(hub_err)? {
                Message::Text(t) => {
                    return serde_json::from_str(&t).map(Some).map_err(hub_err);
                }
                Message::Ping(p) => {
                    let _ = self.ws.send(Message::Pong(p)).await;
                }
                Message::Close(_) => return Ok(None),
                _ => {}
            }
        }
        Ok(None)
    }
}
