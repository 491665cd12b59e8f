import type { Timer } from '../api/types';

// Extra play time, priced as the hub prices it (crates/core/src/timers.rs `ExtraTime`, docs/api.md
// § Timers), so a run-out card can say live what the overtime costs without asking the hub every
// second: every started minute past `ends_at` counts; nothing is due within `grace_minutes`; beyond
// it, every started block of `extra_block_minutes` costs `extra_block_price_cents`.

export const MINUTE_MS = 60_000;

/** A timer's extra-time prices, kept from when its play time was sold. */
export type ExtraPrices = Pick<Timer, 'extra_block_minutes' | 'extra_block_price_cents' | 'grace_minutes'>;

/** Does this timer's service sell extra time at all (blocks of 0 minutes: it does not)? */
export function sellsExtra(prices: ExtraPrices): boolean {
  return prices.extra_block_minutes > 0;
}

/** Milliseconds past the end → minutes, each started minute counting (1 ms late is 1 minute). */
export function overtimeMinutes(ms: number): number {
  return ms <= 0 ? 0 : Math.ceil(ms / MINUTE_MS);
}

/** What `minutes` of overtime cost: nothing within the grace, then every started block (the grace
 *  minutes included: a child 20 minutes late with blocks of 15 pays two). */
export function overtimeCost(prices: ExtraPrices, minutes: number): number {
  if (!sellsExtra(prices) || minutes <= prices.grace_minutes) return 0;
  return Math.ceil(minutes / prices.extra_block_minutes) * prices.extra_block_price_cents;
}

export interface Overtime {
  /** Whole minutes played past the end. */
  minutes: number;
  /** What they cost now (0 within the grace or once settled). */
  dueCents: number;
  /** Still within the grace: overtime that costs nothing yet. */
  inGrace: boolean;
}

/**
 * A run-out timer's overtime at the hub's instant `serverNow` (the local clock plus the live feed's
 * offset). The figures the hub sent with the timer are a floor: while the bell rings overtime only
 * grows, so a device whose clock offset is a little behind never shows less than the hub said.
 */
export function overtimeAt(timer: Timer, serverNow: number): Overtime {
  if (timer.state !== 'expired' || timer.overtime_settlement || !timer.ends_at) {
    return { minutes: 0, dueCents: 0, inGrace: false };
  }
  const late = serverNow - Date.parse(timer.ends_at);
  const minutes = Math.max(overtimeMinutes(late), timer.overtime_minutes);
  const dueCents = Math.max(overtimeCost(timer, minutes), timer.overtime_due_cents);
  return { minutes, dueCents, inGrace: minutes > 0 && dueCents === 0 && sellsExtra(timer) };
}

export interface ExtensionOption {
  minutes: number;
  priceCents: number;
}

/** The extensions a card offers: one and two blocks (+15 and +30 with blocks of 15). */
export function extensionOptions(prices: ExtraPrices, counts: readonly number[] = [1, 2]): ExtensionOption[] {
  if (!sellsExtra(prices)) return [];
  return counts.map((n) => ({ minutes: n * prices.extra_block_minutes, priceCents: n * prices.extra_block_price_cents }));
}
