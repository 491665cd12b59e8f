import type { Discount } from '../api/types';

// The hub's discount rule (crates/core/src/sales.rs `line_discounts`), ported so the cart shows
// to the centavo what the sale will come to: each line's own discount first (a percent half up to
// the centavo, or an amount up to the line), then the ticket's discount shared among the lines in
// proportion to what each costs after its own, the centavos left by rounding going to the largest
// remainders (ties: the first lines). The shares add up to the ticket's discount exactly.
// Integer arithmetic only; BigInt where a product of two amounts could pass 2^53.

/** What went wrong, by the field the hub would blame (`items[i].discount` or `discount`). */
export interface DiscountProblem {
  field: string;
  kind: 'percent' | 'amount' | 'shape';
  /** The most an amount may take off here, in centavos. */
  max: number;
}

export type Priced =
  | {
      ok: true;
      gross: number[];
      off: number[];
      totals: number[];
      grossTotal: number;
      discountTotal: number;
      total: number;
      /** What the ticket's discount applies to: the lines after their own. */
      afterOwn: number;
    }
  | { ok: false; problem: DiscountProblem };

/** Half up to the centavo: `base × percent / 100`. */
export function percentOf(base: number, percent: number): number {
  return Number((BigInt(base) * BigInt(percent) * 2n + 100n) / 200n);
}

/** What one discount takes off `base`, or why the hub would refuse it. */
export function discountOff(field: string, d: Discount, base: number): number | DiscountProblem {
  const percent = d.percent ?? null;
  const amount = d.amount_cents ?? null;
  if (percent !== null && amount === null) {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) return { field: `${field}.percent`, kind: 'percent', max: base };
    return percentOf(base, percent);
  }
  if (amount !== null && percent === null) {
    if (!Number.isInteger(amount) || amount <= 0 || amount > base) return { field: `${field}.amount_cents`, kind: 'amount', max: Math.max(0, base) };
    return amount;
  }
  return { field, kind: 'shape', max: base };
}

/** Each line's discount (own + share of the ticket's), in the order of `gross`. */
export function lineDiscounts(
  gross: readonly number[],
  own: readonly (Discount | null | undefined)[],
  ticket: Discount | null | undefined,
): number[] | DiscountProblem {
  const off: number[] = [];
  for (const [i, g] of gross.entries()) {
    const d = own[i];
    if (!d) {
      off.push(0);
      continue;
    }
    const o = discountOff(`items[${i}].discount`, d, g);
    if (typeof o !== 'number') return o;
    off.push(o);
  }
  if (!ticket) return off;
  const bases = gross.map((g, i) => g - (off[i] ?? 0));
  const base = bases.reduce((s, b) => s + b, 0);
  const d = discountOff('discount', ticket, base);
  if (typeof d !== 'number') return d;
  if (base === 0 || d === 0) return off;
  let given = 0;
  const rests: { rest: bigint; i: number }[] = [];
  for (const [i, b] of bases.entries()) {
    const exact = BigInt(d) * BigInt(b);
    const share = Number(exact / BigInt(base));
    off[i] = (off[i] ?? 0) + share;
    given += share;
    rests.push({ rest: exact % BigInt(base), i });
  }
  rests.sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  for (const { i } of rests.slice(0, d - given)) off[i] = (off[i] ?? 0) + 1;
  return off;
}

/** A sale's lines priced as the hub will price them: list price, discount and total a line. */
export function priceSale(
  gross: readonly number[],
  own: readonly (Discount | null | undefined)[],
  ticket: Discount | null | undefined,
): Priced {
  const ownOnly = lineDiscounts(gross, own, null);
  if (!Array.isArray(ownOnly)) return { ok: false, problem: ownOnly };
  const afterOwn = gross.reduce((s, g, i) => s + g - (ownOnly[i] ?? 0), 0);
  const off = lineDiscounts(gross, own, ticket);
  if (!Array.isArray(off)) return { ok: false, problem: off };
  const totals = gross.map((g, i) => g - (off[i] ?? 0));
  const grossTotal = gross.reduce((s, g) => s + g, 0);
  const discountTotal = off.reduce((s, o) => s + o, 0);
  return { ok: true, gross: [...gross], off, totals, grossTotal, discountTotal, total: grossTotal - discountTotal, afterOwn };
}

/** Would the hub ask for a supervisor? More than `limit` % of the ticket's list price, as it
 *  checks it (`discount × 100 > limit × gross`); `null`: no limit (an administrator). */
export function beyondLimit(discountTotal: number, grossTotal: number, limit: number | null): boolean {
  if (limit === null || discountTotal <= 0) return false;
  return BigInt(discountTotal) * 100n > BigInt(limit) * BigInt(grossTotal);
}

/** A discount as the desk shows it: "10 %" or "$20.00" (the caller formats money). */
export function describeDiscount(d: Discount, money: (cents: number) => string): string {
  return d.percent != null ? `${d.percent} %` : money(d.amount_cents ?? 0);
}

/** The discount (percent of a ticket) `role` may give without a supervisor, from the branch's
 *  settings with the hub's defaults (10 % reception, 0 % the kid bar); `null`: no limit. */
export function discountLimit(
  branch: { discount_limit_reception_percent?: number; discount_limit_kidibar_percent?: number } | null | undefined,
  role: string | undefined,
): number | null {
  if (role === 'super_admin') return null;
  if (role === 'reception') return branch?.discount_limit_reception_percent ?? 10;
  if (role === 'kidibar') return branch?.discount_limit_kidibar_percent ?? 0;
  return 0;
}
