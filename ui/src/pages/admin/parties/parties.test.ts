import { describe, expect, it } from 'vitest';
import type { Area, BookingSettings, PartyPackage } from '../../../api/types';
import { blamedRow, draftOf, settingsBody, weekdayName, weekRows } from './hours';
import { areaConfig, partyPackageConfig } from './partyConfig';

const t = (key: string) => key;
const area = (over: Partial<Area> = {}): Area => ({
  id: 'a1', name: 'Salón Arcoíris', kind: 'room', capacity: 25, color: '#ff8a1f', position: 1, active: true, ...over,
});

describe('areas in admin', () => {
  it('offers a new area the next place and another colour', () => {
    const empty = areaConfig(t, [area(), area({ id: 'a2', position: 4, color: '#1f9d5c' })]).empty();
    expect(empty).toMatchObject({ kind: 'room', capacity: 0, position: 5, active: true });
    expect(empty.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(areaConfig(t, []).empty().position).toBe(1);
  });

  it('sends name, kind, capacity, colour, order and active in the API’s names', () => {
    const body = areaConfig(t, []).toBody({ ...area(), name: ' Zona de pelotas ', kind: 'zone', capacity: 40 }, true);
    expect(body).toEqual({ name: 'Zona de pelotas', kind: 'zone', capacity: 40, color: '#ff8a1f', position: 1, active: true });
  });

  it('shows an area without a limit as a dash', () => {
    const cell = areaConfig(t, []).columns.find((c) => c.key === 'capacity')!.cell;
    expect(cell(area({ capacity: 0 }))).toBe('—');
    expect(cell(area({ capacity: 12 }))).toBe('12');
  });
});

describe('party packages in admin', () => {
  const pkg: PartyPackage = {
    id: 'p1', name: 'Fiesta Arcoíris', area_id: 'a1', duration_minutes: 180, children_included: 12, price_cents: 350_000,
    extra_child_price_cents: 18_000, deposit_percent: 30, buffer_minutes: 45, iva_rate: '16',
    products: [{ product_id: 'w', name: 'Agua', quantity: 12 }], active: true,
  };

  it('offers the areas, or any, as the package’s room', () => {
    const field = partyPackageConfig(t, [area()]).fields.find((f) => f.name === 'area_id')!;
    expect(field.options).toEqual([{ value: '', key: 'parties.anyArea' }, { value: 'a1', label: 'Salón Arcoíris' }]);
  });

  it('sends money in centavos and the included products as ids and quantities', () => {
    const config = partyPackageConfig(t, [area()]);
    const body = config.toBody(config.fromRow(pkg), false);
    expect(body).toEqual({
      name: 'Fiesta Arcoíris', area_id: 'a1', duration_minutes: 180, children_included: 12, price_cents: 350_000,
      extra_child_price_cents: 18_000, deposit_percent: 30, buffer_minutes: 45, iva_rate: '16',
      products: [{ product_id: 'w', quantity: 12 }], active: true,
    });
  });

  it('sends «any room» as no area on a new package, and clears the area of one being changed', () => {
    const config = partyPackageConfig(t, [area()]);
    expect(config.toBody({ ...config.empty(), name: 'Fiesta', price_cents: 100 }, true).area_id).toBeNull();
    expect(config.toBody({ ...config.fromRow(pkg), area_id: '' }, false).area_id).toBe('');
  });
});

describe('hours and rules', () => {
  const settings: BookingSettings = {
    hours: [
      { weekday: 7, opens: '10:00', closes: '18:00', closed: false },
      { weekday: 1, opens: '09:00', closes: '21:00', closed: true },
    ],
    closed_days: [{ day: '2026-12-25', reason: 'Navidad' }, { day: '2026-09-16', reason: 'Independencia' }],
    hold_hours: 48,
    refund_days: 7,
    timezone: 'America/Mexico_City',
  };

  it('shows the week Monday first, a day the hub has no hours for open at the default hours', () => {
    const rows = weekRows(settings.hours);
    expect(rows.map((r) => r.weekday)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[0]).toMatchObject({ closed: true });
    expect(rows[1]).toEqual({ weekday: 2, opens: '09:00', closes: '21:00', closed: false });
    expect(rows[6]).toMatchObject({ opens: '10:00', closes: '18:00' });
  });

  it('lists the closed days soonest first and sends them in the order shown, reasons trimmed', () => {
    const draft = draftOf(settings);
    expect(draft.closed_days.map((d) => d.day)).toEqual(['2026-09-16', '2026-12-25']);
    draft.closed_days.push({ day: '2026-11-02', reason: '  Día de Muertos ' });
    const body = settingsBody(draft);
    expect(body.closed_days?.map((d) => d.reason)).toEqual(['Independencia', 'Navidad', 'Día de Muertos']);
    expect(body.hours).toHaveLength(7);
    expect(body).toMatchObject({ hold_hours: 48, refund_days: 7 });
    expect('timezone' in body).toBe(false);
  });

  it('finds the row a blamed field names', () => {
    expect(blamedRow('hours[6].closes', 'hours')).toBe(6);
    expect(blamedRow('closed_days[2]', 'closed_days')).toBe(2);
    expect(blamedRow('hold_hours', 'hours')).toBeNull();
    expect(blamedRow(null, 'hours')).toBeNull();
  });

  it('names the weekdays in the UI’s language', () => {
    expect(weekdayName(1, 'es-MX')).toBe('Lunes');
    expect(weekdayName(7, 'es-MX')).toBe('Domingo');
    expect(weekdayName(3, 'en-US')).toBe('Wednesday');
  });
});
