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
    // Reserved before the password is checked: concurrent guesses get one check, not sixty.
    let attempt = st
        .throttle
        .reserve(&req.username, address.as_deref())
        .map_err(too_many_attempts)?;
    let username = req.username.clone();
    let lookup = req.username.clone();
    let creds = st
        .db(move |s| s.read(|c| users::credentials(c, &lookup)))
        .await?;
    // The slow hash runs on the blocking pool with no database lock held, a bounded number at
    // a time, so a burst of logins never stalls sales.
    let permit = st
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal())?;
    let password = req.password;
    let verified = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        creds.verify(&password)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let result = match verified {
        Ok(user_id) => {
            st.db(move |s| {
                s.change(&Actor::system(), now_ms(), |tx| {
                    users::open_session(tx, &user_id)
                })
            })
            .await
        }
        Err(e) => Err(ApiError::from(e)),
    };
    match result {
        Ok(session) => {
            attempt.succeeded();
            Ok(Json(session))
        }
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED {
                attempt.failed();
                st.metrics
                    .login_failures_total
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(username = %username.chars().take(40).collect::<String>(), address = ?address, "login failed");
            }
            Err(e)
        }
    }
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
