//! The menu design: page or screen, columns, fonts, colours, background, which item fields show,
//! currency format and slide timing. Plain serde data the hub stores as JSON; [`MenuDesign::validate`]
//! names the offending field.

use serde::{Deserialize, Serialize};

use crate::content::ImageBytes;
use crate::error::{MediaError, Result};
use crate::money::CurrencyFormat;

/// Page sizes in PostScript points (1/72 inch).
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    /// 210 × 297 mm = 595 × 842 pt.
    A4,
    /// 8.5 × 11 in = 612 × 792 pt.
    Letter,
    /// 11 × 17 in = 792 × 1224 pt.
    Tabloid,
}

impl PaperSize {
    /// Portrait width and height in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            Self::A4 => (595.276, 841.89),
            Self::Letter => (612.0, 792.0),
            Self::Tabloid => (792.0, 1224.0),
        }
    }
}

#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// Screen sizes in pixels.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScreenSize {
    /// 1920 × 1080.
    #[serde(rename = "1080p")]
    Hd1080,
    /// 3840 × 2160.
    #[serde(rename = "4k")]
    Uhd4k,
    /// 1080 × 1920, a TV or totem turned on its side.
    #[serde(rename = "vertical_1080")]
    Vertical1080,
}

impl ScreenSize {
    pub fn pixels(self) -> (u32, u32) {
        match self {
            Self::Hd1080 => (1920, 1080),
            Self::Uhd4k => (3840, 2160),
            Self::Vertical1080 => (1080, 1920),
        }
    }
}

/// What the menu is drawn on. Every length in a design is in the canvas's own unit:
/// points for paper, pixels for screens.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Canvas {
    Paper {
        size: PaperSize,
        #[serde(default)]
        orientation: Orientation,
    },
    Screen {
        size: ScreenSize,
    },
}

impl Canvas {
    /// Width and height in canvas units (points for paper, pixels for screens).
    pub fn size(self) -> (f32, f32) {
        match self {
            Self::Paper { size, orientation } => {
                let (w, h) = size.points();
                match orientation {
                    Orientation::Portrait => (w, h),
                    Orientation::Landscape => (h, w),
                }
            }
            Self::Screen { size } => {
                let (w, h) = size.pixels();
                (w as f32, h as f32)
            }
        }
    }

    /// PDF points per canvas unit: paper is already in points; a screen prints at 96 dpi.
    pub fn points_per_unit(self) -> f32 {
        match self {
            Self::Paper { .. } => 1.0,
            Self::Screen { .. } => 0.75,
        }
    }

    /// Pixels per canvas unit for a preview `dpi` (screens ignore it: one unit is one pixel).
    pub fn pixels_per_unit(self, dpi: f32) -> f32 {
        match self {
            Self::Paper { .. } => dpi / 72.0,
            Self::Screen { .. } => 1.0,
        }
    }
}

/// An sRGB colour, written `"#rrggbb"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

#[cfg(feature = "utoipa")]
impl utoipa::PartialSchema for Rgb {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some("^#[0-9a-fA-F]{6}$"))
            .description(Some("An sRGB colour, \"#rrggbb\"."))
            .into()
    }
}

#[cfg(feature = "utoipa")]
impl utoipa::ToSchema for Rgb {}

impl Rgb {
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }
}

impl TryFrom<String> for Rgb {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        let hex = s.strip_prefix('#').unwrap_or(&s);
        let bad = || format!("colour must look like \"#ff8800\", got {s:?}");
        if hex.len() != 6 || !hex.is_ascii() {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Self::new(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl From<Rgb> for String {
    fn from(c: Rgb) -> String {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    }
}

/// Font sizes in canvas units. Titles, sections, names and prices are bold; descriptions regular.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontSizes {
    pub title: f32,
    pub section: f32,
    pub item_name: f32,
    pub description: f32,
    pub price: f32,
}

#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    pub title: Rgb,
    pub section: Rgb,
    /// The rule under section titles and the picture placeholder frame.
    pub accent: Rgb,
    pub item_name: Rgb,
    pub description: Rgb,
    pub price: Rgb,
}

#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    pub color: Rgb,
    /// Drawn over the colour, covering the canvas (cropped, never stretched). Base64 of a
    /// JPEG, PNG or WebP.
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<String>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageBytes>,
    /// 0 = invisible, 1 = opaque; below 1 the colour shows through to keep text readable.
    pub image_opacity: f32,
}

