//! The files as real readers see them: Python's csv module and openpyxl, poppler's pdftotext
//! and pdfinfo. A table long enough to span PDF pages, with accents, quotes, commas, negative
//! money and an empty cell.

use std::process::Command;

use kidyboard_exports::{write, Cell, Column, ColumnKind, Document, Format, Progress, Table};

fn doc(rows: usize) -> Document {
    Document {
        title: "Ventas de prueba".into(),
        subtitle: "Sucursal Coyoacán · 2026-03-01 a 2026-03-31".into(),
        tables: vec![Table {
            title: "Ventas por día".into(),
            columns: vec![
                Column::new("Día", ColumnKind::Date),
                Column::new("Artículo", ColumnKind::Text),
                Column::new("Cantidad", ColumnKind::Integer),
                Column::new("Importe", ColumnKind::Money),
                Column::new("Participación", ColumnKind::Percent),
            ],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Cell::day(&format!("2026-03-{:02}", i % 28 + 1)),
                        Cell::text(if i == 0 {
                            "Papas \"grandes\", con limón"
                        } else {
                            "Piñata mañanera"
                        }),
                        Cell::Integer(i as i64),
                        Cell::Money(if i == 1 { -1_050 } else { 123_456 + i as i64 }),
                        if i == 2 {
                            Cell::Empty
                        } else {
                            Cell::Percent(0.125)
                        },
                    ]
                })
                .collect(),
        }],
    }
}

fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("reader runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn csv_reads_back_field_for_field() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("v.csv");
    std::fs::write(
        &path,
        write(&doc(3), Format::Csv, &mut |_| {}).expect("csv"),
    )
    .expect("write");
    let script = "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f: print(json.dumps(list(csv.reader(f))))";
    let rows: Vec<Vec<String>> =
        serde_json::from_str(&run(Command::new(python()).args(["-c", script]).arg(&path)))
            .expect("rows");
    assert_eq!(
        rows[0],
        ["Día", "Artículo", "Cantidad", "Importe", "Participación"]
    );
    assert_eq!(
        rows[1],
        [
            "2026-03-01",
            "Papas \"grandes\", con limón",
            "0",
            "1234.56",
            "12.5%"
        ]
    );
    assert_eq!(rows[2][3], "-10.50");
    assert_eq!(rows[3][4], "", "an empty cell stays empty");
}

#[test]
fn xlsx_has_typed_cells_a_frozen_header_and_a_filter() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("v.xlsx");
    let mut last = None;
    let bytes = write(&doc(2_500), Format::Xlsx, &mut |p: Progress| last = Some(p)).expect("xlsx");
    assert_eq!(
        last,
        Some(Progress {
            done: 2_500,
            total: 2_500
        }),
        "progress ends at every row"
    );
    std::fs::write(&path, bytes).expect("write");
    let script = r#"
import sys, openpyxl, datetime
s = openpyxl.load_workbook(sys.argv[1])["Ventas por día"]
print(s.max_row, s.freeze_panes, s.auto_filter.ref)
print(isinstance(s["A2"].value, datetime.datetime), s["A2"].value.date())
print(s["B2"].value)
print(s["D2"].value, s["D3"].value, s["D2"].number_format)
print(s["E2"].value, s["E2"].number_format, s["E4"].value)
"#;
    let out = run(Command::new(python()).args(["-c", script]).arg(&path));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2501 A2 A1:E2501");
    assert_eq!(lines[1], "True 2026-03-01");
    assert_eq!(lines[2], "Papas \"grandes\", con limón");
    assert!(lines[3].starts_with("1234.56 -10.5 "), "{}", lines[3]);
    assert!(lines[3].contains("#,##0.00"));
    assert_eq!(lines[4], "0.125 0.0% None");
}

#[test]
fn pdf_spans_pages_with_the_header_repeated_and_spanish_text_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("v.pdf");
    std::fs::write(
        &path,
        write(&doc(80), Format::Pdf, &mut |_| {}).expect("pdf"),
    )
    .expect("write");
    let info = run(Command::new("pdfinfo").arg(&path));
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(pages >= 2, "80 rows need more than one page, got {pages}");
    let fonts = run(Command::new("pdffonts").arg(&path));
    assert!(fonts.contains("DejaVuSans"), "{fonts}");
    for page in 1..=pages {
        let text = run(Command::new("pdftotext")
            .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(&path)
            .arg("-"));
        assert!(
            text.contains("Participación"),
            "page {page} repeats the header row:\n{text}"
        );
        assert!(
            text.contains(&format!("página {page} de {pages}")),
            "page {page} footer"
        );
    }
    let all = run(Command::new("pdftotext").arg(&path).arg("-"));
    for needle in [
        "Ventas de prueba",
        "Sucursal Coyoacán",
        "Piñata mañanera",
        "$1,234.56",
        "-$10.50",
        "12.5%",
    ] {
        assert!(all.contains(needle), "«{needle}» in:\n{all}");
    }
}
