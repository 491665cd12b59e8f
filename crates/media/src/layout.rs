//! The one layout pass. It turns a design and its content into positioned rectangles, pictures
//! and text lines per page, in canvas units with the origin at the top left. The PDF writer and
//! the rasteriser only draw what this decides, which is why the preview matches the export.

use cosmic_text::LayoutGlyph;

use crate::content::MenuContent;
use crate::design::{Canvas, MenuDesign, Rgb};
use crate::fonts::{Face, ShapedLine, Typesetter, LINE_HEIGHT};
use crate::pictures::{CropRect, PictureId, PictureSet};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// One line of text with its baseline origin.
#[derive(Debug, Clone)]
pub struct TextRun {
    pub x: f32,
    pub baseline: f32,
    pub face: Face,
    pub size: f32,
    pub color: Rgb,
    pub text: String,
    pub(crate) glyphs: Vec<LayoutGlyph>,
}

#[derive(Debug, Clone)]
pub enum Element {
    Fill {
        rect: Rect,
        color: Rgb,
    },
    /// `crop` (source pixels) is drawn stretched onto `dest`; the layout chose it so that the
    /// aspect ratio is kept.
    Picture {
        id: PictureId,
        dest: Rect,
        crop: CropRect,
        opacity: f32,
    },
    Text(TextRun),
}

#[derive(Debug, Clone, Default)]
pub struct PageLayout {
    pub elements: Vec<Element>,
}

/// Where everything goes, page by page (a page is a slide in the video).
#[derive(Debug, Clone)]
pub struct MenuLayout {
    pub canvas: Canvas,
    pub width: f32,
    pub height: f32,
    pub pages: Vec<PageLayout>,
}

/// Something the flow places in a column: a section heading or an item.
struct Block {
    height: f32,
    /// Elements relative to the block's top-left corner.
    elements: Vec<Element>,
    /// A heading must not end a column: it needs this much room after it as well.
    keep_with_next: f32,
    new_page: bool,
}

/// Lays out the whole menu. `pictures` must come from the same design and content.
pub(crate) fn layout_menu(
    design: &MenuDesign,
    content: &MenuContent,
    pictures: &PictureSet<'_>,
    ts: &mut Typesetter,
) -> MenuLayout {
    let (width, height) = design.canvas.size();
    let m = design.margin;
    let fonts = &design.fonts;
    let header = header_elements(design, content, pictures, ts);
    let header_h = header.1;
    let footer_h = if design.page_numbers {
        fonts.description * LINE_HEIGHT * 2.0
    } else {
        0.0
    };
    let col_w = design.column_width();

    let blocks = flow_blocks(design, content, pictures, ts, col_w);

    let content_top = |page: usize| -> f32 {
        if page == 0 || design.header_on_every_page {
            m + header_h
        } else {
            m
        }
    };
    let bottom = height - m - footer_h;
    let columns = usize::from(design.columns);
    let mut spots = place(&blocks, columns, &content_top, bottom);
    // A screen's slides play one after another: rather than full slides and a last one nearly
    // empty, the same number of slides share the items about evenly. (Paper fills each page, as
    // printed menus do.)
    let count = |spots: &[(usize, usize, f32)]| spots.last().map_or(1, |s| s.0 + 1);
    let needed = count(&spots);
    if matches!(design.canvas, Canvas::Screen { .. }) && needed > 1 {
        let total: f32 = blocks.iter().map(|b| b.height).sum();
        let (mut lo, mut hi) = (total / needed as f32, total);
        let mut best = None;
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            // Too many slides: share more per slide; a slide's share too tall for it: less.
            match shared(&blocks, columns, &content_top, bottom, mid) {
                Some(s) if count(&s) <= needed => {
                    hi = mid;
                    best = Some(s);
                }
                Some(_) => lo = mid,
                None => hi = mid,
            }
        }
        if let Some(s) = best {
            spots = s;
        }
    }
    let mut pages: Vec<Vec<Element>> = (0..count(&spots)).map(|_| Vec::new()).collect();
    for (block, (page, col, y)) in blocks.into_iter().zip(spots) {
        let x = m + col as f32 * (col_w + design.gutter);
        if let Some(p) = pages.get_mut(page) {
            p.extend(block.elements.into_iter().map(|e| offset(e, x, y)));
        }
    }

    let total = pages.len();
    let mut out = Vec::with_capacity(total);
    for (i, body) in pages.into_iter().enumerate() {
        let mut elements = background_elements(design, pictures, width, height);
        if i == 0 || design.header_on_every_page {
            elements.extend(header.0.iter().cloned());
        }
        elements.extend(body);
        if design.page_numbers {
            let label = format!("{} / {}", i + 1, total);
            let size = fonts.description;
            for line in ts.shape(&label, Face::Regular, size, None) {
                let top = height - m - size * LINE_HEIGHT;
                elements.push(Element::Text(text_run(
                    &line,
                    (width - line.width) / 2.0,
                    top,
                    Face::Regular,
                    size,
                    design.colors.description,
                )));
            }
        }
        out.push(PageLayout { elements });
    }
    MenuLayout {
        canvas: design.canvas,
        width,
        height,
        pages: out,
    }
}

