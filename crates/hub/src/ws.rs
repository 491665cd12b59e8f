//! `GET /api/v1/live`: the WebSocket feed. The first message is `hello` with the server time;
//! then every change the client's role may see, as it happens.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use kidyboard_core::clock::{self, now_ms};
use kidyboard_core::users::{self, User};
use kidyboard_http::bearer;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;

use crate::auth::{authenticate, Auth};
use crate::error::{ApiError, ErrorDetail};
use crate::live::{LiveMessage, Seat};
use crate::state::AppState;

/// Every message the hub sends on the feed, as one schema (`LiveFrame` in the API document) from
/// which clients generate their types: what the feed says itself, or a change it relays.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum LiveFrame {
    Notice(FeedNotice),
    Change(LiveMessage),
}

/// What the feed says itself, besides the changes it relays.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum FeedNotice {
    /// The first message on every (re)connection.
    #[serde(rename = "hello")]
    Hello(Hello),
    /// The last message before the hub closes the feed: not signed in, the session ended, or
    /// too many screens for this user.
    #[serde(rename = "error")]
    Error { error: ErrorDetail },
}

/// The greeting: the hub's clock (clients count down from it), who is signed in, and the store.
#[derive(Serialize, ToSchema)]
pub struct Hello {
    /// RFC 3339 UTC.
    pub server_time: String,
    pub user: User,
    /// The store's own branch; null when it cannot be read just now.
    pub branch: Option<HelloBranch>,
}

#[derive(Serialize, ToSchema)]
pub struct HelloBranch {
    pub id: String,
    pub name: String,
    /// IANA time zone, e.g. `America/Mexico_City`.
    pub timezone: String,
}

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    token: Option<String>,
}

/// How long a client that authenticates by first message has to send it.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Pings keep NAT and proxies from dropping an idle connection and reveal dead clients.
const PING_EVERY: Duration = Duration::from_secs(20);

#[utoipa::path(get, path = "/api/v1/live", tag = "live",
    params(("token" = Option<String>, Query, description = "Bearer token (or send {\"type\":\"auth\",\"token\"} first)")),
    responses((status = 101, body = LiveFrame,
        description = "WebSocket; each text message is one LiveFrame in JSON: hello, then timer.updated, sale.created, stock.changed, stock.low, catalog.changed, day.closed, job.progress, menu.changed, resync; error just before the hub closes it")))]
pub async fn live(
    State(st): State<AppState>,
    Query(q): Query<LiveQuery>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers;
    let token = q.token.or_else(|| bearer(&parts).map(str::to_string));
    // With a token, refuse before upgrading so the client sees a plain 401 (or 429).
    let auth = match token {
        Some(t) => {
            let auth = authenticate(&st, t).await?;
            let seat = take_seat(&st, &auth).ok_or_else(too_many_feeds)?;
            Some((auth, seat))
        }
        None => None,
    };
    Ok(ws
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| run(st, socket, auth)))
}

fn take_seat(st: &AppState, auth: &Auth) -> Option<Seat> {
    st.live
        .take_seat(&auth.user.id, st.config.live_connections_per_user.max(1))
}

fn too_many_feeds() -> ApiError {
    let mut e = ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "too_many_connections",
        "este usuario ya tiene demasiadas pantallas conectadas",
    );
    e.retry_after_secs = Some(30);
    e
}

/// Whether the session behind `auth` is still valid, taking in any change to its user (a
/// downgraded role sees less from now on). It ends with logout, expiry, deactivation, or a
/// password or role change; a database hiccup keeps the feed as it is until the next check.
async fn still_signed_in(st: &AppState, auth: &mut Auth) -> bool {
    let token = auth.token.clone();
    match st
        .db(move |s| s.read(|c| users::authenticate(c, &token, now_ms())))
        .await
    {
        Ok((user, _)) => {
            auth.user = user;
            true
        }
        Err(e) => e.status != axum::http::StatusCode::UNAUTHORIZED,
    }
}