/// Which parts of each item are shown.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    pub picture: bool,
    pub name: bool,
    pub description: bool,
    pub price: bool,
}

/// How long each slide stays on screen in the video, including its fade into the next.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideTiming {
    pub seconds_per_slide: f32,
    /// Cross-fade length at the end of each slide (0 = hard cut).
    pub transition_seconds: f32,
}

/// A saved menu design. Several per branch; the hub stores them as JSON.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MenuDesign {
    pub name: String,
    pub canvas: Canvas,
    pub columns: u8,
    /// Space between the canvas edge and the content, in canvas units.
    pub margin: f32,
    /// Space between columns, in canvas units.
    pub gutter: f32,
    pub fonts: FontSizes,
    pub colors: Palette,
    pub background: Background,
    pub fields: ItemFields,
    /// Side of the square item picture, in canvas units.
    pub picture_size: f32,
    pub currency: CurrencyFormat,
    /// Start every section (category) on a new page or slide.
    pub section_per_page: bool,
    /// Repeat the title and logo on every page, not only the first.
    pub header_on_every_page: bool,
    pub show_logo: bool,
    /// Height of the logo in the header, in canvas units.
    pub logo_height: f32,
    /// "1 / 3" at the foot of each page.
    pub page_numbers: bool,
    pub slides: SlideTiming,
}

impl Default for MenuDesign {
    fn default() -> Self {
        Self::for_canvas(Canvas::Paper {
            size: PaperSize::A4,
            orientation: Orientation::Portrait,
        })
    }
}

impl MenuDesign {
    /// Sensible defaults for a canvas: print sizes for paper, sizes readable from a few metres
    /// for screens (scaled with the screen's short side).
    pub fn for_canvas(canvas: Canvas) -> Self {
        let (w, h) = canvas.size();
        let k = match canvas {
            Canvas::Paper { .. } => 1.0,
            Canvas::Screen { .. } => w.min(h) / 1080.0 * 2.0,
        };
        let columns = match canvas {
            Canvas::Paper { .. } => 2,
            Canvas::Screen { .. } if w > h => 2,
            Canvas::Screen { .. } => 1,
        };
        Self {
            name: "Menú".to_string(),
            canvas,
            columns,
            margin: 36.0 * k,
            gutter: 24.0 * k,
            fonts: FontSizes {
                title: 26.0 * k,
                section: 16.0 * k,
                item_name: 11.0 * k,
                description: 8.5 * k,
                price: 11.0 * k,
            },
            colors: Palette {
                title: Rgb::new(0x6a, 0x1b, 0x9a),
                section: Rgb::new(0xe6, 0x51, 0x00),
                accent: Rgb::new(0xff, 0xb3, 0x00),
                item_name: Rgb::new(0x21, 0x21, 0x21),
                description: Rgb::new(0x61, 0x61, 0x61),
                price: Rgb::new(0x1b, 0x5e, 0x20),
            },
            background: Background {
                color: Rgb::new(0xff, 0xfb, 0xf0),
                image: None,
                image_opacity: 0.25,
            },
            fields: ItemFields {
                picture: true,
                name: true,
                description: true,
                price: true,
            },
            picture_size: 44.0 * k,
            currency: CurrencyFormat::default(),
            section_per_page: false,
            header_on_every_page: true,
            show_logo: true,
            logo_height: 40.0 * k,
            page_numbers: matches!(canvas, Canvas::Paper { .. }),
            slides: SlideTiming {
                seconds_per_slide: 8.0,
                transition_seconds: 1.0,
            },
        }
    }

