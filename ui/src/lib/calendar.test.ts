import { describe, expect, it } from 'vitest';
import {
  addDays, addMonths, bookingTone, clockLabel, columnsWindow, dayLengthMinutes, dayName, dayOf, dayStart, gridWindow, holdsSlot, hoursOn,
  instantAt, isoWeekday, layoutLanes, monthGrid, monthName, parseClock, pointerMinutes, rangeTitle, snap, spanOn,
  startOfWeek, step, visibleRange, wallMinutes, weekDays, weekdayNames, withinHours,
} from './calendar';

const TIJUANA = 'America/Tijuana';
const CDMX = 'America/Mexico_City';

const hours = (opens = '09:00', closes = '21:00') =>
  Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, opens, closes, closed: false }));

describe('days, weeks and months', () => {
  it('start weeks on Monday', () => {
    expect(isoWeekday('2026-03-09')).toBe(1);
    expect(isoWeekday('2026-03-08')).toBe(7);
    expect(startOfWeek('2026-03-08')).toBe('2026-03-02');
    expect(weekDays('2026-03-11')).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
  });

  it('cross months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
  });

  it('lay a month out as whole weeks, Monday first', () => {
    // March 2026 starts on a Sunday: the first row is 23 Feb – 1 Mar, the last 30 Mar – 5 Apr.
    const march = monthGrid('2026-03-17');
    expect(march).toHaveLength(6);
    expect(march[0]?.[0]).toEqual({ day: '2026-02-23', inMonth: false });
    expect(march[0]?.[6]).toEqual({ day: '2026-03-01', inMonth: true });
    expect(march[5]?.[6]).toEqual({ day: '2026-04-05', inMonth: false });
    // February 2027 starts on a Monday and has exactly four weeks.
    const feb = monthGrid('2027-02-10');
    expect(feb).toHaveLength(4);
    expect(feb.flat().every((c) => c.inMonth)).toBe(true);
  });

  it('ask the hub for the days on screen', () => {
    expect(visibleRange('day', '2026-03-08')).toEqual({ from: '2026-03-08', to: '2026-03-08' });
    expect(visibleRange('week', '2026-03-08')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(visibleRange('month', '2026-03-08')).toEqual({ from: '2026-02-23', to: '2026-04-05' });
  });

  it('step by the view’s own unit', () => {
    expect(step('day', '2026-03-08', 1)).toBe('2026-03-09');
    expect(step('week', '2026-03-08', -1)).toBe('2026-03-01');
    expect(step('month', '2026-03-31', 1)).toBe('2026-04-30');
  });
});

describe('labels in Spanish and English', () => {
  it('name the weekdays from Monday', () => {
    const es = weekdayNames('es-MX');
    expect(es).toHaveLength(7);
    expect(es[0]).toMatch(/^lun/);
    expect(es[6]).toMatch(/^dom/);
    expect(weekdayNames('en-US', 'long')[0]).toBe('Monday');
  });

  it('name months and days', () => {
    expect(monthName('2026-03-08', 'es-MX')).toBe('marzo de 2026');
    expect(monthName('2026-03-08', 'en-US')).toBe('March 2026');
    expect(dayName('2026-03-09', 'es-MX')).toMatch(/^lun\.? 9$/);
    expect(rangeTitle('day', '2026-03-09', 'es-MX')).toMatch(/^lunes, 9 de marzo de 2026$/);
    expect(rangeTitle('week', '2026-03-09', 'es-MX')).toMatch(/9.*15.*mar.*2026/);
  });

  it('write and read clock times', () => {
    expect(clockLabel(0)).toBe('00:00');
    expect(clockLabel(9 * 60 + 45)).toBe('09:45');
    expect(clockLabel(1440)).toBe('00:00');
    expect(parseClock('9:30')).toBe(570);
    expect(parseClock('24:00')).toBe(1440);
    expect(parseClock('25:00')).toBeNull();
    expect(parseClock('soon')).toBeNull();
  });
});