async fn send_frame(socket: &mut WebSocket, frame: &LiveFrame) -> bool {
    match serde_json::to_string(frame) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "live frame not serialisable");
            false
        }
    }
}

/// Sends the error frame `(code, message)`, then closes the feed.
async fn close_with_error(socket: &mut WebSocket, (code, message): (&str, &str)) {
    let error = ErrorDetail {
        code: code.to_string(),
        message: message.to_string(),
        field: None,
    };
    send_frame(socket, &LiveFrame::Notice(FeedNotice::Error { error })).await;
    let _ = socket.send(Message::Close(None)).await;
}

const UNAUTHORIZED: (&str, &str) = ("unauthorized", "inicia sesión para continuar");
const SESSION_ENDED: (&str, &str) = ("session_ended", "la sesión terminó; inicia sesión de nuevo");
const TOO_MANY_FEEDS: (&str, &str) = (
    "too_many_connections",
    "este usuario ya tiene demasiadas pantallas conectadas",
);

async fn first_message_auth(st: &AppState, socket: &mut WebSocket) -> Option<Auth> {
    let msg = tokio::time::timeout(AUTH_TIMEOUT, socket.recv())
        .await
        .ok()??
        .ok()?;
    let Message::Text(text) = msg else {
        return None;
    };
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    if v.get("type")?.as_str()? != "auth" {
        return None;
    }
    let token = v.get("token")?.as_str()?.to_string();
    authenticate(st, token).await.ok()
}

async fn run(st: AppState, mut socket: WebSocket, auth: Option<(Auth, Seat)>) {
    let (mut auth, _seat) = match auth {
        Some(a) => a,
        None => match first_message_auth(&st, &mut socket).await {
            Some(a) => match take_seat(&st, &a) {
                Some(seat) => (a, seat),
                None => return close_with_error(&mut socket, TOO_MANY_FEEDS).await,
            },
            None => return close_with_error(&mut socket, UNAUTHORIZED).await,
        },
    };
    // Subscribe before saying hello so nothing published in between is missed.
    let mut rx = st.live.subscribe();
    let mut sessions = st.live.watch_sessions();
    sessions.mark_unchanged();
    let branch = st.db(|s| s.home_branch()).await.ok().map(|b| HelloBranch {
        id: b.id,
        name: b.name,
        timezone: b.timezone,
    });
    let hello = Hello {
        server_time: clock::to_rfc3339(now_ms()),
        user: auth.user.clone(),
        branch,
    };
    if !send_frame(&mut socket, &LiveFrame::Notice(FeedNotice::Hello(hello))).await {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(published) => {
                    // A change that may have ended this session is announced before the message
                    // it caused: decide on the session first, so nothing follows its end.
                    if sessions.has_changed().unwrap_or(false) {
                        sessions.mark_unchanged();
                        if !still_signed_in(&st, &mut auth).await {
                            return close_with_error(&mut socket, SESSION_ENDED).await;
                        }
                    }
                    if let Some(text) = published.for_user(&auth.user) {
                        if socket.send(Message::Text(text.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    if !send_frame(&mut socket, &LiveFrame::Change(LiveMessage::Resync)).await {
                        break;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                // Clients may send pings or a {"type":"ping"}; nothing else is expected.
                Some(Ok(_)) => {}
            },
            changed = sessions.changed() => {
                if changed.is_err() {
                    break;
                }
                if !still_signed_in(&st, &mut auth).await {
                    return close_with_error(&mut socket, SESSION_ENDED).await;
                }
            }
            _ = ping.tick() => {
                // Also catches what no signal announces: expiry, or a change made by another
                // process on the same database (`kidyboard user …`).
                if !still_signed_in(&st, &mut auth).await {
                    return close_with_error(&mut socket, SESSION_ENDED).await;
                }
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
}
