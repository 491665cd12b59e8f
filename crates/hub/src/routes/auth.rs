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
    if let Some(wait) = st.throttle.check(&req.username, address.as_deref()) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("demasiados intentos; espera {} s", wait.as_secs().max(1)),
        );
        e.retry_after_secs = Some(wait.as_secs().max(1));
        return Err(e);
    }
    let username = req.username.clone();
    let result = st
        .db(move |s| {
            s.change(&Actor::system(), now_ms(), |tx| {
                users::login(tx, &req.username, &req.password)
            })
        })
        .await;
    match result {
        Ok(session) => {
            st.throttle.succeed(&username);
            Ok(Json(session))
        }
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED {
                st.throttle.fail(&username, address.as_deref());
                st.metrics
                    .login_failures_total
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(username = %username.chars().take(40).collect::<String>(), address = ?address, "login failed");
            }
            Err(e)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(st): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let token = auth.token.clone();
    st.db(move |s| s.write(|c| users::logout(c, &token)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(auth: Auth) -> Json<User> {
    Json(auth.user)
}
