//! The player's side of the hub's public API: audio settings, schedules and clip sounds over
//! HTTP, status reports, and the live feed (WebSocket) that brings timer expiries — its domain
//! calls only, on the one hub client.

use std::path::{Path, PathBuf};

use kidyboard_client::path_segment;
use kidyboard_core::audio::{AudioClip, AudioSchedule, AudioSettings};
use serde::Deserialize;

pub use kidyboard_client::LiveStream;

use crate::error::Result;

#[derive(Clone, Debug)]
pub struct HubClient {
    hub: kidyboard_client::HubClient,
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

impl HubClient {
    /// `base` is the hub's address (`http://host:port`).
    pub fn new(base: &str, token: &str) -> HubClient {
        // Building the HTTP client fails only without a TLS backend, which is compiled in.
        let hub = kidyboard_client::HubClient::with_token(base, token)
            .expect("the HTTP client builds with the compiled-in TLS backend");
        HubClient { hub }
    }

    /// Logs in with a username and password and answers a client holding the token.
    pub async fn login(base: &str, username: &str, password: &str) -> Result<HubClient> {
        Ok(HubClient {
            hub: kidyboard_client::HubClient::login(base, username, password).await?,
        })
    }

    pub async fn settings(&self) -> Result<AudioSettings> {
        Ok(self.hub.get_json("/api/v1/audio/settings").await?)
    }

    pub async fn schedules(&self) -> Result<Vec<AudioSchedule>> {
        let list: Items<AudioSchedule> = self.hub.get_json("/api/v1/audio/schedules").await?;
        Ok(list.items)
    }

    pub async fn clips(&self) -> Result<Vec<AudioClip>> {
        let list: Items<AudioClip> = self.hub.get_json("/api/v1/audio/clips").await?;
        Ok(list.items)
    }

    /// The clip's stored WAV, downloaded once into `dir` (named by its content hash).
    pub async fn clip_file(&self, clip: &AudioClip, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(format!("{}.wav", clip.hash));
        if !path.exists() {
            self.hub.download(&clip.url, &path).await?;
        }
        Ok(path)
    }

    /// Tells the hub how this player is doing (shown in the admin's audio page).
    pub async fn report(&self, name: &str, status: &crate::player::PlayerStatus) -> Result<()> {
        let path = format!("/api/v1/audio/players/{}", path_segment(name));
        let _: serde_json::Value = self.hub.put_json(&path, status).await?;
        Ok(())
    }

    /// Opens the live feed; answers the stream and its `hello` message.
    pub async fn live(&self) -> Result<(LiveStream, serde_json::Value)> {
        Ok(self.hub.live().await?)
    }
}
