//! The one place where failures become HTTP answers: `{ "error": { "code", "message", "field"? } }`.
//! Internal details are logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kidyboard_core::CoreError;
use kidyboard_http::HttpError;

pub use kidyboard_http::{ErrorBody, ErrorDetail};

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message)
        }
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no existe")
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "inicia sesión para continuar",
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "ocurrió un error interno; intenta de nuevo",
        )
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let status = match &e {
            CoreError::Validation { .. }
            | CoreError::InsufficientPayment { .. }
            | CoreError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            CoreError::Conflict { .. }
            | CoreError::InsufficientStock { .. }
            | CoreError::InvalidTransition { .. } => StatusCode::CONFLICT,
            CoreError::InvalidCredentials | CoreError::Unauthenticated => StatusCode::UNAUTHORIZED,
            CoreError::Forbidden(_) | CoreError::AuthorizationRequired(_) => StatusCode::FORBIDDEN,
            CoreError::Database(_) if e.code() == "busy" => StatusCode::SERVICE_UNAVAILABLE,
            CoreError::Database(_) | CoreError::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
            let mut api = ApiError::internal();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                api = ApiError::new(
                    status,
                    "busy",
                    "la base de datos está ocupada; intenta de nuevo",
                );
                api.retry_after_secs = Some(1);
            }
            return api;
        }
        ApiError {
            status,
            code: e.code(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
            retry_after_secs: None,
        }
    }
}

/// What the shared extractors refuse with (a body that is too large, unreadable or invalid).
impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        ApiError {
            status: e.status,
            code: e.code,
            message: e.message,
            field: e.field,
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = HttpError {
            status: self.status,
            code: self.code,
            message: self.message,
            field: self.field,
        }
        .into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}
