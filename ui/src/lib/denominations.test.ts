import { describe, expect, it } from 'vitest';
import { balance, byFaceValue, countTotal, DENOMINATIONS } from './denominations';

describe('denominations', () => {
  it('lists the MXN bills and coins in drawer order', () => {
    expect(DENOMINATIONS.map((d) => `${d.kind}:${d.cents / 100}`)).toEqual([
      'bill:1000', 'bill:500', 'bill:200', 'bill:100', 'bill:50', 'bill:20',
      'coin:20', 'coin:10', 'coin:5', 'coin:2', 'coin:1', 'coin:0.5',
    ]);
  });

  it('sums a count exactly, 50-centavo coins included', () => {
    const count = { 'bill:100000': 1, 'bill:50000': 2, 'bill:2000': 3, 'coin:2000': 1, 'coin:50': 3, 'coin:100': 7 };
    expect(countTotal(count)).toBe(100000 + 100000 + 6000 + 2000 + 150 + 700);
  });

  it('ignores negative or fractional piece counts', () => {
    expect(countTotal({ 'bill:50000': -2, 'coin:1000': 1.5 })).toBe(0);
  });

  it('merges $20 bills and coins for the hub', () => {
    expect(byFaceValue({ 'bill:2000': 3, 'coin:2000': 2, 'coin:50': 1, 'bill:500': 0 })).toEqual({ '2000': 5, '50': 1 });
  });

  it('names the balance', () => {
    expect(balance(0)).toBe('even');
    expect(balance(-5000)).toBe('short');
    expect(balance(10)).toBe('over');
  });
});
