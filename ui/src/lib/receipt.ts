import type { Sale } from '../api/types';
import { formatMXN } from './money';
import { zonedTime } from './zonedTime';

// The ticket handed to a parent: what was bought, how it was paid, and for play time when it ends.
// Plain HTML sized for an 80 mm receipt printer, the same through the browser or the desktop shell.

export interface ReceiptLabels {
  title: string;
  sale: string;
  total: string;
  change: string;
  endsAt: string;
  startsAt: string;
  methods: Record<'cash' | 'card' | 'transfer', string>;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function receiptHtml(sale: Sale, labels: ReceiptLabels, timeZone: string): string {
  const at = (iso: string) => zonedTime(new Date(iso), timeZone);
  const lines = sale.items
    .map((i) => `<tr><td>${i.quantity}× ${esc(i.name)}${i.child ? `<br><small>${esc(i.child.name)}</small>` : ''}</td><td>${formatMXN(i.total_cents)}</td></tr>`)
    .join('');
  const payments = sale.payments.map((p) => `<tr><td>${esc(labels.methods[p.method])}</td><td>${formatMXN(p.amount_cents)}</td></tr>`).join('');
  const timers = sale.timers
    .map((t) =>
      t.state === 'scheduled'
        ? `<p>${esc(t.child_name)}: ${esc(labels.startsAt)} ${at(t.starts_at ?? sale.created_at)}</p>`
        : `<p>${esc(t.child_name)}: ${esc(labels.endsAt)} ${t.ends_at ? at(t.ends_at) : '—'}</p>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(labels.title)} #${sale.number}</title>
<style>@page{size:80mm auto;margin:4mm}body{font-family:sans-serif;font-size:12px;width:72mm;margin:0}
h1{font-size:16px;text-align:center;margin:0 0 4px}table{width:100%;border-collapse:collapse}td:last-child{text-align:right}
.total td{font-weight:bold;border-top:1px solid #000;font-size:14px}p{margin:4px 0}</style></head><body>
<h1>${esc(labels.title)}</h1><p>${esc(labels.sale)} #${sale.number} · ${esc(sale.business_day)} ${at(sale.created_at)}</p>
<table>${lines}<tr class="total"><td>${esc(labels.total)}</td><td>${formatMXN(sale.total_cents)}</td></tr>${payments}
${sale.change_cents > 0 ? `<tr><td>${esc(labels.change)}</td><td>${formatMXN(sale.change_cents)}</td></tr>` : ''}</table>
${timers}</body></html>`;
}

/** A receipt the hub laid out as text (a reprint marked COPIA), as a page to print on 80 mm paper. */
export function copyHtml(text: string, title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>@page{size:80mm auto;margin:4mm}body{margin:0}pre{font-family:monospace;font-size:11px;line-height:1.3;margin:0;white-space:pre}</style>
</head><body><pre>${esc(text)}</pre></body></html>`;
}
