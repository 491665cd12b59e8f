//! The entry points the hub calls: PNG previews, PDF and MP4 exports. All of them go through
//! one [`MenuRenderer`], which decodes the pictures and runs the layout pass once.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::content::MenuContent;
use crate::design::{Canvas, MenuDesign};
use crate::error::{MediaError, Result};
use crate::fonts::Typesetter;
use crate::layout::{layout_menu, MenuLayout};
use crate::pictures::PictureSet;
use crate::progress::{Progress, Stage};
use crate::raster::{encode_png, Rasterizer};
use crate::video::{encode_slideshow, VideoOptions};
use crate::yuv::Yuv420;

/// A problem that did not stop the export, e.g. a picture that could not be decoded.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// JSON path of the input, e.g. `sections[0].items[3].image`.
    pub field: String,
    pub message: String,
}

/// Resolution of previews of paper designs (screen designs always render 1:1).
pub const DEFAULT_PREVIEW_DPI: f32 = 96.0;

/// A design and its content, validated, with pictures probed and the layout done once.
pub struct MenuRenderer<'a> {
    design: &'a MenuDesign,
    content: &'a MenuContent,
    pictures: PictureSet<'a>,
    typesetter: Typesetter,
    layout: MenuLayout,
    warnings: Vec<Warning>,
}

impl<'a> MenuRenderer<'a> {
    /// Validates both inputs, reads the pictures' headers (bad ones become warnings) and lays out.
    pub fn new(design: &'a MenuDesign, content: &'a MenuContent) -> Result<Self> {
        Self::with_progress(design, content, &mut |_| {})
    }

    fn with_progress(
        design: &'a MenuDesign,
        content: &'a MenuContent,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Self> {
        design.validate()?;
        content.validate()?;
        progress(Progress {
            stage: Stage::Pictures,
            done: 0,
            total: 1,
        });
        let mut warnings = Vec::new();
        let pictures = PictureSet::probe(design, content, &mut warnings);
        for w in &warnings {
            tracing::warn!(field = %w.field, "{}", w.message);
        }
        progress(Progress {
            stage: Stage::Pictures,
            done: 1,
            total: 1,
        });
        let mut typesetter = Typesetter::new();
        let layout = layout_menu(design, content, &pictures, &mut typesetter);
        progress(Progress {
            stage: Stage::Layout,
            done: 1,
            total: 1,
        });
        Ok(Self {
            design,
            content,
            pictures,
            typesetter,
            layout,
            warnings,
        })
    }

    /// Pages (PDF) or slides (video): the same thing.
    pub fn page_count(&self) -> usize {
        self.layout.pages.len()
    }

