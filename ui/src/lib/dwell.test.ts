import { describe, expect, it } from 'vitest';
import { formatConversion, formatDwell, rangeStart } from './dwell';

describe('visitor figures', () => {
  it('formats dwell times for people', () => {
    expect(formatDwell(0)).toBe('0 s');
    expect(formatDwell(9_500)).toBe('10 s');
    expect(formatDwell(65_000)).toBe('1 min 05 s');
    expect(formatDwell(12 * 60_000 + 20_000)).toBe('12 min');
  });

  it('formats conversion as a percentage, or a dash without visitors', () => {
    expect(formatConversion(0.5)).toBe('50.0 %');
    expect(formatConversion(0.1234)).toBe('12.3 %');
    expect(formatConversion(null)).toBe('—');
    expect(formatConversion(undefined)).toBe('—');
  });

  it('counts range starts back across months', () => {
    expect(rangeStart('2026-11-22', 1)).toBe('2026-11-22');
    expect(rangeStart('2026-11-22', 7)).toBe('2026-11-16');
    expect(rangeStart('2026-03-02', 3)).toBe('2026-02-28');
  });
});
