import { describe, expect, it } from 'vitest';
import type { Sale } from '../api/types';
import { copyHtml, receiptHtml } from './receipt';

const labels = {
  sale: 'Venta', folio: 'Folio', clerk: 'Le atendió', subtotal: 'Subtotal', discount: 'Descuento', discounts: 'Descuentos',
  total: 'Total', change: 'Cambio', endsAt: 'termina', startsAt: 'inicia', ivaIncluded: 'IVA incluido en los precios',
  base: 'Base', iva: 'IVA', exempt: 'Exento', thanks: '¡Gracias por su visita!',
  child: 'Niño/a', children: 'Niños', attention: '¡Atención!', pickupCode: 'Código de recogida',
  pickupShow: 'Muéstrelo para recoger a los niños. Solo lo entregamos a los adultos autorizados.',
  methods: { cash: 'Efectivo', card: 'Tarjeta', transfer: 'Transferencia' },
};
const branch = {
  name: 'Kidyboard Centro', legal_name: 'Diversiones Kidyboard S.A. de C.V.', rfc: 'DKI201231AB1',
  address: 'Av. Siempre Viva 742', phone: '55 5555 0123', receipt_footer: 'Vuelve pronto & juega',
};

const sale = {
  id: 's', number: 7, folio: 'A-000007', business_day: '2026-11-22', created_at: '2026-11-22T18:00:00Z', user_id: 'u',
  user_name: 'Recepción Demo', total_cents: 17500, paid_cents: 20000, change_cents: 2500, note: null,
  gross_cents: 19444, discount_cents: 1944, discount_reason: 'cliente frecuente',
  items: [
    { kind: 'service', name: '1 hora de juego', quantity: 1, unit_price_cents: 16667, gross_cents: 16667, discount_cents: 1667, total_cents: 15000,
      iva_rate: '16', iva_cents: 2069, child: { name: 'Sofía <3' } },
    { kind: 'product', name: 'Jugo', quantity: 1, unit_price_cents: 2777, gross_cents: 2777, discount_cents: 277, total_cents: 2500, iva_rate: 'exento', iva_cents: 0 },
  ],
  taxes: [
    { rate: '16', subtotal_cents: 12931, iva_cents: 2069, total_cents: 15000 },
    { rate: 'exento', subtotal_cents: 2500, iva_cents: 0, total_cents: 2500 },
  ],
  payments: [{ method: 'cash', amount_cents: 20000 }],
  timers: [{ child_name: 'Sofía <3', state: 'running', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z' }],
} as unknown as Sale;

describe('receiptHtml', () => {
  const html = receiptHtml(sale, branch, labels, 'America/Mexico_City');

  it('lists totals, payment and change in pesos', () => {
    expect(html).toContain('$175.00');
    expect(html).toContain('Efectivo</td><td>$200.00');
    expect(html).toContain('Cambio</td><td>$25.00');
  });

  it('says when play time ends on the branch clock', () => {
    expect(html).toContain('termina 13:00');
  });

  it('says who sells: legal name, RFC, address, phone, the clerk, the folio', () => {
    expect(html).toContain('<h1>Kidyboard Centro</h1>');
    expect(html).toContain('Diversiones Kidyboard S.A. de C.V.');
    expect(html).toContain('RFC DKI201231AB1');
    expect(html).toContain('Av. Siempre Viva 742');
    expect(html).toContain('Tel. 55 5555 0123');
    expect(html).toContain('Folio A-000007');
    expect(html).toContain('Le atendió: Recepción Demo');
    expect(html).toContain('Vuelve pronto &#38; juega');
  });

  it('once paid says «Total», with the lines at list price and the discounts apart', () => {
    expect(html).toContain('<tr class="total"><td>Total</td><td>$175.00</td></tr>');
    expect(html).not.toContain('a cobrar');
    expect(html).toContain('1× 1 hora de juego');
    expect(html).toContain('<td>$166.67</td>'); // the play time's list price
    expect(html).toContain('Descuento</td><td>−$16.67');
    expect(html).toContain('Subtotal</td><td>$194.44');
    expect(html).toContain('Descuentos <small>(cliente frecuente)</small></td><td>−$19.44');
  });

  it('breaks down the IVA included by rate', () => {
    expect(html).toContain('IVA incluido en los precios');
    expect(html).toContain('Base 16 %</td><td>$129.31');
    expect(html).toContain('IVA 16 %</td><td>$20.69');
    expect(html).toContain('Exento</td><td>$25.00');
  });

  it('without discounts, legal data or taxes it prints only what there is', () => {
    const plain = receiptHtml({ ...sale, discount_cents: 0, gross_cents: 17500, taxes: [], user_name: '', items: sale.items.map((i) => ({ ...i, discount_cents: 0, gross_cents: i.total_cents })) },
      { name: 'Kidyboard' }, labels, 'America/Mexico_City');
    expect(plain).not.toContain('Descuento');
    expect(plain).not.toContain('RFC');
    expect(plain).not.toContain('IVA incluido');
    expect(plain).not.toContain('Le atendió');
    expect(plain).toContain('¡Gracias por su visita!');
  });

  it('names the child a play-time line is for', () => {
    expect(html).toContain('1× 1 hora de juego<br><small>Niño/a: Sofía &#60;3</small>');
  });

  it('without a pick-up code or notes prints neither', () => {
    expect(html).not.toContain('Código de recogida');
    expect(html).not.toContain('¡Atención!');
  });

  it('escapes names', () => {
    expect(html).not.toContain('Sofía <3');
    expect(html).toContain('Sofía &#60;3');
  });
});

describe('receiptHtml of a check-in', () => {
  // Two children of one family on one line, one timer each, one pick-up code for both.
  const checkin = {
    ...sale, discount_cents: 0, gross_cents: 30000, total_cents: 30000, paid_cents: 30000, change_cents: 0, taxes: [], pickup_code: '4821',
    items: [{ kind: 'service', name: '1 hora de juego', quantity: 2, unit_price_cents: 15000, gross_cents: 30000, discount_cents: 0,
      total_cents: 30000, iva_rate: '16', iva_cents: 4138, child: null,
      children: [{ name: 'Sofía López', child_id: 'c1', timer_id: 't1' }, { name: 'Mateo <López>', child_id: 'c2', timer_id: 't2' }] }],
    payments: [{ method: 'card', amount_cents: 30000 }],
    timers: [
      { child_name: 'Sofía López', child_notes: '  Alergia al cacahuate & al huevo ', pickup_code: '4821', state: 'running', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z' },
      { child_name: 'Mateo <López>', child_notes: '', pickup_code: '4821', state: 'running', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z' },
    ],
  } as unknown as Sale;
  const html = receiptHtml(checkin, branch, labels, 'America/Mexico_City');

  it('names the children on their line, as the hub’s receipt does', () => {
    expect(html).toContain('2× 1 hora de juego<br><small>Niños: Sofía López, Mateo &#60;López&#62;</small>');
  });

  it('prints a child’s allergies in bold, only for the children who have notes', () => {
    expect(html).toContain('<tr class="alert"><td colspan="2">¡Atención! Sofía López: Alergia al cacahuate &#38; al huevo</td></tr>');
    expect(html.match(/¡Atención!/g)).toHaveLength(1);
    expect(html).toMatch(/\.alert td\{[^}]*font-weight:bold/);
  });

  it('prints the pick-up code large near the bottom, with what to do with it', () => {
    expect(html).toContain(
      '<div class="pickup"><p>Código de recogida</p><p class="code">4821</p>' +
        '<p>Muéstrelo para recoger a los niños. Solo lo entregamos a los adultos autorizados.</p></div>',
    );
    expect(html).toMatch(/\.pickup \.code\{font-size:34px;font-weight:bold/);
    // After the totals and the play time, before the branch's closing line.
    expect(html.indexOf('class="pickup"')).toBeGreaterThan(html.indexOf('Mateo &#60;López&#62;: termina 13:00'));
    expect(html.indexOf('class="pickup"')).toBeLessThan(html.indexOf('class="foot"'));
  });
});

describe('copyHtml', () => {
  it('prints the hub’s text as it is, escaped', () => {
    const html = copyHtml('  COPIA\n1 x Jugo <manzana> & pan', 'Copia A-000001');
    expect(html).toContain('<pre>  COPIA\n1 x Jugo &#60;manzana&#62; &#38; pan</pre>');
    expect(html).toContain('<title>Copia A-000001</title>');
  });
});
