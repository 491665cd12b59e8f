import { describe, expect, it } from 'vitest';
import { addDays, daysIn, formatChange, formatPercent, presetRange, previousRange, rangeProblem, trend } from './reportRange';

describe('report ranges', () => {
  it('counts days across month and leap-year ends', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysIn({ from: '2026-01-01', to: '2026-12-31' })).toBe(365);
  });

  it('makes presets from today', () => {
    expect(presetRange('today', '2026-11-22')).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    expect(presetRange('week', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(presetRange('thisMonth', '2026-11-22')).toEqual({ from: '2026-11-01', to: '2026-11-22' });
    expect(daysIn(presetRange('month', '2026-11-22'))).toBe(30);
  });

  it('compares with the same number of days just before, as the hub does', () => {
    expect(previousRange({ from: '2026-03-08', to: '2026-03-14' })).toEqual({ from: '2026-03-01', to: '2026-03-07' });
    expect(previousRange({ from: '2026-03-01', to: '2026-03-01' })).toEqual({ from: '2026-02-28', to: '2026-02-28' });
  });

  it('finds what is wrong with a typed range', () => {
    expect(rangeProblem({ from: '2026-03-08', to: '2026-03-01' })).toBe('reversed');
    expect(rangeProblem({ from: '2026-13-08', to: '2026-03-01' })).toBe('invalid');
    expect(rangeProblem({ from: '2024-01-01', to: '2026-01-01' })).toBe('tooLong');
    expect(rangeProblem({ from: '2026-01-01', to: '2026-01-31' })).toBeNull();
  });

  it('formats changes', () => {
    expect(formatPercent(12.5)).toBe('+12.5 %');
    expect(formatPercent(-3)).toBe('−3.0 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(0)).toBe('0.0 %');
    expect(trend(-1)).toBe('down');
  });

  it('puts the direction in front of a change, and nothing but «—» without a base', () => {
    expect(formatChange({ change: 250, percent: 12.5 })).toBe('▲ +12.5 %');
    expect(formatChange({ change: -30, percent: -3 })).toBe('▼ −3.0 %');
    expect(formatChange({ change: 0, percent: 0 })).toBe('0.0 %');
    // The previous period was zero: the hub gives no percent, and an arrow alone would say nothing.
    expect(formatChange({ change: 500, percent: null })).toBe('—');
    expect(formatChange({ change: 500 })).toBe('—');
    // A change too small for a tenth of a percent still says which way it went.
    expect(formatChange({ change: 1, percent: 0 })).toBe('▲ 0.0 %');
  });
});