/// Where each block goes, `(page, column, top)`, filling a column down to `bottom`, then the
/// next column, then a new page (a section that asks for one starts a page).
fn place(
    blocks: &[Block],
    columns: usize,
    content_top: &dyn Fn(usize) -> f32,
    bottom: f32,
) -> Vec<(usize, usize, f32)> {
    let mut out = Vec::with_capacity(blocks.len());
    let (mut page, mut col, mut y) = (0usize, 0usize, content_top(0));
    let mut page_has_blocks = false;
    for block in blocks {
        let col_top = content_top(page);
        if block.new_page && page_has_blocks {
            page += 1;
            col = 0;
            y = content_top(page);
        } else if y + block.height + block.keep_with_next > bottom && y > col_top + 0.01 {
            col += 1;
            if col >= columns.max(1) {
                page += 1;
                col = 0;
            }
            y = content_top(page);
        }
        out.push((page, col, y));
        y += block.height;
        page_has_blocks = true;
    }
    out
}

/// Pages of at most `budget` of block height each (a section that asks for one starts a page),
/// each flowed into its columns as [`place`] does; `None` when a page's share does not fit it.
fn shared(
    blocks: &[Block],
    columns: usize,
    content_top: &dyn Fn(usize) -> f32,
    bottom: f32,
    budget: f32,
) -> Option<Vec<(usize, usize, f32)>> {
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut sum) = (0usize, 0.0f32);
    for (i, b) in blocks.iter().enumerate() {
        let heading_alone = b.keep_with_next > 0.0;
        let over = sum + b.height + if heading_alone { b.keep_with_next } else { 0.0 } > budget;
        if i > start && (b.new_page || over) {
            groups.push(start..i);
            start = i;
            sum = 0.0;
        }
        sum += b.height;
    }
    groups.push(start..blocks.len());
    let mut out = Vec::with_capacity(blocks.len());
    for (page, range) in groups.into_iter().enumerate() {
        let top = |p: usize| content_top(page + p);
        let spots = place(blocks.get(range)?, columns, &top, bottom);
        if spots.iter().any(|s| s.0 > 0) {
            return None;
        }
        out.extend(spots.into_iter().map(|(_, col, y)| (page, col, y)));
    }
    Some(out)
}

fn background_elements(
    design: &MenuDesign,
    pictures: &PictureSet<'_>,
    w: f32,
    h: f32,
) -> Vec<Element> {
    let full = Rect {
        x: 0.0,
        y: 0.0,
        w,
        h,
    };
    let mut v = vec![Element::Fill {
        rect: full,
        color: design.background.color,
    }];
    if let Some(id) = pictures.background {
        if let Some(p) = pictures.get(id) {
            if design.background.image_opacity > 0.0 {
                v.push(Element::Picture {
                    id,
                    dest: full,
                    crop: cover_crop(p.width, p.height, w, h),
                    opacity: design.background.image_opacity,
                });
            }
        }
    }
    v
}

