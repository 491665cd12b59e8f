//! What can go wrong talking to the hub, in one enum whose messages are in Spanish like the rest
//! of the product; callers branch on the variant (retry, give up, show the field at fault).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ClientError {
    /// No connection could be made (hub down, wrong address, network away).
    #[error("no se pudo conectar con el hub: {0}")]
    Unreachable(String),
    /// The hub took longer than [`crate::TIMEOUT`] to answer.
    #[error("el hub no respondió a tiempo")]
    TimedOut,
    /// The hub answered with an error: its HTTP status and its `{ error: { code, message, field } }`.
    #[error("el hub rechazó la petición ({status}): {message}{}", field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default())]
    Hub {
        status: u16,
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The hub answered something this client cannot read.
    #[error("respuesta inesperada del hub: {0}")]
    BadAnswer(String),
}

impl ClientError {
    /// Whether the hub refused the data itself (400/422): sending it again cannot help.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            ClientError::Hub {
                status: 400 | 422,
                ..
            }
        )
    }

    pub(crate) fn from_http(e: reqwest::Error) -> ClientError {
        if e.is_timeout() {
            ClientError::TimedOut
        } else if e.is_decode() {
            ClientError::BadAnswer(e.to_string())
        } else {
            ClientError::Unreachable(e.to_string())
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
