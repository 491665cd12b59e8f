// A figure against the same figure over the previous period: which way it went, by how much, and
// whether that is good news (more refunds is not). Percentages of a percentage (occupancy) are
// told in points instead, so 40 % → 50 % reads «10 pts», not «25 %».

export type Direction = 'up' | 'down' | 'same' | 'none';

export interface Change {
  direction: Direction;
  /** Percent (or points for a percentage); null when there is nothing to compare with. */
  amount: number | null;
  /** Colour: good, bad or neither. */
  tone: 'good' | 'bad' | 'neutral';
}

/**
 * `current` against `previous`. `previous` of zero (or unknown) has no change to tell: «sin
 * periodo anterior». `higherIsBetter` false for what should go down (refunds).
 */
export function change(current: number | null | undefined, previous: number | null | undefined, options: { higherIsBetter?: boolean; points?: boolean } = {}): Change {
  const { higherIsBetter = true, points = false } = options;
  if (current === null || current === undefined || previous === null || previous === undefined || !Number.isFinite(current) || !Number.isFinite(previous)) {
    return { direction: 'none', amount: null, tone: 'neutral' };
  }
  if (!points && previous === 0) return { direction: 'none', amount: null, tone: 'neutral' };
  const amount = points ? current - previous : ((current - previous) / Math.abs(previous)) * 100;
  // What rounds to 0.0 is no change at all.
  if (Math.abs(amount) < 0.05) return { direction: 'same', amount: 0, tone: 'neutral' };
  const direction: Direction = amount > 0 ? 'up' : 'down';
  const good = (direction === 'up') === higherIsBetter;
  return { direction, amount, tone: good ? 'good' : 'bad' };
}
