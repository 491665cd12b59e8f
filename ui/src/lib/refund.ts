import type { Payment, PaymentMethod, Refund, Authorization, RefundRequest, Sale, SaleItem } from '../api/types';

// The refund dialog's arithmetic, the hub's rules (crates/core/src/refunds.rs) applied to what the
// sale page already holds, so the clerk sees what goes back, and by which method, before sending.
// The hub recomputes all of it; its answer is the record.

/** How many units of each line (by the line's `id`) go back, and whether they came back damaged. */
export interface LineChoice {
  quantity: number;
  damaged: boolean;
}
export type RefundSelection = Record<string, LineChoice>;

/** How the money goes back: as it was paid (the hub decides), or all by one method. */
export type RefundMethod = 'as_paid' | PaymentMethod;

/** Units of a line not refunded yet. */
export function leftOf(item: SaleItem): number {
  return Math.max(0, item.quantity - (item.refunded_quantity ?? 0));
}

/** Play time and packages go back whole; only products may go back a few units at a time. */
export function splittable(item: SaleItem): boolean {
  return item.kind === 'product';
}

/** What earlier refunds gave back per line (by line id). */
export function refundedByLine(refunds: readonly Refund[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of refunds) for (const i of r.items) out.set(i.item_id, (out.get(i.item_id) ?? 0) + i.total_cents);
  return out;
}

/**
 * What `quantity` more units of a line give back: their share of the line's total; the last
 * units take whatever rounding left, so a line refunded in parts gives back exactly its total.
 */
export function lineShare(item: SaleItem, quantity: number, alreadyRefundedCents: number): number {
  if (quantity <= 0) return 0;
  if ((item.refunded_quantity ?? 0) + quantity >= item.quantity) return item.total_cents - alreadyRefundedCents;
  return Math.floor((item.total_cents * quantity) / item.quantity);
}

/** The money the selection gives back. */
export function refundTotal(sale: Sale, selection: RefundSelection, refunds: readonly Refund[]): number {
  const done = refundedByLine(refunds);
  let total = 0;
  for (const item of sale.items) {
    const id = item.id;
    if (!id) continue;
    const quantity = Math.min(selection[id]?.quantity ?? 0, leftOf(item));
    total += lineShare(item, quantity, done.get(id) ?? 0);
  }
  return total;
}

/**
 * What each method may still give back, in the order of the sale's payments: what it took (cash
 * less the change handed back) less what earlier refunds gave back by it.
 */
export function methodRoom(sale: Sale, refunds: readonly Refund[]): Payment[] {
  const room: Payment[] = [];
  for (const p of sale.payments) {
    const seen = room.find((r) => r.method === p.method);
    if (seen) seen.amount_cents += p.amount_cents;
    else room.push({ method: p.method, amount_cents: p.amount_cents });
  }
  const cash = room.find((r) => r.method === 'cash');
  if (cash) cash.amount_cents -= sale.change_cents;
  for (const r of refunds) {
    for (const p of r.payments) {
      const seen = room.find((x) => x.method === p.method);
      if (seen) seen.amount_cents -= p.amount_cents;
    }
  }
  return room;
}

/** The default split of a refund: by the sale's methods, in order, each up to its room. */
export function defaultSplit(room: readonly Payment[], total: number): Payment[] {
  let left = total;
  const out: Payment[] = [];
  for (const r of room) {
    const take = Math.min(left, Math.max(0, r.amount_cents));
    if (take > 0) {
      out.push({ method: r.method, amount_cents: take });
      left -= take;
    }
  }
  return out;
}

/** What goes back by method, as the dialog shows it. */
export function refundSplit(method: RefundMethod, room: readonly Payment[], total: number): Payment[] {
  if (total <= 0) return [];
  return method === 'as_paid' ? defaultSplit(room, total) : [{ method, amount_cents: total }];
}

/** Everything not yet refunded: the "todo / anular" choice. */
export function wholeSelection(sale: Sale): RefundSelection {
  const out: RefundSelection = {};
  for (const item of sale.items) if (item.id && leftOf(item) > 0) out[item.id] = { quantity: leftOf(item), damaged: false };
  return out;
}

/** Does the selection take back everything that is left? */
export function coversAll(sale: Sale, selection: RefundSelection): boolean {
  const lines = sale.items.filter((i) => i.id && leftOf(i) > 0);
  return lines.length > 0 && lines.every((i) => (selection[i.id as string]?.quantity ?? 0) >= leftOf(i));
}

/** The request body. Everything left with nothing damaged goes as a void (no `items`). */
export function refundRequest(
  sale: Sale,
  selection: RefundSelection,
  reason: string,
  options: { method?: RefundMethod; total?: number; authorization?: Authorization | null } = {},
): RefundRequest {
  const lines = sale.items.filter((i) => i.id && (selection[i.id]?.quantity ?? 0) > 0);
  const damaged = lines.some((i) => splittable(i) && selection[i.id as string]?.damaged);
  const body: RefundRequest = { reason: reason.trim() };
  if (!coversAll(sale, selection) || damaged) {
    body.items = lines.map((i) => {
      const choice = selection[i.id as string] as LineChoice;
      const line: NonNullable<RefundRequest['items']>[number] = { item_id: i.id as string, quantity: Math.min(choice.quantity, leftOf(i)) };
      if (choice.damaged && splittable(i)) line.damaged = true;
      return line;
    });
  }
  const method = options.method ?? 'as_paid';
  if (method !== 'as_paid' && options.total !== undefined) body.refund_payments = [{ method, amount_cents: options.total }];
  if (options.authorization) body.authorization = options.authorization;
  return body;
}

/** The quick reasons offered as chips (message keys); free text can replace them. */
export const QUICK_REASONS = ['refund.reason.wrongItem', 'refund.reason.damaged', 'refund.reason.unhappy', 'refund.reason.chargeError'] as const;
