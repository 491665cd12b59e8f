import type { Booking, BookingSettings } from '../api/types';
import { zonedDate, zonedTime, zonedToUtc } from './zonedTime';

// The bookings calendar's arithmetic, in the branch's IANA time zone whatever the device's: days,
// weeks (Monday first) and months as "YYYY-MM-DD" strings, the wall-clock minutes a booking covers
// on its day, 15-minute slots, where a finger on the grid falls in time, side-by-side lanes for
// bookings that overlap, and the hours the grid shows. Wall-clock minutes (not elapsed ones) place
// things on the grid, so 10:00 sits on the 10:00 line even on a day that lost or gained an hour.

/** "YYYY-MM-DD", a calendar date in the branch's zone. */
export type Day = string;
export type CalendarView = 'day' | 'week' | 'month';

/** Bookings snap to quarter hours. */
export const SLOT_MINUTES = 15;
/** Shown when the branch has no hours for the days on screen. */
export const DEFAULT_WINDOW = { start: 9 * 60, end: 21 * 60 } as const;

const MINUTE = 60_000;

function parts(day: Day): [number, number, number] {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return [y, m, d];
}

/** Noon UTC of the date: no zone or DST change moves it to another date. */
function noon(day: Day): Date {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

function format(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  const date = noon(day);
  date.setUTCDate(date.getUTCDate() + n);
  return format(date);
}

/** The same day of the month `n` months on, or that month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(day: Day, n: number): Day {
  const [y, m, d] = parts(day);
  const last = new Date(Date.UTC(y, m - 1 + n + 1, 0, 12)).getUTCDate();
  return format(new Date(Date.UTC(y, m - 1 + n, Math.min(d, last), 12)));
}

/** 1 = Monday … 7 = Sunday (ISO, as the branch's opening hours count them). */
export function isoWeekday(day: Day): number {
  return ((noon(day).getUTCDay() + 6) % 7) + 1;
}

export function startOfWeek(day: Day): Day {
  return addDays(day, 1 - isoWeekday(day));
}

/** Monday to Sunday of the day's week. */
export function weekDays(day: Day): Day[] {
  const monday = startOfWeek(day);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

export function startOfMonth(day: Day): Day {
  return `${day.slice(0, 7)}-01`;
}

export interface MonthCell {
  day: Day;
  /** False for the days of the previous or next month that fill the first and last weeks. */
  inMonth: boolean;
}

/** The month as whole weeks, Monday first: 4 to 6 rows of 7. */
export function monthGrid(day: Day): MonthCell[][] {
  const first = startOfMonth(day);
  const month = first.slice(0, 7);
  const weeks: MonthCell[][] = [];
  for (let monday = startOfWeek(first); monday.slice(0, 7) <= month || weeks.length === 0; monday = addDays(monday, 7)) {
    const week = weekDays(monday).map((d) => ({ day: d, inMonth: d.slice(0, 7) === month }));
    if (!week.some((c) => c.inMonth)) break;
    weeks.push(week);
  }
  return weeks;
}

/** The days the view shows around `day`, for `GET /bookings?from=&to=` (inclusive). */
export function visibleRange(view: CalendarView, day: Day): { from: Day; to: Day } {
  if (view === 'day') return { from: day, to: day };
  if (view === 'week') return { from: startOfWeek(day), to: addDays(startOfWeek(day), 6) };
  const weeks = monthGrid(day);
  return { from: weeks[0]?.[0]?.day ?? day, to: weeks.at(-1)?.[6]?.day ?? day };
}

/** The day the ‹ › buttons lead to. */
export function step(view: CalendarView, day: Day, direction: 1 | -1): Day {
  if (view === 'day') return addDays(day, direction);
  if (view === 'week') return addDays(day, 7 * direction);
  return addMonths(day, direction);
}

// Labels, in the UI's locale (es-MX by default).

/** Monday-first weekday names: "lun" … "dom" (short) or "lunes" … "domingo". */
export function weekdayNames(locale: string, width: 'short' | 'long' = 'short'): string[] {
  const fmt = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => fmt.format(noon(addDays('2024-01-01', i))));
}

/** "marzo de 2026" / "March 2026". */
export function monthName(day: Day, locale: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(noon(day));
}

/** "lun 9" for a column's head; with the month, "lun 9 mar". */
export function dayName(day: Day, locale: string, withMonth = false): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short', day: 'numeric', ...(withMonth ? { month: 'short' } : {}), timeZone: 'UTC',
  }).format(noon(day)).replace(/,/g, '');
}

