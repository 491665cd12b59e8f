import { describe, expect, it } from 'vitest';
import { beyondLimit, discountLimit, discountOff, lineDiscounts, percentOf, priceSale } from './discount';

describe('percentOf (half up to the centavo, as the hub)', () => {
  it.each([
    [1005, 10, 101], // 100.5 → 101
    [1004, 10, 100], // 100.4 → 100
    [15, 10, 2], // 1.5 → 2
    [25, 2, 1], // 0.5 → 1
    [24, 2, 0], // 0.48 → 0
    [33333, 33, 11000], // 10999.89 → 11000
    [12345, 100, 12345],
  ])('%i × %i %% = %i', (base, percent, want) => {
    expect(percentOf(base, percent)).toBe(want);
  });

  it('stays exact on amounts past 2^53 / 100', () => {
    expect(percentOf(90_071_992_547_409, 99)).toBe(89_171_272_621_935);
  });
});

describe('lineDiscounts', () => {
  it('takes each line’s own discount first', () => {
    expect(lineDiscounts([10000, 5000], [{ percent: 10 }, { amount_cents: 700 }], null)).toEqual([1000, 700]);
  });

  it('shares the ticket’s discount in proportion to each line after its own', () => {
    // Bases 9000 and 3000: a ticket discount of 1200 goes 900 / 300.
    expect(lineDiscounts([10000, 3000], [{ percent: 10 }, null], { amount_cents: 1200 })).toEqual([1900, 300]);
  });

  it('gives the rounding centavos to the largest remainders, and the shares add up exactly', () => {
    // 100 over 3 equal lines of 1000: 33.33 each, the one left over to the first line (a tie).
    expect(lineDiscounts([1000, 1000, 1000], [], { amount_cents: 100 })).toEqual([34, 33, 33]);
    // 10 over 333/333/334: exact 3.33, 3.33, 3.34 → 3,3,3 and the centavo to the third (remainder 340 > 330).
    expect(lineDiscounts([333, 333, 334], [], { amount_cents: 10 })).toEqual([3, 3, 4]);
    // Two centavos left: the two largest remainders, ties going to the first lines.
    expect(lineDiscounts([100, 100, 100, 100], [], { amount_cents: 6 })).toEqual([2, 2, 1, 1]);
  });

  it('shares a percent of the whole ticket, computed on the total after the lines’ own', () => {
    const off = lineDiscounts([2500, 2500, 1999], [null, { percent: 50 }, null], { percent: 10 });
    // Base 2500 + 1250 + 1999 = 5749; 10 % = 574.9 → 575, shared 250.04 / 125.02 / 199.93.
    expect(off).toEqual([250, 1250 + 125, 200]);
    expect((off as number[]).reduce((s, o) => s + o, 0)).toBe(1250 + 575);
  });

  it('always adds up to the ticket’s discount (many random tickets)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const gross = Array.from({ length: 1 + rnd(6) }, () => 1 + rnd(50_000));
      const base = gross.reduce((s, g) => s + g, 0);
      const amount = 1 + rnd(base);
      const off = lineDiscounts(gross, [], { amount_cents: amount }) as number[];
      expect(off.reduce((s, o) => s + o, 0)).toBe(amount);
      off.forEach((o, i) => expect(o).toBeLessThanOrEqual(gross[i] as number));
    }
  });

  it('names what the hub would refuse', () => {
    expect(lineDiscounts([1000], [{ amount_cents: 1001 }], null)).toEqual({ field: 'items[0].discount.amount_cents', kind: 'amount', max: 1000 });
    expect(lineDiscounts([1000], [], { percent: 0 })).toMatchObject({ field: 'discount.percent', kind: 'percent' });
    expect(lineDiscounts([1000], [], { percent: 101 })).toMatchObject({ field: 'discount.percent' });
    // The ticket's amount is checked against what is left after the lines' own.
    expect(lineDiscounts([1000], [{ percent: 50 }], { amount_cents: 600 })).toMatchObject({ field: 'discount.amount_cents', max: 500 });
    expect(discountOff('discount', { percent: 10, amount_cents: 5 }, 100)).toMatchObject({ kind: 'shape' });
  });
});

describe('priceSale', () => {
  it('gives list price, discount and total, a line and the ticket', () => {
    const priced = priceSale([15000, 2500], [], { percent: 10 });
    expect(priced).toEqual({ ok: true, gross: [15000, 2500], off: [1500, 250], totals: [13500, 2250], grossTotal: 17500, discountTotal: 1750, total: 15750, afterOwn: 17500 });
  });

  it('says what the ticket’s discount applies to: the lines after their own', () => {
    expect(priceSale([1000, 2000], [{ amount_cents: 300 }, null], null)).toMatchObject({ ok: true, afterOwn: 2700, total: 2700 });
  });

  it('without discounts the total is the list price', () => {
    expect(priceSale([100, 200], [], null)).toMatchObject({ ok: true, total: 300, discountTotal: 0 });
  });
});

describe('beyondLimit (discount × 100 > limit × gross)', () => {
  it('allows exactly the limit and asks beyond it', () => {
    expect(beyondLimit(1000, 10000, 10)).toBe(false);
    expect(beyondLimit(1001, 10000, 10)).toBe(true);
    expect(beyondLimit(1, 10000, 0)).toBe(true);
    expect(beyondLimit(0, 10000, 0)).toBe(false);
    expect(beyondLimit(9000, 10000, null)).toBe(false);
  });
});

describe('discountLimit', () => {
  it('reads the role’s limit from the branch, with the hub’s defaults', () => {
    const b = { discount_limit_reception_percent: 15, discount_limit_kidibar_percent: 5 };
    expect(discountLimit(b, 'reception')).toBe(15);
    expect(discountLimit(b, 'kidibar')).toBe(5);
    expect(discountLimit(null, 'reception')).toBe(10);
    expect(discountLimit(null, 'kidibar')).toBe(0);
    expect(discountLimit(b, 'super_admin')).toBeNull();
  });
});
