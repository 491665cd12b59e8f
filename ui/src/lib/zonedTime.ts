// Business days and scheduled starts are in the branch's time zone, which need not be the
// device's. Intl knows every IANA zone; these helpers do the two conversions the UI needs.

function partsIn(timeZone: string, instant: Date): Record<string, number> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Offset of the zone from UTC at that instant, in ms (Mexico City: -6 h). */
export function zoneOffsetMs(timeZone: string, instant: Date): number {
  const p = partsIn(timeZone, instant);
  const asUtc = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** Wall-clock date + "HH:MM" in the zone → the UTC instant. */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the answer across a DST change.
  let utc = guess - zoneOffsetMs(timeZone, new Date(guess));
  utc = guess - zoneOffsetMs(timeZone, new Date(utc));
  return new Date(utc);
}

/** The calendar date "YYYY-MM-DD" of an instant in the zone. */
export function zonedDate(instant: Date, timeZone: string): string {
  const p = partsIn(timeZone, instant);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "HH:MM" of an instant in the zone. */
export function zonedTime(instant: Date, timeZone: string): string {
  const p = partsIn(timeZone, instant);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}
