//! Every way a menu export can fail, as one enum the hub can map to an HTTP status.

use thiserror::Error;

/// A failed render or export. `InvalidDesign` and `InvalidContent` are the caller's fault
/// (answer 4xx and show `field`); the rest are ours or the machine's.
#[derive(Debug, Error)]
pub enum MediaError {
    /// The design breaks a rule; `field` is a JSON path such as `fonts.item_name`.
    #[error("invalid design: {field}: {message}")]
    InvalidDesign { field: String, message: String },
    /// The content breaks a rule; `field` is a JSON path such as `sections[2].items[0].name`.
    #[error("invalid content: {field}: {message}")]
    InvalidContent { field: String, message: String },
    /// A page or slide index past the end of the layout.
    #[error("page {page} does not exist: the menu has {pages} page(s)")]
    NoSuchPage { page: usize, pages: usize },
    /// The cancel flag was raised; nothing usable was produced.
    #[error("export cancelled")]
    Cancelled,
    /// The H.264 encoder refused a frame or its settings.
    #[error("video encoder: {0}")]
    Encoder(String),
    /// The MP4 muxer refused a sample.
    #[error("mp4 muxer: {0}")]
    Mux(String),
    /// Rasterising or PNG encoding failed.
    #[error("raster: {0}")]
    Raster(String),
    /// A bundled font could not be parsed (a build defect, not user input).
    #[error("font: {0}")]
    Font(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl MediaError {
    pub(crate) fn design(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidDesign {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn content(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidContent {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A stable machine-readable code for the hub's `{error:{code,message}}` body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidDesign { .. } => "invalid_design",
            Self::InvalidContent { .. } => "invalid_content",
            Self::NoSuchPage { .. } => "no_such_page",
            Self::Cancelled => "cancelled",
            Self::Encoder(_) => "video_encoder",
            Self::Mux(_) => "mp4_muxer",
            Self::Raster(_) => "raster",
            Self::Font(_) => "font",
            Self::Io(_) => "io",
        }
    }
}

/// Result with [`MediaError`].
pub type Result<T, E = MediaError> = std::result::Result<T, E>;
