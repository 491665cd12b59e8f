//! Request extractors that answer bad input with our JSON error (naming the field) instead of
//! axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::strict_json::Strict;

/// A JSON body; a wrong type or a missing field answers 422 with the path of the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    e.status(),
                    "payload_too_large",
                    "el cuerpo de la solicitud es demasiado grande",
                )
            } else {
                ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
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
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
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
        ApiError::validation(field, message)
    })?;
    de.end().map_err(|_| {
        ApiError::validation(
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
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                ApiError::validation(field, format!("parámetro inválido: {}", e.into_inner()))
            })
    }
}
