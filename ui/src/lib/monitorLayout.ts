// The wall monitor shows 1 to 60 timers at once and each must stay readable from 5 m, so the grid
// is chosen to make the tiles as large as possible for the screen, not from a fixed table.

export interface GridLayout {
  cols: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

/** Width ÷ height a tile wants: a name line above a "00:00" countdown. */
export const TILE_ASPECT = 1.6;

export function chooseLayout(count: number, width: number, height: number, gap = 16): GridLayout {
  const n = Math.max(1, Math.floor(count));
  let best: GridLayout | null = null;
  let bestScore = -1;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    // A layout that leaves a whole empty row or column is never better than a tighter one.
    if ((rows - 1) * cols >= n) continue;
    const tileWidth = (width - gap * (cols + 1)) / cols;
    const tileHeight = (height - gap * (rows + 1)) / rows;
    if (tileWidth <= 0 || tileHeight <= 0) continue;
    // The largest tile of the wanted aspect that fits in the cell decides readability.
    const score = Math.min(tileWidth / TILE_ASPECT, tileHeight);
    if (score > bestScore + 0.5) {
      bestScore = score;
      best = { cols, rows, tileWidth, tileHeight };
    }
  }
  return best ?? { cols: 1, rows: n, tileWidth: width, tileHeight: height / n };
}

/** Readable from across the room on a 1080 p wall: no child's name below 40 px and no countdown
 *  below 64 px. The wall pages through its children rather than going smaller (`wallPages`). */
export const MIN_NAME_PX = 40;
export const MIN_COUNTDOWN_PX = 64;

/** A tile's inner padding in px: 5 % of its smaller side (a share of the width alone would eat a
 *  wide tile's height). */
export const tilePadding = (tileWidth: number, tileHeight: number) => Math.round(Math.min(tileWidth, tileHeight) * 0.05);

/** The width a tile's text may take: the tile less its padding and a little slack for the font's bearings. */
export const textRoom = (tileWidth: number, tileHeight: number) => tileWidth - 2 * tilePadding(tileWidth, tileHeight) - 4;

/**
 * Font sizes in px for a tile, so the countdown fills it without overflowing. `countdownEm` is the
 * width, in em, of the widest countdown on the wall ("0:00:00" is about 4.2 em in a bold UI font,
 * "00:00" about 3): measure it in the page's font with `countdownWidthEm`. Never below the wall's
 * minimums: the layout keeps tiles at least `minTile` large, where those minimums fit.
 * Down the tile a name of two lines (2 × 1.15 × 0.16 h), the countdown (0.36 h), the detail line
 * (1.25 × 0.08 h) and the padding (0.1 h) take at most 0.93 of its height.
 */
export function tileFonts(
  tileWidth: number,
  tileHeight: number,
  countdownEm: number,
): { countdown: number; name: number; detail: number; pad: number } {
  const room = textRoom(tileWidth, tileHeight);
  const countdown = Math.max(MIN_COUNTDOWN_PX, Math.min(tileHeight * 0.36, room / countdownEm));
  const name = Math.max(MIN_NAME_PX, Math.min(tileHeight * 0.16, room / 8));
  const detail = Math.max(18, name * 0.5);
  return { countdown: Math.floor(countdown), name: Math.floor(name), detail: Math.floor(detail), pad: tilePadding(tileWidth, tileHeight) };
}

/** A tile lower than this has no room for a two-line name at 40 px, a 64 px countdown and the detail line. */
export const MIN_TILE_HEIGHT = 220;

/**
 * Whether a tile this large shows its type at the wall's minimum or larger: as wide as the widest
 * countdown at 64 px (`countdownEm`, measured) and the widest name's best two lines at 40 px
 * (`nameEm`, its `twoEm`), and as high as a name of two lines, a countdown, the detail line and
 * the padding (see `tileFonts`: down the tile 2 × 1.15 × 40 + 1.2 × 20 + 0.1 h + max(64, 0.36 h)
 * ≤ h from 219 px up).
 */
