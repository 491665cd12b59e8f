import type { Sale } from '../api/types';
import { zonedTime } from './zonedTime';

/** Revenue per hour of the branch's day, over the opening hours seen (at least 10:00–20:00). */
export function salesByHour(sales: readonly Sale[], timeZone: string): { hour: number; cents: number }[] {
  const byHour = new Map<number, number>();
  for (const s of sales) {
    const hour = Number(zonedTime(new Date(s.created_at), timeZone).slice(0, 2));
    byHour.set(hour, (byHour.get(hour) ?? 0) + s.total_cents);
  }
  const hours = [...byHour.keys()];
  const first = Math.min(10, ...hours);
  const last = Math.max(20, ...hours);
  return Array.from({ length: last - first + 1 }, (_, i) => ({ hour: first + i, cents: byHour.get(first + i) ?? 0 }));
}
