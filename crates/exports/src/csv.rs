//! CSV as Excel in Mexico opens it: UTF-8 with a byte-order mark (or accents turn to mojibake),
//! comma separated, CRLF line ends, RFC 4180 quoting. Several tables follow each other, each
//! under its title and separated by an empty line.

use crate::model::{Document, Progress};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Quotes a field when it holds a separator, a quote or a line break; quotes inside are doubled.
/// Fields starting with `=`, `+`, `-` or `@` that are not numbers get a leading `'` so a
/// spreadsheet does not run them as formulas (CSV injection).
fn field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn line(out: &mut Vec<u8>, fields: impl Iterator<Item = String>) {
    let joined: Vec<String> = fields.map(|f| field(&f)).collect();
    out.extend_from_slice(joined.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
}

pub fn write_csv(doc: &Document, progress: &mut dyn FnMut(Progress)) -> Vec<u8> {
    let total = doc.row_count();
    let mut done: usize = 0;
    let mut out = BOM.to_vec();
    for (i, table) in doc.tables.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        if doc.tables.len() > 1 {
            line(&mut out, std::iter::once(table.title.clone()));
        }
        line(&mut out, table.columns.iter().map(|c| c.title.clone()));
        for row in &table.rows {
            line(&mut out, row.iter().map(|c| c.plain()));
            done += 1;
            if done.is_multiple_of(1000) {
                progress(Progress { done, total });
            }
        }
    }
    progress(Progress { done, total });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("Jugo"), "Jugo");
        assert_eq!(field("Papas, grandes"), "\"Papas, grandes\"");
        assert_eq!(field("Dijo \"hola\""), "\"Dijo \"\"hola\"\"\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
        assert_eq!(field("-12.50"), "-12.50");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
