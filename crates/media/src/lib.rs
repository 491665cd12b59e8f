//! Kidyboard's menu renderer: a play centre's menu (services, packages, snacks and drinks with
//! prices and pictures) drawn from one layout pass to PDF for print, PNG for the editor's live
//! preview, and MP4 (H.264) for TVs, USB players and the totem.
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use kidyboard_media::{export_pdf, MenuContent, MenuDesign};
//! # fn main() -> kidyboard_media::Result<()> {
//! let design = MenuDesign::from_json(r#"{"name":"Mostrador","columns":2}"#)?;
//! let content = MenuContent { title: "Menú".into(), ..Default::default() };
//! let pdf = export_pdf(&design, &content, |p| println!("{p:?}"), &AtomicBool::new(false))?;
//! std::fs::write("menu.pdf", pdf.pdf)?;
//! # Ok(()) }
//! ```

mod content;
mod design;
mod error;
mod fonts;
mod layout;
mod money;
mod mp4;
mod pdf;
mod pictures;
mod progress;
mod raster;
mod render;
mod video;
mod yuv;

pub use content::{ImageBytes, MenuContent, MenuItem, Section};
pub use design::{
    Background, Canvas, FontSizes, ItemFields, MenuDesign, Orientation, Palette, PaperSize, Rgb,
    ScreenSize, SlideTiming,
};
pub use error::{MediaError, Result};
pub use fonts::Face;
pub use layout::{Element, MenuLayout, PageLayout, Rect, TextRun};
pub use money::{format_mxn, CurrencyFormat, ShowCents};
pub use pictures::{CropRect, PictureId};
pub use progress::{Progress, Stage};
pub use render::{
    export_mp4, export_pdf, render_png, MenuRenderer, PdfExport, RenderedPage, VideoExport,
    Warning, DEFAULT_PREVIEW_DPI,
};
pub use video::VideoOptions;
pub use yuv::Yuv420;
