import { zonedDate } from './zonedTime';

// Business days as the desk says them. Once a day is closed, what is sold while children still
// play belongs to the next business day: the desk says so instead of hiding it.

/**
 * The day sales count for now, when it is not today's calendar date (the day is closed):
 * `drawersDay` is the hub's business day now (GET /till), `today` the branch's calendar date.
 */
export function laterBusinessDay(drawersDay: string | null | undefined, today: string): string | null {
  return drawersDay && drawersDay > today ? drawersDay : null;
}

/** A sale's business day when it is not the calendar date it was made on in the branch; else null. */
export function saleDayLabel(sale: { business_day: string; created_at: string }, timeZone: string): string | null {
  return sale.business_day !== zonedDate(new Date(sale.created_at), timeZone) ? sale.business_day : null;
}

/** "YYYY-MM-DD" → "lunes, 7 de diciembre" (es-MX) / "Monday, December 7" (en-US); short: "lun, 7 dic". */
export function formatBusinessDay(day: string, locale: string, short = false): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  // Noon UTC of that date read in UTC: no zone can move it to another day.
  return new Date(Date.UTC(y, m - 1, d, 12)).toLocaleDateString(locale, {
    weekday: short ? 'short' : 'long', day: 'numeric', month: short ? 'short' : 'long', timeZone: 'UTC',
  });
}

/** "YYYY-MM-DD" → "30 nov" (es-MX), or with the weekday for a chart's column: "lun 30". */
export function formatShortDay(day: string, locale: string, weekday = false): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12)).toLocaleDateString(locale, {
    ...(weekday ? { weekday: 'short' } : { month: 'short' }), day: 'numeric', timeZone: 'UTC',
  });
}
