import type { DayClosing } from '../../api/types';
import { formatMXN } from '../../lib/money';
import { cashBreakdown } from '../../lib/till';
import { zonedTime } from '../../lib/zonedTime';

// The printable day-closing sheet (arqueo) handed to the manager: expected vs counted, how the
// expected cash adds up, the first count after a recount, and the corrections since. Plain HTML
// so the web and the desktop printer paths print the same thing.

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export type ClosingLabels = Record<
  'title' | 'expected' | 'counted' | 'difference' | 'cash' | 'card' | 'transfer' | 'float' | 'cashSales' | 'drops' | 'deposits' | 'firstCount' | 'amendments',
  string
>;

export function closingReportHtml(closing: DayClosing, labels: ClosingLabels, timeZone: string): string {
  const row = (name: string, expected: number, counted: number) =>
    `<tr><td>${esc(name)}</td><td>${formatMXN(expected)}</td><td>${formatMXN(counted)}</td><td>${formatMXN(counted - expected)}</td></tr>`;
  const line = (name: string, cents: number) => `<tr><td>${esc(name)}</td><td>${formatMXN(cents)}</td></tr>`;
  const cash = cashBreakdown(closing);
  const first = closing.first_count_cash_cents != null ? `<p>${esc(labels.firstCount)}: ${formatMXN(closing.first_count_cash_cents)}</p>` : '';
  const amendments = (closing.amendments ?? [])
    .map((a) => `<li>${zonedTime(new Date(a.created_at), timeZone)} · ${esc(labels.cash)} ${formatMXN(a.counted.cash_cents)} · ${esc(labels.difference)} ${formatMXN(a.difference_cents)} · ${esc(a.reason)}</li>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(labels.title)}</title>
<style>body{font-family:sans-serif;margin:24px}td,th{padding:6px 12px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body><h1>${esc(labels.title)} ${esc(closing.business_day)}</h1>
<table><tr><th></th><th>${esc(labels.expected)}</th><th>${esc(labels.counted)}</th><th>${esc(labels.difference)}</th></tr>
${row(labels.cash, closing.expected.cash_cents, closing.counted.cash_cents)}
${row(labels.card, closing.expected.card_cents, closing.counted.card_cents)}
${row(labels.transfer, closing.expected.transfer_cents, closing.counted.transfer_cents)}
</table><h2>${esc(labels.difference)}: ${formatMXN(closing.difference_cents)}</h2>
<table>${line(labels.float, cash.float_cents)}${line(`+ ${labels.cashSales}`, cash.sales_cents)}${line(`− ${labels.drops}`, cash.drops_cents)}${line(`+ ${labels.deposits}`, cash.deposits_cents)}${line(`= ${labels.expected}`, cash.expected_cents)}</table>
${first}${amendments ? `<h2>${esc(labels.amendments)}</h2><ol>${amendments}</ol>` : ''}
<p>${esc(closing.closed_at)}</p></body></html>`;
}
