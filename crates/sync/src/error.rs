//! Every way the store's side of sync can fail, each with a stable machine-readable code (the
//! code is what the sync status shows as `last_error.code`).

use thiserror::Error;

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum SyncError {
    /// Input that breaks a rule; `field` names it (e.g. `url`).
    #[error("{message}")]
    Validation { field: String, message: String },

    #[error("store: {0}")]
    Store(#[from] kidyboard_core::CoreError),

    /// The store could not reach the cloud, or could not read its answer.
    #[error("cloud request failed: {0}")]
    Remote(String),

    /// The cloud answered with an error body; `code` is the cloud's.
    #[error("the cloud refused: {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },

    #[error("{0}")]
    Internal(String),
}

impl SyncError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        SyncError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The stable code clients branch on: the cloud's own code for a refusal, `offline` when
    /// the cloud could not be reached.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Validation { .. } => "validation",
            SyncError::Remote(_) => "offline",
            SyncError::Refused { code, .. } => code,
            SyncError::Store(_) | SyncError::Internal(_) => "internal",
        }
    }

    /// Worth retrying later (the link or the cloud was down), as opposed to a refusal that will
    /// not change by itself.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Remote(_) => true,
            SyncError::Refused { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_transience_follow_the_cloud_answer() {
        let refused = |status| SyncError::Refused {
            status,
            code: "unavailable".into(),
            message: String::new(),
        };
        assert_eq!(SyncError::Remote("down".into()).code(), "offline");
        assert_eq!(
            refused(503).code(),
            "unavailable",
            "the cloud's own code is kept"
        );
        assert!(
            refused(503).is_transient(),
            "a cloud error is worth retrying"
        );
        assert!(refused(429).is_transient(), "so is being throttled");
        assert!(
            !refused(401).is_transient(),
            "a refused credential stays refused"
        );
        assert!(!SyncError::validation("url", "x").is_transient());
    }
}
