import { describe, expect, it } from 'vitest';
import type { Branch } from '../api/client';
import { branchPriceRows, overrideCount, overrideEdit, rowChanged, typedPrice } from './branchPrices';

const branch = (id: string, name: string) => ({ id, name, timezone: 'America/Mexico_City', devices: [], online: false, pending_events: 0, silent: false }) as Branch;
const central = { price_cents: 3500, active: true };

describe('branch prices', () => {
  it('shows each branch by name with its own price and availability, or the organisation’s', () => {
    const rows = branchPriceRows([branch('b2', 'Norte'), branch('b1', 'Centro')],
      [{ branch_id: 'b2', entity: 'product', entity_id: 'p1', price_cents: 4250, active: false }, { branch_id: 'b1', entity: 'product', entity_id: 'p9', price_cents: 1 }],
      'product', 'p1', central);
    expect(rows).toEqual([
      { branch_id: 'b1', branch_name: 'Centro', price: '', available: true },
      { branch_id: 'b2', branch_name: 'Norte', price: '42.50', available: false },
    ]);
  });
  it('reads pesos as centavos, empty as the organisation’s price', () => {
    expect(typedPrice('')).toBeNull();
    expect(typedPrice('$1,200.5')).toBe(120050);
    expect(typedPrice('doce')).toBeUndefined();
  });
  it('sends only what differs from the organisation', () => {
    expect(overrideEdit({ branch_id: 'b1', branch_name: 'Centro', price: '39', available: true }, 'product', 'p1', central))
      .toEqual({ branch_id: 'b1', entity: 'product', entity_id: 'p1', price_cents: 3900, active: null });
    expect(overrideEdit({ branch_id: 'b1', branch_name: 'Centro', price: '', available: false }, 'service', 's1', central))
      .toEqual({ branch_id: 'b1', entity: 'service', entity_id: 's1', price_cents: null, active: false });
    expect(overrideEdit({ branch_id: 'b1', branch_name: 'Centro', price: 'x', available: true }, 'product', 'p1', central)).toBeUndefined();
  });
  it('knows a changed row and counts the branches with their own', () => {
    const row = { branch_id: 'b1', branch_name: 'Centro', price: '35.00', available: true };
    expect(rowChanged({ ...row, price: '35' }, row)).toBe(false);
    expect(rowChanged({ ...row, available: false }, row)).toBe(true);
    expect(overrideCount([{ branch_id: 'b1', entity: 'package', entity_id: 'k', price_cents: null, active: false }], 'package', 'k')).toBe(1);
  });
});
