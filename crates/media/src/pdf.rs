//! Writes a laid-out menu as PDF: vector text in the embedded (subset) DejaVu fonts, pictures
//! at print resolution. JPEG photos that are not much larger than needed go in byte for byte
//! (DCTDecode, no re-encoding); oversized ones are downsampled to 300 dpi and re-encoded once;
//! PNG and WebP pictures stay lossless (Flate), keeping their transparency.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use image::ImageFormat;
use printpdf::{
    Color, CurTransMat, DictItem, ExtendedGraphicsState, ExternalStream, ExternalXObject, FontId,
    Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, Px,
    RawImage, RawImageData, RawImageFormat, TextItem, TextMatrix, WindingOrder, XObjectId,
    XObjectTransform,
};

use crate::design::Rgb;
use crate::error::{MediaError, Result};
use crate::fonts::{Face, BOLD_TTF, REGULAR_TTF};
use crate::layout::{Element, MenuLayout, Rect};
use crate::pictures::{parallel_map, CropRect, PictureId, PictureSet};
use crate::progress::{Progress, Stage};

/// Print resolution for pictures.
const PRINT_DPI: f32 = 300.0;
/// A JPEG up to this many times the pixels needed at [`PRINT_DPI`] is embedded untouched.
const PASSTHROUGH_OVERSIZE: f32 = 2.0;

pub(crate) fn write_pdf(
    layout: &MenuLayout,
    pictures: &PictureSet<'_>,
    title: &str,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(title);
    let (regular, bold) = parsed_fonts()?;
    let regular = doc.add_font(regular);
    let bold = doc.add_font(bold);

    let k = layout.canvas.points_per_unit();
    let page_w = layout.width * k;
    let page_h = layout.height * k;
    let to_pdf = |r: &Rect| (r.x * k, page_h - (r.y + r.h) * k, r.w * k, r.h * k);
    let images = embed_pictures(&mut doc, layout, pictures, &to_pdf);
    if cancel.load(Ordering::Relaxed) {
        return Err(MediaError::Cancelled);
    }
    let mut alpha_states = HashMap::new();
    let total = layout.pages.len() as u32;
    let mut pages = Vec::with_capacity(layout.pages.len());
    for (n, page) in layout.pages.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(MediaError::Cancelled);
        }
        let mut ops = Vec::new();
        for element in &page.elements {
            match element {
                Element::Fill { rect, color } => {
                    let (x, y, w, h) = to_pdf(rect);
                    ops.push(Op::SetFillColor {
                        col: pdf_color(*color),
                    });
                    ops.push(Op::DrawRectangle {
                        rectangle: pdf_rect(x, y, w, h, PaintMode::Fill),
                    });
                }
                Element::Picture {
                    id, dest, opacity, ..
                } => {
                    let (x, y, w, h) = to_pdf(dest);
                    let Some(placed) = images.get(&picture_key(*id, w, h)) else {
                        continue;
                    };
                    ops.push(Op::SaveGraphicsState);
                    if *opacity < 1.0 {
                        let gs = alpha_states.entry(opacity.to_bits()).or_insert_with(|| {
                            doc.add_graphics_state(
                                ExtendedGraphicsState::default().with_current_fill_alpha(*opacity),
                            )
                        });
                        ops.push(Op::LoadGraphicsState { gs: gs.clone() });
                    }
                    ops.push(Op::DrawRectangle {
                        rectangle: pdf_rect(x, y, w, h, PaintMode::Clip),
                    });
                    // Map the picture's crop region onto the destination; the rest is clipped.
                    let sx = w / placed.crop.w;
                    let sy = h / placed.crop.h;
                    let img_x = x - placed.crop.x * sx;
                    let img_top = y + h + placed.crop.y * sy;
                    let (iw, ih) = (placed.width * sx, placed.height * sy);
                    ops.push(Op::SetTransformationMatrix {
                        matrix: CurTransMat::Raw([iw, 0.0, 0.0, ih, img_x, img_top - ih]),
                    });
                    ops.push(Op::UseXobject {
                        id: placed.id.clone(),
                        transform: XObjectTransform {
                            no_auto_scale: true,
                            ..Default::default()
                        },
                    });
                    ops.push(Op::RestoreGraphicsState);
                }
                Element::Text(run) => {
                    let font = match run.face {
                        Face::Regular => &regular,
                        Face::Bold => &bold,
                    };
                    text_ops(
                        &mut ops,
                        font,
                        run.size * k,
                        run.color,
                        run.x * k,
                        page_h - run.baseline * k,
                        &run.text,
                    );
                }
            }
        }
        pages.push(PdfPage {
            media_box: pdf_rect(0.0, 0.0, page_w, page_h, PaintMode::Fill),
            trim_box: pdf_rect(0.0, 0.0, page_w, page_h, PaintMode::Fill),
            crop_box: pdf_rect(0.0, 0.0, page_w, page_h, PaintMode::Fill),
            ops,
        });
        progress(Progress {
            stage: Stage::Pages,
            done: n as u32 + 1,
            total,
        });
    }
    doc.with_pages(pages);
    progress(Progress {
        stage: Stage::Writing,
        done: 0,
        total: 1,
    });
    // `image_optimization: None`: printpdf must not re-encode what we already chose how to store.
    let opts = PdfSaveOptions {
        subset_fonts: true,
        image_optimization: None,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let bytes = doc.save(&opts, &mut warnings);
    progress(Progress {
        stage: Stage::Writing,
        done: 1,
        total: 1,
    });
    Ok(bytes)
}

