import type { Payment, PaymentMethod } from '../api/types';

// The hub's rule: payments must cover the total and only cash may exceed it (the excess is change).
// Checking it here first lets the clerk fix the split before anything is sent.

export type PaymentProblem = 'missing' | 'non_cash_over' | 'empty';

export interface PaymentCheck {
  paid: number;
  /** What is still owed (0 when covered). */
  due: number;
  change: number;
  problem: PaymentProblem | null;
}

export function checkPayments(total: number, payments: readonly Payment[]): PaymentCheck {
  const used = payments.filter((p) => p.amount_cents > 0);
  const paid = used.reduce((sum, p) => sum + p.amount_cents, 0);
  const nonCash = used.filter((p) => p.method !== 'cash').reduce((sum, p) => sum + p.amount_cents, 0);
  const due = Math.max(0, total - paid);
  if (used.length === 0 && total > 0) return { paid, due, change: 0, problem: 'empty' };
  if (nonCash > total) return { paid, due, change: 0, problem: 'non_cash_over' };
  if (paid < total) return { paid, due, change: 0, problem: 'missing' };
  return { paid, due: 0, change: paid - total, problem: null };
}

/** The payments to send: zero lines dropped, one line per method. */
export function normalizePayments(payments: readonly Payment[]): Payment[] {
  const byMethod = new Map<PaymentMethod, number>();
  for (const p of payments) {
    if (p.amount_cents > 0) byMethod.set(p.method, (byMethod.get(p.method) ?? 0) + p.amount_cents);
  }
  return [...byMethod].map(([method, amount_cents]) => ({ method, amount_cents }));
}

/** Quick-cash buttons: the exact amount, then the bills a parent is likely to hand over. */
export function quickCashAmounts(total: number): number[] {
  const bills = [2000, 5000, 10000, 20000, 50000, 100000];
  const options = new Set<number>([total]);
  for (const bill of bills) {
    const rounded = Math.ceil(total / bill) * bill;
    if (rounded > total) options.add(rounded);
    if (options.size >= 5) break;
  }
  return [...options].sort((a, b) => a - b);
}
