//! What a report file holds: a title, a subtitle (branch and dates) and tables of typed cells.

/// How a column's cells are meant: the XLSX writer picks a number format from it, the PDF writer
/// an alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// Centavos, shown as pesos.
    Money,
    /// A business day.
    Date,
    /// A fraction (0.25 = 25 %).
    Percent,
    Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub kind: ColumnKind,
}

impl Column {
    pub fn new(title: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            title: title.into(),
            kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// Centavos: written as exact pesos with two decimals.
    Money(i64),
    /// A calendar day (year, month, day).
    Date(i32, u32, u32),
    Percent(f64),
    Decimal(f64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    /// A `YYYY-MM-DD` day, or the text itself when it is not one.
    pub fn day(s: &str) -> Self {
        let mut parts = s.splitn(3, '-').map(str::parse::<u32>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)))
                if (1..=12).contains(&m) && (1..=31).contains(&d) =>
            {
                Cell::Date(y as i32, m, d)
            }
            _ => Cell::Text(s.to_string()),
        }
    }

    /// The cell as plain text, as the CSV and PDF show it. Money keeps a dot and no thousands
    /// separator in CSV so spreadsheets parse it; the PDF adds separators itself.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Money(c) => pesos(*c),
            Cell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Cell::Percent(f) => format!("{:.1}%", f * 100.0),
            Cell::Decimal(f) => format!("{f:.2}"),
            Cell::Empty => String::new(),
        }
    }
}

/// Centavos as pesos with exactly two decimals, computed on integers (no float rounding).
pub(crate) fn pesos(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Pesos with thousands separators and a `$`, for people (`-$1,234.50`).
pub(crate) fn pesos_display(cents: i64) -> String {
    let plain = pesos(cents.abs());
    let (int, dec) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${grouped}.{dec}")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Also the worksheet name (cut to Excel's 31 characters).
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Branch, dates, when it was made.
    pub subtitle: String,
    pub tables: Vec<Table>,
}

impl Document {
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }
}

/// Rows written so far out of all rows of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesos_are_exact_for_negative_and_small_amounts() {
        assert_eq!(pesos(0), "0.00");
        assert_eq!(pesos(5), "0.05");
        assert_eq!(pesos(-105), "-1.05");
        assert_eq!(pesos(123_456_789), "1234567.89");
        assert_eq!(pesos_display(123_456_789), "$1,234,567.89");
        assert_eq!(pesos_display(-100_000), "-$1,000.00");
        assert_eq!(pesos_display(99), "$0.99");
    }

    #[test]
    fn days_parse_or_stay_text() {
        assert_eq!(Cell::day("2026-03-09"), Cell::Date(2026, 3, 9));
        assert_eq!(Cell::day("mañana"), Cell::text("mañana"));
    }
}
