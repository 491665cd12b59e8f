import { ApiError } from '../api/client';
import type { ByMethod, DayClosing, TillDay, TillFloat, TillMovement } from '../api/types';

// The cash drawer as a desk sees it: one till's float and movements out of the day's, the cash a
// closing expected taken apart, the count a closing stands at after its corrections, and the
// hub's «count again» answer.

/** Reception's drawer and the kid bar's, as the hub names them (`till`, default `caja`). */
export type TillName = 'caja' | 'kidibar';

export interface OneTill {
  float: TillFloat | null;
  movements: TillMovement[];
  float_cents: number;
  drops_cents: number;
  deposits_cents: number;
}

/** One drawer's part of the day (GET /till answers every drawer's); movements newest first. */
export function tillOf(day: TillDay, till: TillName): OneTill {
  const float = day.floats.find((f) => f.till === till) ?? null;
  const movements = day.movements.filter((m) => m.till === till).sort((a, b) => b.created_at.localeCompare(a.created_at));
  const sum = (kind: TillMovement['kind']) => movements.filter((m) => m.kind === kind).reduce((s, m) => s + m.amount_cents, 0);
  return { float, movements, float_cents: float?.float_cents ?? 0, drops_cents: sum('drop'), deposits_cents: sum('deposit') };
}

export interface CashBreakdown {
  float_cents: number;
  /** Cash the sales left in the drawers: taken less change, less cash refunds. */
  sales_cents: number;
  drops_cents: number;
  deposits_cents: number;
  expected_cents: number;
}

/**
 * The hub's expected cash (floats + cash sales − cash refunds − drops + deposits) taken apart:
 * the closing carries the expected total, the floats, drops and deposits, so the sales' part is
 * what is left.
 */
export function cashBreakdown(c: Pick<DayClosing, 'expected' | 'float_cents' | 'drops_cents' | 'deposits_cents'>): CashBreakdown {
  const float_cents = c.float_cents ?? 0;
  const drops_cents = c.drops_cents ?? 0;
  const deposits_cents = c.deposits_cents ?? 0;
  const expected_cents = c.expected.cash_cents;
  return { float_cents, sales_cents: expected_cents - float_cents + drops_cents - deposits_cents, drops_cents, deposits_cents, expected_cents };
}

/** What the drawers should hold: floats + cash from sales − drops + deposits. */
export function expectedCash(b: Omit<CashBreakdown, 'expected_cents'>): number {
  return b.float_cents + b.sales_cents - b.drops_cents + b.deposits_cents;
}

export interface StandingCount {
  counted: ByMethod;
  difference_cents: number;
  /** Whether a correction replaced the closing's own count. */
  amended: boolean;
}

/** The count a closing stands at: its last amendment's, else its own (the original is kept). */
export function standingCount(c: DayClosing): StandingCount {
  const last = c.amendments?.at(-1);
  return last
    ? { counted: last.counted, difference_cents: last.difference_cents, amended: true }
    : { counted: c.counted, difference_cents: c.difference_cents, amended: false };
}

/** Per method, counted minus expected. */
export function differences(expected: ByMethod, counted: ByMethod): ByMethod {
  return {
    cash_cents: counted.cash_cents - expected.cash_cents,
    card_cents: counted.card_cents - expected.card_cents,
    transfer_cents: counted.transfer_cents - expected.transfer_cents,
  };
}

/** The hub refused a count too far off: the clerk counts again (the next count is accepted). */
export function isRecount(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'recount_required';
}