/// Logo and title across the top; returns the elements and the height they take (with gap).
fn header_elements(
    design: &MenuDesign,
    content: &MenuContent,
    pictures: &PictureSet<'_>,
    ts: &mut Typesetter,
) -> (Vec<Element>, f32) {
    let (w, _) = design.canvas.size();
    let m = design.margin;
    let mut elements = Vec::new();
    let mut logo_w = 0.0;
    let mut logo_h = 0.0;
    if let Some(id) = pictures.logo {
        if let Some(p) = pictures.get(id) {
            let aspect = p.width as f32 / p.height.max(1) as f32;
            logo_h = design.logo_height;
            logo_w = logo_h * aspect;
            let max_w = (w - 2.0 * m) / 3.0;
            if logo_w > max_w {
                logo_w = max_w;
                logo_h = logo_w / aspect;
            }
            if logo_h > 0.0 {
                elements.push(Element::Picture {
                    id,
                    dest: Rect {
                        x: m,
                        y: m,
                        w: logo_w,
                        h: logo_h,
                    },
                    crop: CropRect {
                        x: 0.0,
                        y: 0.0,
                        w: p.width as f32,
                        h: p.height as f32,
                    },
                    opacity: 1.0,
                });
            }
        }
    }
    let gap = if logo_w > 0.0 {
        design.fonts.title * 0.6
    } else {
        0.0
    };
    let title_x = m + logo_w + gap;
    let size = design.fonts.title;
    let lines = ts.shape(
        content.title.trim(),
        Face::Bold,
        size,
        Some((w - m - title_x).max(size)),
    );
    let text_h = lines.len() as f32 * size * LINE_HEIGHT;
    let top = m + ((logo_h - text_h) / 2.0).max(0.0);
    for (i, line) in lines.iter().enumerate() {
        let y = top + i as f32 * size * LINE_HEIGHT;
        elements.push(Element::Text(text_run(
            line,
            title_x,
            y,
            Face::Bold,
            size,
            design.colors.title,
        )));
    }
    let height = logo_h.max(text_h) + design.fonts.section * 0.8;
    (elements, height)
}

/// Section headings and items as blocks, in reading order.
fn flow_blocks(
    design: &MenuDesign,
    content: &MenuContent,
    pictures: &PictureSet<'_>,
    ts: &mut Typesetter,
    col_w: f32,
) -> Vec<Block> {
    let f = &design.fonts;
    let c = &design.colors;
    let mut blocks = Vec::new();
    for (s, section) in content.sections.iter().enumerate() {
        if section.items.is_empty() {
            continue;
        }
        let mut heading = Vec::new();
        let lh = f.section * LINE_HEIGHT;
        let lines = ts.shape(section.title.trim(), Face::Bold, f.section, Some(col_w));
        for (i, line) in lines.iter().enumerate() {
            heading.push(Element::Text(text_run(
                line,
                0.0,
                i as f32 * lh,
                Face::Bold,
                f.section,
                c.section,
            )));
        }
        let rule_y = lines.len() as f32 * lh + f.section * 0.15;
        let rule_h = (f.section * 0.12).max(0.5);
        heading.push(Element::Fill {
            rect: Rect {
                x: 0.0,
                y: rule_y,
                w: col_w,
                h: rule_h,
            },
            color: c.accent,
        });
        let heading_h = rule_y + rule_h + f.item_name * 0.8;

        let mut items = Vec::with_capacity(section.items.len());
        for (i, item) in section.items.iter().enumerate() {
            items.push(item_block(
                design,
                pictures
                    .items
                    .get(s)
                    .and_then(|v| v.get(i))
                    .copied()
                    .flatten(),
                pictures,
                item,
                ts,
                col_w,
            ));
        }
        let first_h = items.first().map_or(0.0, |b: &Block| b.height);
        blocks.push(Block {
            height: heading_h,
            elements: heading,
            keep_with_next: first_h,
            new_page: design.section_per_page,
        });
        blocks.extend(items);
        // Space before the next section.
        if let Some(last) = blocks.last_mut() {
            last.height += f.section * 0.6;
        }
    }
    blocks
}

