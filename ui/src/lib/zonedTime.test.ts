import { describe, expect, it } from 'vitest';
import { zonedDate, zonedTime, zonedToUtc } from './zonedTime';

describe('zoned time for America/Mexico_City (UTC-6, no DST since 2022)', () => {
  const tz = 'America/Mexico_City';

  it('turns 18:00 local into 00:00 UTC the next day', () => {
    expect(zonedToUtc('2026-11-22', '18:00', tz).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('gives the local business day of a late UTC instant', () => {
    expect(zonedDate(new Date('2026-11-23T03:00:00Z'), tz)).toBe('2026-11-22');
    expect(zonedTime(new Date('2026-11-23T03:05:00Z'), tz)).toBe('21:05');
  });

  it('handles a zone with DST', () => {
    expect(zonedToUtc('2026-07-01', '12:00', 'America/New_York').toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(zonedToUtc('2026-01-15', '12:00', 'America/New_York').toISOString()).toBe('2026-01-15T17:00:00.000Z');
  });
});
