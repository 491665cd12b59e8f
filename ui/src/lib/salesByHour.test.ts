import { describe, expect, it } from 'vitest';
import type { Sale } from '../api/types';
import { salesByHour } from './salesByHour';

const sale = (created_at: string, total_cents: number) => ({ created_at, total_cents }) as Sale;

describe('salesByHour', () => {
  it('buckets by the branch hour and spans opening hours', () => {
    // 17:30 UTC is 11:30 in Mexico City; 02:10 UTC next day is 20:10.
    const rows = salesByHour([sale('2026-11-22T17:30:00Z', 1000), sale('2026-11-22T17:59:00Z', 500), sale('2026-11-23T02:10:00Z', 200)], 'America/Mexico_City');
    expect(rows[0]).toEqual({ hour: 10, cents: 0 });
    expect(rows.find((r) => r.hour === 11)?.cents).toBe(1500);
    expect(rows.at(-1)).toEqual({ hour: 20, cents: 200 });
  });
});
