//! Item photos, the logo and the background. Probing reads only headers (format, size,
//! orientation); pixels are decoded once, where a renderer needs them, on all cores. A broken
//! picture becomes a warning (and a blank space), never a panic or a failed export.

use std::io::Cursor;
use std::sync::Mutex;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbaImage};

use crate::content::{ImageBytes, MenuContent};
use crate::design::MenuDesign;
use crate::Warning;

/// Index into a [`PictureSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PictureId(pub(crate) usize);

/// A picture that decoded cleanly: its bytes, format and upright size.
#[derive(Debug)]
pub(crate) struct Picture<'a> {
    /// JSON path of the input, for warnings.
    pub field: String,
    pub bytes: &'a [u8],
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// Colour components when the file is a baseline 8-bit grey or YCbCr JPEG that needs no
    /// rotation: such files can go into a PDF untouched (DCTDecode), with no re-encoding.
    pub jpeg_passthrough: Option<u8>,
}

/// Every picture of one export, addressed by [`PictureId`]: background, logo, then items.
pub(crate) struct PictureSet<'a> {
    pictures: Vec<Option<Picture<'a>>>,
    pub background: Option<PictureId>,
    pub logo: Option<PictureId>,
    /// `items[section][item]`
    pub items: Vec<Vec<Option<PictureId>>>,
    /// Pictures whose header was fine but whose data failed to decode while rendering.
    late_failures: Mutex<Vec<Warning>>,
}

impl<'a> PictureSet<'a> {
    /// Probes every picture the design will show (headers only); failures become warnings
    /// naming the field.
    pub fn probe(
        design: &'a MenuDesign,
        content: &'a MenuContent,
        warnings: &mut Vec<Warning>,
    ) -> Self {
        let mut jobs: Vec<(String, &'a ImageBytes)> = Vec::new();
        if let Some(img) = &design.background.image {
            jobs.push(("design.background.image".into(), img));
        }
        if design.show_logo {
            if let Some(img) = &content.logo {
                jobs.push(("logo".into(), img));
            }
        }
        if design.fields.picture {
            for (s, section) in content.sections.iter().enumerate() {
                for (i, item) in section.items.iter().enumerate() {
                    if let Some(img) = &item.image {
                        jobs.push((format!("sections[{s}].items[{i}].image"), img));
                    }
                }
            }
        }
        let results: Vec<_> = jobs
            .iter()
            .map(|(field, img)| probe_one(field, &img.0))
            .collect();
        let mut set = PictureSet {
            pictures: Vec::with_capacity(jobs.len()),
            background: None,
            logo: None,
            items: content
                .sections
                .iter()
                .map(|s| vec![None; s.items.len()])
                .collect(),
            late_failures: Mutex::new(Vec::new()),
        };
        for ((field, _), result) in jobs.iter().zip(results) {
            let id = match result {
                Ok(p) => {
                    set.pictures.push(Some(p));
                    Some(PictureId(set.pictures.len() - 1))
                }
                Err(message) => {
                    warnings.push(Warning {
                        field: field.clone(),
                        message,
                    });
                    None
                }
            };
            if field.starts_with("design.background") {
                set.background = id;
            } else if field == "logo" {
                set.logo = id;
            } else if let Some((s, i)) = parse_item_field(field) {
                if let Some(slot) = set.items.get_mut(s).and_then(|v| v.get_mut(i)) {
                    *slot = id;
                }
            }
        }
        set
    }

    pub fn get(&self, id: PictureId) -> Option<&Picture<'a>> {
        self.pictures.get(id.0).and_then(Option::as_ref)
    }

    /// The `crop` region (source pixels) resampled to exactly `w × h`, upright, as RGBA.
    pub fn fitted(&self, id: PictureId, crop: CropRect, w: u32, h: u32) -> Option<RgbaImage> {
        let pic = self.get(id)?;
        let shrink = (w as f32 / crop.w).max(h as f32 / crop.h);
        if pic.jpeg_passthrough.is_some() && shrink < 0.5 {
            // Much smaller than the photo: let the JPEG decoder drop detail in the DCT domain
            // (1/2, 1/4 or 1/8 scale), several times faster than decoding every pixel.
            let min_w = (pic.width as f32 * shrink).ceil() as u32;
            let min_h = (pic.height as f32 * shrink).ceil() as u32;
            let img = self.checked(pic, decode_jpeg_scaled(pic.bytes, min_w, min_h))?;
            let sx = img.width() as f32 / pic.width as f32;
            let sy = img.height() as f32 / pic.height as f32;
            let scaled = CropRect {
                x: crop.x * sx,
                y: crop.y * sy,
                w: crop.w * sx,
                h: crop.h * sy,
            };
            return Some(resample(&img, scaled, w, h));
        }
        let img = self.decode(id)?;
        Some(resample(&img, crop, w, h))
    }

