//! What can go wrong in the vision pipeline. Each variant maps to a state the admin sees
//! (`VisionError::state`), so a missing camera or model is a clear message, never a crash.

use kidyboard_core::vision::VisionState;

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    /// The ONNX Runtime library or the model file is missing or cannot be loaded.
    #[error("{0}")]
    Model(String),
    /// No camera, or not the one asked for.
    #[error("{0}")]
    NoCamera(String),
    /// The camera (or the file) stopped giving frames.
    #[error("{0}")]
    Source(String),
    /// A frame or file that could not be decoded.
    #[error("{0}")]
    Decode(String),
    /// A source or option spelled wrong.
    #[error("{0}")]
    Config(String),
    /// The hub could not be reached, did not accept, or refused the data itself (400/422, see
    /// `ClientError::is_invalid_input`: sending it again cannot help).
    #[error(transparent)]
    Hub(#[from] kidyboard_client::ClientError),
}

impl VisionError {
    pub fn state(&self) -> VisionState {
        match self {
            VisionError::Model(_) => VisionState::ModelError,
            VisionError::NoCamera(_) | VisionError::Config(_) => VisionState::NoCamera,
            VisionError::Source(_) | VisionError::Decode(_) | VisionError::Hub(_) => {
                VisionState::Unplugged
            }
        }
    }
}

impl From<ort::Error> for VisionError {
    fn from(e: ort::Error) -> Self {
        VisionError::Model(format!("ONNX Runtime: {e}"))
    }
}

pub type Result<T, E = VisionError> = std::result::Result<T, E>;