describe('days in America/Tijuana across daylight saving', () => {
  it('the day clocks go forward (8 March 2026) lasts 23 hours', () => {
    expect(dayStart('2026-03-08', TIJUANA).toISOString()).toBe('2026-03-08T08:00:00.000Z'); // PST, UTC−8
    expect(dayStart('2026-03-09', TIJUANA).toISOString()).toBe('2026-03-09T07:00:00.000Z'); // PDT, UTC−7
    expect(dayLengthMinutes('2026-03-08', TIJUANA)).toBe(23 * 60);
  });

  it('the day clocks go back (1 November 2026) lasts 25 hours', () => {
    expect(dayStart('2026-11-01', TIJUANA).toISOString()).toBe('2026-11-01T07:00:00.000Z');
    expect(dayStart('2026-11-02', TIJUANA).toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(dayLengthMinutes('2026-11-01', TIJUANA)).toBe(25 * 60);
  });

  it('Mexico City has no change: every day is 24 hours', () => {
    expect(dayLengthMinutes('2026-04-05', CDMX)).toBe(1440);
    expect(dayLengthMinutes('2026-10-25', CDMX)).toBe(1440);
  });

  it('puts a party at its wall-clock time on a change day, both ways', () => {
    // 10:00 on 8 March is after the 02:00 jump: UTC−7.
    expect(instantAt('2026-03-08', 600, TIJUANA)).toBe('2026-03-08T17:00:00Z');
    expect(wallMinutes('2026-03-08T17:00:00Z', '2026-03-08', TIJUANA)).toBe(600);
    // 10:00 on 1 November is after the fall back: UTC−8.
    expect(instantAt('2026-11-01', 600, TIJUANA)).toBe('2026-11-01T18:00:00Z');
    expect(wallMinutes('2026-11-01T18:00:00Z', '2026-11-01', TIJUANA)).toBe(600);
    // The same 10:00 the day before the change is an hour apart in UTC.
    expect(instantAt('2026-03-07', 600, TIJUANA)).toBe('2026-03-07T18:00:00Z');
    expect(instantAt('2026-10-31', 600, TIJUANA)).toBe('2026-10-31T17:00:00Z');
  });

  it('keeps late-evening instants on their local date at the day boundary', () => {
    // 23:30 on 31 October (PDT) is 06:30 UTC on 1 November.
    expect(dayOf('2026-11-01T06:30:00Z', TIJUANA)).toBe('2026-10-31');
    expect(dayOf('2026-11-01T07:00:00Z', TIJUANA)).toBe('2026-11-01');
    // 23:30 on 8 March (PDT) is 06:30 UTC on 9 March; 00:00 on the 8th (PST) is 08:00 UTC.
    expect(dayOf('2026-03-09T06:30:00Z', TIJUANA)).toBe('2026-03-08');
    expect(dayOf('2026-03-08T07:59:00Z', TIJUANA)).toBe('2026-03-07');
    expect(dayOf('2026-03-08T08:00:00Z', TIJUANA)).toBe('2026-03-08');
  });

  it('spans of a party on its day, and none on the neighbouring days', () => {
    const party = { starts_at: '2026-11-01T18:00:00Z', ends_at: '2026-11-01T21:00:00Z' }; // 10:00–13:00 PST
    expect(spanOn(party, '2026-11-01', TIJUANA)).toEqual({ start: 600, end: 780 });
    expect(spanOn(party, '2026-10-31', TIJUANA)).toBeNull();
    expect(spanOn(party, '2026-11-02', TIJUANA)).toBeNull();
    // Ending at midnight ends at 1440, not at 0 of the next day.
    const late = { starts_at: instantAt('2026-03-08', 22 * 60, TIJUANA), ends_at: instantAt('2026-03-09', 0, TIJUANA) };
    expect(spanOn(late, '2026-03-08', TIJUANA)).toEqual({ start: 1320, end: 1440 });
    expect(spanOn(late, '2026-03-09', TIJUANA)).toBeNull();
  });

  it('the same UTC instant is a different local day in Mexico City and Tijuana', () => {
    expect(dayOf('2026-03-08T07:30:00Z', CDMX)).toBe('2026-03-08'); // 01:30 CST
    expect(dayOf('2026-03-08T07:30:00Z', TIJUANA)).toBe('2026-03-07'); // 23:30 PST
  });
});

describe('slots and the pointer', () => {
  it('snap to quarter hours', () => {
    expect(snap(607)).toBe(600);
    expect(snap(608)).toBe(615);
    expect(snap(614, 'floor')).toBe(600);
  });

  it('maps a tap to the slot under the finger', () => {
    const window = { start: 9 * 60, end: 21 * 60 };
    // 1 px a minute: 75 px below the top is 10:15; 89 px still 10:15 (the tap's slot).
    expect(pointerMinutes(75, 1, window)).toBe(615);
    expect(pointerMinutes(89, 1, window)).toBe(615);
    // 2 px a minute: 300 px is 2.5 h after 9:00.
    expect(pointerMinutes(300, 2, window)).toBe(690);
  });

  it('keeps a dragged booking inside the window, and under the finger where it was grabbed', () => {
    const window = { start: 9 * 60, end: 21 * 60 };
    expect(pointerMinutes(-40, 1, window, { how: 'round', length: 120 })).toBe(540);
    // A 2-hour party dragged to the bottom still ends at 21:00.
    expect(pointerMinutes(10_000, 1, window, { how: 'round', length: 120 })).toBe(19 * 60);
    // Grabbed 30 minutes below its start: the start is 30 minutes above the finger.
    expect(pointerMinutes(180, 1, window, { how: 'round', length: 120, offset: 30 })).toBe(11 * 60 + 30);
  });
});

describe('business hours', () => {
  const settings = {
    hours: [...hours().slice(0, 5), { weekday: 6, opens: '10:00', closes: '22:30', closed: false }, { weekday: 7, opens: '09:00', closes: '21:00', closed: true }],
    closed_days: [{ day: '2026-03-16', reason: 'Natalicio de Benito Juárez' }],
  };

  it('read the hours of the date’s weekday, closed days and closed weekdays', () => {
    expect(hoursOn('2026-03-09', settings)).toEqual({ opens: 540, closes: 1260 });
    expect(hoursOn('2026-03-14', settings)).toEqual({ opens: 600, closes: 1350 });
    expect(hoursOn('2026-03-15', settings)).toBeNull();
    expect(hoursOn('2026-03-16', settings)).toBeNull();
  });

  it('show from the earliest opening to the latest closing, on whole hours', () => {
    const week = weekDays('2026-03-09').map((d) => hoursOn(d, settings));
    expect(gridWindow(week)).toEqual({ start: 540, end: 23 * 60 });
    expect(gridWindow([null, null])).toEqual({ start: 540, end: 1260 });
  });

  it('widen to a booking outside the hours', () => {
    expect(gridWindow([{ opens: 600, closes: 1200 }], [{ start: 8 * 60 + 30, end: 600 }])).toEqual({ start: 480, end: 1200 });
  });

  it('take in the piece of a party past midnight on the next day’s column, in its room only', () => {
    const zone = 'America/Mexico_City';
    const hours = { opens: 600, closes: 1200 };
    // 23:00 Monday to 02:00 Tuesday in Mexico City (UTC−6).
    const late = { starts_at: '2026-03-10T05:00:00Z', ends_at: '2026-03-10T08:00:00Z', area_id: 'a' };
    const week = weekDays('2026-03-09').map((day) => ({ day, areaId: null, hours }));
    expect(columnsWindow(week, [late], zone)).toEqual({ start: 0, end: 1440 });
    expect(columnsWindow([{ day: '2026-03-10', areaId: 'a', hours }], [late], zone)).toEqual({ start: 0, end: 1200 });
    expect(columnsWindow([{ day: '2026-03-10', areaId: 'b', hours }], [late], zone)).toEqual({ start: 600, end: 1200 });
  });

  it('tell whether a stretch fits the day’s hours', () => {
    expect(withinHours({ opens: 540, closes: 1260 }, 540, 660)).toBe(true);
    expect(withinHours({ opens: 540, closes: 1260 }, 1200, 1320)).toBe(false);
    expect(withinHours(null, 600, 660)).toBe(false);
  });
});

describe('bookings side by side', () => {
  const lanes = (spans: [number, number][]) =>
    layoutLanes(spans, ([start, end]) => ({ start, end })).map((l) => [l.item[0], l.lane, l.lanes]);

  it('one booking takes the whole column', () => {
    expect(lanes([[600, 720]])).toEqual([[600, 0, 1]]);
  });

  it('two overlapping ones share it; touching ones do not', () => {
    expect(lanes([[600, 720], [660, 780]])).toEqual([[600, 0, 2], [660, 1, 2]]);
    expect(lanes([[600, 720], [720, 840]])).toEqual([[600, 0, 1], [720, 0, 1]]);
  });

  it('a chain of overlaps shares one width, and a freed lane is reused', () => {
    // A 10–13, B 11–12, C 12:30–14: C reuses B's lane; all three show in two lanes.
    expect(lanes([[600, 780], [660, 720], [750, 840]])).toEqual([[600, 0, 2], [660, 1, 2], [750, 1, 2]]);
    // Three at once need three lanes; a later, separate booking is full width again.
    expect(lanes([[600, 720], [600, 690], [630, 700], [900, 960]])).toEqual([[600, 0, 3], [600, 1, 3], [630, 2, 3], [900, 0, 1]]);
  });
});

describe('states', () => {
  it('colour by state, an expired hold faded', () => {
    expect(bookingTone({ state: 'tentative', expired: false })).toBe('tentative');
    expect(bookingTone({ state: 'tentative', expired: true })).toBe('expired');
    expect(bookingTone({ state: 'checked_in', expired: false })).toBe('checked_in');
  });

  it('only live bookings hold their slot', () => {
    expect(holdsSlot({ state: 'confirmed', expired: false })).toBe(true);
    expect(holdsSlot({ state: 'tentative', expired: true })).toBe(false);
    expect(holdsSlot({ state: 'cancelled', expired: false })).toBe(false);
  });
});
