//! PDF through printpdf: A4 landscape pages with the title, then each table with its header
//! row repeated on every page it spans; numbers right-aligned; page numbers in the footer. The
//! fonts are DejaVu Sans from `kidyboard-fonts` (the same embedded copy the menu renderer uses),
//! subset on save so a report stays small.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Pt, Rgb, TextItem, TextMatrix, WindingOrder,
};

use crate::error::{ExportError, Result};
use crate::model::{pesos_display, Cell, ColumnKind, Document, Progress, Table};

const REGULAR_TTF: &[u8] = kidyboard_fonts::REGULAR_TTF;
const BOLD_TTF: &[u8] = kidyboard_fonts::BOLD_TTF;

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
const ROW_H: f32 = 14.0;
const BODY_SIZE: f32 = 8.5;
const PAD: f32 = 3.0;

/// Advance widths of DejaVu Sans (in its 2048 units per em) for what numbers are made of;
/// other characters use an average. Only used to right-align numbers and to cut text that
/// would overflow its column.
fn advance(c: char) -> f32 {
    let units = match c {
        '0'..='9' | '$' => 1303.0,
        '.' | ',' | ' ' => 651.0,
        '-' => 739.0,
        '%' => 1946.0,
        'i' | 'l' | 'j' | '\'' | '!' => 569.0,
        'm' | 'w' | 'M' | 'W' => 1946.0,
        _ => 1229.0,
    };
    units / 2048.0
}

fn text_width(s: &str, size: f32) -> f32 {
    s.chars().map(advance).sum::<f32>() * size
}

/// Cuts `s` with an ellipsis so it fits `width`.
fn fit(s: &str, size: f32, width: f32) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = text_width("…", size);
    for c in s.chars() {
        w += advance(c) * size;
        if w > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn fonts() -> Result<&'static (ParsedFont, ParsedFont)> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?;
            let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?;
            Some((regular, bold))
        })
        .as_ref()
        .ok_or_else(|| ExportError::Font("DejaVu Sans could not be parsed".into()))
}

fn gray(v: f32) -> Color {
    Color::Rgb(Rgb {
        r: v,
        g: v,
        b: v,
        icc_profile: None,
    })
}

struct Pen {
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Baseline of the next row, from the bottom of the page.
    y: f32,
}

impl Pen {
    fn text(&mut self, bold: bool, size: f32, x: f32, y: f32, s: &str) {
        if s.is_empty() {
            return;
        }
        let font = if bold { &self.bold } else { &self.regular };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: gray(0.0) },
            Op::SetFont {
                font: PdfFontHandle::External(font.clone()),
                size: Pt(size),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(x), Pt(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, shade: f32) {
        self.ops.push(Op::SetFillColor { col: gray(shade) });
        self.ops.push(Op::DrawRectangle {
            rectangle: printpdf::Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    fn new_page(&mut self) {
        let done = std::mem::take(&mut self.ops);
        if !done.is_empty() {
            self.pages.push(done);
        }
        self.y = PAGE_H - MARGIN - 10.0;
    }

    fn room_for(&self, rows: f32) -> bool {
        self.y - rows * ROW_H >= MARGIN + 12.0
    }
}

/// Each column gets room for its heading (bold is about 10 % wider) and its widest cell (text
/// columns at most `TEXT_MAX`), then the widths are scaled together to fill the line; text
/// columns take the slack.
fn column_widths(table: &Table) -> Vec<f32> {
    const TEXT_MAX: f32 = 220.0;
    let usable = PAGE_W - 2.0 * MARGIN;
    let need: Vec<f32> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = table
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|cell| text_width(&shown(cell), BODY_SIZE))
                .fold(0.0f32, f32::max);
            let widest = if c.kind == ColumnKind::Text {
                widest.min(TEXT_MAX)
            } else {
                widest
            };
            (text_width(&c.title, BODY_SIZE) * 1.1).max(widest) + 2.0 * PAD + 6.0
        })
        .collect();
    let sum: f32 = need.iter().sum::<f32>().max(1.0);
    if sum >= usable {
        return need.iter().map(|w| w / sum * usable).collect();
    }
    let text_sum: f32 = table
        .columns
        .iter()
        .zip(&need)
        .filter(|(c, _)| c.kind == ColumnKind::Text)
        .map(|(_, w)| w)
        .sum();
    table
        .columns
        .iter()
        .zip(&need)
        .map(|(c, w)| {
            if text_sum > 0.0 {
                if c.kind == ColumnKind::Text {
                    w + (usable - sum) * w / text_sum
                } else {
                    *w
                }
            } else {
                w / sum * usable
            }
        })
        .collect()
}

/// Numbers sit at the right of their column, text and days at the left.
fn left_aligned(kind: ColumnKind) -> bool {
    matches!(kind, ColumnKind::Text | ColumnKind::Date)
}

fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Money(c) => pesos_display(*c),
        other => other.plain(),
    }
}

