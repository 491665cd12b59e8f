import type { BookingSettings, BookingSettingsInput, ClosedDay, DayHours } from '../../../api/types';

// The parties' week as the owner edits it: seven rows, Monday first, whatever the hub sent (a day
// it has no hours for opens as the hub's default), and the body PUT /booking-settings takes.

export const DEFAULT_OPENS = '09:00';
export const DEFAULT_CLOSES = '21:00';

/** A weekday's row as the form edits it (closed or not, always said). */
export type WeekRow = Required<DayHours>;
/** A closed day as the form edits it (a reason, empty or not). */
export type ClosedRow = Required<ClosedDay>;

/** Monday (1) to Sunday (7), one row each. */
export function weekRows(hours: readonly DayHours[]): WeekRow[] {
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => {
    const h = hours.find((x) => x.weekday === weekday);
    return h ? { ...h, closed: h.closed ?? false } : { weekday, opens: DEFAULT_OPENS, closes: DEFAULT_CLOSES, closed: false };
  });
}

/** What the form edits: the week's rows, the closed days (soonest first) and the two rules. */
export interface SettingsDraft {
  hours: WeekRow[];
  closed_days: ClosedRow[];
  hold_hours: number | null;
  refund_days: number | null;
}

export function draftOf(s: BookingSettings): SettingsDraft {
  return {
    hours: weekRows(s.hours),
    closed_days: [...s.closed_days].sort((a, b) => a.day.localeCompare(b.day)).map((d) => ({ day: d.day, reason: d.reason ?? '' })),
    hold_hours: s.hold_hours,
    refund_days: s.refund_days,
  };
}

/**
 * The body to save. Rows go in the order shown, so the hub's `hours[6].opens` or
 * `closed_days[1].day` names the row on screen; a closed day keeps the hours it had (opening it
 * again brings them back). An empty number is sent as it is (null) for the hub to name.
 */
export function settingsBody(d: SettingsDraft): BookingSettingsInput {
  return {
    hours: d.hours.map((h) => ({ weekday: h.weekday, opens: h.opens, closes: h.closes, closed: h.closed })),
    closed_days: d.closed_days.map((c) => ({ day: c.day, reason: c.reason.trim() })),
    hold_hours: d.hold_hours as number,
    refund_days: d.refund_days as number,
  };
}

/** A weekday's name in the UI's language, capitalised ("Lunes", "Monday"); 1 = Monday. */
export function weekdayName(weekday: number, locale: string): string {
  // 2024-01-01 was a Monday; noon UTC is the same date everywhere.
  const name = new Date(Date.UTC(2024, 0, weekday, 12)).toLocaleDateString(locale, { weekday: 'long', timeZone: 'UTC' });
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}

/** Which row of a list the hub's field names: `closed_days[2].reason` → 2 for `closed_days`. */
export function blamedRow(field: string | null, list: string): number | null {
  const m = field ? new RegExp(`^${list}\\[(\\d+)\\]`).exec(field) : null;
  return m ? Number(m[1]) : null;
}
