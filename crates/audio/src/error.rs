//! What can go wrong in the audio part, with a stable code for each case so the hub can answer
//! uploads with a clear 4xx and the player can report its status.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AudioError {
    /// The bytes are not audio we can decode (or are damaged).
    #[error("el archivo no es audio válido (WAV, MP3, OGG o FLAC): {0}")]
    NotAudio(String),
    /// Decodes, but holds no sound at all.
    #[error("el archivo no contiene sonido")]
    Empty,
    #[error("el audio dura {seconds} s; el máximo es {max} s")]
    TooLong { seconds: u64, max: u64 },
    #[error("el archivo pesa {bytes} bytes; el máximo es {max}")]
    TooBig { bytes: u64, max: u64 },
    /// No sound card, or the configured one is missing: a status, never a crash.
    #[error("no hay dispositivo de sonido: {0}")]
    NoDevice(String),
    /// espeak-ng missing or failing.
    #[error("no se pudo sintetizar la voz: {0}")]
    Speech(String),
    /// The hub could not be reached or refused a request.
    #[error(transparent)]
    Hub(#[from] kidyboard_client::ClientError),
    #[error("error de E/S: {0}")]
    Io(#[from] std::io::Error),
    #[error("error de WAV: {0}")]
    Wav(#[from] hound::Error),
}

impl AudioError {
    /// A machine-readable code, stable across versions.
    pub fn code(&self) -> &'static str {
        match self {
            AudioError::NotAudio(_) => "not_audio",
            AudioError::Empty => "empty_audio",
            AudioError::TooLong { .. } => "audio_too_long",
            AudioError::TooBig { .. } => "payload_too_large",
            AudioError::NoDevice(_) => "no_device",
            AudioError::Speech(_) => "speech_failed",
            AudioError::Hub(_) => "hub_unreachable",
            AudioError::Io(_) => "io",
            AudioError::Wav(_) => "wav",
        }
    }

    /// The HTTP status an upload answers with for this error (5xx = our fault, hidden).
    pub fn http_status(&self) -> u16 {
        match self {
            AudioError::NotAudio(_) | AudioError::Empty => 422,
            AudioError::TooLong { .. } => 422,
            AudioError::TooBig { .. } => 413,
            _ => 500,
        }
    }
}

pub type Result<T, E = AudioError> = std::result::Result<T, E>;