    /// Parses a design from JSON; a type error names the JSON path (e.g. `colors.price`).
    /// Missing fields take [`MenuDesign::for_canvas`] defaults for the given canvas, so
    /// `{"canvas":{"kind":"screen","size":"4k"}}` alone is a complete 4K design.
    /// Also runs [`MenuDesign::validate`].
    pub fn from_json(json: &str) -> Result<Self> {
        let user: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| MediaError::design("", format!("not valid JSON: {e}")))?;
        let mut merged = match user.get("canvas") {
            Some(c) => {
                let canvas: Canvas = serde_path_to_error::deserialize(c).map_err(|e| {
                    let path = e.path().to_string();
                    let field = if path == "." {
                        "canvas".to_string()
                    } else {
                        format!("canvas.{path}")
                    };
                    MediaError::design(field, e.into_inner().to_string())
                })?;
                serde_json::to_value(Self::for_canvas(canvas))
                    .map_err(|e| MediaError::design("canvas", e.to_string()))?
            }
            None => serde_json::to_value(Self::default())
                .map_err(|e| MediaError::design("", e.to_string()))?,
        };
        merge(&mut merged, user);
        let design: Self = serde_path_to_error::deserialize(&merged).map_err(|e| {
            let path = e.path().to_string();
            MediaError::design(path, e.into_inner().to_string())
        })?;
        design.validate()?;
        Ok(design)
    }

    /// JSON for storage; [`MenuDesign::from_json`] reads it back unchanged.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Width of one column in canvas units.
    pub fn column_width(&self) -> f32 {
        let (w, _) = self.canvas.size();
        let cols = f32::from(self.columns.max(1));
        (w - 2.0 * self.margin - (cols - 1.0) * self.gutter) / cols
    }

    /// Checks every rule; the error names the first field that breaks one.
    pub fn validate(&self) -> Result<()> {
        let (w, h) = self.canvas.size();
        let err = MediaError::design;
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(err("name", "must have 1 to 120 characters"));
        }
        if !(1..=6).contains(&self.columns) {
            return Err(err("columns", "must be between 1 and 6"));
        }
        length("margin", self.margin, 0.0, w.min(h) / 4.0)?;
        length("gutter", self.gutter, 0.0, w / 4.0)?;
        let max_font = h / 4.0;
        let min_font = w.min(h) / 200.0;
        let f = &self.fonts;
        for (field, v) in [
            ("fonts.title", f.title),
            ("fonts.section", f.section),
            ("fonts.item_name", f.item_name),
            ("fonts.description", f.description),
            ("fonts.price", f.price),
        ] {
            length(field, v, min_font, max_font)?;
        }
        let fields = &self.fields;
        if !(fields.picture || fields.name || fields.description || fields.price) {
            return Err(err("fields", "at least one item field must be shown"));
        }
        let col = self.column_width();
        if col < 6.0 * f.item_name {
            return Err(err(
                "columns",
                format!(
                    "columns too narrow ({col:.0} units) for the item name size; use fewer columns, smaller margins or a smaller font"
                )
                .as_str(),
            ));
        }
        if fields.picture {
            length("picture_size", self.picture_size, 1.0, col / 2.0)?;
        }
        length("logo_height", self.logo_height, 0.0, h / 4.0)?;
        self.currency.validate()?;
        let bg = &self.background;
        if !(0.0..=1.0).contains(&bg.image_opacity) {
            return Err(err("background.image_opacity", "must be between 0 and 1"));
        }
        if bg.image.as_ref().is_some_and(|i| i.0.is_empty()) {
            return Err(err("background.image", "is empty"));
        }
        let s = &self.slides;
        if !(s.seconds_per_slide.is_finite() && (1.0..=600.0).contains(&s.seconds_per_slide)) {
            return Err(err(
                "slides.seconds_per_slide",
                "must be between 1 and 600 seconds",
            ));
        }
        if !(s.transition_seconds.is_finite()
            && s.transition_seconds >= 0.0
            && s.transition_seconds <= s.seconds_per_slide / 2.0)
        {
            return Err(err(
                "slides.transition_seconds",
                "must be between 0 and half of seconds_per_slide",
            ));
        }
        Ok(())
    }
}

