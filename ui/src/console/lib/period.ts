// The dashboard's periods as business days (YYYY-MM-DD): "Hoy" asks the cloud for each branch's
// own today (no dates at all), the others count back from the browser's local date.

export type PeriodKind = 'today' | 'week' | 'month' | 'custom';

/** A local calendar date as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** `day` moved by `days` calendar days (through UTC noon, so no daylight-saving edge moves it twice). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The from/to a period asks for; `{}` for today (each branch's own). */
export function periodRange(kind: PeriodKind, today: string, custom: { from: string; to: string }): { from?: string; to?: string } {
  switch (kind) {
    case 'today':
      return {};
    case 'week':
      return { from: addDays(today, -6), to: today };
    case 'month':
      return { from: addDays(today, -29), to: today };
    case 'custom': {
      const [from, to] = custom.from <= custom.to ? [custom.from, custom.to] : [custom.to, custom.from];
      return { from: from || undefined, to: to || undefined };
    }
  }
}

/** Every day from `from` to `to` inclusive, so a chart shows the quiet days as empty bars. */
export function daysBetween(from: string, to: string, limit = 400): string[] {
  const days: string[] = [];
  for (let d = from; d <= to && days.length < limit; d = addDays(d, 1)) days.push(d);
  return days;
}
