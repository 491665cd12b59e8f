import { describe, expect, it } from 'vitest';
import { productConfig } from './entities';

describe('product form body', () => {
  const values = { ...productConfig.empty(), name: ' Paleta ', price_cents: 2500, image_url: '', barcode: '' };

  it('leaves empty optional text out of a new product', () => {
    const body = productConfig.toBody(values, true);
    expect(body.name).toBe('Paleta');
    expect(body.image_url).toBeNull();
    expect(body.stock).toBe(0);
  });

  it('sends emptied text as "" on a change, so the hub clears it', () => {
    const body = productConfig.toBody({ ...values, image_url: '  ' }, false);
    expect(body.image_url).toBe('');
    expect(body.barcode).toBe('');
    expect('stock' in body).toBe(false);
  });

  it('sends an uploaded picture address as it is', () => {
    const url = `/img/${'cd'.repeat(32)}`;
    expect(productConfig.toBody({ ...values, image_url: url }, false).image_url).toBe(url);
  });
});
