//! An error answer on its way out: the status and the body's code, message and field. The hub's
//! `ApiError` and the cloud's `CloudError` decide what to say and render through it; the
//! extractors here refuse with it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

use crate::body::{ErrorBody, ErrorDetail};

#[derive(Debug, Error)]
#[error("{message}")]
pub struct HttpError {
    pub status: StatusCode,
    /// Stable, machine-readable.
    pub code: &'static str,
    /// For people (Spanish); never internal details.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 422 `validation`, naming the field at fault.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        HttpError {
            field: Some(field.into()),
            ..HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message)
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}
