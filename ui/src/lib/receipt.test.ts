import { describe, expect, it } from 'vitest';
import type { Sale } from '../api/types';
import { copyHtml, receiptHtml } from './receipt';

const labels = {
  title: 'Kidyboard', sale: 'Venta', total: 'Total', change: 'Cambio', endsAt: 'termina', startsAt: 'inicia',
  methods: { cash: 'Efectivo', card: 'Tarjeta', transfer: 'Transferencia' },
};

const sale = {
  id: 's', number: 7, business_day: '2026-11-22', created_at: '2026-11-22T18:00:00Z', user_id: 'u',
  total_cents: 17500, paid_cents: 20000, change_cents: 2500, note: null,
  items: [
    { kind: 'service', name: '1 hora de juego', quantity: 1, unit_price_cents: 15000, total_cents: 15000, child: { name: 'Sofía <3' } },
    { kind: 'product', name: 'Jugo', quantity: 1, unit_price_cents: 2500, total_cents: 2500 },
  ],
  payments: [{ method: 'cash', amount_cents: 20000 }],
  timers: [{ child_name: 'Sofía <3', state: 'running', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z' }],
} as unknown as Sale;

describe('receiptHtml', () => {
  const html = receiptHtml(sale, labels, 'America/Mexico_City');

  it('lists totals, payment and change in pesos', () => {
    expect(html).toContain('$175.00');
    expect(html).toContain('Efectivo</td><td>$200.00');
    expect(html).toContain('Cambio</td><td>$25.00');
  });

  it('says when play time ends on the branch clock', () => {
    expect(html).toContain('termina 13:00');
  });

  it('escapes names', () => {
    expect(html).not.toContain('Sofía <3');
    expect(html).toContain('Sofía &#60;3');
  });
});

describe('copyHtml', () => {
  it('prints the hub’s text as it is, escaped', () => {
    const html = copyHtml('  COPIA\n1 x Jugo <manzana> & pan', 'Copia A-000001');
    expect(html).toContain('<pre>  COPIA\n1 x Jugo &#60;manzana&#62; &#38; pan</pre>');
    expect(html).toContain('<title>Copia A-000001</title>');
  });
});
