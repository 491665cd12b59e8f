//! The bundled fonts (DejaVu Sans, with every Spanish glyph) and the one text shaper that both
//! the PDF and the raster renderer trust for line breaks and glyph positions.

use cosmic_text::{
    fontdb, Attrs, Buffer, Family, FontSystem, LayoutGlyph, Metrics, Shaping, Weight, Wrap,
};

pub(crate) const REGULAR_TTF: &[u8] = kidyboard_fonts::REGULAR_TTF;
pub(crate) const BOLD_TTF: &[u8] = kidyboard_fonts::BOLD_TTF;
const FAMILY: &str = "DejaVu Sans";

/// Line box height as a multiple of the font size.
pub(crate) const LINE_HEIGHT: f32 = 1.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
}

/// One laid-out line of text: its string (for the PDF), its glyphs (for the rasteriser), its
/// advance width and where its baseline sits below the top of its line box.
#[derive(Debug, Clone)]
pub(crate) struct ShapedLine {
    pub text: String,
    pub width: f32,
    pub baseline: f32,
    pub glyphs: Vec<LayoutGlyph>,
}

/// Owns the font database. Glyph ids in a layout are only meaningful with the typesetter that
/// made it, so the layout and the rasteriser share one.
pub struct Typesetter {
    pub(crate) fonts: FontSystem,
}

impl Default for Typesetter {
    fn default() -> Self {
        Self::new()
    }
}

impl Typesetter {
    /// Loads only the bundled fonts: output never depends on what the machine has installed.
    pub fn new() -> Self {
        let mut db = fontdb::Database::new();
        db.load_font_data(REGULAR_TTF.to_vec());
        db.load_font_data(BOLD_TTF.to_vec());
        db.set_sans_serif_family(FAMILY);
        Self {
            fonts: FontSystem::new_with_locale_and_db("es-MX".to_string(), db),
        }
    }

    /// Breaks `text` into lines no wider than `max_width` (canvas units); `None` = one line.
    pub(crate) fn shape(
        &mut self,
        text: &str,
        face: Face,
        size: f32,
        max_width: Option<f32>,
    ) -> Vec<ShapedLine> {
        let metrics = Metrics::new(size, size * LINE_HEIGHT);
        let mut buffer = Buffer::new(&mut self.fonts, metrics);
        buffer.set_wrap(if max_width.is_some() {
            Wrap::WordOrGlyph
        } else {
            Wrap::None
        });
        buffer.set_size(max_width, None);
        let weight = match face {
            Face::Regular => Weight::NORMAL,
            Face::Bold => Weight::BOLD,
        };
        let attrs = Attrs::new().family(Family::Name(FAMILY)).weight(weight);
        buffer.set_text(text, &attrs, Shaping::Advanced, None);
        buffer.shape_until_scroll(&mut self.fonts, false);
        buffer
            .layout_runs()
            .map(|run| {
                let (start, end) = run
                    .glyphs
                    .iter()
                    .fold((usize::MAX, 0), |(s, e), g| (s.min(g.start), e.max(g.end)));
                let text = if start < end {
                    run.text.get(start..end).unwrap_or("")
                } else {
                    ""
                };
                ShapedLine {
                    text: text.trim_end().to_string(),
                    width: run.line_w,
                    baseline: run.line_y - run.line_top,
                    glyphs: run.glyphs.to_vec(),
                }
            })
            .filter(|l| !l.glyphs.is_empty())
            .collect()
    }

    /// Advance width of `text` on one line.
    pub(crate) fn width(&mut self, text: &str, face: Face, size: f32) -> f32 {
        self.shape(text, face, size, None)
            .iter()
            .map(|l| l.width)
            .fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_spanish_text_within_width() {
        let mut t = Typesetter::new();
        let lines = t.shape(
            "Piñata con dulces y juguetes para niñas y niños pequeños",
            Face::Regular,
            10.0,
            Some(80.0),
        );
        assert!(lines.len() > 1, "long text should wrap");
        for l in &lines {
            assert!(l.width <= 80.5, "line {:?} is {} wide", l.text, l.width);
            assert!(l.baseline > 0.0 && l.baseline < 12.5);
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            joined.join(" "),
            "Piñata con dulces y juguetes para niñas y niños pequeños"
        );
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let mut t = Typesetter::new();
        let r = t.width("Quesadilla", Face::Regular, 20.0);
        let b = t.width("Quesadilla", Face::Bold, 20.0);
        assert!(
            b > r && r > 50.0,
            "bold {b} should be wider than regular {r}"
        );
    }
}
