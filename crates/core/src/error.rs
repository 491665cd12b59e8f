//! Every way a core operation can fail, each with a stable machine-readable code.

use thiserror::Error;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum CoreError {
    /// Input that breaks a rule; `field` names the offending input (e.g. `items[0].quantity`).
    #[error("{message}")]
    Validation { field: String, message: String },

    #[error("{entity} {id} no existe")]
    NotFound { entity: &'static str, id: String },

    /// A well-formed request that clashes with the current state (duplicate name, closed day…).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },

    #[error("{message}")]
    InsufficientStock { field: String, message: String },

    #[error("{message}")]
    InsufficientPayment { message: String },

    #[error("no se puede {action} un temporizador en estado {state}")]
    InvalidTransition { action: &'static str, state: String },

    #[error("usuario o contraseña incorrectos")]
    InvalidCredentials,

    #[error("la sesión no es válida o expiró")]
    Unauthenticated,

    #[error("{0}")]
    Forbidden(String),

    /// The action needs a supervisor's username and PIN (`authorization`), missing or not valid.
    #[error("{0}")]
    AuthorizationRequired(String),

    #[error("la clave de idempotencia ya se usó con otra solicitud")]
    IdempotencyKeyReused,

    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),

    /// The data on disk is not what this program wrote (failed integrity check, bad JSON…).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl CoreError {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Validation { .. } => "validation",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Conflict { code, .. } => code,
            CoreError::InsufficientStock { .. } => "insufficient_stock",
            CoreError::InsufficientPayment { .. } => "insufficient_payment",
            CoreError::InvalidTransition { .. } => "invalid_transition",
            CoreError::InvalidCredentials => "unauthorized",
            CoreError::Unauthenticated => "unauthorized",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::AuthorizationRequired(_) => "authorization_required",
            CoreError::IdempotencyKeyReused => "idempotency_key_reused",
            CoreError::Database(e) if is_busy(e) => "busy",
            CoreError::Database(_) => "internal",
            CoreError::Corrupt(_) => "internal",
        }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Validation { field, .. } | CoreError::InsufficientStock { field, .. } => {
                Some(field)
            }
            CoreError::Conflict { field, .. } => field.as_deref(),
            CoreError::AuthorizationRequired(_) => Some("authorization"),
            _ => None,
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        CoreError::NotFound {
            entity,
            id: id.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        CoreError::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked
    )
}
