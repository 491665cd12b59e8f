//! Every way the cloud can fail, each with a stable machine-readable code.
//! The HTTP answer is always `{ "error": { "code", "message", "field"? } }`; internal details are
//! logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kidyboard_http::HttpError;
use thiserror::Error;

pub use kidyboard_http::{ErrorBody, ErrorDetail};

pub type Result<T, E = CloudError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum CloudError {
    /// Input that breaks a rule; `field` names it (e.g. `events[3].id`).
    #[error("{message}")]
    Validation { field: String, message: String },

    #[error("credencial ausente o inválida")]
    Unauthorized,

    /// A sign-in refused for a reason the client acts on (`totp_required`, `wrong_credentials`).
    #[error("{message}")]
    Denied { code: &'static str, message: String },

    /// Too many failed sign-ins: try again after `retry_after_secs`.
    #[error("demasiados intentos; espera {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },

    /// Too many requests from one client or device in a short time.
    #[error("demasiadas solicitudes; espera {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },

    #[error("{0}")]
    Forbidden(String),

    #[error("{0} no existe")]
    NotFound(&'static str),

    #[error("{message}")]
    Conflict { code: &'static str, message: String },

    #[error("la base de datos no está disponible")]
    Unavailable(String),

    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),

    #[error("connection pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),

    #[error("store: {0}")]
    Store(#[from] kidyboard_core::CoreError),

    #[error("{0}")]
    Internal(String),
}

impl CloudError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CloudError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            CloudError::Validation { .. } => "validation",
            CloudError::Unauthorized => "unauthorized",
            CloudError::Denied { code, .. } => code,
            CloudError::Throttled { .. } => "too_many_attempts",
            CloudError::RateLimited { .. } => "rate_limited",
            CloudError::Forbidden(_) => "forbidden",
            CloudError::NotFound(_) => "not_found",
            CloudError::Conflict { code, .. } => code,
            CloudError::Unavailable(_) | CloudError::Pool(_) => "unavailable",
            CloudError::Postgres(e) if is_connection_error(e) => "unavailable",
            CloudError::Postgres(_) | CloudError::Store(_) | CloudError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self.code() {
            "validation" => StatusCode::UNPROCESSABLE_ENTITY,
            "unauthorized" => StatusCode::UNAUTHORIZED,
            "forbidden" => StatusCode::FORBIDDEN,
            "too_many_attempts" | "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
            _ if matches!(self, CloudError::Denied { .. }) => StatusCode::UNAUTHORIZED,
            "not_found" => StatusCode::NOT_FOUND,
            "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ if matches!(self, CloudError::Conflict { .. }) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Worth retrying later (the link, the cloud or its database was down), as opposed to a
    /// refusal that will not change by itself.
    pub fn is_transient(&self) -> bool {
        match self {
            CloudError::Unavailable(_) | CloudError::Pool(_) => true,
            CloudError::Postgres(e) => is_connection_error(e),
            _ => false,
        }
    }
}

fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

impl IntoResponse for CloudError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => {
                    "el servicio no está disponible; intenta de nuevo".to_string()
                }
                _ => "ocurrió un error interno; intenta de nuevo".to_string(),
            }
        } else {
            self.to_string()
        };
        let field = match &self {
            CloudError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let retry = match &self {
            CloudError::Throttled { retry_after_secs }
            | CloudError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let mut res = HttpError {
            status,
            code: self.code(),
            message,
            field,
        }
        .into_response();
        if let Some(secs) = retry {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs.max(1)),
            );
        }
        res
    }
}
