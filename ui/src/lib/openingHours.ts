import type { DayHours } from '../api/types';
import { weekdayNames } from './calendar';

// The week's opening hours as the totem says them: days in a row with the same hours share a line
// («Lun–Vie 10:00–20:00»), a closed day says so, and the line holding today stands out.

export interface HoursLine {
  /** «Lun–Vie», «Sáb» or «Lun, Mié» never: only days in a row are grouped. */
  days: string;
  /** «10:00–20:00», or null on a closed day. */
  hours: string | null;
  /** Monday = 1 … Sunday = 7, as the hub numbers them. */
  weekdays: number[];
  today: boolean;
}

/** Monday = 1 … Sunday = 7 of a calendar day `YYYY-MM-DD`. */
export function isoWeekday(day: string): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay() || 7;
}

export function hoursLines(week: readonly DayHours[], today: number, locale: string): HoursLine[] {
  const names = weekdayNames(locale, 'short').map((n) => {
    const bare = n.replace(/\.$/, '');
    return bare.charAt(0).toLocaleUpperCase(locale) + bare.slice(1);
  });
  const lines: HoursLine[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const day = week.find((d) => d.weekday === weekday);
    const hours = !day || day.closed ? null : `${day.opens}–${day.closes}`;
    const last = lines.at(-1);
    if (last && last.hours === hours && last.weekdays.at(-1) === weekday - 1) last.weekdays.push(weekday);
    else lines.push({ days: '', hours, weekdays: [weekday], today: false });
  }
  for (const line of lines) {
    const first = names[line.weekdays[0]! - 1]!;
    const end = names[line.weekdays.at(-1)! - 1]!;
    line.days = line.weekdays.length === 1 ? first : `${first}–${end}`;
    line.today = line.weekdays.includes(today);
  }
  return lines;
}
