import { describe, expect, it } from 'vitest';
import type { DayHours } from '../api/types';
import { hoursLines, isoWeekday } from './openingHours';

const week = (f: (weekday: number) => Partial<DayHours>): DayHours[] =>
  Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, opens: '10:00', closes: '20:00', closed: false, ...f(i + 1) }));

describe('hoursLines', () => {
  it('groups days in a row with equal hours and says a closed day', () => {
    const lines = hoursLines(week((d) => (d === 6 ? { opens: '09:00', closes: '21:00' } : d === 7 ? { closed: true } : {})), 3, 'es-MX');
    expect(lines.map(({ days, hours, today }) => ({ days, hours, today }))).toEqual([
      { days: 'Lun–Vie', hours: '10:00–20:00', today: true },
      { days: 'Sáb', hours: '09:00–21:00', today: false },
      { days: 'Dom', hours: null, today: false },
    ]);
  });
  it('never groups days that are apart', () => {
    const lines = hoursLines(week((d) => (d === 2 ? { closed: true } : d === 3 ? { opens: '11:00' } : {})), 7, 'es-MX');
    expect(lines.map((l) => l.days)).toEqual(['Lun', 'Mar', 'Mié', 'Jue–Dom']);
    expect(lines.at(-1)?.today).toBe(true);
  });
  it('names days in English too', () => {
    expect(hoursLines(week(() => ({})), 1, 'en-US')[0]?.days).toBe('Mon–Sun');
  });
  it('numbers weekdays from Monday', () => {
    expect(isoWeekday('2026-12-07')).toBe(1);
    expect(isoWeekday('2026-12-06')).toBe(7);
  });
});
