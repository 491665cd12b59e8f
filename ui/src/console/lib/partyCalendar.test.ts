import { describe, expect, it } from 'vitest';
import type { Booking } from '../api/client';
import { calendarRange, monthOf, weekOf } from './partyCalendar';

function party(id: string, day: string, starts_at: string, branch_name = 'Centro'): Booking {
  return { id, day, starts_at, ends_at: starts_at, branch_id: branch_name, branch_name, area_name: 'Salón', birthday_child: id, expected_children: 10,
    folio: 'F-1', package_name: 'Fiesta', paid_cents: 0, total_cents: 0, state: 'confirmed' };
}

describe('the parties calendar', () => {
  it('starts its weeks on Monday and puts each party on its branch’s own day', () => {
    // 2026-12-06 is a Sunday: its week runs from Monday 30 November.
    // A Tijuana party at 23:00 local is already 7 December in UTC: it stays on the 6th.
    const week = weekOf('2026-12-06', [party('b', '2026-12-06', '2026-12-07T07:00:00Z', 'Tijuana'), party('a', '2026-12-06', '2026-12-06T18:00:00Z')]);
    expect(week.map((d) => d.day)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(week[6]?.bookings.map((b) => b.id)).toEqual(['a', 'b']);
    expect(week[0]?.bookings).toEqual([]);
  });
  it('shows a month as whole Monday-first weeks', () => {
    const month = monthOf('2026-12-15', [party('x', '2026-12-31', '2026-12-31T18:00:00Z')]);
    expect(month[0]?.[0]).toMatchObject({ day: '2026-11-30', inMonth: false });
    expect(month.at(-1)?.[6]).toMatchObject({ day: '2027-01-03', inMonth: false });
    expect(month.flat().find((d) => d.day === '2026-12-31')?.bookings.map((b) => b.id)).toEqual(['x']);
    expect(calendarRange('month', '2026-12-15')).toEqual({ from: '2026-11-30', to: '2027-01-03' });
    expect(calendarRange('week', '2026-12-15')).toEqual({ from: '2026-12-14', to: '2026-12-20' });
  });
});
