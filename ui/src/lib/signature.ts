import type { Signature } from '../api/types';

// A signature drawn on screen, kept as the hub stores it: strokes of integer points inside the
// pad's box (CSS pixels), never a picture. A tap or a scribble too short to be a signature is
// refused here before the hub says the same.

export type Point = [number, number];
export type Stroke = Point[];

/** Ink shorter than this (CSS px, all strokes together) is not a signature yet. */
export const MIN_INK = 40;

/** A pointer position inside a `width` × `height` box, rounded and kept inside it. */
export function boxPoint(x: number, y: number, width: number, height: number): Point {
  const clamp = (v: number, max: number) => Math.min(Math.max(Math.round(v), 0), Math.max(0, Math.floor(max)));
  return [clamp(x, width), clamp(y, height)];
}

/** Adds `p` to the stroke unless it is where the pen already is; whether it was added. */
export function extend(stroke: Stroke, p: Point): boolean {
  const last = stroke.at(-1);
  if (last && last[0] === p[0] && last[1] === p[1]) return false;
  stroke.push(p);
  return true;
}

/** How much line was drawn, in CSS px. */
export function inkLength(strokes: readonly Stroke[]): number {
  let total = 0;
  for (const s of strokes) {
    s.forEach((p, i) => {
      const prev = s[i - 1];
      if (prev) total += Math.hypot(p[0] - prev[0], p[1] - prev[1]);
    });
  }
  return total;
}

/** The body the hub reads, or null while there is too little to send. */
export function signatureOf(strokes: readonly Stroke[], width: number, height: number): Signature | null {
  if (inkLength(strokes) < MIN_INK || width < 1 || height < 1) return null;
  const w = Math.floor(width);
  const h = Math.floor(height);
  return {
    width: w,
    height: h,
    strokes: strokes.filter((s) => s.length > 0).map((s) => s.map(([x, y]) => boxPoint(x, y, w, h))),
  };
}
