import { chooseLayout, TILE_ASPECT } from './monitorLayout';

// A birthday party's children stand together on the wall, under a header with the party's name
// («Fiesta de Sofía»), still one tile per child. The hub marks the timers a party's check-in made
// with `booking_id` and `group`; every other timer is a walk-in. All tiles on a page keep one size,
// the largest that fits every group on it, so a party never makes its children smaller than the
// child next to them (how many groups share a page: `wallPages`).

/** What grouping needs of a timer. */
export interface GroupableTimer {
  id: string;
  booking_id?: string | null;
  group?: string | null;
}

export interface WallSection<T> {
  /** The party's booking (or, lacking one, its name); null for the walk-ins. */
  key: string | null;
  /** The party's name as the hub gives it; null for the walk-ins (no header). */
  title: string | null;
  timers: T[];
}

/**
 * `timers` in wall order (`stableWallOrder`) → the walk-ins first, then each party in the order
 * of its first child in that order (the order within each group stays the wall's). `untitled` names a party
 * whose timers carry a booking but no group name.
 */
export function wallSections<T extends GroupableTimer>(timers: readonly T[], untitled = ''): WallSection<T>[] {
  const walkIns: T[] = [];
  const parties = new Map<string, WallSection<T>>();
  for (const timer of timers) {
    const key = timer.booking_id || timer.group || null;
    if (!key) {
      walkIns.push(timer);
      continue;
    }
    let party = parties.get(key);
    if (!party) {
      party = { key, title: timer.group?.trim() || untitled, timers: [] };
      parties.set(key, party);
    }
    party.timers.push(timer);
  }
  // A Map keeps insertion order: the party whose child came first in wall order comes first.
  return [...(walkIns.length ? [{ key: null, title: null, timers: walkIns }] : []), ...parties.values()];
}

/**
 * The line under a party child's countdown: the hub's («Fiesta de Sofía · Salón Arcoíris») less the
 * party's name, which the group's header already shows («Salón Arcoíris»).
 */
export function tileDetail(serviceName: string, group: string | null | undefined): string {
  const name = group?.trim();
  if (!name || !serviceName.startsWith(name)) return serviceName;
  return serviceName.slice(name.length).replace(/^\s*[·\-–—:|]\s*/, '').trim() || serviceName;
}

/** Where one section sits on the wall, in px from the wall's top left corner. */
export interface SectionBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Tile columns and rows inside it. */
  cols: number;
  rows: number;
  /** Its header strip's height (0: no header in its band). */
  header: number;
}

export interface WallLayout {
  tileWidth: number;
  tileHeight: number;
  boxes: SectionBox[];
  /** Space between tiles, and inside a party's frame around its tiles. */
  gap: number;
  inset: number;
}

export interface WallSpacing {
  gap: number;
  /** Around the whole wall. */
  pad: number;
  /** Inside a party's frame, around its header and tiles. */
  inset: number;
  header: number;
}

/** The header strip scales with the screen: about 60 px on a 1080 p wall. */
export function wallSpacing(height: number): WallSpacing {
  return { gap: 16, pad: 16, inset: 8, header: Math.round(Math.min(72, Math.max(44, height * 0.06))) };
}

interface Placed {
  section: number;
  cols: number;
  rows: number;
}

/**
 * Bands of sections, top to bottom, for `perRow` tile columns and bands `bandRows` tiles high: a
 * section takes the columns it needs to fit that height (no more than the wall has) and sits
 * beside the one before while they fit across; one too big for the height fills a band of its own.
 */
function bands(counts: readonly number[], perRow: number, bandRows: number): Placed[][] {
  const out: Placed[][] = [];
  let open: Placed[] | null = null;
  let used = 0;
  counts.forEach((n, section) => {
    const cols = Math.min(perRow, Math.ceil(n / bandRows));
    const rows = Math.ceil(n / cols);
    if (rows > bandRows) {
      out.push([{ section, cols, rows }]);
      open = null;
      return;
    }
    if (!open || used + cols > perRow) {
      open = [];
      used = 0;
      out.push(open);
    }
    open.push({ section, cols, rows });
    used += cols;
  });
  return out;
}

/**
 * The wall's layout for sections of `counts[i]` tiles, `headed[i]` when the section has a header
 * (a party). Without any party it is exactly the plain grid of `chooseLayout`.
 */
export function layoutSections(
  counts: readonly number[],
  headed: readonly boolean[],
  width: number,
  height: number,
  spacing: WallSpacing = wallSpacing(height),
): WallLayout {
  const { gap, pad, header } = spacing;
  const total = counts.reduce((a, b) => a + b, 0);
  if (!headed.some(Boolean) || total === 0) {
    const grid = chooseLayout(total, width, height, gap);
    return {
      tileWidth: grid.tileWidth, tileHeight: grid.tileHeight, gap, inset: 0,
      boxes: [{ x: pad, y: pad, width: width - 2 * pad, height: height - 2 * pad, cols: grid.cols, rows: grid.rows, header: 0 }],
    };
  }
  const inset = spacing.inset;
  /** The tile size an arrangement allows: across, every band's tiles, gaps and frames; down, every band's rows and headers. */
  const measure = (placed: Placed[][]) => {
    let tileWidth = Infinity;
    let rows = 0;
    let fixed = 2 * pad + (placed.length - 1) * gap;
    for (const band of placed) {
      const cols = band.reduce((a, p) => a + p.cols, 0);
      tileWidth = Math.min(tileWidth, (width - 2 * pad - band.length * 2 * inset - (cols - 1) * gap) / cols);
      const bandRows = Math.max(...band.map((p) => p.rows));
      rows += bandRows;
      fixed += 2 * inset + (bandRows - 1) * gap + (band.some((p) => headed[p.section]) ? header : 0);
    }
    return { tileWidth, tileHeight: (height - fixed) / rows };
  };
  let best: { score: number; tileWidth: number; tileHeight: number; placed: Placed[][] } | null = null;
  // Every width and band height: 60 timers at most make this a few thousand cheap tries, and only
  // when the wall's sections change, not every second.
  for (let perRow = 1; perRow <= total; perRow++) {
    for (let bandRows = 1; bandRows <= Math.max(...counts); bandRows++) {
      const placed = bands(counts, perRow, bandRows);
      const { tileWidth, tileHeight } = measure(placed);
      const score = Math.min(tileWidth / TILE_ASPECT, tileHeight);
      if (!best || score > best.score + 0.5) best = { score, tileWidth, tileHeight, placed };
    }
  }
  // A screen too small for any arrangement still gets one (squeezed tiles, never seen on a wall).
  const placed = best?.placed ?? [];
  const tileWidth = Math.max(1, best?.tileWidth ?? 1);
  const tileHeight = Math.max(1, best?.tileHeight ?? 1);
  const boxes: SectionBox[] = new Array<SectionBox>(counts.length);
  let y = pad;
  for (const band of placed) {
    const bandRows = Math.max(...band.map((p) => p.rows));
    const strip = band.some((p) => headed[p.section]) ? header : 0;
    const bandHeight = 2 * inset + strip + bandRows * tileHeight + (bandRows - 1) * gap;
    let x = pad;
    for (const p of band) {
      const boxWidth = 2 * inset + p.cols * tileWidth + (p.cols - 1) * gap;
      boxes[p.section] = { x, y, width: boxWidth, height: bandHeight, cols: p.cols, rows: p.rows, header: strip };
      x += boxWidth + gap;
    }
    y += bandHeight + gap;
  }
  return { tileWidth, tileHeight, boxes, gap, inset };
}
