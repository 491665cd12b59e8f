//! The one Rust client of the hub's HTTP + WebSocket API, for the vision and audio runners, the
//! tests and the benches. It does not link the hub: a runner on another machine needs only this.

mod error;
mod live;

use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use error::{ClientError, Result};
pub use live::LiveStream;

/// How long any one request may take, download included (a clip is at most a few MB).
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How long making the connection may take: a hub that is away is known quickly.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct HubClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for HubClient {
    // The token is a secret: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HubClient {
    /// A client holding a token already issued; `base` is the hub's `http://host:port`.
    pub fn with_token(base: &str, token: &str) -> Result<HubClient> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Unreachable(e.to_string()))?;
        Ok(HubClient {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        })
    }

    /// Signs in with a user's name and password and answers a client holding the session token.
    pub async fn login(base: &str, username: &str, password: &str) -> Result<HubClient> {
        let client = HubClient::with_token(base, "")?;
        let body: Value = client
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await?;
        let token = body["token"].as_str().ok_or_else(|| {
            ClientError::BadAnswer("la respuesta del inicio de sesión no trae token".into())
        })?;
        Ok(HubClient {
            token: token.to_string(),
            ..client
        })
    }

    /// The hub's address, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The session token, for the rare caller that must hand it on (e.g. to a browser).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `GET path` (e.g. `/api/v1/audio/settings`), answered as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(self.http.get(self.url(path)))
            .await?
            .json()
            .await
            .map_err(bad_answer)
    }

    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let req = self.http.post(self.url(path)).json(body);
        self.send(req).await?.json().await.map_err(bad_answer)
    }

    pub async fn put_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let req = self.http.put(self.url(path)).json(body);
        self.send(req).await?.json().await.map_err(bad_answer)
    }

    /// `PUT path` with raw bytes of `content_type` (a camera's preview frame), answered as `T`.
    pub async fn put_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<T> {
        let req = self
            .http
            .put(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(req).await?.json().await.map_err(bad_answer)
    }

    /// `GET path` as raw bytes (a clip, an export).
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let res = self.send(self.http.get(self.url(path))).await?;
        Ok(res.bytes().await.map_err(ClientError::from_http)?.to_vec())
    }

    /// Downloads `path` into `file`, through a `.part` file renamed at the end, so a file that
    /// exists is always whole.
    pub async fn download(&self, path: &str, file: &Path) -> Result<()> {
        let bytes = self.get_bytes(path).await?;
        let tmp = file.with_extension("part");
        let io = |e: std::io::Error| ClientError::BadAnswer(format!("{}: {e}", file.display()));
        if let Some(dir) = file.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        tokio::fs::write(&tmp, &bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, file).await.map_err(io)
    }

    /// Opens the live feed: answers the stream and its first frame, the `hello`.
    pub async fn live(&self) -> Result<(LiveStream, Value)> {
        let url = self
            .url("/api/v1/live")
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1);
        LiveStream::open(&url, &self.token).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends with the token; an answer outside 2xx becomes [`ClientError::Hub`].
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let req = if self.token.is_empty() {
            req
        } else {
            req.bearer_auth(&self.token)
        };
        let res = req.send().await.map_err(ClientError::from_http)?;
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let error = &body["error"];
        Err(ClientError::Hub {
            status: status.as_u16(),
            code: error["code"].as_str().unwrap_or_default().to_string(),
            message: error["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    status
                        .canonical_reason()
                        .unwrap_or("sin detalles")
                        .to_string()
                }),
            field: error["field"].as_str().map(str::to_string),
        })
    }
}

fn bad_answer(e: reqwest::Error) -> ClientError {
    if e.is_timeout() {
        ClientError::TimedOut
    } else {
        ClientError::BadAnswer(e.to_string())
    }
}

/// `s` made safe as one path segment (a player's name in `/audio/players/{name}`).
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug() {
        let client = HubClient::with_token("http://hub:8080/", "secret-token").expect("client");
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret-token"), "the token leaked: {shown}");
        assert!(
            shown.contains("http://hub:8080"),
            "the address should show: {shown}"
        );
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("sala 1/á"), "sala%201%2F%C3%A1");
    }

    #[tokio::test]
    async fn a_hub_that_is_away_is_unreachable_in_spanish() {
        let client = HubClient::with_token("http://127.0.0.1:1", "t").expect("client");
        let err = client
            .get_json::<Value>("/api/v1/health")
            .await
            .expect_err("nothing listens there");
        assert!(matches!(err, ClientError::Unreachable(_)), "{err:?}");
        assert!(err.to_string().starts_with("no se pudo conectar"), "{err}");
    }

    #[test]
    fn invalid_input_is_400_or_422() {
        let refused = |status| ClientError::Hub {
            status,
            code: "validation".into(),
            message: "m".into(),
            field: Some("f".into()),
        };
        assert!(refused(422).is_invalid_input(), "422 is the data's fault");
        assert!(!refused(503).is_invalid_input(), "503 is worth retrying");
        assert_eq!(
            refused(422).to_string(),
            "el hub rechazó la petición (422): m (f)"
        );
    }
}
