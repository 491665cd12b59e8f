//! Liveness, readiness and metrics, for supervisors and Prometheus.

use std::net::IpAddr;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use kidyboard_core::Permission;
use sha2::{Digest, Sha256};

use super::Status;
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Status)))]
pub async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Status), (status = 503, body = Status)))]
pub async fn readyz(State(st): State<AppState>) -> (StatusCode, Json<Status>) {
    let store = st.store.clone();
    let ok = tokio::task::spawn_blocking(move || store.ping())
        .await
        .unwrap_or(false);
    if ok {
        (StatusCode::OK, Json(Status { status: "ready" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Status {
                status: "database unavailable",
            }),
        )
    }
}

#[utoipa::path(get, path = "/metrics", tag = "health",
    description = "Prometheus text. Sales figures are in it, so loopback peers read it freely and \
        others send `Authorization: Bearer` with the configured `metrics_token` or the token of a \
        super_admin/admin_viewer session.",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")),
    security((), ("bearer" = [])))]
pub async fn metrics(
    State(st): State<AppState>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let peer = peer.and_then(|p| p.parse::<IpAddr>().ok());
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    match metrics_access(
        peer,
        st.config.metrics_allow_loopback,
        presented.as_deref(),
        st.config.metrics_token.as_deref(),
    ) {
        Access::Allowed => {}
        Access::Denied => return Err(ApiError::unauthorized()),
        Access::Session(token) => {
            // A session works too, so an admin's browser can look; other roles may not.
            crate::auth::authenticate(&st, token)
                .await?
                .require(Permission::ReadReports)?;
        }
    }
    let store = st.store.clone();
    let images = st.images.clone();
    let (ready, active, usage) = tokio::task::spawn_blocking(move || {
        let active = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM timers WHERE state IN ('running', 'paused', 'expired')",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap_or(-1);
        (store.ping(), active, images.cache_usage().ok())
    })
    .await
    .unwrap_or((false, -1, None));
    let mut body = st.metrics.render(st.live.subscribers(), ready, active);
    body.push_str(&crate::metrics::render_images(st.images.stats(), usage));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

/// Who may read `/metrics`, decided before any database work.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    Allowed,
    Denied,
    /// A bearer token that is not the metrics token: allowed if it is an admin's session.
    Session(String),
}

fn metrics_access(
    peer: Option<IpAddr>,
    allow_loopback: bool,
    presented: Option<&str>,
    metrics_token: Option<&str>,
) -> Access {
    // `to_canonical` so that an IPv4 peer on a dual-stack socket (::ffff:127.0.0.1) counts too.
    if allow_loopback && peer.is_some_and(|p| p.to_canonical().is_loopback()) {
        return Access::Allowed;
    }
    match (presented, metrics_token) {
        (None, _) | (Some(""), _) => Access::Denied,
        (Some(p), Some(t)) if same_secret(p, t) => Access::Allowed,
        (Some(p), _) => Access::Session(p.to_string()),
    }
}

/// Compares digests so the time taken tells nothing about how much of the secret matched.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_the_metrics_token_or_a_session_reach_metrics() {
        let lan: IpAddr = "192.168.1.20".parse().unwrap();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let other_loopback: IpAddr = "127.3.2.1".parse().unwrap();
        for p in [loopback, mapped, other_loopback, "::1".parse().unwrap()] {
            assert_eq!(
                metrics_access(Some(p), true, None, None),
                Access::Allowed,
                "{p}"
            );
            assert_eq!(
                metrics_access(Some(p), false, None, None),
                Access::Denied,
                "{p} needs credentials when loopback is not trusted"
            );
        }
        assert_eq!(metrics_access(Some(lan), true, None, None), Access::Denied);
        assert_eq!(
            metrics_access(None, true, None, Some("s3cret")),
            Access::Denied
        );
        assert_eq!(
            metrics_access(Some(lan), true, Some("s3cret"), Some("s3cret")),
            Access::Allowed
        );
        assert_eq!(
            metrics_access(Some(lan), true, Some("s3cre"), Some("s3cret")),
            Access::Session("s3cre".into()),
            "a wrong metrics token is only tried as a session"
        );
        assert_eq!(
            metrics_access(Some(lan), true, Some("abc"), None),
            Access::Session("abc".into())
        );
    }
}

/// The store's certificate authority (`kidyboard tls init`), for a tablet or TV to trust once so
/// the hub's HTTPS is valid there and the web app can be installed. Public: it is a certificate,
/// not a secret (its key never leaves the hub).
#[utoipa::path(get, path = "/ca.crt", tag = "health",
    responses((status = 200, description = "The authority's certificate (PEM)", content_type = "application/x-x509-ca-cert", body = String),
        (status = 404, description = "This hub has no authority of its own (`kidyboard tls init`)", body = crate::error::ErrorBody)))]
pub async fn ca_certificate(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let path = crate::tls::ca_cert_path(&st.config.data_dir);
    let pem = tokio::fs::read(&path)
        .await
        .map_err(|_| ApiError::not_found())?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-x509-ca-cert"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kidyboard-ca.crt\"",
            ),
        ],
        pem,
    ))
}
