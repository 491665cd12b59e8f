import { describe, expect, it } from 'vitest';
import type { Timer } from '../api/types';
import { clockOffset, formatCountdown, fractionLeft, remainingMs, urgency } from './clock';

function timer(over: Partial<Timer> = {}): Timer {
  return {
    id: 't1',
    sale_id: 's1',
    child_name: 'Sofía',
    guardian_name: '',
    guardian_phone: '',
    service_id: 'svc',
    service_name: '1 hora de juego',
    state: 'running',
    starts_at: '2026-11-22T18:00:00Z',
    ends_at: '2026-11-22T19:00:00Z',
    duration_ms: 3_600_000,
    remaining_ms: 3_600_000,
    extended_minutes: 0,
    extra_block_minutes: 15,
    extra_block_price_cents: 5000,
    grace_minutes: 5,
    overtime_minutes: 0,
    overtime_due_cents: 0,
    updated_at: '2026-11-22T18:00:00Z',
    ...over,
  };
}

describe('clockOffset', () => {
  it('uses the midpoint of the round trip', () => {
    const server = Date.parse('2026-11-22T18:00:10Z');
    const sent = Date.parse('2026-11-22T18:00:00Z');
    expect(clockOffset('2026-11-22T18:00:10Z', sent, sent + 200)).toBe(server - (sent + 100));
  });

  it('is zero for an unreadable server time', () => {
    expect(clockOffset('nope', 0, 0)).toBe(0);
  });
});

describe('remainingMs', () => {
  const ends = Date.parse('2026-11-22T19:00:00Z');

  it('counts down from ends_at on the server clock', () => {
    // The device is 30 s behind the hub: offset +30 s.
    const now = ends - 60_000 - 30_000;
    expect(remainingMs(timer(), now, 30_000)).toBe(60_000);
  });

  it('never shows more than the length of the timer, even from a clock read just before it started', () => {
    const started = Date.parse('2026-11-22T18:00:00Z');
    expect(remainingMs(timer(), started - 200, 0)).toBe(3_600_000);
    expect(formatCountdown(remainingMs(timer(), started - 200, 0))).toBe('1:00:00');
  });

  it('goes negative once a running timer passes its end', () => {
    expect(remainingMs(timer(), ends + 5_000, 0)).toBe(-5_000);
  });

  it('freezes while paused', () => {
    const paused = timer({ state: 'paused', ends_at: null, remaining_ms: 123_000 });
    expect(remainingMs(paused, ends, 0)).toBe(123_000);
    expect(remainingMs(paused, ends + 3_600_000, 999)).toBe(123_000);
  });

  it('counts towards the start of a scheduled timer', () => {
    const scheduled = timer({ state: 'scheduled', starts_at: '2026-11-22T18:10:00Z', ends_at: null });
    expect(remainingMs(scheduled, Date.parse('2026-11-22T18:00:00Z'), 0)).toBe(600_000);
  });
});

describe('formatCountdown', () => {
  it.each([
    [0, '00:00'],
    [999, '00:01'],
    [1_000, '00:01'],
    [65_000, '01:05'],
    [3_599_000, '59:59'],
    [3_725_000, '1:02:05'],
    [-500, '00:00'],
    [-42_000, '-00:42'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe('urgency', () => {
  it.each([
    [30 * 60_000, 'ok'],
    [5 * 60_000, 'soon'],
    [2 * 60_000, 'urgent'],
    [1_000, 'urgent'],
    [0, 'over'],
  ])('running with %i ms left → %s', (ms, level) => {
    expect(urgency(timer(), ms)).toBe(level);
  });

  it('is over for an expired timer and idle for a paused one', () => {
    expect(urgency(timer({ state: 'expired' }), -1)).toBe('over');
    expect(urgency(timer({ state: 'paused' }), 10)).toBe('idle');
  });
});

describe('fractionLeft', () => {
  it('measures against duration_ms, which already includes extensions', () => {
    expect(fractionLeft(timer({ extended_minutes: 60, duration_ms: 7_200_000 }), 3_600_000)).toBe(0.5);
    expect(fractionLeft(timer(), -1)).toBe(0);
    expect(fractionLeft(timer(), 9e9)).toBe(1);
  });
});