    /// Decodes the picture upright; a failure is remembered as a warning (once per picture).
    pub fn decode(&self, id: PictureId) -> Option<DynamicImage> {
        let pic = self.get(id)?;
        self.checked(pic, decode(pic.bytes))
    }

    /// Proves the whole file decodes, as cheaply as possible (JPEG at 1/8 scale).
    pub fn check(&self, id: PictureId) -> Option<()> {
        let pic = self.get(id)?;
        let result = if pic.jpeg_passthrough.is_some() {
            decode_jpeg_scaled(pic.bytes, 1, 1)
        } else {
            decode(pic.bytes)
        };
        self.checked(pic, result).map(|_| ())
    }

    fn checked(
        &self,
        pic: &Picture<'_>,
        result: Result<DynamicImage, String>,
    ) -> Option<DynamicImage> {
        match result {
            Ok(img) => Some(img),
            Err(e) => {
                tracing::warn!(field = %pic.field, "picture could not be decoded: {e}");
                if let Ok(mut late) = self.late_failures.lock() {
                    if !late.iter().any(|w| w.field == pic.field) {
                        late.push(Warning {
                            field: pic.field.clone(),
                            message: format!("picture could not be decoded ({e}): skipped"),
                        });
                    }
                }
                None
            }
        }
    }

    /// Decode failures met while rendering so far.
    pub fn late_warnings(&self) -> Vec<Warning> {
        self.late_failures
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }
}

/// A region of a picture in its own (upright) pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

pub(crate) fn resample(img: &DynamicImage, crop: CropRect, w: u32, h: u32) -> RgbaImage {
    let x = crop.x.max(0.0).round() as u32;
    let y = crop.y.max(0.0).round() as u32;
    let cw = (crop.w.round() as u32).clamp(1, img.width().saturating_sub(x).max(1));
    let ch = (crop.h.round() as u32).clamp(1, img.height().saturating_sub(y).max(1));
    let cropped = img.crop_imm(x, y, cw, ch);
    let (w, h) = (w.max(1), h.max(1));
    if (cw, ch) == (w, h) {
        return cropped.to_rgba8();
    }
    // Triangle keeps big reductions smooth at a fraction of Lanczos' cost. Transparent pixels
    // are premultiplied first, or their (black) colour would bleed a dark fringe into edges.
    let filter = image::imageops::FilterType::Triangle;
    if !cropped.color().has_alpha() {
        // Shrinking: integer area averaging, about twice as fast as a triangle filter and as
        // smooth. Enlarging: the triangle filter interpolates.
        if w <= cw && h <= ch {
            return cropped.thumbnail_exact(w, h).to_rgba8();
        }
        return cropped.resize_exact(w, h, filter).to_rgba8();
    }
    let mut rgba = cropped.to_rgba32f();
    for p in rgba.pixels_mut() {
        let a = p.0[3];
        p.0[0] *= a;
        p.0[1] *= a;
        p.0[2] *= a;
    }
    let mut out = image::imageops::resize(&rgba, w, h, filter);
    for p in out.pixels_mut() {
        let a = p.0[3];
        if a > 0.0 {
            p.0[0] /= a;
            p.0[1] /= a;
            p.0[2] /= a;
        }
    }
    DynamicImage::ImageRgba32F(out).to_rgba8()
}

fn parse_item_field(field: &str) -> Option<(usize, usize)> {
    let rest = field.strip_prefix("sections[")?;
    let (s, rest) = rest.split_once("].items[")?;
    let (i, _) = rest.split_once(']')?;
    Some((s.parse().ok()?, i.parse().ok()?))
}