/// The bundled fonts, parsed once per process (the hub exports many times).
fn parsed_fonts() -> Result<&'static (ParsedFont, ParsedFont)> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?;
            let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?;
            Some((regular, bold))
        })
        .as_ref()
        .ok_or_else(|| MediaError::Font("the bundled DejaVu fonts did not parse".into()))
}

/// An embedded picture: its XObject and the part of it the layout asked for, in its pixels.
struct Placed {
    id: XObjectId,
    width: f32,
    height: f32,
    crop: CropRect,
}

type PictureKey = (PictureId, u32, u32);

fn picture_key(id: PictureId, w_pt: f32, h_pt: f32) -> PictureKey {
    (
        id,
        (w_pt * 10.0).round() as u32,
        (h_pt * 10.0).round() as u32,
    )
}

/// A picture ready to embed, made without touching the document (so it can run on any core).
enum Prepared<'a> {
    /// The file's own bytes (DCTDecode).
    Original { bytes: &'a [u8], components: u8 },
    /// Freshly encoded JPEG.
    Jpeg(Vec<u8>),
    /// Lossless pixels (Flate), with alpha when the picture has transparency.
    Pixels(RawImage),
}

/// Prepares every distinct picture placement on all cores, then adds them to the document.
fn embed_pictures(
    doc: &mut PdfDocument,
    layout: &MenuLayout,
    pictures: &PictureSet<'_>,
    to_pdf: &dyn Fn(&Rect) -> (f32, f32, f32, f32),
) -> HashMap<PictureKey, Placed> {
    let mut wanted = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for element in layout.pages.iter().flat_map(|p| &p.elements) {
        if let Element::Picture { id, dest, crop, .. } = element {
            let (_, _, w, h) = to_pdf(dest);
            if seen.insert(picture_key(*id, w, h)) {
                wanted.push((*id, *crop, w, h));
            }
        }
    }
    let prepared = parallel_map(&wanted, |(id, crop, w, h)| {
        prepare_picture(pictures, *id, *crop, *w, *h)
    });
    let mut placed = HashMap::new();
    for ((id, _, w, h), prep) in wanted.iter().zip(prepared) {
        let Some((prep, width, height, crop)) = prep else {
            continue;
        };
        let xobject = match prep {
            Prepared::Original { bytes, components } => {
                doc.add_xobject(&jpeg_xobject(bytes.to_vec(), width, height, components))
            }
            Prepared::Jpeg(bytes) => doc.add_xobject(&jpeg_xobject(bytes, width, height, 3)),
            Prepared::Pixels(raw) => doc.add_image(&raw),
        };
        placed.insert(
            picture_key(*id, *w, *h),
            Placed {
                id: xobject,
                width: width as f32,
                height: height as f32,
                crop,
            },
        );
    }
    placed
}

