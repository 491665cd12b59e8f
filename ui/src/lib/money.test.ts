import { describe, expect, it } from 'vitest';
import { centsToInput, formatMXN, parseMoney } from './money';

describe('formatMXN', () => {
  it.each([
    [0, '$0.00'],
    [5, '$0.05'],
    [50, '$0.50'],
    [12345, '$123.45'],
    [123450, '$1,234.50'],
    [100000000, '$1,000,000.00'],
    [-5000, '-$50.00'],
  ])('%i centavos → %s', (cents, text) => {
    expect(formatMXN(cents)).toBe(text);
  });
});

describe('parseMoney', () => {
  it.each([
    ['1234.50', 123450],
    ['$1,234.5', 123450],
    ['12', 1200],
    ['0.5', 50],
    ['.75', 75],
    [' 200 ', 20000],
    ['-3', -300],
  ])('%s → %i', (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it.each(['', 'abc', '1.234', '1.2.3', '.', '-'])('rejects %j', (text) => {
    expect(parseMoney(text)).toBeNull();
  });

  it('round-trips with centsToInput', () => {
    for (const cents of [0, 1, 99, 100, 123456, -250]) {
      expect(parseMoney(centsToInput(cents))).toBe(cents);
    }
  });
});
