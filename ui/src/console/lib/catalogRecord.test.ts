import { describe, expect, it } from 'vitest';
import { catalogRow } from './catalogRecord';

describe('catalogRow', () => {
  it('reads a product record', () => {
    const row = catalogRow({ id: 'p1', device_id: 'cloud', record: { name: 'Churros', category: 'Postres', price_cents: 3500, low_stock_threshold: 2 } });
    expect(row).toMatchObject({ name: 'Churros', category: 'Postres', price_cents: 3500, active: true, low_stock_threshold: 2, duration_minutes: null });
  });
  it('reads a package’s lines and leaves out the malformed ones', () => {
    const row = catalogRow({ id: 'k1', device_id: 'cloud', record: { name: 'Combo', price_cents: 9900,
      items: [{ service_id: 's1', quantity: 1 }, { product_id: 'p1', quantity: 2 }, { quantity: 3 }, 'x'] } });
    expect(row.items).toEqual([{ service_id: 's1', quantity: 1 }, { product_id: 'p1', quantity: 2 }]);
  });
  it('survives a record without the expected fields', () => {
    expect(catalogRow({ id: 'x', device_id: 'cloud', record: null })).toMatchObject({ name: '(sin nombre)', price_cents: 0 });
  });
});
