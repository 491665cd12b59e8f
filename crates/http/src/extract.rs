//! What a request carries, read so that bad input is answered with the JSON error body (naming
//! the field) instead of axum's plain-text rejections: a JSON body, a query string, and the
//! bearer token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::HttpError;
use crate::strict_json::Strict;

/// A JSON body; a wrong type or a missing field answers 422 with the path of the field, a body
/// over the router's limit 413 `payload_too_large`.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HttpError::new(
                    e.status(),
                    "payload_too_large",
                    "el cuerpo de la solicitud es demasiado grande",
                )
            } else {
                HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "no se pudo leer el cuerpo",
                )
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads a body as `T`. Every struct in `T`, at any depth, must come from a JSON object (see
/// `strict_json`), and nothing may follow the value.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(Strict(&mut de)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." || path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        let detail = inner.to_string();
        let message = if inner.is_syntax() || inner.is_eof() {
            "el cuerpo no es JSON válido".to_string()
        } else if detail.starts_with("invalid type: sequence, expected struct") {
            "debe ser un objeto JSON ({…}), no una lista".to_string()
        } else {
            format!("valor inválido: {}", strip_position(&detail))
        };
        HttpError::validation(field, message)
    })?;
    de.end().map_err(|_| {
        HttpError::validation(
            "body",
            "el cuerpo no es JSON válido: sobra texto tras el valor",
        )
    })?;
    Ok(value)
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// A query string; a bad value answers 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                HttpError::validation(field, format!("parámetro inválido: {}", e.into_inner()))
            })
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case, the token
/// trimmed), or `None` without one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request as HttpRequest;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut req = HttpRequest::builder().uri("/");
        if let Some(v) = authorization {
            req = req.header(header::AUTHORIZATION, v);
        }
        req.body(()).expect("request").into_parts().0
    }

    #[test]
    fn the_bearer_token_is_read_whatever_the_scheme_case() {
        assert_eq!(bearer(&parts(Some("Bearer abc"))), Some("abc"));
        assert_eq!(bearer(&parts(Some("bearer  abc "))), Some("abc"));
        assert_eq!(bearer(&parts(Some("Basic abc"))), None);
        assert_eq!(bearer(&parts(Some("Bearer"))), None);
        assert_eq!(bearer(&parts(None)), None);
    }

    #[derive(Debug, serde::Deserialize)]
    struct Line {
        #[allow(dead_code)]
        quantity: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Order {
        #[allow(dead_code)]
        items: Vec<Line>,
    }

    #[test]
    fn a_bad_body_names_its_field_and_nothing_may_follow_it() {
        let e = parse_json::<Order>(br#"{"items": [{"quantity": "dos"}]}"#).expect_err("a string");
        assert_eq!(
            (e.status, e.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation")
        );
        assert_eq!(e.field.as_deref(), Some("items[0].quantity"));
        let e = parse_json::<Order>(b"[[]]").expect_err("a list for an object");
        assert_eq!(e.field.as_deref(), Some("body"));
        let e = parse_json::<Order>(br#"{"items": []} {}"#).expect_err("trailing text");
        assert_eq!(e.field.as_deref(), Some("body"));
        assert!(parse_json::<Order>(br#"{"items": [{"quantity": 2}]}"#).is_ok());
    }
}
