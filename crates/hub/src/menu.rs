//! The hub's side of the menu: checks saved designs with the renderer, builds the menu's
//! content live from the catalogue (prices as they are now, pictures from the image store), and
//! runs previews and exports. Shared by the HTTP routes, the export jobs and the CLI.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use kidyboard_core::menus::MenuDesignRecord;
use kidyboard_core::products::ProductFilter;
use kidyboard_core::{packages, products, services, CoreError, Store};
use kidyboard_images::{Format, ImageStore};
use kidyboard_media::{
    Canvas, ImageBytes, MediaError, MenuContent, MenuDesign, MenuItem, MenuRenderer, Progress,
    RenderedPage, Section, Stage, VideoOptions,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::jobs::JobFailure;

/// Section titles of the catalogue's fixed parts; product categories follow them.
pub const SERVICES_SECTION: &str = "Tiempo de juego";
pub const PACKAGES_SECTION: &str = "Paquetes";
/// Products without a category.
pub const OTHER_PRODUCTS_SECTION: &str = "Productos";

/// Pictures in a PDF are drawn at this density (print resolution).
pub const PRINT_DPI: f32 = 300.0;
/// Paper PNG exports.
pub const PNG_EXPORT_DPI: f32 = 150.0;

/// What an export makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Pdf,
    Mp4,
    Png,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Some(ExportFormat::Pdf),
            "mp4" => Some(ExportFormat::Mp4),
            "png" => Some(ExportFormat::Png),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Mp4 => "mp4",
            ExportFormat::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Mp4 => "video/mp4",
            ExportFormat::Png => "image/png",
        }
    }
}

/// A failed menu operation: bad input (the design or the request) or a fault of ours.
#[derive(Debug)]
pub enum MenuError {
    Core(CoreError),
    Media(MediaError),
}

impl From<CoreError> for MenuError {
    fn from(e: CoreError) -> Self {
        MenuError::Core(e)
    }
}

impl From<MediaError> for MenuError {
    fn from(e: MediaError) -> Self {
        MenuError::Media(e)
    }
}

impl std::fmt::Display for MenuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MenuError::Core(e) => e.fmt(f),
            MenuError::Media(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MenuError {}

impl MenuError {
    /// The input field at fault, as the API names it (`design.columns`, `slide`), or `None`
    /// for a fault of ours.
    fn field(&self) -> Option<String> {
        match self {
            MenuError::Media(MediaError::InvalidDesign { field, .. }) => {
                Some(if field.is_empty() {
                    "design".to_string()
                } else {
                    format!("design.{field}")
                })
            }
            MenuError::Media(MediaError::InvalidContent { field, .. }) => {
                Some(format!("content.{field}"))
            }
            MenuError::Media(MediaError::NoSuchPage { .. }) => Some("slide".to_string()),
            _ => None,
        }
    }

    fn message(&self) -> String {
        match self {
            MenuError::Media(MediaError::InvalidDesign { message, .. })
            | MenuError::Media(MediaError::InvalidContent { message, .. }) => message.clone(),
            MenuError::Media(MediaError::NoSuchPage { page, pages }) => {
                format!("la diapositiva {page} no existe: el menú tiene {pages}")
            }
            other => other.to_string(),
        }
    }
}

impl From<MenuError> for ApiError {
    fn from(e: MenuError) -> Self {
        match e {
            MenuError::Core(c) => ApiError::from(c),
            other => match other.field() {
                Some(field) => ApiError::validation(field, other.message()),
                None => {
                    tracing::error!(error = %other, "menu rendering failed");
                    ApiError::internal()
                }
            },
        }
    }
}

impl From<MenuError> for JobFailure {
    fn from(e: MenuError) -> Self {
        match &e {
            MenuError::Core(c) => JobFailure {
                code: c.code().to_string(),
                message: c.to_string(),
                field: c.field().map(str::to_string),
            },
            MenuError::Media(m) => JobFailure {
                code: m.code().to_string(),
                message: e.message(),
                field: e.field(),
            },
        }
    }
}

/// Checks a design with the renderer and fills every default; answers the typed design and the
/// JSON to store. Pictures must be references (`background_image`), never inline bytes.
pub fn normalise(design: &serde_json::Value, name: &str) -> Result<MenuDesign, MenuError> {
    let mut v = design.clone();
    let Some(obj) = v.as_object_mut() else {
        return Err(MediaError::InvalidDesign {
            field: String::new(),
            message: "debe ser un objeto JSON".into(),
        }
        .into());
    };
    if obj
        .get("background")
        .and_then(|b| b.get("image"))
        .is_some_and(|i| !i.is_null())
    {
        return Err(MediaError::InvalidDesign {
            field: "background.image".into(),
            message: "sube la imagen y usa background_image con su hash".into(),
        }
        .into());
    }
    obj.insert("name".into(), serde_json::Value::String(name.trim().into()));
    Ok(MenuDesign::from_json(&v.to_string())?)
}

/// The stored design of a record, typed.
pub fn design_of(rec: &MenuDesignRecord) -> Result<MenuDesign, MenuError> {
    normalise(&rec.design, &rec.name)
}

/// Everything needed to draw one menu: the design (with its background picture), the live
/// content, and a version naming both (it changes when a price, a name or the design does).
pub struct Snapshot {
    pub design: MenuDesign,
    pub content: MenuContent,
    pub version: String,
}

/// The parts of a design record that, with the catalogue, make a menu.
pub struct MenuSource<'a> {
    pub design: MenuDesign,
    pub title: &'a str,
    pub logo_image: Option<&'a str>,
    pub background_image: Option<&'a str>,
    pub hidden_sections: &'a [String],
}