fn header_row(pen: &mut Pen, table: &Table, widths: &[f32]) {
    pen.fill(MARGIN, pen.y - 4.0, PAGE_W - 2.0 * MARGIN, ROW_H, 0.85);
    let mut x = MARGIN;
    for (col, w) in table.columns.iter().zip(widths) {
        let title = fit(&col.title, BODY_SIZE * 1.1, w - 2.0 * PAD);
        let at = if left_aligned(col.kind) {
            x + PAD
        } else {
            x + w - PAD - text_width(&title, BODY_SIZE) * 1.1
        };
        pen.text(true, BODY_SIZE, at, pen.y, &title);
        x += w;
    }
    pen.y -= ROW_H;
}

fn table_ops(
    pen: &mut Pen,
    table: &Table,
    done: &mut usize,
    total: usize,
    progress: &mut dyn FnMut(Progress),
) {
    if !pen.room_for(4.0) {
        pen.new_page();
    }
    pen.y -= 6.0;
    pen.text(true, 11.0, MARGIN, pen.y, &table.title);
    pen.y -= ROW_H + 4.0;
    let widths = column_widths(table);
    header_row(pen, table, &widths);
    for (n, row) in table.rows.iter().enumerate() {
        if !pen.room_for(1.0) {
            pen.new_page();
            header_row(pen, table, &widths);
        }
        if n % 2 == 1 {
            pen.fill(MARGIN, pen.y - 4.0, PAGE_W - 2.0 * MARGIN, ROW_H, 0.95);
        }
        let mut x = MARGIN;
        for ((cell, col), w) in row.iter().zip(&table.columns).zip(&widths) {
            let s = fit(&shown(cell), BODY_SIZE, w - 2.0 * PAD);
            let at = if left_aligned(col.kind) {
                x + PAD
            } else {
                x + w - PAD - text_width(&s, BODY_SIZE)
            };
            pen.text(false, BODY_SIZE, at, pen.y, &s);
            x += w;
        }
        pen.y -= ROW_H;
        *done += 1;
        if (*done).is_multiple_of(500) {
            progress(Progress { done: *done, total });
        }
    }
    if table.rows.is_empty() {
        pen.text(
            false,
            BODY_SIZE,
            MARGIN + PAD,
            pen.y,
            "Sin datos en este periodo.",
        );
        pen.y -= ROW_H;
    }
    pen.y -= ROW_H;
}

pub fn write_pdf(doc: &Document, progress: &mut dyn FnMut(Progress)) -> Result<Vec<u8>> {
    let (regular, bold) = fonts()?;
    let mut pdf = PdfDocument::new(&doc.title);
    let mut pen = Pen {
        regular: pdf.add_font(regular),
        bold: pdf.add_font(bold),
        pages: Vec::new(),
        ops: Vec::new(),
        y: PAGE_H - MARGIN - 10.0,
    };
    pen.text(true, 16.0, MARGIN, pen.y, &doc.title);
    pen.y -= 18.0;
    pen.text(false, 10.0, MARGIN, pen.y, &doc.subtitle);
    pen.y -= 20.0;
    let total = doc.row_count();
    let mut done: usize = 0;
    for table in &doc.tables {
        table_ops(&mut pen, table, &mut done, total, progress);
    }
    pen.new_page();
    let count = pen.pages.len();
    let mut pages = Vec::with_capacity(count);
    let bold_font = pen.bold.clone();
    for (i, mut ops) in std::mem::take(&mut pen.pages).into_iter().enumerate() {
        let footer = format!("{} — página {} de {}", doc.title, i + 1, count);
        ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: gray(0.4) },
            Op::SetFont {
                font: PdfFontHandle::External(bold_font.clone()),
                size: Pt(7.5),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(MARGIN), Pt(MARGIN - 14.0)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(footer)],
            },
            Op::EndTextSection,
        ]);
        pages.push(PdfPage::new(
            printpdf::Mm::from(Pt(PAGE_W)),
            printpdf::Mm::from(Pt(PAGE_H)),
            ops,
        ));
    }
    pdf.with_pages(pages);
    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let bytes = pdf.save(&opts, &mut warnings);
    progress(Progress { done, total });
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_its_column() {
        let s = "Paquete cumpleaños con pizza, pastel y dos horas de juego";
        let cut = fit(s, 8.5, 80.0);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 8.5) <= 80.0 + 0.01);
        assert_eq!(fit("Jugo", 8.5, 80.0), "Jugo");
    }
}