/// Decodes upright (EXIF orientation applied), within the `image` crate's default memory limits.
pub(crate) fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Decodes an 8-bit grey or YCbCr JPEG at the smallest DCT scale (1/8, 1/4, 1/2 or 1) that
/// still gives at least `min_w × min_h` pixels.
fn decode_jpeg_scaled(bytes: &[u8], min_w: u32, min_h: u32) -> Result<DynamicImage, String> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    let req = |v: u32| u16::try_from(v.max(1)).unwrap_or(u16::MAX);
    let (mut w, mut h) = decoder
        .scale(req(min_w), req(min_h))
        .map_err(|e| e.to_string())?;
    if u32::from(w) < min_w || u32::from(h) < min_h {
        // The decoder satisfies one axis; ask for full size when the other falls short.
        (w, h) = decoder
            .scale(u16::MAX, u16::MAX)
            .map_err(|e| e.to_string())?;
    }
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let format = decoder.info().map(|i| i.pixel_format);
    let (w, h) = (u32::from(w), u32::from(h));
    let img = match format {
        Some(jpeg_decoder::PixelFormat::RGB24) => {
            image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        }
        Some(jpeg_decoder::PixelFormat::L8) => {
            image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    };
    img.ok_or_else(|| "unexpected JPEG pixel layout".to_string())
}

fn probe_one<'a>(field: &str, bytes: &'a [u8]) -> Result<Picture<'a>, String> {
    let format = image::guess_format(bytes).map_err(|_| {
        "not a picture this renderer reads (JPEG, PNG or WebP): skipped".to_string()
    })?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(format!(
            "{format:?} pictures are not supported (use JPEG, PNG or WebP): skipped"
        ));
    }
    let bad = |e: image::ImageError| format!("picture could not be read ({e}): skipped");
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().map_err(bad)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err("picture has no pixels: skipped".to_string());
    }
    use image::metadata::Orientation as O;
    let (width, height) = match orientation {
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH => (h, w),
        _ => (w, h),
    };
    let jpeg_passthrough = match (format, orientation) {
        (ImageFormat::Jpeg, O::NoTransforms) => {
            jpeg_components(bytes).filter(|n| *n == 1 || *n == 3)
        }
        _ => None,
    };
    Ok(Picture {
        field: field.to_string(),
        bytes,
        format,
        width,
        height,
        jpeg_passthrough,
    })
}

/// Colour components of an 8-bit JPEG, read from its start-of-frame header.
pub(crate) fn jpeg_components(b: &[u8]) -> Option<u8> {
    if b.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    loop {
        while *b.get(i)? != 0xFF {
            i += 1;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let precision = *b.get(i + 2)?;
            let components = *b.get(i + 7)?;
            return (precision == 8 && marker <= 0xC2).then_some(components);
        }
        i += len;
    }
}

/// Runs `f` over `items` on up to two threads (the kiosk PCs and CI have two cores).
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < 2 || threads < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&img)
            .expect("encode test jpeg");
        out
    }

    #[test]
    fn jpeg_header_gives_components() {
        assert_eq!(jpeg_components(&jpeg(32, 16)), Some(3));
        assert_eq!(jpeg_components(b"\xFF\xD8\xFF"), None, "truncated header");
        assert_eq!(jpeg_components(b"not a jpeg"), None);
    }

    #[test]
    fn broken_pictures_become_warnings() {
        let good = jpeg(40, 30);
        let mut truncated = Vec::new();
        image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 9]))
            .write_to(&mut Cursor::new(&mut truncated), ImageFormat::Png)
            .expect("encode test png");
        truncated.truncate(truncated.len() / 2);
        let content = MenuContent {
            title: "M".into(),
            logo: Some(ImageBytes(b"garbage".to_vec())),
            sections: vec![crate::content::Section {
                title: "S".into(),
                items: vec![
                    crate::content::MenuItem {
                        name: "a".into(),
                        image: Some(ImageBytes(good)),
                        ..Default::default()
                    },
                    crate::content::MenuItem {
                        name: "b".into(),
                        image: Some(ImageBytes(truncated)),
                        ..Default::default()
                    },
                ],
            }],
        };
        let design = MenuDesign::default();
        let mut warnings = Vec::new();
        let set = PictureSet::probe(&design, &content, &mut warnings);
        assert!(set.logo.is_none());
        assert!(set.items[0][0].is_some());
        let fields: Vec<&str> = warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(fields, ["logo"], "garbage is refused from its header");
        let pic = set.get(set.items[0][0].expect("probed")).expect("probed");
        assert_eq!(
            (pic.width, pic.height, pic.jpeg_passthrough),
            (40, 30, Some(3))
        );
        // The truncated PNG has a sound header; decoding it fails, once, with a warning.
        let truncated = set.items[0][1].expect("header is readable");
        assert!(set.decode(truncated).is_none());
        assert!(set.decode(truncated).is_none());
        let late: Vec<String> = set.late_warnings().into_iter().map(|w| w.field).collect();
        assert_eq!(late, ["sections[0].items[1].image"]);
        assert!(set.decode(set.items[0][0].expect("good")).is_some());
    }
}
