//! Sign in and out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kidyboard_core::clock::now_ms;
use kidyboard_core::users::{self, Session, User};
use kidyboard_core::Actor;
use serde::Deserialize;
use std::sync::atomic::Ordering;
use utoipa::ToSchema;

use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(st): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<Session>> {
    sign_in(&st, address, req.username, req.password, Secret::Password).await
}

#[derive(Deserialize, ToSchema)]
pub struct PinLoginRequest {
    pub username: String,
    /// The user's 4–6 digit PIN.
    pub pin: String,
}

/// The quick switch on a shared desk: a user's username and PIN open a session like a
/// password does, under the same throttle (a PIN has few digits: guesses are what it is
/// protected against).
#[utoipa::path(post, path = "/api/v1/auth/pin", tag = "auth", request_body = PinLoginRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn pin_login(
    State(st): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(req): ApiJson<PinLoginRequest>,
) -> ApiResult<Json<Session>> {
    sign_in(&st, address, req.username, req.pin, Secret::Pin).await
}

async fn sign_in(
    st: &AppState,
    address: Option<String>,
    username: String,
    secret: String,
    kind: Secret,
) -> ApiResult<Json<Session>> {
    let user_id = check_secret(st, address, &username, secret, kind).await?;
    let session = st
        .db(move |s| {
            s.change(&Actor::system(), now_ms(), |tx| {
                users::open_session(tx, &user_id)
            })
        })
        .await?;
    Ok(Json(session))
}

/// Which secret a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    Password,
    Pin,
}

/// Checks `username`'s password or PIN and answers the user's id. The attempt is reserved in
/// the login throttle before anything is checked (concurrent guesses get one check, not sixty),
/// the slow hash runs on the blocking pool with no database lock held, a bounded number at a
/// time, and a failure counts against the username and the address whichever secret it was.
pub async fn check_secret(
    st: &AppState,
    address: Option<String>,
    username: &str,
    secret: String,
    kind: Secret,
) -> ApiResult<String> {
    let attempt = st
        .throttle
        .reserve(username, address.as_deref())
        .map_err(too_many_attempts)?;
    let lookup = username.to_string();
    let creds = st
        .db(move |s| {
            s.read(|c| match kind {
                Secret::Password => users::credentials(c, &lookup),
                Secret::Pin => users::pin_credentials(c, &lookup),
            })
        })
        .await?;
    let permit = st
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal())?;
    let verified = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        creds.verify(&secret)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    match verified {
        Ok(user_id) => {
            attempt.succeeded();
            Ok(user_id)
        }
        Err(e) => {
            attempt.failed();
            st.metrics
                .login_failures_total
                .fetch_add(1, Ordering::Relaxed);
            tracing::warn!(username = %username.chars().take(40).collect::<String>(), address = ?address, secret = ?kind, "sign-in check failed");
            Err(ApiError::from(e))
        }
    }
}

/// A supervisor's authorization entered on the same screen (username + PIN): checked under the
/// sign-in throttle, before the write; a wrong one is a 403 naming `authorization`. The id it
/// gives still has to pass the core's check of what that user may authorise.
pub async fn authorize(
    st: &AppState,
    address: Option<String>,
    authorization: Option<&kidyboard_core::refunds::Authorization>,
) -> ApiResult<Option<String>> {
    let Some(a) = authorization else {
        return Ok(None);
    };
    check_secret(st, address, &a.username, a.pin.clone(), Secret::Pin)
        .await
        .map(Some)
        .map_err(|e| {
            if e.status == StatusCode::UNAUTHORIZED {
                ApiError::from(kidyboard_core::CoreError::AuthorizationRequired(
                    "usuario o PIN de autorización incorrectos".into(),
                ))
            } else {
                e
            }
        })
}

fn too_many_attempts(wait: std::time::Duration) -> ApiError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("demasiados intentos; espera {secs} s"),
    );
    e.retry_after_secs = Some(secs);
    e
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(st): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let token = auth.token.clone();
    st.db(move |s| s.write(|c| users::logout(c, &token)))
        .await?;
    st.live.sessions_changed();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(auth: Auth) -> Json<User> {
    Json(auth.user)
}
