import type { DayClosing } from '../../api/types';
import { formatMXN } from '../../lib/money';

// The printable day-closing sheet (arqueo) handed to the manager. Plain HTML so the web and the
// desktop printer paths print the same thing.

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function closingReportHtml(closing: DayClosing, labels: Record<'title' | 'expected' | 'counted' | 'difference' | 'cash' | 'card' | 'transfer', string>): string {
  const row = (name: string, expected: number, counted: number | undefined) =>
    `<tr><td>${esc(name)}</td><td>${formatMXN(expected)}</td><td>${counted === undefined ? '—' : formatMXN(counted)}</td></tr>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(labels.title)}</title>
<style>body{font-family:sans-serif;margin:24px}td,th{padding:6px 12px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body><h1>${esc(labels.title)} ${esc(closing.business_day)}</h1>
<table><tr><th></th><th>${esc(labels.expected)}</th><th>${esc(labels.counted)}</th></tr>
${row(labels.cash, closing.expected.cash_cents, closing.counted.cash_cents)}
${row(labels.card, closing.expected.card_cents, closing.counted.card_cents)}
${row(labels.transfer, closing.expected.transfer_cents, closing.counted.transfer_cents)}
</table><h2>${esc(labels.difference)}: ${formatMXN(closing.difference_cents)}</h2>
<p>${esc(closing.closed_at)}</p></body></html>`;
}
