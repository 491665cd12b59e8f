//! PDF export checked with poppler: text, fonts, pages, page sizes, pictures.

mod common;

use std::sync::atomic::AtomicBool;

use common::{path_str, run_text, sample_content, squash};
use kidyboard_media::{
    export_pdf, format_mxn, Canvas, ImageBytes, MediaError, MenuDesign, Orientation, PaperSize,
    Progress, Stage,
};

fn write_pdf(
    design: &MenuDesign,
    content: &kidyboard_media::MenuContent,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    kidyboard_media::PdfExport,
) {
    let export = export_pdf(design, content, |_| {}, &AtomicBool::new(false))
        .expect("export should succeed");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("menu.pdf");
    std::fs::write(&path, &export.pdf).expect("write pdf");
    (dir, path, export)
}

fn pdfinfo_field(info: &str, key: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
        .unwrap_or_else(|| panic!("pdfinfo has no {key}: {info}"))
}

#[test]
fn every_name_and_price_is_real_text_in_embedded_subset_fonts() {
    let content = sample_content(12, Some(320));
    let design = MenuDesign::default();
    let (_dir, path, export) = write_pdf(&design, &content);
    assert!(
        export.warnings.is_empty(),
        "no warnings expected: {:?}",
        export.warnings
    );

    let text = squash(&run_text(
        "pdftotext",
        &["-enc", "UTF-8", path_str(&path), "-"],
    ));
    for item in content.sections.iter().flat_map(|s| &s.items) {
        assert!(
            text.contains(&item.name),
            "pdftotext should contain {:?} in {text}",
            item.name
        );
        let price = format_mxn(item.price_cents);
        assert!(
            text.contains(&price),
            "pdftotext should contain price {price}"
        );
    }
    assert!(text.contains("Kidyboard Centro Infantil") && text.contains("Tiempo de juego"));

    let fonts = run_text("pdffonts", &[path_str(&path)]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(
        rows.len(),
        2,
        "regular and bold embedded, nothing else: {fonts}"
    );
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(
            cols[0].contains('+') && cols[0].contains("DejaVuSans"),
            "subset-tagged DejaVu font name: {row}"
        );
        // columns: name type [encoding…] emb sub uni object ID
        let n = cols.len();
        assert_eq!(
            (cols[n - 5], cols[n - 4]),
            ("yes", "yes"),
            "font must be embedded (emb) and subset (sub): {row}"
        );
    }

    let info = run_text("pdfinfo", &[path_str(&path)]);
    assert_eq!(pdfinfo_field(&info, "Pages:"), "1");
    assert!(
        pdfinfo_field(&info, "Page size:").starts_with("595.276 x 841.89 pts (A4)"),
        "A4 page: {info}"
    );
}

#[test]
fn overflow_flows_onto_more_pages_and_loses_nothing() {
    let content = sample_content(60, None);
    let design = MenuDesign::default();
    let (_dir, path, export) = write_pdf(&design, &content);
    let info = run_text("pdfinfo", &[path_str(&path)]);
    let pages: usize = pdfinfo_field(&info, "Pages:").parse().expect("page count");
    assert!(pages >= 2, "60 items cannot fit one A4 page; got {pages}");
    assert_eq!(pages, export.pages, "export reports the real page count");
    let text = squash(&run_text(
        "pdftotext",
        &["-enc", "UTF-8", path_str(&path), "-"],
    ));
    for item in content.sections.iter().flat_map(|s| &s.items) {
        assert!(
            text.contains(&item.name),
            "{:?} lost in pagination",
            item.name
        );
    }
    let last = run_text(
        "pdftotext",
        &[
            "-f",
            &pages.to_string(),
            "-l",
            &pages.to_string(),
            path_str(&path),
            "-",
        ],
    );
    let last = last.replace(char::is_whitespace, "");
    assert!(
        last.contains(&format!("{pages}/{pages}")),
        "page number on the last page: {last}"
    );
}

#[test]
fn page_sizes_follow_paper_and_orientation() {
    let content = sample_content(3, None);
    for (size, orientation, want) in [
        (
            PaperSize::Letter,
            Orientation::Portrait,
            "612 x 792 pts (letter)",
        ),
        (PaperSize::Letter, Orientation::Landscape, "792 x 612 pts"),
        (PaperSize::Tabloid, Orientation::Portrait, "792 x 1224 pts"),
        (
            PaperSize::A4,
            Orientation::Landscape,
            "841.89 x 595.276 pts (A4)",
        ),
    ] {
        let design = MenuDesign::for_canvas(Canvas::Paper { size, orientation });
        let (_dir, path, _) = write_pdf(&design, &content);
        let info = run_text("pdfinfo", &[path_str(&path)]);
        let got = pdfinfo_field(&info, "Page size:");
        assert!(
            got.starts_with(want),
            "{size:?} {orientation:?}: want {want}, got {got}"
        );
    }
}

