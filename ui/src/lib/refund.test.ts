import { describe, expect, it } from 'vitest';
import type { Refund, Sale, SaleItem } from '../api/types';
import { coversAll, defaultSplit, lineShare, methodRoom, refundRequest, refundSplit, refundTotal, wholeSelection } from './refund';

function item(position: number, over: Partial<SaleItem>): SaleItem {
  return { id: `S.${position}`, kind: 'product', name: `p${position}`, quantity: 1, unit_price_cents: 1000, total_cents: 1000, refunded_quantity: 0, ...over };
}

function sale(over: Partial<Sale> = {}): Sale {
  return {
    id: 'S', number: 1, folio: 'A-000001', business_day: '2026-12-06', created_at: '2026-12-06T18:00:00Z', user_id: 'U',
    total_cents: 6200, paid_cents: 7000, change_cents: 800, note: '',
    items: [item(0, { quantity: 2, unit_price_cents: 2000, total_cents: 4000 }), item(1, { unit_price_cents: 2200, total_cents: 2200 })],
    payments: [{ method: 'cash', amount_cents: 5000 }, { method: 'card', amount_cents: 2000 }],
    timers: [], refunded_cents: 0, refunds: [], ...over,
  };
}

function refund(items: Refund['items'], payments: Refund['payments']): Refund {
  const total = items.reduce((s, i) => s + i.total_cents, 0);
  return { id: 'R', number: 1, folio: 'A-D000001', sale_id: 'S', sale_folio: 'A-000001', business_day: '2026-12-06', created_at: '', user_id: 'U', reason: 'x', total_cents: total, is_void: false, items, payments };
}

describe('lineShare', () => {
  it('gives back the units’ share, the last units taking what rounding left', () => {
    const line = item(0, { quantity: 3, total_cents: 1000 });
    expect(lineShare(line, 1, 0)).toBe(333);
    expect(lineShare({ ...line, refunded_quantity: 1 }, 1, 333)).toBe(333);
    expect(lineShare({ ...line, refunded_quantity: 2 }, 1, 666)).toBe(334);
    expect(lineShare(line, 3, 0)).toBe(1000);
    expect(lineShare(line, 0, 0)).toBe(0);
  });
});

describe('refundTotal', () => {
  it('adds the chosen lines and caps each at what is left', () => {
    const s = sale();
    expect(refundTotal(s, { 'S.1': { quantity: 1, damaged: false } }, [])).toBe(2200);
    expect(refundTotal(s, { 'S.0': { quantity: 1, damaged: false }, 'S.1': { quantity: 5, damaged: false } }, [])).toBe(4200);
  });
});

describe('methodRoom and the default split', () => {
  it('gives cash back first (less the change), then card', () => {
    const room = methodRoom(sale(), []);
    expect(room).toEqual([{ method: 'cash', amount_cents: 4200 }, { method: 'card', amount_cents: 2000 }]);
    expect(defaultSplit(room, 2200)).toEqual([{ method: 'cash', amount_cents: 2200 }]);
    expect(defaultSplit(room, 6200)).toEqual([{ method: 'cash', amount_cents: 4200 }, { method: 'card', amount_cents: 2000 }]);
  });

  it('takes off what earlier refunds gave back by each method', () => {
    const earlier = refund([{ item_id: 'S.0', kind: 'product', name: 'p0', quantity: 2, total_cents: 4000, damaged: false }], [{ method: 'cash', amount_cents: 4000 }]);
    const room = methodRoom(sale(), [earlier]);
    expect(room).toEqual([{ method: 'cash', amount_cents: 200 }, { method: 'card', amount_cents: 2000 }]);
    expect(refundSplit('as_paid', room, 2200)).toEqual([{ method: 'cash', amount_cents: 200 }, { method: 'card', amount_cents: 2000 }]);
  });

  it('puts everything on one method when the clerk picks it', () => {
    expect(refundSplit('transfer', methodRoom(sale(), []), 2200)).toEqual([{ method: 'transfer', amount_cents: 2200 }]);
    expect(refundSplit('cash', [], 0)).toEqual([]);
  });
});

describe('refundRequest', () => {
  const auth = { username: 'admin', pin: '2468' };

  it('sends the chosen lines, the trimmed reason and the supervisor', () => {
    const body = refundRequest(sale(), { 'S.1': { quantity: 1, damaged: false }, 'S.0': { quantity: 0, damaged: false } }, '  sabor  ', { authorization: auth });
    expect(body).toEqual({ reason: 'sabor', items: [{ item_id: 'S.1', quantity: 1 }], authorization: auth });
  });

  it('marks damaged products only', () => {
    const s = sale({ items: [item(0, { quantity: 2, total_cents: 2000 }), item(1, { kind: 'service' })] });
    const body = refundRequest(s, { 'S.0': { quantity: 1, damaged: true }, 'S.1': { quantity: 1, damaged: true } }, 'x');
    expect(body.items).toEqual([{ item_id: 'S.0', quantity: 1, damaged: true }, { item_id: 'S.1', quantity: 1 }]);
  });

  it('sends everything that is left as a void, unless something came back damaged', () => {
    const s = sale();
    const all = wholeSelection(s);
    expect(coversAll(s, all)).toBe(true);
    expect(refundRequest(s, all, 'anulada')).toEqual({ reason: 'anulada' });
    const broken = { ...all, 'S.0': { quantity: 2, damaged: true } };
    expect(refundRequest(s, broken, 'x').items).toHaveLength(2);
  });

  it('leaves out lines already refunded from “everything”', () => {
    const s = sale({ items: [item(0, { quantity: 2, total_cents: 4000, refunded_quantity: 1 }), item(1, { refunded_quantity: 1 })] });
    expect(wholeSelection(s)).toEqual({ 'S.0': { quantity: 1, damaged: false } });
  });

  it('names one method only when the clerk chose it', () => {
    const body = refundRequest(sale(), { 'S.1': { quantity: 1, damaged: false } }, 'x', { method: 'card', total: 2200 });
    expect(body.refund_payments).toEqual([{ method: 'card', amount_cents: 2200 }]);
    expect(refundRequest(sale(), { 'S.1': { quantity: 1, damaged: false } }, 'x', { method: 'as_paid', total: 2200 }).refund_payments).toBeUndefined();
  });
});