fn item_block(
    design: &MenuDesign,
    picture: Option<PictureId>,
    pictures: &PictureSet<'_>,
    item: &crate::content::MenuItem,
    ts: &mut Typesetter,
    col_w: f32,
) -> Block {
    let f = &design.fonts;
    let c = &design.colors;
    let shown = &design.fields;
    let mut elements = Vec::new();
    let pic = if shown.picture {
        design.picture_size
    } else {
        0.0
    };
    if let Some(id) = picture {
        if let Some(p) = pictures.get(id) {
            let dest = Rect {
                x: 0.0,
                y: 0.0,
                w: pic,
                h: pic,
            };
            elements.push(Element::Picture {
                id,
                dest,
                crop: cover_crop(p.width, p.height, pic, pic),
                opacity: 1.0,
            });
        }
    }
    let text_x = if shown.picture {
        pic + f.item_name * 0.6
    } else {
        0.0
    };
    let text_w = (col_w - text_x).max(f.item_name);
    let price = design.currency.format(item.price_cents);
    let price_w = if shown.price {
        ts.width(&price, Face::Bold, f.price)
    } else {
        0.0
    };
    let name_lh = f.item_name.max(if shown.price { f.price } else { 0.0 }) * LINE_HEIGHT;
    let mut y = 0.0;
    let mut first_baseline = None;
    if shown.name {
        let avail = (text_w - price_w - f.price * 0.6).max(f.item_name * 2.0);
        for line in ts.shape(item.name.trim(), Face::Bold, f.item_name, Some(avail)) {
            let run = text_run(&line, text_x, y, Face::Bold, f.item_name, c.item_name);
            first_baseline.get_or_insert(run.baseline);
            elements.push(Element::Text(run));
            y += name_lh;
        }
    }
    if shown.price {
        let line = ts
            .shape(&price, Face::Bold, f.price, None)
            .into_iter()
            .next();
        if let Some(line) = line {
            let baseline = first_baseline.unwrap_or_else(|| {
                y += name_lh;
                y - name_lh + line.baseline
            });
            let mut run = text_run(&line, col_w - price_w, 0.0, Face::Bold, f.price, c.price);
            run.baseline = baseline;
            elements.push(Element::Text(run));
        }
    }
    let desc = item.description.trim();
    if shown.description && !desc.is_empty() {
        let lh = f.description * LINE_HEIGHT;
        y += f.description * 0.1;
        for line in ts.shape(desc, Face::Regular, f.description, Some(text_w)) {
            elements.push(Element::Text(text_run(
                &line,
                text_x,
                y,
                Face::Regular,
                f.description,
                c.description,
            )));
            y += lh;
        }
    }
    Block {
        height: y.max(pic) + f.item_name * 0.8,
        elements,
        keep_with_next: 0.0,
        new_page: false,
    }
}

fn text_run(line: &ShapedLine, x: f32, top: f32, face: Face, size: f32, color: Rgb) -> TextRun {
    TextRun {
        x,
        baseline: top + line.baseline,
        face,
        size,
        color,
        text: line.text.clone(),
        glyphs: line.glyphs.clone(),
    }
}

/// The centred region of a `sw × sh` picture with the aspect ratio of a `dw × dh` box.
pub(crate) fn cover_crop(sw: u32, sh: u32, dw: f32, dh: f32) -> CropRect {
    let (sw, sh) = (sw as f32, sh as f32);
    let target = dw / dh.max(f32::EPSILON);
    if sw / sh > target {
        let w = sh * target;
        CropRect {
            x: (sw - w) / 2.0,
            y: 0.0,
            w,
            h: sh,
        }
    } else {
        let h = sw / target;
        CropRect {
            x: 0.0,
            y: (sh - h) / 2.0,
            w: sw,
            h,
        }
    }
}