/// Overlays `patch` on `base`, recursing into objects so a partial design keeps the defaults.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn length(field: &str, v: f32, min: f32, max: f32) -> Result<()> {
    if v.is_finite() && v >= min && v <= max {
        Ok(())
    } else {
        Err(MediaError::design(
            field,
            format!("must be between {min:.1} and {max:.1} canvas units, got {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_designs_are_valid_for_every_canvas() {
        for canvas in [
            Canvas::Paper {
                size: PaperSize::A4,
                orientation: Orientation::Portrait,
            },
            Canvas::Paper {
                size: PaperSize::Letter,
                orientation: Orientation::Landscape,
            },
            Canvas::Paper {
                size: PaperSize::Tabloid,
                orientation: Orientation::Portrait,
            },
            Canvas::Screen {
                size: ScreenSize::Hd1080,
            },
            Canvas::Screen {
                size: ScreenSize::Uhd4k,
            },
            Canvas::Screen {
                size: ScreenSize::Vertical1080,
            },
        ] {
            let d = MenuDesign::for_canvas(canvas);
            d.validate()
                .unwrap_or_else(|e| panic!("default for {canvas:?} should validate: {e}"));
        }
    }

    #[test]
    fn json_round_trips_with_background_image() {
        let mut d = MenuDesign::for_canvas(Canvas::Screen {
            size: ScreenSize::Vertical1080,
        });
        d.background.image = Some(ImageBytes(vec![1, 2, 3, 250]));
        let back = MenuDesign::from_json(&d.to_json()).expect("own JSON should parse");
        assert_eq!(back, d, "a design must survive a JSON round trip unchanged");
    }

    #[test]
    fn bad_colour_names_its_path() {
        let json = r##"{"name":"x","colors":{"price":"#12345z"}}"##;
        let e = MenuDesign::from_json(json).expect_err("bad hex must be refused");
        match e {
            MediaError::InvalidDesign { field, .. } => assert_eq!(field, "colors.price"),
            other => panic!("expected InvalidDesign, got {other:?}"),
        }
    }

    #[test]
    fn unknown_field_and_bad_ranges_are_named() {
        let cases = [
            (r#"{"colums":2}"#, "colums"),
            (r#"{"columns":9}"#, "columns"),
            (r#"{"fonts":{"price":0}}"#, "fonts.price"),
            (
                r#"{"slides":{"seconds_per_slide":5,"transition_seconds":4}}"#,
                "slides.transition_seconds",
            ),
            (r#"{"canvas":{"kind":"paper","size":"a3"}}"#, "canvas"),
            (
                r#"{"fields":{"picture":false,"name":false,"description":false,"price":false}}"#,
                "fields",
            ),
        ];
        for (json, want) in cases {
            match MenuDesign::from_json(json) {
                Err(MediaError::InvalidDesign { field, message }) => {
                    assert!(
                        field.starts_with(want),
                        "{json}: expected field {want}, got {field} ({message})"
                    )
                }
                other => panic!("{json}: expected InvalidDesign naming {want}, got {other:?}"),
            }
        }
    }

    #[test]
    fn partial_json_fills_defaults() {
        let d =
            MenuDesign::from_json(r#"{"canvas":{"kind":"screen","size":"4k"}}"#).expect("valid");
        assert_eq!(d.canvas.size(), (3840.0, 2160.0));
        assert_eq!(d.columns, 2);
    }
}
