import { describe, expect, it } from 'vitest';
import { checkPayments, normalizePayments, quickCashAmounts } from './payment';

describe('checkPayments', () => {
  it('gives change on cash over the total', () => {
    expect(checkPayments(15050, [{ method: 'cash', amount_cents: 20000 }])).toEqual({
      paid: 20000,
      due: 0,
      change: 4950,
      problem: null,
    });
  });

  it('accepts an exact split', () => {
    const check = checkPayments(30000, [
      { method: 'cash', amount_cents: 10000 },
      { method: 'card', amount_cents: 15000 },
      { method: 'transfer', amount_cents: 5000 },
    ]);
    expect(check.problem).toBeNull();
    expect(check.change).toBe(0);
  });

  it('reports what is still due', () => {
    const check = checkPayments(30000, [{ method: 'card', amount_cents: 25000 }]);
    expect(check.problem).toBe('missing');
    expect(check.due).toBe(5000);
  });

  it('refuses card or transfer above the total', () => {
    expect(checkPayments(10000, [{ method: 'card', amount_cents: 12000 }]).problem).toBe('non_cash_over');
  });

  it('refuses no payment at all', () => {
    expect(checkPayments(100, []).problem).toBe('empty');
  });

  it('gives change on a split whose cash part overpays', () => {
    const check = checkPayments(30000, [
      { method: 'card', amount_cents: 20000 },
      { method: 'cash', amount_cents: 20000 },
    ]);
    expect(check.change).toBe(10000);
  });
});

describe('normalizePayments', () => {
  it('drops zero lines and merges a method', () => {
    expect(
      normalizePayments([
        { method: 'cash', amount_cents: 100 },
        { method: 'card', amount_cents: 0 },
        { method: 'cash', amount_cents: 50 },
      ]),
    ).toEqual([{ method: 'cash', amount_cents: 150 }]);
  });
});

describe('quickCashAmounts', () => {
  it('starts with the exact amount and rounds up to bills', () => {
    expect(quickCashAmounts(15050)).toEqual([15050, 16000, 20000, 50000, 100000]);
    expect(quickCashAmounts(20000)[0]).toBe(20000);
  });
});
