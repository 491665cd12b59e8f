import { describe, expect, it } from 'vitest';
import type { Branch } from '../../api/types';
import { branchConfig, productConfig, serviceConfig } from './entities';

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

describe('IVA, extra time and the branch’s settings', () => {
  it('sends a product’s IVA rate, 16 % unless chosen', () => {
    expect(productConfig.toBody({ ...productConfig.empty(), name: 'Agua' }, true).iva_rate).toBe('16');
    expect(productConfig.toBody({ ...productConfig.empty(), name: 'Agua', iva_rate: '0' }, false).iva_rate).toBe('0');
  });

  it('sends a service’s extra time and leaves the explanation out', () => {
    const body = serviceConfig.toBody({ ...serviceConfig.empty(), name: '1 hora', extra_block_minutes: 10, extra_block_price_cents: 3000, grace_minutes: 3, iva_rate: 'exento' }, false);
    expect(body).toMatchObject({ extra_block_minutes: 10, extra_block_price_cents: 3000, grace_minutes: 3, iva_rate: 'exento' });
    expect('extra_time' in body).toBe(false);
  });

  it('sends the branch’s legal fields, the RFC in capitals, and keeps the folio prefix when emptied', () => {
    const body = branchConfig.toBody({ ...branchConfig.empty(), name: 'Centro', rfc: ' dki201231ab1 ', legal_name: 'Diversiones SA', folio_prefix: ' ', discount_limit_reception_percent: 15 }, false);
    expect(body).toMatchObject({ rfc: 'DKI201231AB1', legal_name: 'Diversiones SA', folio_prefix: null, discount_limit_reception_percent: 15, phone: '' });
    expect('receipt' in body || 'till_rules' in body).toBe(false);
  });

  it('sends the venue’s capacity, the call before the end, the retention and how the wall names children', () => {
    const body = branchConfig.toBody({ ...branchConfig.empty(), name: 'Centro', capacity: 35, warning_minutes: 10, retention_months: 12, monitor_full_names: true }, false);
    expect(body).toMatchObject({ capacity: 35, warning_minutes: 10, retention_months: 12, monitor_full_names: true });
    expect('venue' in body).toBe(false);
  });

  it('sends the totem’s face (pictures by hash, cleared as ""), never the read-only opening hours', () => {
    const hours = [{ weekday: 1, opens: '10:00', closes: '20:00', closed: false }];
    const values = branchConfig.fromRow({ ...branchConfig.empty(), id: 'b1', opening_hours: hours } as unknown as Branch);
    expect('opening_hours' in values).toBe(false);
    const body = branchConfig.toBody({
      ...values, logo_image: 'ab'.repeat(32), promo_image: '', whatsapp: ' 55 1234 5678 ', totem_message: '¡Ven!', promo_title: '2×1', totem_show_hours: true,
    }, false);
    expect(body).toMatchObject({ logo_image: 'ab'.repeat(32), promo_image: '', whatsapp: '55 1234 5678', totem_message: '¡Ven!', promo_title: '2×1', promo_text: '', totem_show_hours: true });
    expect('totem' in body || 'opening_hours' in body).toBe(false);
  });
});
