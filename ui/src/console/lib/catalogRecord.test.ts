import { describe, expect, it } from 'vitest';
import { catalogRow } from './catalogRecord';

describe('catalogRow', () => {
  it('reads a product record', () => {
    const row = catalogRow({ id: 'p1', device_id: 'cloud', record: { name: 'Churros', category: 'Postres', price_cents: 3500, low_stock_threshold: 2 } });
    expect(row).toMatchObject({ name: 'Churros', category: 'Postres', price_cents: 3500, active: true, low_stock_threshold: 2, duration_minutes: null });
  });
  it('survives a record without the expected fields', () => {
    expect(catalogRow({ id: 'x', device_id: 'cloud', record: null })).toMatchObject({ name: '(sin nombre)', price_cents: 0 });
  });
});
