import { describe, expect, it } from 'vitest';
import type { Timer } from '../api/types';
import { extensionOptions, MINUTE_MS, overtimeAt, overtimeCost, overtimeMinutes } from './overtime';

const END = Date.parse('2026-11-22T19:00:00Z');

function timer(over: Partial<Timer> = {}): Timer {
  return {
    id: 't1', sale_id: 's1', child_name: 'Sofía', guardian_name: '', guardian_phone: '', service_id: 'svc',
    service_name: '1 hora de juego', state: 'expired', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z',
    duration_ms: 3_600_000, remaining_ms: 0, extended_minutes: 0, updated_at: '2026-11-22T19:00:00Z',
    extra_block_minutes: 15, extra_block_price_cents: 5000, grace_minutes: 5, overtime_minutes: 0, overtime_due_cents: 0,
    ...over,
  };
}

const blocks = { extra_block_minutes: 15, extra_block_price_cents: 5000, grace_minutes: 5 };

describe('overtimeMinutes', () => {
  it('counts every started minute', () => {
    expect(overtimeMinutes(0)).toBe(0);
    expect(overtimeMinutes(-5000)).toBe(0);
    expect(overtimeMinutes(1)).toBe(1);
    expect(overtimeMinutes(MINUTE_MS)).toBe(1);
    expect(overtimeMinutes(MINUTE_MS + 1)).toBe(2);
  });
});

describe('overtimeCost', () => {
  it('charges nothing within the grace, then every started block', () => {
    expect(overtimeCost(blocks, 0)).toBe(0);
    expect(overtimeCost(blocks, 5)).toBe(0);
    expect(overtimeCost(blocks, 6)).toBe(5000);
    expect(overtimeCost(blocks, 15)).toBe(5000);
    expect(overtimeCost(blocks, 16)).toBe(10000);
    expect(overtimeCost(blocks, 20)).toBe(10000);
    expect(overtimeCost(blocks, 31)).toBe(15000);
  });

  it('charges nothing when the service sells no extra time', () => {
    expect(overtimeCost({ extra_block_minutes: 0, extra_block_price_cents: 5000, grace_minutes: 0 }, 40)).toBe(0);
  });

  it('with no grace, the first minute already costs a block', () => {
    expect(overtimeCost({ ...blocks, grace_minutes: 0 }, 1)).toBe(5000);
  });
});

describe('overtimeAt', () => {
  it('a child 20 minutes late with blocks of 15 owes two blocks', () => {
    expect(overtimeAt(timer(), END + 20 * MINUTE_MS)).toEqual({ minutes: 20, dueCents: 10000, inGrace: false });
    // 19 min 1 s is a started 20th minute.
    expect(overtimeAt(timer(), END + 19 * MINUTE_MS + 1000)).toEqual({ minutes: 20, dueCents: 10000, inGrace: false });
  });

  it('owes nothing at the grace’s exact end, and a block one millisecond later', () => {
    expect(overtimeAt(timer(), END + 5 * MINUTE_MS)).toEqual({ minutes: 5, dueCents: 0, inGrace: true });
    expect(overtimeAt(timer(), END + 5 * MINUTE_MS + 1)).toEqual({ minutes: 6, dueCents: 5000, inGrace: false });
  });

  it('moves to the next block one millisecond past a block’s end', () => {
    expect(overtimeAt(timer(), END + 30 * MINUTE_MS).dueCents).toBe(10000);
    expect(overtimeAt(timer(), END + 30 * MINUTE_MS + 1).dueCents).toBe(15000);
  });

  it('nothing before the bell, on a running or settled timer', () => {
    expect(overtimeAt(timer(), END - 1)).toEqual({ minutes: 0, dueCents: 0, inGrace: false });
    expect(overtimeAt(timer({ state: 'running' }), END + 20 * MINUTE_MS).dueCents).toBe(0);
    expect(overtimeAt(timer({ state: 'finished', overtime_settlement: 'charged' }), END + 20 * MINUTE_MS).dueCents).toBe(0);
    expect(overtimeAt(timer({ ends_at: null }), END + 20 * MINUTE_MS).dueCents).toBe(0);
  });

  it('never shows less than the hub said (a clock offset a little behind)', () => {
    const said = timer({ overtime_minutes: 16, overtime_due_cents: 10000 });
    expect(overtimeAt(said, END + 15 * MINUTE_MS - 500)).toEqual({ minutes: 16, dueCents: 10000, inGrace: false });
  });

  it('a timer whose service sells no extra time is late but owes nothing', () => {
    const free = timer({ extra_block_minutes: 0, extra_block_price_cents: 0, grace_minutes: 0 });
    expect(overtimeAt(free, END + 20 * MINUTE_MS)).toEqual({ minutes: 20, dueCents: 0, inGrace: false });
  });
});

describe('extensionOptions', () => {
  it('offers one and two blocks at their price', () => {
    expect(extensionOptions(blocks)).toEqual([{ minutes: 15, priceCents: 5000 }, { minutes: 30, priceCents: 10000 }]);
    expect(extensionOptions({ ...blocks, extra_block_minutes: 30, extra_block_price_cents: 8000 })).toEqual([
      { minutes: 30, priceCents: 8000 }, { minutes: 60, priceCents: 16000 },
    ]);
  });

  it('offers nothing when the service sells no extra time', () => {
    expect(extensionOptions({ ...blocks, extra_block_minutes: 0 })).toEqual([]);
  });
});