impl<'a> MenuSource<'a> {
    pub fn of(rec: &'a MenuDesignRecord) -> Result<Self, MenuError> {
        Ok(MenuSource {
            design: design_of(rec)?,
            title: &rec.title,
            logo_image: rec.logo_image.as_deref(),
            background_image: rec.background_image.as_deref(),
            hidden_sections: &rec.hidden_sections,
        })
    }
}

/// Builds the menu from the catalogue as it is now. `dpi` decides how sharp pictures must be
/// on paper (screens always use their pixels).
pub fn snapshot(
    store: &Store,
    images: &ImageStore,
    source: MenuSource<'_>,
    dpi: f32,
) -> Result<Snapshot, MenuError> {
    let mut design = source.design;
    let (sections, picture_hashes) = catalogue_sections(store, source.hidden_sections)?;
    let px = |units: f32| (units * design.canvas.pixels_per_unit(dpi)).ceil() as u32;
    let picture_px = px(design.picture_size);
    let mut fingerprint = Sha256::new();
    fingerprint.update(design.to_json());
    fingerprint.update(source.title);
    let mut content = MenuContent {
        title: source.title.to_string(),
        logo: None,
        sections,
    };
    fingerprint.update(serde_json::to_string(&content).unwrap_or_default());
    for (section, hashes) in content.sections.iter_mut().zip(&picture_hashes) {
        for (item, hash) in section.items.iter_mut().zip(hashes) {
            if let (true, Some(h)) = (design.fields.picture, hash) {
                fingerprint.update(h);
                item.image = picture(images, h, picture_px);
            }
        }
    }
    if design.show_logo {
        if let Some(h) = source.logo_image {
            fingerprint.update(h);
            let logo_px = px(design.logo_height * 4.0);
            content.logo = picture(images, h, logo_px);
        }
    }
    if let Some(h) = source.background_image {
        fingerprint.update(h);
        let (w, _) = design.canvas.size();
        design.background.image = picture(images, h, px(w));
    }
    let digest = fingerprint.finalize();
    let version = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(Snapshot {
        design,
        content,
        version,
    })
}

type CatalogueSections = (Vec<Section>, Vec<Vec<Option<String>>>);

