// How many of a chart's axis labels to draw: as many as fit side by side at the width the chart
// really has on screen, so thirty dates on a laptop never run together into one grey band.

/** Rough width of a label in px: digits and dashes in the UI font are about 0.6 em. */
export function labelWidthPx(label: string, fontPx: number): number {
  return Math.ceil(label.length * fontPx * 0.62);
}

/**
 * Draw every `step`-th label (1 = all) so that labels of `labelPx` with `gapPx` between them fit
 * in the `count` equal slots across `widthPx`.
 */
export function labelStep(count: number, widthPx: number, labelPx: number, gapPx = 8): number {
  if (count <= 1 || widthPx <= 0) return 1;
  const slot = widthPx / count;
  return Math.min(count, Math.max(1, Math.ceil((labelPx + gapPx) / slot)));
}

/** Indexes of the labels to draw: the first and every `step`-th after it. */
export function shownLabels(count: number, step: number): Set<number> {
  const shown = new Set<number>();
  for (let i = 0; i < count; i += Math.max(1, step)) shown.add(i);
  return shown;
}
