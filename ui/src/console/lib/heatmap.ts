// What the heatmap shows: the hours that had sales, widened to a usual opening day (10–20 h) so a
// single busy hour does not fill the width and a store open 10–20 h shows no empty night; each
// cell's share of the busiest for its shade.

/** The usual opening hours, always shown once there is anything at all. */
export const OPENING = { first: 10, last: 20 } as const;

/** The hours to draw as columns, in order; none when the period sold nothing. */
export function heatHours(sales: number[][]): number[] {
  const busy: number[] = [];
  for (let h = 0; h < 24; h++) if (sales.some((row) => (row[h] ?? 0) > 0)) busy.push(h);
  if (busy.length === 0) return [];
  const first = Math.min(busy[0] ?? OPENING.first, OPENING.first);
  const last = Math.max(busy[busy.length - 1] ?? OPENING.last, OPENING.last);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** 0 for nothing, else 1–4: the shade of a cell against the busiest cell. */
export function heatLevel(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((value / max) * 4)));
}