export function readableTile(tileWidth: number, tileHeight: number, countdownEm: number, nameEm = 0): boolean {
  const room = textRoom(tileWidth, tileHeight);
  return tileHeight >= MIN_TILE_HEIGHT && room >= MIN_COUNTDOWN_PX * countdownEm && room >= MIN_NAME_PX * nameEm;
}

/** The widest of the countdowns, with every digit as "0" (a tabular digit's width). */
export function widestCountdown(texts: readonly string[]): string {
  return texts.map((t) => t.replace(/\d/g, '0')).reduce((a, b) => (b.length > a.length ? b : a), '00:00');
}

/** Rough widths in em at weight 900, for where nothing can be measured (tests, no canvas). */
function estimateEm(shape: string): number {
  let em = 0;
  for (const c of shape) em += c === '0' ? 0.72 : c === ':' ? 0.4 : 0.45;
  return em;
}

const measured = new Map<string, number>();

/** Width in em of `text` at `weight` of `fontFamily`, measured once (estimated without a canvas). */
export function textWidthEm(text: string, fontFamily: string, weight = 900): number {
  const key = `${weight}|${fontFamily}|${text}`;
  let em = measured.get(key);
  if (em === undefined) {
    const ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
    if (ctx) {
      ctx.font = `${weight} 100px ${fontFamily}`;
      em = ctx.measureText(text).width / 100;
    }
    if (!em) em = estimateEm(text);
    measured.set(key, em);
  }
  return em;
}

/** Width in em of `shape` in the countdown's font (weight 900 of `fontFamily`). */
export function countdownWidthEm(shape: string, fontFamily: string): number {
  return textWidthEm(shape, fontFamily, 900);
}

/** A long name shrinks to this share of the tile's name size (never below MIN_NAME_PX) before it
 *  takes a second line; it is never cut. */
export const NAME_MIN_SHARE = 0.7;

/** A name as one line, and as its best two (broken between words so the wider line is narrowest). */
export interface NameShape {
  name: string;
  /** The whole name's width in em. */
  oneEm: number;
  /** The best two lines and the wider one's width in em (a one-word name keeps one line). */
  lines: string[];
  twoEm: number;
}

/** `name`'s shape, measuring text with `widthEm` (`textWidthEm(text, font, 800)`). */
export function nameShape(name: string, widthEm: (text: string) => number): NameShape {
  const oneEm = widthEm(name);
  const words = name.split(/\s+/).filter(Boolean);
  let lines = [name];
  let twoEm = oneEm;
  for (let i = 1; i < words.length; i++) {
    const split = [words.slice(0, i).join(' '), words.slice(i).join(' ')];
    const wide = Math.max(...split.map(widthEm));
    if (wide < twoEm) {
      twoEm = wide;
      lines = split;
    }
  }
  return { name, oneEm, lines, twoEm };
}

/**
 * A name's size in px on its tile and its lines: the wall's name size, smaller only as far as a
 * long name (a full name, when the branch shows them) needs to fit one line, down to
 * NAME_MIN_SHARE of it and never below MIN_NAME_PX; longer still, its best two lines at the size
 * that fits them. `room` is the tile's text width (`textRoom`); the wall keeps it wide enough for
 * every name's two lines at MIN_NAME_PX (`readableTile`).
 */
export function nameFit(base: number, room: number, shape: NameShape): { size: number; lines: string[] } {
  const one = shape.oneEm > 0 ? room / shape.oneEm : Infinity;
  if (one >= base) return { size: base, lines: [shape.name] };
  const floor = Math.min(base, Math.max(MIN_NAME_PX, Math.round(base * NAME_MIN_SHARE)));
  if (one >= floor || shape.lines.length < 2) return { size: Math.floor(Math.max(MIN_NAME_PX, one)), lines: [shape.name] };
  return { size: Math.floor(Math.max(MIN_NAME_PX, Math.min(base, room / shape.twoEm))), lines: shape.lines };
}
