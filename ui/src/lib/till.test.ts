import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { DayClosing, TillDay, TillMovement } from '../api/types';
import { cashBreakdown, differences, expectedCash, isRecount, standingCount, tillOf } from './till';

const move = (till: string, kind: TillMovement['kind'], amount_cents: number, at: string): TillMovement => ({
  id: `${till}-${kind}-${at}`, business_day: '2026-12-06', till, kind, amount_cents, reason: 'x', user_id: 'u1', created_at: at,
});

const day: TillDay = {
  business_day: '2026-12-06',
  floats: [
    { id: 'f1', business_day: '2026-12-06', till: 'caja', float_cents: 100000, user_id: 'u1', created_at: '2026-12-06T15:00:00Z' },
    { id: 'f2', business_day: '2026-12-06', till: 'kidibar', float_cents: 50000, user_id: 'u2', created_at: '2026-12-06T15:05:00Z' },
  ],
  movements: [
    move('caja', 'drop', 50000, '2026-12-06T18:00:00Z'),
    move('kidibar', 'drop', 20000, '2026-12-06T18:30:00Z'),
    move('caja', 'deposit', 10000, '2026-12-06T19:00:00Z'),
    move('caja', 'drop', 5000, '2026-12-06T20:00:00Z'),
  ],
  float_cents: 150000, drops_cents: 75000, deposits_cents: 10000,
};

const closing = (over: Partial<DayClosing> = {}): DayClosing => ({
  id: 'c1', business_day: '2026-12-06', closed_at: '2026-12-07T04:00:00Z', closed_by: 'u1', note: '', sales_count: 2, total_cents: 30000,
  denominations: {}, expected: { cash_cents: 70000, card_cents: 10000, transfer_cents: 0 },
  counted: { cash_cents: 70000, card_cents: 10000, transfer_cents: 0 }, differences: { cash_cents: 0, card_cents: 0, transfer_cents: 0 },
  difference_cents: 0, float_cents: 100000, drops_cents: 50000, deposits_cents: 0, amendments: [], ...over,
});

describe('tillOf', () => {
  it('takes one drawer out of the day, newest movement first, with its own sums', () => {
    const caja = tillOf(day, 'caja');
    expect(caja.float?.id).toBe('f1');
    expect(caja.movements.map((m) => m.amount_cents)).toEqual([5000, 10000, 50000]);
    expect([caja.float_cents, caja.drops_cents, caja.deposits_cents]).toEqual([100000, 55000, 10000]);
    const bar = tillOf(day, 'kidibar');
    expect([bar.float_cents, bar.drops_cents, bar.deposits_cents]).toEqual([50000, 20000, 0]);
  });

  it('says a drawer not opened yet has no float', () => {
    const empty = tillOf({ ...day, floats: [], movements: [] }, 'kidibar');
    expect(empty.float).toBeNull();
    expect(empty.float_cents).toBe(0);
  });
});

describe('expected cash', () => {
  it('is float + cash sales − drops + deposits, and a closing takes apart into that', () => {
    // $1,000 float, $200 of cash sales, a $500 drop: $700 expected.
    const b = cashBreakdown(closing());
    expect(b).toEqual({ float_cents: 100000, sales_cents: 20000, drops_cents: 50000, deposits_cents: 0, expected_cents: 70000 });
    expect(expectedCash(b)).toBe(b.expected_cents);
  });

  it('counts deposits in and reads a closing without drawer figures as sales only', () => {
    const b = cashBreakdown(closing({ expected: { cash_cents: 45000, card_cents: 0, transfer_cents: 0 }, deposits_cents: 5000, drops_cents: 0 }));
    expect(b.sales_cents).toBe(45000 - 100000 - 5000);
    expect(expectedCash(b)).toBe(45000);
    const bare = cashBreakdown({ expected: { cash_cents: 1234, card_cents: 0, transfer_cents: 0 } });
    expect(bare.sales_cents).toBe(1234);
  });
});

describe('standingCount', () => {
  it('is the closing’s own count until a correction, then the last correction’s', () => {
    expect(standingCount(closing())).toEqual({ counted: closing().counted, difference_cents: 0, amended: false });
    const amended = closing({
      difference_cents: -20000,
      amendments: [
        { id: 'a1', closing_id: 'c1', business_day: '2026-12-06', created_at: 'x', reason: 'r1', user_id: 'u9', difference_cents: -1000,
          counted: { cash_cents: 69000, card_cents: 10000, transfer_cents: 0 } },
        { id: 'a2', closing_id: 'c1', business_day: '2026-12-06', created_at: 'y', reason: 'r2', user_id: 'u9', difference_cents: 0,
          counted: { cash_cents: 70000, card_cents: 10000, transfer_cents: 0 } },
      ],
    });
    expect(standingCount(amended)).toEqual({ counted: { cash_cents: 70000, card_cents: 10000, transfer_cents: 0 }, difference_cents: 0, amended: true });
  });

  it('computes per-method differences as counted minus expected', () => {
    expect(differences({ cash_cents: 100, card_cents: 50, transfer_cents: 0 }, { cash_cents: 80, card_cents: 50, transfer_cents: 10 }))
      .toEqual({ cash_cents: -20, card_cents: 0, transfer_cents: 10 });
  });
});

describe('isRecount', () => {
  it('knows the hub’s «count again» from other refusals', () => {
    expect(isRecount(new ApiError(409, 'recount_required', 'vuelve a contar', 'counted_cash_cents'))).toBe(true);
    expect(isRecount(new ApiError(409, 'day_already_closed', 'cerrado'))).toBe(false);
    expect(isRecount(new Error('recount_required'))).toBe(false);
  });
});