#[test]
fn jpeg_photos_are_embedded_byte_for_byte() {
    let content = sample_content(4, Some(320));
    let (dir, path, _) = write_pdf(&MenuDesign::default(), &content);
    let list = run_text("pdfimages", &["-list", path_str(&path)]);
    let jpegs = list.lines().filter(|l| l.contains(" jpeg ")).count();
    assert_eq!(
        jpegs, 4,
        "each item photo stays JPEG (DCT) in the PDF: {list}"
    );
    let prefix = dir.path().join("img");
    run_text("pdfimages", &["-j", path_str(&path), path_str(&prefix)]);
    let originals: Vec<&Vec<u8>> = content
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|i| i.image.as_ref())
        .map(|b| &b.0)
        .collect();
    let mut matched = 0;
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|e| e == "jpg") {
            let bytes = std::fs::read(&p).expect("read extracted");
            if originals.iter().any(|o| **o == bytes) {
                matched += 1;
            }
        }
    }
    assert_eq!(
        matched, 4,
        "the extracted JPEGs must be the very bytes we were given (no re-encoding)"
    );
}

#[test]
fn oversized_photos_are_downsampled_to_print_resolution() {
    // 44 pt square at 300 dpi is 184 px; a 2000 px photo is far more than print needs.
    let mut content = sample_content(1, None);
    content.sections[0].items[0].image = Some(ImageBytes(common::photo_jpeg(7, 2000, 1500)));
    let (_dir, path, export) = write_pdf(&MenuDesign::default(), &content);
    let list = run_text("pdfimages", &["-list", path_str(&path)]);
    let row = list
        .lines()
        .find(|l| l.contains(" jpeg "))
        .unwrap_or_else(|| panic!("a JPEG image: {list}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    let (w, h): (u32, u32) = (
        cols[3].parse().expect("width"),
        cols[4].parse().expect("height"),
    );
    assert!(
        (180..=190).contains(&w) && w == h,
        "cropped square at ~300 dpi, got {w}×{h}"
    );
    assert!(
        export.pdf.len() < 200_000,
        "a downsampled photo keeps the PDF small: {} bytes",
        export.pdf.len()
    );
}

#[test]
fn undecodable_picture_is_a_warning_not_a_failure() {
    let mut content = sample_content(3, Some(200));
    content.sections[1].items[0].image = Some(ImageBytes(
        b"\xFF\xD8\xFF\xE0 definitely not a jpeg".to_vec(),
    ));
    // A sound header over missing data is only found out when decoding.
    let mut truncated = Vec::new();
    common::photo_rgb(5, 200, 150)
        .write_to(
            &mut std::io::Cursor::new(&mut truncated),
            image::ImageFormat::Png,
        )
        .expect("encode png");
    truncated.truncate(truncated.len() / 2);
    content.sections[2].items[0].image = Some(ImageBytes(truncated));
    let (_dir, path, export) = write_pdf(&MenuDesign::default(), &content);
    let fields: Vec<&str> = export.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(
        fields,
        ["sections[1].items[0].image", "sections[2].items[0].image"],
        "one warning per bad picture: {:?}",
        export.warnings
    );
    let text = squash(&run_text("pdftotext", &[path_str(&path), "-"]));
    for item in [&content.sections[1].items[0], &content.sections[2].items[0]] {
        assert!(text.contains(&item.name), "the item itself is still listed");
    }
    let list = run_text("pdfimages", &["-list", path_str(&path)]);
    let photos = list.lines().filter(|l| l.contains(" jpeg ")).count();
    assert_eq!(photos, 1, "only the one good photo is drawn: {list}");
}

#[test]
fn progress_is_reported_and_cancel_stops_the_export() {
    let content = sample_content(40, None);
    let mut seen = Vec::new();
    let export = export_pdf(
        &MenuDesign::default(),
        &content,
        |p: Progress| seen.push(p),
        &AtomicBool::new(false),
    )
    .expect("export");
    let pages: Vec<_> = seen.iter().filter(|p| p.stage == Stage::Pages).collect();
    assert_eq!(pages.len(), export.pages, "one report per page");
    assert_eq!(pages.last().map(|p| p.fraction()), Some(1.0));
    assert!(matches!(
        seen.last(),
        Some(Progress {
            stage: Stage::Writing,
            done: 1,
            total: 1
        })
    ));

    let cancelled = export_pdf(
        &MenuDesign::default(),
        &content,
        |_| {},
        &AtomicBool::new(true),
    );
    assert!(
        matches!(cancelled, Err(MediaError::Cancelled)),
        "a raised cancel flag stops the export"
    );
}
