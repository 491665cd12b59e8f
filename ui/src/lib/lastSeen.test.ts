import { describe, expect, it } from 'vitest';
import { lastSeen } from './lastSeen';

describe('lastSeen', () => {
  const now = Date.parse('2026-12-06T20:00:00Z'); // 14:00 in Mexico City
  const zone = 'America/Mexico_City';
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('says seconds and minutes while recent', () => {
    expect(lastSeen(ago(1_000), now, zone)).toBe('hace un momento');
    expect(lastSeen(ago(12_000), now, zone)).toBe('hace 12 s');
    expect(lastSeen(ago(5 * 60_000), now, zone)).toBe('hace 5 min');
  });

  it('gives the branch clock time, and the date when it was not today', () => {
    expect(lastSeen(ago(2 * 3600_000), now, zone)).toBe('12:00');
    expect(lastSeen('2026-12-04T15:30:00Z', now, zone)).toBe('2026-12-04 a las 09:30');
  });

  it('shows what it cannot read as it came', () => {
    expect(lastSeen('ayer', now, zone)).toBe('ayer');
  });
});
