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

/**
 * Font sizes in px for a tile, so the countdown fills it without overflowing. `countdownEm` is the
 * width, in em, of the widest countdown on the wall ("0:00:00" is about 4.2 em in a bold UI font,
 * "00:00" about 3): measure it in the page's font with `countdownWidthEm`.
 */
export function tileFonts(
  tileWidth: number,
  tileHeight: number,
  countdownEm: number,
): { countdown: number; name: number; detail: number } {
  // The tile's side padding is 6 % each; 2 % more is slack for rounding and the font's bearings.
  const countdown = Math.max(18, Math.min(tileHeight * 0.42, (tileWidth * 0.86) / countdownEm));
  const name = Math.max(14, Math.min(tileHeight * 0.16, tileWidth / 10));
  const detail = Math.max(11, name * 0.55);
  return { countdown: Math.round(countdown), name: Math.round(name), detail: Math.round(detail) };
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

/** A name below this share of the tile's name size would no longer read from across the room:
 *  it stops shrinking there and the end is cut with an ellipsis instead. */
export const NAME_MIN_SHARE = 0.7;

/**
 * The name's size in px on its tile: the wall's name size, made smaller only as far as a long
 * name (a full name, when the branch shows them) needs to fit the tile, never below
 * NAME_MIN_SHARE of it. `nameEm` is the name's width in em (`textWidthEm(name, font, 800)`).
 */
export function nameFont(base: number, tileWidth: number, nameEm: number): number {
  if (nameEm <= 0) return base;
  // Same room as the countdown: the tile less its 6 % side padding and a little slack.
  const fits = (tileWidth * 0.86) / nameEm;
  return Math.round(Math.max(base * NAME_MIN_SHARE, Math.min(base, fits)));
}
