//! Report files for owners: one table model written as CSV (UTF-8 with a BOM so Excel reads
//! accents), XLSX (typed cells: money as numbers in a currency format, real dates) and PDF
//! (the bundled DejaVu fonts, so every Spanish glyph prints). Knows nothing of the store: the hub
//! turns its reports into [`Document`]s.

mod csv;
mod error;
mod model;
mod pdf;
mod xlsx;

pub use crate::csv::write_csv;
pub use crate::error::{ExportError, Result};
pub use crate::model::{Cell, Column, ColumnKind, Document, Format, Progress, Table};
pub use crate::pdf::write_pdf;
pub use crate::xlsx::write_xlsx;

/// Writes `doc` in `format`, reporting rows written through `progress`.
pub fn write(
    doc: &Document,
    format: Format,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<u8>> {
    match format {
        Format::Csv => Ok(write_csv(doc, progress)),
        Format::Xlsx => write_xlsx(doc, progress),
        Format::Pdf => write_pdf(doc, progress),
    }
}