    /// Pictures skipped so far: bad headers found up front, bad data found while rendering.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut all = self.warnings.clone();
        all.extend(self.pictures.late_warnings());
        all
    }

    /// The computed layout, for inspection.
    pub fn layout(&self) -> &MenuLayout {
        &self.layout
    }

    fn scale(&self, dpi: f32) -> f32 {
        self.design.canvas.pixels_per_unit(dpi)
    }

    /// Page `page` (0-based) as PNG: paper at `dpi`, screens at their native size (exactly the
    /// video frame of that slide).
    pub fn render_png(&mut self, page: usize, dpi: f32) -> Result<RenderedPage> {
        let mut raster = Rasterizer::new(&self.pictures);
        let scale = self.scale(dpi);
        let pixmap = draw_page(&self.layout, &mut self.typesetter, &mut raster, page, scale)?;
        Ok(RenderedPage {
            png: encode_png(&pixmap)?,
            width: pixmap.width(),
            height: pixmap.height(),
            page,
            pages: self.page_count(),
            warnings: self.warnings(),
        })
    }

    /// Page `page` as packed RGBA pixels (opaque), e.g. for a native totem display.
    pub fn render_rgba(&mut self, page: usize, dpi: f32) -> Result<(u32, u32, Vec<u8>)> {
        let mut raster = Rasterizer::new(&self.pictures);
        let scale = self.scale(dpi);
        let pixmap = draw_page(&self.layout, &mut self.typesetter, &mut raster, page, scale)?;
        Ok((pixmap.width(), pixmap.height(), pixmap.take()))
    }

    /// The whole menu as PDF.
    pub fn export_pdf(
        &mut self,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<PdfExport> {
        let pdf = crate::pdf::write_pdf(
            &self.layout,
            &self.pictures,
            self.content.title.trim(),
            progress,
            cancel,
        )?;
        Ok(PdfExport {
            pdf,
            pages: self.page_count(),
            warnings: self.warnings(),
        })
    }

    /// The slide show as MP4 (H.264, yuv420p) written to `out`. Needs a screen canvas.
    pub fn export_mp4<W: Write>(
        &mut self,
        options: &VideoOptions,
        out: W,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<VideoExport> {
        options.validate()?;
        let Canvas::Screen { size } = self.design.canvas else {
            return Err(MediaError::design(
                "canvas",
                "video export needs a screen canvas (1080p, 4k or vertical_1080)",
            ));
        };
        let (width, height) = size.pixels();
        let slides_n = self.page_count();
        let mut raster = Rasterizer::new(&self.pictures);
        let mut slides = Vec::with_capacity(slides_n);
        for page in 0..slides_n {
            if cancel.load(Ordering::Relaxed) {
                return Err(MediaError::Cancelled);
            }
            let pixmap = draw_page(&self.layout, &mut self.typesetter, &mut raster, page, 1.0)?;
            slides.push(Yuv420::from_rgb(
                pixmap.data(),
                width as usize,
                height as usize,
                4,
            ));
            progress(Progress {
                stage: Stage::Slides,
                done: page as u32 + 1,
                total: slides_n as u32,
            });
        }
        let timing = &self.design.slides;
        let fps = options.fps;
        let per_slide = ((timing.seconds_per_slide * fps as f32).round() as u64).max(1);
        let fade = (timing.transition_seconds * fps as f32).round() as u64;
        let stats = encode_slideshow(&slides, per_slide, fade, options, out, progress, cancel)?;
        Ok(VideoExport {
            width,
            height,
            fps,
            frames: stats.frames,
            slides: slides_n,
            duration_seconds: stats.frames as f64 / f64::from(fps),
            warnings: self.warnings(),
        })
    }
}

fn draw_page(
    layout: &MenuLayout,
    typesetter: &mut Typesetter,
    raster: &mut Rasterizer<'_, '_>,
    page: usize,
    scale: f32,
) -> Result<tiny_skia::Pixmap> {
    let pages = layout.pages.len();
    let p = layout
        .pages
        .get(page)
        .ok_or(MediaError::NoSuchPage { page, pages })?;
    raster.render(typesetter, layout, p, scale)
}

/// A rendered page or slide.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Which page this is (0-based) and how many the menu has.
    pub page: usize,
    pub pages: usize,
    pub warnings: Vec<Warning>,
}

/// A finished PDF.
#[derive(Debug, Clone)]
pub struct PdfExport {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Warning>,
}

/// A finished MP4.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct VideoExport {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub frames: u64,
    pub slides: usize,
    pub duration_seconds: f64,
    pub warnings: Vec<Warning>,
}

/// Renders one page (0-based) as PNG for the editor's live preview. Paper designs render at
/// `dpi`; screen designs at their native size, identical to that slide in the video.
pub fn render_png(
    design: &MenuDesign,
    content: &MenuContent,
    page: usize,
    dpi: f32,
) -> Result<RenderedPage> {
    MenuRenderer::new(design, content)?.render_png(page, dpi)
}

/// Exports the menu as PDF. `progress` is called as work advances; raising `cancel` stops the
/// export with [`MediaError::Cancelled`].
pub fn export_pdf(
    design: &MenuDesign,
    content: &MenuContent,
    mut progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<PdfExport> {
    let mut r = MenuRenderer::with_progress(design, content, &mut progress)?;
    r.export_pdf(&mut progress, cancel)
}

/// Exports the slide show as MP4 into `out` (a file or a `Vec<u8>`). Each page of the layout is
/// a slide shown for `design.slides.seconds_per_slide`, cross-fading into the next.
pub fn export_mp4<W: Write>(
    design: &MenuDesign,
    content: &MenuContent,
    options: &VideoOptions,
    out: W,
    mut progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<VideoExport> {
    let mut r = MenuRenderer::with_progress(design, content, &mut progress)?;
    r.export_mp4(options, out, &mut progress, cancel)
}
