import { describe, expect, it } from 'vitest';
import type { Timer } from '../api/types';
import { cleanCode, isGuestName, needsSupervisor, overtimeLines, overtimeTotal, sameName } from './pickup';

const END = Date.parse('2026-11-22T19:00:00Z');
const MIN = 60_000;

function timer(over: Partial<Timer> = {}): Timer {
  return {
    id: 't1', sale_id: 's1', child_name: 'Sofía', guardian_name: '', guardian_phone: '', service_id: 'svc',
    service_name: '1 hora de juego', state: 'expired', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z',
    duration_ms: 3_600_000, remaining_ms: 0, extended_minutes: 0, updated_at: '2026-11-22T19:00:00Z',
    extra_block_minutes: 15, extra_block_price_cents: 5000, grace_minutes: 5, overtime_minutes: 0, overtime_due_cents: 0,
    ...over,
  };
}

describe('cleanCode', () => {
  it('keeps the digits a person or a scanner typed', () => {
    expect(cleanCode(' 03-65 ')).toBe('0365');
    expect(cleanCode('abc')).toBe('');
    expect(cleanCode('123456789012')).toBe('12345678');
  });
});

describe('needsSupervisor', () => {
  const adults = ['Ana López', 'José Pérez'];
  it('lets an adult on the list collect, however the clerk wrote the name', () => {
    expect(needsSupervisor('ana lopez', adults)).toBe(false);
    expect(needsSupervisor('  JOSÉ   PÉREZ ', adults)).toBe(false);
  });
  it('asks for an administrator for anyone else', () => {
    expect(needsSupervisor('Tío Juan', adults)).toBe(true);
    expect(needsSupervisor('', adults)).toBe(true);
  });
  it('leaves a ticket that named nobody to the hub', () => {
    expect(needsSupervisor('Tío Juan', [])).toBe(false);
  });
  it('never matches an empty name', () => {
    expect(sameName('', '')).toBe(false);
  });
});

describe('overtime of a code', () => {
  it('adds the children whose overtime is due and leaves the others out', () => {
    const kids = [
      timer({ id: 'a' }),
      timer({ id: 'b', child_name: 'Mateo' }),
      timer({ id: 'c', state: 'running', ends_at: '2026-11-22T19:30:00Z' }),
    ];
    const lines = overtimeLines(kids, END + 20 * MIN);
    expect(lines.map((l) => [l.timer.id, l.cents, l.minutes])).toEqual([['a', 10000, 20], ['b', 10000, 20]]);
    expect(overtimeTotal(kids, END + 20 * MIN)).toBe(20000);
  });
  it('owes nothing within the grace or once settled', () => {
    expect(overtimeTotal([timer()], END + 4 * MIN)).toBe(0);
    expect(overtimeTotal([timer({ overtime_settlement: 'charged', overtime_due_cents: 0 })], END + 40 * MIN)).toBe(0);
  });
  it('never shows less than the hub said', () => {
    expect(overtimeTotal([timer()], END + 4 * MIN, 5000)).toBe(5000);
  });
});

describe('isGuestName', () => {
  it('knows a party guest not named yet', () => {
    expect(isGuestName('Invitado 2')).toBe(true);
    expect(isGuestName('invitado 10')).toBe(true);
    expect(isGuestName('Guest 3')).toBe(true);
  });
  it('leaves real names alone', () => {
    expect(isGuestName('Invitado')).toBe(false);
    expect(isGuestName('Lucía Invitado 2')).toBe(false);
    expect(isGuestName('Sofía')).toBe(false);
  });
});
