//! The editor's preview: sizes, pages, and that it matches the PDF that poppler draws.

mod common;

use std::sync::atomic::AtomicBool;

use common::{path_str, run, sample_content};
use kidyboard_media::{
    export_pdf, render_png, Canvas, MediaError, MenuDesign, MenuRenderer, ScreenSize,
};

#[test]
fn preview_sizes_follow_the_canvas() {
    let content = sample_content(5, Some(200));
    let a4 = render_png(&MenuDesign::default(), &content, 0, 96.0).expect("a4 preview");
    assert_eq!((a4.width, a4.height), (794, 1123), "A4 at 96 dpi");
    let img = image::load_from_memory(&a4.png).expect("valid PNG");
    assert_eq!(img.width(), 794);
    let tv = render_png(
        &MenuDesign::for_canvas(Canvas::Screen {
            size: ScreenSize::Uhd4k,
        }),
        &content,
        0,
        96.0,
    )
    .expect("4k");
    assert_eq!(
        (tv.width, tv.height),
        (3840, 2160),
        "screens render 1:1 whatever the dpi"
    );
}

#[test]
fn asking_for_a_missing_page_names_the_page_count() {
    let content = sample_content(2, None);
    match render_png(&MenuDesign::default(), &content, 5, 96.0) {
        Err(MediaError::NoSuchPage { page: 5, pages: 1 }) => {}
        other => panic!("expected NoSuchPage, got {other:?}"),
    }
}

#[test]
fn preview_matches_the_pdf_as_poppler_draws_it() {
    let content = sample_content(30, Some(300));
    let design = MenuDesign::default();
    let mut renderer = MenuRenderer::new(&design, &content).expect("renderer");
    assert!(renderer.page_count() >= 2);
    let pdf = export_pdf(&design, &content, |_| {}, &AtomicBool::new(false)).expect("pdf");
    assert_eq!(
        pdf.pages,
        renderer.page_count(),
        "PDF pages = preview pages (one layout)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf_path = dir.path().join("m.pdf");
    std::fs::write(&pdf_path, &pdf.pdf).expect("write");
    for page in 0..renderer.page_count() {
        let n = (page + 1).to_string();
        let prefix = dir.path().join(format!("p{page}"));
        run(
            "pdftoppm",
            &[
                "-r",
                "96",
                "-png",
                "-singlefile",
                "-f",
                &n,
                "-l",
                &n,
                path_str(&pdf_path),
                path_str(&prefix),
            ],
        );
        let poppler = image::open(prefix.with_extension("png"))
            .expect("pdftoppm output")
            .to_rgb8();
        let ours = renderer.render_png(page, 96.0).expect("preview");
        let ours = image::load_from_memory(&ours.png).expect("png").to_rgb8();
        // Glyph edges differ (poppler hints, we do not), so the pages are not byte-equal; but
        // they must be registered: shifting ours by one pixel in any direction makes it worse.
        let diff = shifted_diff(&ours, &poppler, 0, 0);
        eprintln!("page {page}: mean abs diff {diff:.2}");
        assert!(
            diff < 4.5,
            "page {page}: preview differs from the PDF by {diff:.2} levels on average"
        );
        for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
            let moved = shifted_diff(&ours, &poppler, dx, dy);
            assert!(moved > diff, "page {page}: shifted by ({dx},{dy}) the preview matches better ({moved:.2} < {diff:.2})");
        }
    }
}

#[test]
fn screen_design_with_translucent_background_photo_matches_its_pdf() {
    let mut design = MenuDesign::for_canvas(Canvas::Screen {
        size: ScreenSize::Hd1080,
    });
    design.columns = 3;
    design.background.image = Some(kidyboard_media::ImageBytes(common::photo_jpeg(
        99, 1600, 900,
    )));
    design.background.image_opacity = 0.3;
    let content = sample_content(9, Some(240));
    let mut renderer = MenuRenderer::new(&design, &content).expect("renderer");
    let pdf = export_pdf(&design, &content, |_| {}, &AtomicBool::new(false)).expect("pdf");
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf_path = dir.path().join("tv.pdf");
    std::fs::write(&pdf_path, &pdf.pdf).expect("write");
    let info = common::run_text("pdfinfo", &[path_str(&pdf_path)]);
    assert!(
        info.contains("1440 x 810 pts"),
        "a 1080p design prints at 96 dpi: {info}"
    );
    let prefix = dir.path().join("tv");
    run(
        "pdftoppm",
        &[
            "-r",
            "96",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            path_str(&pdf_path),
            path_str(&prefix),
        ],
    );
    let poppler = image::open(prefix.with_extension("png"))
        .expect("pdftoppm output")
        .to_rgb8();
    let ours = image::load_from_memory(&renderer.render_png(0, 96.0).expect("slide").png)
        .expect("png")
        .to_rgb8();
    assert_eq!(ours.dimensions(), (1920, 1080));
    let diff = shifted_diff(&ours, &poppler, 0, 0);
    assert!(
        diff < 4.5,
        "translucent background: preview differs from the PDF by {diff:.2} levels"
    );
    let without = image::load_from_memory(
        &render_png(
            &MenuDesign {
                background: kidyboard_media::Background {
                    image: None,
                    ..design.background.clone()
                },
                ..design.clone()
            },
            &content,
            0,
            96.0,
        )
        .expect("plain")
        .png,
    )
    .expect("png")
    .to_rgb8();
    assert!(
        shifted_diff(&without, &poppler, 0, 0) > diff + 2.0,
        "the background photo really is drawn in both"
    );
}

/// Mean absolute difference of `a` moved by (dx, dy) against `b`, ignoring a 2-pixel border.
fn shifted_diff(a: &image::RgbImage, b: &image::RgbImage, dx: i32, dy: i32) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions(), "same page size");
    let (w, h) = a.dimensions();
    let (mut total, mut n) = (0u64, 0u64);
    for y in 2..h - 2 {
        for x in 2..w - 2 {
            let pa = a.get_pixel((x as i32 + dx) as u32, (y as i32 + dy) as u32);
            let pb = b.get_pixel(x, y);
            for k in 0..3 {
                total += u64::from(pa[k].abs_diff(pb[k]));
                n += 1;
            }
        }
    }
    total as f64 / n as f64
}
