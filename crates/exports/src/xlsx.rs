//! XLSX through rust_xlsxwriter: one worksheet per table, a bold frozen header row with an
//! autofilter, money as numbers in a peso format (so sums work in Excel), days as real dates.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use crate::error::Result;
use crate::model::{Cell, ColumnKind, Document, Progress};

const MONEY_FORMAT: &str = "\"$\"#,##0.00;-\"$\"#,##0.00";

/// Excel refuses sheet names over 31 characters, with `[]:*?/\`, or repeated.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(28)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Hoja".to_string()
    } else {
        clean
    };
    let mut name = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{clean} {n}");
        n += 1;
    }
    name
}

fn width_for(kind: ColumnKind, title: &str) -> f64 {
    let base: f64 = match kind {
        ColumnKind::Text => 28.0,
        ColumnKind::Money => 14.0,
        ColumnKind::Date => 12.0,
        _ => 10.0,
    };
    base.max(title.chars().count() as f64 + 4.0)
}

pub fn write_xlsx(doc: &Document, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    let total = doc.row_count();
    let mut done: usize = 0;
    let header = Format::new().set_bold();
    let money = Format::new().set_num_format(MONEY_FORMAT);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.00");
    let mut workbook = Workbook::new();
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&doc.title));
    let mut names = Vec::new();
    for table in &doc.tables {
        let name = sheet_name(&table.title, &names);
        names.push(name.clone());
        let sheet: &mut Worksheet = workbook.add_worksheet();
        sheet.set_name(&name)?;
        for (c, col) in table.columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, &col.title, &header)?;
            sheet.set_column_width(c, width_for(col.kind, &col.title))?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Integer(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Money(cents) => {
                        sheet.write_number_with_format(r, c, *cents as f64 / 100.0, &money)?;
                    }
                    Cell::Date(y, m, d) => {
                        let day = ExcelDateTime::from_ymd(*y as u16, *m as u8, *d as u8)?;
                        sheet.write_datetime_with_format(r, c, &day, &date)?;
                    }
                    Cell::Percent(f) => {
                        sheet.write_number_with_format(r, c, *f, &percent)?;
                    }
                    Cell::Decimal(f) => {
                        sheet.write_number_with_format(r, c, *f, &decimal)?;
                    }
                    Cell::Empty => {}
                }
            }
            done += 1;
            if done.is_multiple_of(1000) {
                progress(Progress { done, total });
            }
        }
        if !table.columns.is_empty() {
            let last_col = table.columns.len() as u16 - 1;
            sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
            sheet.set_freeze_panes(1, 0)?;
        }
    }
    if doc.tables.is_empty() {
        workbook.add_worksheet().write_string(0, 0, &doc.title)?;
    }
    let bytes = workbook.save_to_buffer()?;
    progress(Progress { done, total });
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel_rules() {
        let long = "Ingresos por método de pago y tipo de venta";
        let a = sheet_name(long, &[]);
        assert!(a.chars().count() <= 31);
        let b = sheet_name(long, std::slice::from_ref(&a));
        assert_ne!(a, b, "a repeated title gets a new name");
        assert_eq!(sheet_name("a/b:c", &[]), "a b c");
        assert_eq!(sheet_name("  ", &[]), "Hoja");
    }
}