/// Services, packages, then products by category; sections left out by the design are skipped,
/// and so are empty ones. Alongside: each item's picture hash.
fn catalogue_sections(store: &Store, hidden: &[String]) -> Result<CatalogueSections, MenuError> {
    let (svc, pkg, mut prods, negative_ok) = store.read(|c| {
        Ok((
            services::list(c, false)?,
            packages::list(c, false)?,
            products::list(c, &ProductFilter::default())?,
            kidyboard_core::branches::get(c, store.branch_id())?.allow_negative_stock,
        ))
    })?;
    // What cannot be sold is not on the menu: inactive products, and sold-out ones unless the
    // branch sells below zero.
    prods.retain(|p| p.active && (negative_ok || p.stock > 0));
    let mut out: CatalogueSections = (Vec::new(), Vec::new());
    let is_hidden = |title: &str| {
        hidden
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(title.trim()))
    };
    let mut push = |title: &str, items: Vec<(MenuItem, Option<String>)>| {
        if items.is_empty() || is_hidden(title) {
            return;
        }
        let (items, hashes): (Vec<_>, Vec<_>) = items.into_iter().unzip();
        out.0.push(Section {
            title: title.to_string(),
            items,
        });
        out.1.push(hashes);
    };
    push(
        SERVICES_SECTION,
        svc.into_iter()
            .map(|s| {
                let description = if s.description.is_empty() {
                    services::spoken_length(s.duration_minutes)
                } else {
                    s.description
                };
                (item(s.name, description, s.price_cents), None)
            })
            .collect(),
    );
    push(
        PACKAGES_SECTION,
        pkg.into_iter()
            .map(|p| {
                let description = if p.description.is_empty() {
                    p.items
                        .iter()
                        .map(|i| format!("{} × {}", i.quantity, i.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    p.description
                };
                (item(p.name, description, p.price_cents), None)
            })
            .collect(),
    );
    let mut categories: Vec<String> = prods.iter().map(|p| category_title(&p.category)).collect();
    categories.sort();
    categories.dedup();
    for cat in categories {
        let items = prods
            .iter()
            .filter(|p| category_title(&p.category) == cat)
            .map(|p| {
                let hash = p.image_url.as_deref().and_then(image_hash);
                (
                    item(p.name.clone(), p.description.clone(), p.price_cents),
                    hash,
                )
            })
            .collect();
        push(&cat, items);
    }
    Ok(out)
}

fn item(name: String, description: String, price_cents: i64) -> MenuItem {
    MenuItem {
        name,
        description,
        price_cents,
        image: None,
    }
}

fn category_title(category: &str) -> String {
    let c = category.trim();
    if c.is_empty() {
        OTHER_PRODUCTS_SECTION.to_string()
    } else {
        c.to_string()
    }
}

/// The image-store hash in a product's `image_url` (`/img/{hash}` here or on the cloud).
fn image_hash(url: &str) -> Option<String> {
    let tail = url.rsplit_once("/img/")?.1;
    let hash = tail.split(['?', '#', '/']).next()?;
    kidyboard_images::validate_hash(hash)
        .ok()
        .map(|_| hash.to_string())
}

/// A stored picture as JPEG at least `px` wide (when the original allows); a missing or broken
/// picture is left out rather than failing the whole menu.
fn picture(images: &ImageStore, hash: &str, px: u32) -> Option<ImageBytes> {
    match images.get_variant(hash, px.clamp(160, 3840), Format::Jpeg) {
        Ok(v) => Some(ImageBytes(v.bytes)),
        Err(e) => {
            tracing::warn!(%hash, error = %e, "menu picture skipped");
            None
        }
    }
}

/// Preview density for paper so the PNG is about `width` pixels wide (screens: native size).
pub fn preview_dpi(design: &MenuDesign, width: Option<u32>) -> f32 {
    match (design.canvas, width) {
        (Canvas::Paper { .. }, Some(w)) => {
            let (pts, _) = design.canvas.size();
            (w as f32 / pts * 72.0).clamp(24.0, 200.0)
        }
        _ => kidyboard_media::DEFAULT_PREVIEW_DPI,
    }
}

/// Page or slide `slide` (0-based) as PNG.
pub fn render_preview(snap: &Snapshot, slide: usize, dpi: f32) -> Result<RenderedPage, MenuError> {
    Ok(MenuRenderer::new(&snap.design, &snap.content)?.render_png(slide, dpi)?)
}

/// One number for a progress bar: each stage of an export covers its share of the way.
pub fn overall(p: &Progress) -> (f32, &'static str) {
    let f = p.fraction();
    match p.stage {
        Stage::Pictures => (0.05 * f, "pictures"),
        Stage::Layout => (0.05 + 0.05 * f, "layout"),
        Stage::Pages => (0.1 + 0.8 * f, "pages"),
        Stage::Writing => (0.9 + 0.1 * f, "writing"),
        Stage::Slides => (0.1 + 0.1 * f, "slides"),
        Stage::Frames => (0.2 + 0.8 * f, "frames"),
    }
}

/// Writes the export to `out`; answers a summary (pages, duration…) for the job.
pub fn export(
    snap: &Snapshot,
    format: ExportFormat,
    slide: usize,
    out: &Path,
    progress: &mut dyn FnMut(f32, &str),
    cancel: &AtomicBool,
) -> Result<serde_json::Value, MenuError> {
    let mut report = |p: Progress| {
        let (f, stage) = overall(&p);
        progress(f, stage)
    };
    let io = |e: std::io::Error| MenuError::Media(MediaError::Io(e));
    match format {
        ExportFormat::Pdf => {
            let pdf = kidyboard_media::export_pdf(&snap.design, &snap.content, report, cancel)?;
            std::fs::write(out, &pdf.pdf).map_err(io)?;
            Ok(serde_json::json!({ "pages": pdf.pages, "warnings": pdf.warnings }))
        }
        ExportFormat::Mp4 => {
            let file = std::fs::File::create(out).map_err(io)?;
            let mut writer = std::io::BufWriter::new(file);
            let video = kidyboard_media::export_mp4(
                &snap.design,
                &snap.content,
                &VideoOptions::default(),
                &mut writer,
                &mut report,
                cancel,
            )?;
            writer.flush().map_err(io)?;
            Ok(serde_json::to_value(&video).unwrap_or_default())
        }
        ExportFormat::Png => {
            report(Progress {
                stage: Stage::Layout,
                done: 0,
                total: 1,
            });
            let page = render_preview(snap, slide, PNG_EXPORT_DPI)?;
            std::fs::write(out, &page.png).map_err(io)?;
            Ok(serde_json::json!({
                "width": page.width, "height": page.height,
                "slide": page.page, "slides": page.pages, "warnings": page.warnings,
            }))
        }
    }
}

/// How sharp pictures must be for an export of `format`.
pub fn export_dpi(format: ExportFormat) -> f32 {
    match format {
        ExportFormat::Pdf => PRINT_DPI,
        _ => PNG_EXPORT_DPI,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_hashes_come_from_local_and_cloud_urls() {
        let h = "a".repeat(64);
        assert_eq!(image_hash(&format!("/img/{h}")), Some(h.clone()));
        assert_eq!(
            image_hash(&format!("https://nube.example/img/{h}?w=800")),
            Some(h)
        );
        assert_eq!(image_hash("/img/../../etc"), None);
        assert_eq!(image_hash("https://example.com/foto.jpg"), None);
    }

    #[test]
    fn inline_background_pictures_and_bad_fields_are_named() {
        let e = normalise(
            &serde_json::json!({ "background": { "image": "AAAA" } }),
            "x",
        )
        .expect_err("inline picture refused");
        assert_eq!(e.field().as_deref(), Some("design.background.image"));
        let e = normalise(&serde_json::json!({ "columns": 0 }), "x").expect_err("bad columns");
        assert_eq!(e.field().as_deref(), Some("design.columns"));
        let d = normalise(&serde_json::json!({ "name": "otro" }), "Pared").expect("valid");
        assert_eq!(d.name, "Pared", "the record's name wins");
    }
}
