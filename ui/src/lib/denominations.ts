// Mexican cash as it sits in the drawer. $20 exists both as a bill and a coin, so a
// denomination is identified by kind + value, and the hub gets counts merged by face value.

export interface Denomination {
  kind: 'bill' | 'coin';
  cents: number;
}

export const DENOMINATIONS: readonly Denomination[] = [
  { kind: 'bill', cents: 100000 },
  { kind: 'bill', cents: 50000 },
  { kind: 'bill', cents: 20000 },
  { kind: 'bill', cents: 10000 },
  { kind: 'bill', cents: 5000 },
  { kind: 'bill', cents: 2000 },
  { kind: 'coin', cents: 2000 },
  { kind: 'coin', cents: 1000 },
  { kind: 'coin', cents: 500 },
  { kind: 'coin', cents: 200 },
  { kind: 'coin', cents: 100 },
  { kind: 'coin', cents: 50 },
];

export function denominationKey(d: Denomination): string {
  return `${d.kind}:${d.cents}`;
}

export type CashCount = Record<string, number>;

/** Total in centavos of a count keyed by denominationKey. */
export function countTotal(count: CashCount): number {
  return DENOMINATIONS.reduce((sum, d) => sum + d.cents * pieces(count, d), 0);
}

export function pieces(count: CashCount, d: Denomination): number {
  const n = count[denominationKey(d)] ?? 0;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The API's shape: pieces by face value in centavos, bills and coins of the same value added. */
export function byFaceValue(count: CashCount): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of DENOMINATIONS) {
    const n = pieces(count, d);
    if (n > 0) out[String(d.cents)] = (out[String(d.cents)] ?? 0) + n;
  }
  return out;
}

export type Balance = 'even' | 'short' | 'over';

export function balance(differenceCents: number): Balance {
  if (differenceCents === 0) return 'even';
  return differenceCents < 0 ? 'short' : 'over';
}
