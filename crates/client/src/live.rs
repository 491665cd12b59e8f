//! The live feed (`/api/v1/live`): a WebSocket of JSON frames, the `hello` first. Pings are
//! answered here so callers only see messages.

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::error::{ClientError, Result};

pub struct LiveStream {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl std::fmt::Debug for LiveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveStream").finish_non_exhaustive()
    }
}

fn unreachable(e: impl std::fmt::Display) -> ClientError {
    ClientError::Unreachable(e.to_string())
}

impl LiveStream {
    pub(crate) async fn open(url: &str, token: &str) -> Result<(LiveStream, Value)> {
        let connect = tokio_tungstenite::connect_async(url);
        let (mut ws, _) = tokio::time::timeout(crate::CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| ClientError::TimedOut)?
            .map_err(unreachable)?;
        // The token goes in the first message rather than the URL, so it never lands in logs.
        let auth = serde_json::json!({ "type": "auth", "token": token }).to_string();
        ws.send(Message::Text(auth.into()))
            .await
            .map_err(unreachable)?;
        let mut stream = LiveStream { ws };
        let hello = tokio::time::timeout(crate::TIMEOUT, stream.next())
            .await
            .map_err(|_| ClientError::TimedOut)??
            .ok_or_else(|| unreachable("el hub cerró la conexión"))?;
        if hello["type"] != "hello" {
            return Err(ClientError::BadAnswer(format!("el hub respondió {hello}")));
        }
        Ok((stream, hello))
    }

    /// The next JSON frame; `None` when the hub closed the feed.
    pub async fn next(&mut self) -> Result<Option<Value>> {
        while let Some(msg) = self.ws.next().await {
            match msg.map_err(unreachable)? {
                Message::Text(t) => {
                    return serde_json::from_str(&t)
                        .map(Some)
                        .map_err(|e| ClientError::BadAnswer(e.to_string()));
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
