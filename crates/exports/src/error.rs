use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("pdf font: {0}")]
    Font(String),
}

pub type Result<T> = std::result::Result<T, ExportError>;