/// Chooses how a picture goes into the PDF; returns it with its pixel size and the crop to draw.
fn prepare_picture<'a>(
    pictures: &PictureSet<'a>,
    id: PictureId,
    crop: CropRect,
    w_pt: f32,
    h_pt: f32,
) -> Option<(Prepared<'a>, u32, u32, CropRect)> {
    let pic = pictures.get(id)?;
    let need_w = (w_pt / 72.0 * PRINT_DPI).ceil().max(1.0);
    let need_h = (h_pt / 72.0 * PRINT_DPI).ceil().max(1.0);
    if let Some(components) = pic.jpeg_passthrough {
        if crop.w <= need_w * PASSTHROUGH_OVERSIZE && crop.h <= need_h * PASSTHROUGH_OVERSIZE {
            // Decoding proves the file sound even though its own bytes are what we embed.
            pictures.check(id)?;
            let prep = Prepared::Original {
                bytes: pic.bytes,
                components,
            };
            return Some((prep, pic.width, pic.height, crop));
        }
    }
    // Never upsample: a small picture keeps its own pixels and the PDF viewer scales it.
    let tw = need_w.min(crop.w.round()).max(1.0) as u32;
    let th = need_h.min(crop.h.round()).max(1.0) as u32;
    let fitted = pictures.fitted(id, crop, tw, th)?;
    let opaque = fitted.pixels().all(|p| p.0[3] == 255);
    let whole = CropRect {
        x: 0.0,
        y: 0.0,
        w: tw as f32,
        h: th as f32,
    };
    let prep = if pic.format == ImageFormat::Jpeg && opaque {
        // Already lossy and resampled anyway: one JPEG generation at high quality keeps the
        // file small; a lossless copy of a photo would be several times larger.
        let rgb = image::DynamicImage::ImageRgba8(fitted).to_rgb8();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
            .encode_image(&rgb)
            .ok()?;
        Prepared::Jpeg(jpeg)
    } else if opaque {
        let rgb = image::DynamicImage::ImageRgba8(fitted).to_rgb8().into_raw();
        Prepared::Pixels(raw_image(rgb, tw, th, RawImageFormat::RGB8))
    } else {
        Prepared::Pixels(raw_image(fitted.into_raw(), tw, th, RawImageFormat::RGBA8))
    };
    Some((prep, tw, th, whole))
}

fn raw_image(pixels: Vec<u8>, w: u32, h: u32, format: RawImageFormat) -> RawImage {
    RawImage {
        pixels: RawImageData::U8(pixels),
        width: w as usize,
        height: h as usize,
        data_format: format,
        tag: Vec::new(),
    }
}

fn jpeg_xobject(bytes: Vec<u8>, w: u32, h: u32, components: u8) -> ExternalXObject {
    let name = |s: &str| DictItem::Name(s.as_bytes().to_vec());
    let dict = BTreeMap::from([
        ("Type".to_string(), name("XObject")),
        ("Subtype".to_string(), name("Image")),
        ("Width".to_string(), DictItem::Int(i64::from(w))),
        ("Height".to_string(), DictItem::Int(i64::from(h))),
        (
            "ColorSpace".to_string(),
            name(if components == 1 {
                "DeviceGray"
            } else {
                "DeviceRGB"
            }),
        ),
        ("BitsPerComponent".to_string(), DictItem::Int(8)),
        ("Filter".to_string(), name("DCTDecode")),
    ]);
    ExternalXObject {
        stream: ExternalStream {
            dict,
            content: bytes,
            compress: false,
        },
        width: Some(Px(w as usize)),
        height: Some(Px(h as usize)),
        dpi: None,
    }
}

fn text_ops(ops: &mut Vec<Op>, font: &FontId, size: f32, color: Rgb, x: f32, y: f32, text: &str) {
    if text.is_empty() {
        return;
    }
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFillColor {
        col: pdf_color(color),
    });
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font.clone()),
        size: Pt(size),
    });
    ops.push(Op::SetTextMatrix {
        matrix: TextMatrix::Translate(Pt(x), Pt(y)),
    });
    ops.push(Op::ShowText {
        items: vec![TextItem::Text(text.to_string())],
    });
    ops.push(Op::EndTextSection);
}

fn pdf_rect(x: f32, y: f32, w: f32, h: f32, mode: PaintMode) -> printpdf::Rect {
    printpdf::Rect {
        x: Pt(x),
        y: Pt(y),
        width: Pt(w),
        height: Pt(h),
        mode: Some(mode),
        winding_order: Some(WindingOrder::NonZero),
    }
}

fn pdf_color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.r) / 255.0,
        g: f32::from(c.g) / 255.0,
        b: f32::from(c.b) / 255.0,
        icc_profile: None,
    })
}