fn offset(e: Element, dx: f32, dy: f32) -> Element {
    match e {
        Element::Fill { rect, color } => Element::Fill {
            rect: Rect {
                x: rect.x + dx,
                y: rect.y + dy,
                ..rect
            },
            color,
        },
        Element::Picture {
            id,
            dest,
            crop,
            opacity,
        } => Element::Picture {
            id,
            dest: Rect {
                x: dest.x + dx,
                y: dest.y + dy,
                ..dest
            },
            crop,
            opacity,
        },
        Element::Text(mut t) => {
            t.x += dx;
            t.baseline += dy;
            Element::Text(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{MenuItem, Section};

    fn content(sections: &[usize], description: &str) -> MenuContent {
        MenuContent {
            title: "Menú".into(),
            logo: None,
            sections: sections
                .iter()
                .enumerate()
                .map(|(s, n)| Section {
                    title: format!("Sección {s}"),
                    items: (0..*n)
                        .map(|i| MenuItem {
                            name: format!("Item {s}-{i}"),
                            description: description.into(),
                            price_cents: 100,
                            image: None,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn lay(design: &MenuDesign, content: &MenuContent) -> MenuLayout {
        let mut warnings = Vec::new();
        let pictures = PictureSet::probe(design, content, &mut warnings);
        layout_menu(design, content, &pictures, &mut Typesetter::new())
    }

    fn texts(page: &PageLayout) -> Vec<&TextRun> {
        page.elements
            .iter()
            .filter_map(|e| {
                if let Element::Text(t) = e {
                    Some(t)
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn an_empty_menu_is_one_page_with_its_title() {
        let l = lay(&MenuDesign::default(), &content(&[], ""));
        assert_eq!(l.pages.len(), 1);
        assert!(texts(&l.pages[0]).iter().any(|t| t.text == "Menú"));
    }

    #[test]
    fn every_text_stays_inside_the_margins() {
        let design = MenuDesign::default();
        let l = lay(
            &design,
            &content(
                &[7, 9, 3],
                "Agua fresca de jamaica con hielo, servida en vaso grande",
            ),
        );
        for page in &l.pages {
            for t in texts(page) {
                let right = t.x + t.glyphs.iter().map(|g| g.x + g.w).fold(0.0, f32::max);
                assert!(
                    t.x >= design.margin - 0.01 && right <= l.width - design.margin + 0.5,
                    "{:?} at x {} .. {right}",
                    t.text,
                    t.x
                );
                assert!(
                    t.baseline > design.margin && t.baseline < l.height - design.margin + 0.5,
                    "{:?} baseline {}",
                    t.text,
                    t.baseline
                );
            }
        }
    }

    #[test]
    fn section_per_page_starts_each_section_on_its_own_page() {
        let design = MenuDesign {
            section_per_page: true,
            ..MenuDesign::default()
        };
        let l = lay(&design, &content(&[2, 0, 3, 1], ""));
        assert_eq!(l.pages.len(), 3, "empty sections are skipped");
    }

    /// Items on each page, by their names.
    fn items_per_page(l: &MenuLayout) -> Vec<usize> {
        l.pages
            .iter()
            .map(|p| {
                texts(p)
                    .iter()
                    .filter(|t| t.text.starts_with("Item "))
                    .count()
            })
            .collect()
    }

    #[test]
    fn a_screens_slides_are_filled_evenly_and_paper_pages_fully() {
        let screen = MenuDesign::for_canvas(Canvas::Screen {
            size: crate::design::ScreenSize::Hd1080,
        });
        for n in [5, 9, 13, 17, 23, 31] {
            let menu = content(&[n], "");
            let per = items_per_page(&lay(&screen, &menu));
            assert_eq!(per.iter().sum::<usize>(), n, "every item once");
            let (most, least) = (
                per.iter().copied().max().unwrap_or(0),
                per.iter().copied().min().unwrap_or(0),
            );
            assert!(most - least <= 1, "{n} items: {per:?}");
        }
        // Paper keeps filling each page before the next.
        let paper = MenuDesign::default();
        let per = items_per_page(&lay(&paper, &content(&[40], "")));
        if per.len() > 1 {
            assert!(per[0] >= *per.last().unwrap_or(&0), "{per:?}");
        }
    }

    #[test]
    fn an_item_taller_than_a_page_still_lays_out() {
        let long = "palabra ".repeat(250);
        let l = lay(&MenuDesign::default(), &content(&[3], long.trim()));
        assert!(
            (2..=4).contains(&l.pages.len()),
            "each giant item gets its own column or page: {}",
            l.pages.len()
        );
    }
}
