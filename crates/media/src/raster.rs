//! Draws a laid-out page into pixels (tiny-skia for shapes and pictures, swash glyph masks from
//! cosmic-text for text). The editor's preview PNG and every video frame come from here.

use std::collections::HashMap;

use cosmic_text::{SwashCache, SwashContent};
use tiny_skia::{Paint, Pixmap, PixmapPaint, Transform};

use crate::design::Rgb;
use crate::error::{MediaError, Result};
use crate::fonts::Typesetter;
use crate::layout::{Element, MenuLayout, PageLayout, TextRun};
use crate::pictures::{PictureId, PictureSet};

/// Draws pages; keeps resampled pictures and glyph masks between pages and slides.
pub(crate) struct Rasterizer<'p, 'a> {
    pictures: &'p PictureSet<'a>,
    glyphs: SwashCache,
    fitted: HashMap<(PictureId, u32, u32, [u32; 4]), Option<Pixmap>>,
}

impl<'p, 'a> Rasterizer<'p, 'a> {
    pub fn new(pictures: &'p PictureSet<'a>) -> Self {
        Self {
            pictures,
            glyphs: SwashCache::new(),
            fitted: HashMap::new(),
        }
    }

    /// Pixel size of a page drawn at `scale` pixels per canvas unit.
    pub fn page_size(layout: &MenuLayout, scale: f32) -> (u32, u32) {
        (
            ((layout.width * scale).round() as u32).max(1),
            ((layout.height * scale).round() as u32).max(1),
        )
    }

    pub fn render(
        &mut self,
        ts: &mut Typesetter,
        layout: &MenuLayout,
        page: &PageLayout,
        scale: f32,
    ) -> Result<Pixmap> {
        let (w, h) = Self::page_size(layout, scale);
        let mut pixmap = Pixmap::new(w, h)
            .ok_or_else(|| MediaError::Raster(format!("cannot allocate {w}×{h} pixels")))?;
        for element in &page.elements {
            match element {
                Element::Fill { rect, color } => {
                    let Some(r) = tiny_skia::Rect::from_xywh(
                        rect.x * scale,
                        rect.y * scale,
                        rect.w * scale,
                        rect.h * scale,
                    ) else {
                        continue;
                    };
                    let mut paint = Paint::default();
                    paint.set_color_rgba8(color.r, color.g, color.b, 255);
                    paint.anti_alias = true;
                    pixmap.fill_rect(r, &paint, Transform::identity(), None);
                }
                Element::Picture {
                    id,
                    dest,
                    crop,
                    opacity,
                } => {
                    let x0 = (dest.x * scale).round();
                    let y0 = (dest.y * scale).round();
                    let pw = ((dest.x + dest.w) * scale).round() - x0;
                    let ph = ((dest.y + dest.h) * scale).round() - y0;
                    if pw < 1.0 || ph < 1.0 {
                        continue;
                    }
                    let key = (
                        *id,
                        pw as u32,
                        ph as u32,
                        [
                            crop.x.to_bits(),
                            crop.y.to_bits(),
                            crop.w.to_bits(),
                            crop.h.to_bits(),
                        ],
                    );
                    let pictures = self.pictures;
                    let fitted = self.fitted.entry(key).or_insert_with(|| {
                        pictures
                            .fitted(*id, *crop, key.1, key.2)
                            .and_then(rgba_to_pixmap)
                    });
                    if let Some(pm) = fitted {
                        let paint = PixmapPaint {
                            opacity: *opacity,
                            ..PixmapPaint::default()
                        };
                        pixmap.draw_pixmap(
                            x0 as i32,
                            y0 as i32,
                            pm.as_ref(),
                            &paint,
                            Transform::identity(),
                            None,
                        );
                    }
                }
                Element::Text(run) => self.draw_text(ts, &mut pixmap, run, scale),
            }
        }
        Ok(pixmap)
    }

    fn draw_text(&mut self, ts: &mut Typesetter, pixmap: &mut Pixmap, run: &TextRun, scale: f32) {
        let (pw, ph) = (pixmap.width() as i32, pixmap.height() as i32);
        let data = pixmap.data_mut();
        for glyph in &run.glyphs {
            let physical = glyph.physical((run.x * scale, run.baseline * scale), scale);
            let Some(image) = self.glyphs.get_image(&mut ts.fonts, physical.cache_key) else {
                continue;
            };
            let left = physical.x + image.placement.left;
            let top = physical.y - image.placement.top;
            let (gw, gh) = (image.placement.width as i32, image.placement.height as i32);
            let stride = match image.content {
                SwashContent::Mask => 1,
                SwashContent::Color => 4,
                SwashContent::SubpixelMask => continue,
            };
            for gy in 0..gh {
                let y = top + gy;
                if y < 0 || y >= ph {
                    continue;
                }
                for gx in 0..gw {
                    let x = left + gx;
                    if x < 0 || x >= pw {
                        continue;
                    }
                    let src = ((gy * gw + gx) as usize) * stride;
                    let a = match image.data.get(src + stride - 1) {
                        Some(a) if *a > 0 => u32::from(*a),
                        _ => continue,
                    };
                    let dst = ((y * pw + x) * 4) as usize;
                    if let Some(px) = data.get_mut(dst..dst + 4) {
                        blend(px, run.color, a);
                    }
                }
            }
        }
    }
}

/// Source-over of an opaque colour with coverage `a` onto a premultiplied pixel.
#[inline]
fn blend(px: &mut [u8], c: Rgb, a: u32) {
    let inv = 255 - a;
    let mix = |s: u8, d: u8| ((u32::from(s) * a + u32::from(d) * inv + 127) / 255) as u8;
    px[0] = mix(c.r, px[0]);
    px[1] = mix(c.g, px[1]);
    px[2] = mix(c.b, px[2]);
    px[3] = mix(255, px[3]);
}

fn rgba_to_pixmap(img: image::RgbaImage) -> Option<Pixmap> {
    let (w, h) = img.dimensions();
    let mut data = img.into_raw();
    for px in data.chunks_exact_mut(4) {
        let a = u32::from(px[3]);
        if a < 255 {
            for c in &mut px[..3] {
                *c = ((u32::from(*c) * a + 127) / 255) as u8;
            }
        }
    }
    Pixmap::from_vec(data, tiny_skia::IntSize::from_wh(w, h)?)
}

/// Encodes a page as PNG (fast compression: previews are made often and thrown away).
pub(crate) fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>> {
    let (w, h) = (pixmap.width(), pixmap.height());
    let mut rgba = pixmap.data().to_vec();
    for px in rgba.chunks_exact_mut(4) {
        let a = u32::from(px[3]);
        if a > 0 && a < 255 {
            for c in &mut px[..3] {
                *c = ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    image::ImageEncoder::write_image(encoder, &rgba, w, h, image::ExtendedColorType::Rgba8)
        .map_err(|e| MediaError::Raster(e.to_string()))?;
    Ok(out)
}
