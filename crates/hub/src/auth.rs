//! Bearer-token authentication and the role check every route makes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kidyboard_core::clock::now_ms;
use kidyboard_core::users::{self, User};
use kidyboard_core::{Actor, Permission};
use kidyboard_http::bearer;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The signed-in user of a request.
#[derive(Clone, Debug)]
pub struct Auth {
    pub user: User,
    pub token: String,
}

impl Auth {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id.clone()),
            role: self.user.role,
        }
    }

    pub fn require(&self, p: Permission) -> ApiResult<()> {
        self.user.role.require(p).map_err(ApiError::from)
    }
}

/// Resolves a token to its user, sliding the session's expiry forward now and then.
pub async fn authenticate(state: &AppState, token: String) -> ApiResult<Auth> {
    let now = now_ms();
    let t = token.clone();
    let (user, needs_refresh) = state
        .db(move |s| s.read(|c| users::authenticate(c, &t, now)))
        .await?;
    if needs_refresh {
        let t = token.clone();
        // Best effort: a failed refresh only means the session ends at its old time.
        let _ = state
            .db(move |s| s.write(|c| users::refresh(c, &t, now)))
            .await;
    }
    Ok(Auth { user, token })
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        authenticate(state, token.to_string()).await
    }
}

/// The client's address, when the server knows it (it does over a real socket).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}
