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

/** Font sizes in px for a tile, so the countdown fills it without overflowing. */
export function tileFonts(tileWidth: number, tileHeight: number): { countdown: number; name: number; detail: number } {
  // "1:00:00" is about 3.6 em wide in a tabular font; leave room for padding.
  const countdown = Math.max(18, Math.min(tileHeight * 0.42, (tileWidth * 0.86) / 3.6));
  const name = Math.max(14, Math.min(tileHeight * 0.16, tileWidth / 10));
  const detail = Math.max(11, name * 0.55);
  return { countdown: Math.round(countdown), name: Math.round(name), detail: Math.round(detail) };
}