/** What the toolbar says the view shows: a day, a week's span, or a month. */
export function rangeTitle(view: CalendarView, day: Day, locale: string): string {
  if (view === 'month') return monthName(day, locale);
  if (view === 'day') {
    return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
      .format(noon(day));
  }
  const days = weekDays(day);
  const fmt = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return fmt.formatRange(noon(days[0] ?? day), noon(days[6] ?? day));
}

/** "10:00" for a number of minutes after midnight. */
export function clockLabel(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** "10:00" → 600. */
export function parseClock(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h <= 24 && m < 60 && h * 60 + m <= 1440 ? h * 60 + m : null;
}

// Instants and the zone.

/** The instant the day begins in the zone (its local midnight). */
export function dayStart(day: Day, timeZone: string): Date {
  return zonedToUtc(day, '00:00', timeZone);
}

/** How long the day really lasts there: 1440 minutes, or 1380/1500 on a daylight-saving change. */
export function dayLengthMinutes(day: Day, timeZone: string): number {
  return Math.round((dayStart(addDays(day, 1), timeZone).getTime() - dayStart(day, timeZone).getTime()) / MINUTE);
}

/** The date an instant falls on in the zone. */
export function dayOf(instant: Date | string, timeZone: string): Day {
  return zonedDate(typeof instant === 'string' ? new Date(instant) : instant, timeZone);
}

/** The wall-clock minutes of an instant counted from `day`'s midnight in the zone: 10:30 is 630;
 *  an instant on the next date counts on past 1440 (a party ending at midnight ends at 1440). */
export function wallMinutes(instant: Date | string, day: Day, timeZone: string): number {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  const date = zonedDate(at, timeZone);
  const clock = parseClock(zonedTime(at, timeZone)) ?? 0;
  const days = Math.round((noon(date).getTime() - noon(day).getTime()) / 86_400_000);
  return days * 1440 + clock;
}

/** The instant of a wall-clock time on `day` in the zone, as the API writes it (RFC 3339, UTC). */
export function instantAt(day: Day, minutes: number, timeZone: string): string {
  const date = addDays(day, Math.floor(minutes / 1440));
  const at = zonedToUtc(date, clockLabel(minutes), timeZone);
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Slots and the pointer.

/** To the quarter hour: down for a tap (the slot the finger is in), to the nearest for a drag. */
export function snap(minutes: number, how: 'floor' | 'round' = 'round', slot = SLOT_MINUTES): number {
  return (how === 'floor' ? Math.floor(minutes / slot) : Math.round(minutes / slot)) * slot;
}

export interface TimeWindow {
  /** Minutes after midnight of the grid's first and last line. */
  start: number;
  end: number;
}

/**
 * Where a pointer `y` px below the top of a day's column falls: the snapped minutes, kept inside
 * the window so that something `length` minutes long still fits. `offset` is where in a dragged
 * booking it was grabbed (minutes below its start), so the booking does not jump under the finger.
 */
export function pointerMinutes(
  y: number, pxPerMinute: number, window: TimeWindow,
  { how = 'floor', length = 0, offset = 0 }: { how?: 'floor' | 'round'; length?: number; offset?: number } = {},
): number {
  const raw = window.start + y / pxPerMinute - offset;
  const snapped = snap(raw, how);
  const latest = snap(window.end - Math.max(length, SLOT_MINUTES), 'floor');
  return Math.min(Math.max(snapped, window.start), Math.max(window.start, latest));
}

// Business hours.

export interface OpenHours {
  opens: number;
  closes: number;
}

/** The branch's hours on that date (minutes), or null when it is closed (weekday or closed day). */
export function hoursOn(day: Day, settings: Pick<BookingSettings, 'hours' | 'closed_days'> | null | undefined): OpenHours | null {
  if (!settings) return { opens: DEFAULT_WINDOW.start, closes: DEFAULT_WINDOW.end };
  if (settings.closed_days.some((c) => c.day === day)) return null;
  const row = settings.hours.find((h) => h.weekday === isoWeekday(day));
  if (!row || row.closed) return null;
  const opens = parseClock(row.opens);
  const closes = parseClock(row.closes);
  return opens !== null && closes !== null && closes > opens ? { opens, closes } : null;
}

/**
 * The hours the time grid shows for these days: from the earliest opening to the latest closing,
 * on whole hours, widened to take in any booking outside them (one made before the hours changed).
 */
export function gridWindow(hours: readonly (OpenHours | null)[], spans: readonly { start: number; end: number }[] = []): TimeWindow {
  const open = hours.filter((h): h is OpenHours => h !== null);
  let start = open.length ? Math.min(...open.map((h) => h.opens)) : DEFAULT_WINDOW.start;
  let end = open.length ? Math.max(...open.map((h) => h.closes)) : DEFAULT_WINDOW.end;
  for (const s of spans) {
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
  }
  start = Math.max(0, Math.floor(start / 60) * 60);
  end = Math.min(24 * 60, Math.ceil(end / 60) * 60);
  return end > start ? { start, end } : { ...DEFAULT_WINDOW };
}

/**
 * The grid's hours for columns (a day, and a room or every room) and the bookings drawn in them:
 * every piece a column draws counts, so a party past midnight widens the next day's morning too.
 */
export function columnsWindow(
  columns: readonly { day: Day; areaId: string | null; hours: OpenHours | null }[],
  bookings: readonly Pick<Booking, 'starts_at' | 'ends_at' | 'area_id'>[],
  timeZone: string,
): TimeWindow {
  const spans = columns.flatMap((c) =>
    bookings.flatMap((b) => {
      const span = c.areaId === null || b.area_id === c.areaId ? spanOn(b, c.day, timeZone) : null;
      return span ? [span] : [];
    }),
  );
  return gridWindow(columns.map((c) => c.hours), spans);
}

/** Whether a stretch of a day lies within its hours. */
export function withinHours(hours: OpenHours | null, start: number, end: number): boolean {
  return !!hours && start >= hours.opens && end <= hours.closes;
}

// Bookings on the grid.

/** A booking's colour: its state, and a tentative one whose hold ran out looks faded. */
export type Tone = Booking['state'] | 'expired';

export function bookingTone(booking: Pick<Booking, 'state' | 'expired'>): Tone {
  return booking.state === 'tentative' && booking.expired ? 'expired' : booking.state;
}

/** Whether a booking still holds its slot (cancelled and expired ones do not). */
export function holdsSlot(booking: Pick<Booking, 'state' | 'expired'>): boolean {
  return booking.state !== 'cancelled' && !(booking.state === 'tentative' && booking.expired);
}

/** A booking's wall-clock span on a day, or null when it is not on it. */
export function spanOn(booking: Pick<Booking, 'starts_at' | 'ends_at'>, day: Day, timeZone: string): { start: number; end: number } | null {
  const start = wallMinutes(booking.starts_at, day, timeZone);
  const end = wallMinutes(booking.ends_at, day, timeZone);
  if (end <= 0 || start >= 1440) return null;
  return { start: Math.max(0, start), end: Math.min(1440, Math.max(end, start + 1)) };
}

export interface Lane<T> {
  item: T;
  start: number;
  end: number;
  /** Which of `lanes` side-by-side columns it takes (0 = leftmost). */
  lane: number;
  lanes: number;
}

/**
 * Lays overlapping stretches side by side: each goes in the first free lane, and every stretch of a
 * group that overlaps (directly or through others) shares the group's number of lanes, so widths
 * line up. Stretches that only touch (one ends as the next starts) do not overlap.
 */
export function layoutLanes<T>(items: readonly T[], span: (item: T) => { start: number; end: number }): Lane<T>[] {
  const sorted = items
    .map((item) => ({ item, ...span(item) }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Lane<T>[] = [];
  let group: Lane<T>[] = [];
  let laneEnds: number[] = [];
  let groupEnd = 0;
  const close = () => {
    for (const placed of group) placed.lanes = laneEnds.length;
    out.push(...group);
    group = [];
    laneEnds = [];
  };
  for (const s of sorted) {
    if (group.length > 0 && s.start >= groupEnd) close();
    if (group.length === 0) groupEnd = s.end;
    let lane = laneEnds.findIndex((end) => end <= s.start);
    if (lane < 0) lane = laneEnds.push(s.end) - 1;
    else laneEnds[lane] = s.end;
    group.push({ ...s, lane, lanes: 1 });
    groupEnd = Math.max(groupEnd, s.end);
  }
  close();
  return out;
}

/** Minutes from `from` to `to` (two RFC 3339 instants). */
export function minutesBetween(from: string, to: string): number {
  return Math.round((new Date(to).getTime() - new Date(from).getTime()) / MINUTE);
}
