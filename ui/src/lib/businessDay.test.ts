import { describe, expect, it } from 'vitest';
import { formatBusinessDay, formatShortDay, laterBusinessDay, saleDayLabel } from './businessDay';

const MX = 'America/Mexico_City';

describe('laterBusinessDay', () => {
  it('names the next business day once today is closed, and nothing while today is open', () => {
    expect(laterBusinessDay('2026-12-07', '2026-12-06')).toBe('2026-12-07');
    expect(laterBusinessDay('2026-12-06', '2026-12-06')).toBeNull();
    expect(laterBusinessDay(null, '2026-12-06')).toBeNull();
  });

  it('crosses months and years as strings do', () => {
    expect(laterBusinessDay('2027-01-01', '2026-12-31')).toBe('2027-01-01');
  });
});

describe('saleDayLabel', () => {
  it('shows the business day of a sale made after the closing (the calendar date in the branch’s zone)', () => {
    // 22:30 in Mexico City on the 6th is 04:30 UTC on the 7th.
    expect(saleDayLabel({ business_day: '2026-12-07', created_at: '2026-12-07T04:30:00Z' }, MX)).toBe('2026-12-07');
    expect(saleDayLabel({ business_day: '2026-12-06', created_at: '2026-12-07T04:30:00Z' }, MX)).toBeNull();
    expect(saleDayLabel({ business_day: '2026-12-06', created_at: '2026-12-06T18:00:00Z' }, MX)).toBeNull();
  });
});

describe('formatBusinessDay', () => {
  it('says the day in words in both languages, whatever the device’s zone', () => {
    expect(formatBusinessDay('2026-12-07', 'es-MX')).toBe('lunes, 7 de diciembre');
    expect(formatBusinessDay('2026-12-07', 'en-US')).toBe('Monday, December 7');
    // ICU versions differ on the short form's punctuation; the day, its date and month are what count.
    expect(formatBusinessDay('2026-12-07', 'es-MX', true)).toMatch(/^lun,? 7 (de )?dic/);
  });
});

describe('formatShortDay', () => {
  it('says a day and month, or a weekday and day for a chart column, whatever the device’s zone', () => {
    expect(formatShortDay('2026-11-30', 'es-MX')).toMatch(/^30 nov/);
    expect(formatShortDay('2026-11-30', 'es-MX', true)).toMatch(/^lun,? 30$/);
    expect(formatShortDay('2027-01-01', 'es-MX', true)).toMatch(/^vie,? 1$/);
    expect(formatShortDay('2026-11-30', 'en-US', true)).toMatch(/30/);
  });
});
