// The «Fiestas» calendar's days: a Monday-first week or a month of whole weeks, each day with the
// parties of that business day. A party sits on its own branch's day (`day`, as the store kept
// it), so two branches in different zones never move a party across midnight.
import type { Booking } from '../api/client';
import { monthGrid, startOfWeek, visibleRange, weekDays, type Day } from '../../lib/calendar';

export type PartyView = 'list' | 'week' | 'month';

export interface PartyDay {
  day: Day;
  /** False for the days of the previous or next month that fill a month's first and last week. */
  inMonth: boolean;
  bookings: Booking[];
}

function byDay(bookings: Booking[]): Map<Day, Booking[]> {
  const map = new Map<Day, Booking[]>();
  for (const b of [...bookings].sort((x, y) => x.starts_at.localeCompare(y.starts_at) || x.branch_name.localeCompare(y.branch_name, 'es'))) {
    const list = map.get(b.day) ?? [];
    list.push(b);
    map.set(b.day, list);
  }
  return map;
}

/** Monday to Sunday of the anchor's week. */
export function weekOf(anchor: Day, bookings: Booking[]): PartyDay[] {
  const map = byDay(bookings);
  return weekDays(startOfWeek(anchor)).map((day) => ({ day, inMonth: true, bookings: map.get(day) ?? [] }));
}

/** The anchor's month as whole weeks, Monday first. */
export function monthOf(anchor: Day, bookings: Booking[]): PartyDay[][] {
  const map = byDay(bookings);
  return monthGrid(anchor).map((week) => week.map((c) => ({ day: c.day, inMonth: c.inMonth, bookings: map.get(c.day) ?? [] })));
}

/** The from/to (inclusive) a calendar view asks the cloud for. */
export function calendarRange(view: 'week' | 'month', anchor: Day): { from: Day; to: Day } {
  return visibleRange(view, anchor);
}
