//! Pieces of the router both servers use the same way: which other sites may call the API from a
//! browser, the headers every answer carries, and the label a request is counted under.

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// Only the listed origins may call the API from another site (the server's own pages need no
/// CORS); `extra_headers` are allowed besides `Authorization` and `Content-Type`.
pub fn cors(origins: &[String], extra_headers: &[HeaderName]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let mut headers = vec![header::AUTHORIZATION, header::CONTENT_TYPE];
    headers.extend_from_slice(extra_headers);
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers(headers)
        .max_age(Duration::from_secs(600))
}

/// What a request is counted under: its route pattern (never the raw path, which holds ids),
/// `unmatched` under `/api/`, else `other` (`static` files, the console).
pub fn route_label(req: &Request, other: &str) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/api/") {
                "unmatched".into()
            } else {
                other.into()
            }
        })
}

/// What every answer carries unless its handler set it: no sniffing, no framing, no referrer,
/// `csp` (each server's pages load only their own scripts) and, when given, a permissions policy.
pub fn secure_headers<S: Clone + Send + Sync + 'static>(
    app: Router<S>,
    csp: &'static str,
    permissions: Option<&'static str>,
) -> Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let app = app
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::CONTENT_SECURITY_POLICY, csp));
    match permissions {
        Some(p) => app.layer(set(HeaderName::from_static("permissions-policy"), p)),
        None => app,
    }
}
