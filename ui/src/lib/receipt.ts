import type { Sale } from '../api/types';
import { formatMXN } from './money';
import { zonedTime } from './zonedTime';

// The ticket handed to a parent: who sold it (the business's legal name, RFC, address, phone, the
// clerk), what was bought at list price and what was discounted, the total, how it was paid, the
// IVA included by rate, for play time the children it let in, their allergies (bold, so the desk
// and the parent see them) and when it ends, and a check-in's pick-up code, large. It follows the
// hub's printed receipt (crates/receipt/src/layout.rs). Plain HTML sized for an 80 mm receipt
// printer, the same through the browser or the desktop shell, and shown on the screen after the
// sale.

export interface ReceiptLabels {
  sale: string;
  folio: string;
  /** "Le atendió" */
  clerk: string;
  subtotal: string;
  discount: string;
  discounts: string;
  total: string;
  change: string;
  endsAt: string;
  startsAt: string;
  /** "IVA incluido en los precios" */
  ivaIncluded: string;
  base: string;
  iva: string;
  exempt: string;
  /** "Niño/a" and "Niños": whom a play-time line checked in. */
  child: string;
  children: string;
  /** "¡Atención!", before a child's allergies or medical notes. */
  attention: string;
  /** "Código de recogida", and what the guardian does with it. */
  pickupCode: string;
  pickupShow: string;
  /** The closing line when the branch has none of its own. */
  thanks: string;
  methods: Record<'cash' | 'card' | 'transfer', string>;
}

/** What the branch prints at the top and the bottom of its receipts. */
export interface ReceiptBranch {
  name: string;
  legal_name?: string;
  rfc?: string;
  address?: string;
  phone?: string;
  receipt_footer?: string;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const row = (left: string, right: string, cls = '') => `<tr${cls ? ` class="${cls}"` : ''}><td>${left}</td><td>${right}</td></tr>`;

export function receiptHtml(sale: Sale, branch: ReceiptBranch, labels: ReceiptLabels, timeZone: string): string {
  const at = (iso: string) => zonedTime(new Date(iso), timeZone);
  const head = [
    branch.legal_name?.trim() ? `<p class="c">${esc(branch.legal_name.trim())}</p>` : '',
    branch.rfc?.trim() ? `<p class="c">RFC ${esc(branch.rfc.trim())}</p>` : '',
    branch.address?.trim() ? `<p class="c">${esc(branch.address.trim())}</p>` : '',
    branch.phone?.trim() ? `<p class="c">Tel. ${esc(branch.phone.trim())}</p>` : '',
    `<p class="c">${sale.folio ? `${esc(labels.folio)} ${esc(sale.folio)}` : `${esc(labels.sale)} #${sale.number}`} · ${esc(sale.business_day)} ${at(sale.created_at)}</p>`,
    sale.user_name?.trim() ? `<p class="c">${esc(labels.clerk)}: ${esc(sale.user_name.trim())}</p>` : '',
  ].join('');
  const lines = sale.items
    .map((i) => {
      const off = i.discount_cents ?? 0;
      const listed = i.gross_cents ?? i.total_cents + off;
      const names = (i.children?.length ? i.children : i.child ? [i.child] : []).map((c) => esc(c.name));
      const who = names.length ? `<br><small>${esc(names.length === 1 ? labels.child : labels.children)}: ${names.join(', ')}</small>` : '';
      return (
        row(`${i.quantity}× ${esc(i.name)}${who}`, formatMXN(listed)) +
        (off > 0 ? row(`&nbsp;&nbsp;${esc(labels.discount)}`, `−${formatMXN(off)}`, 'off') : '')
      );
    })
    .join('');
  // What the desk must not miss about a child, right under what was bought, as the hub prints it.
  const alerts = sale.timers
    .filter((t) => t.child_notes?.trim())
    .map((t) => `<tr class="alert"><td colspan="2">${esc(labels.attention)} ${esc(t.child_name)}: ${esc(t.child_notes?.trim() ?? '')}</td></tr>`)
    .join('');
  const discount = sale.discount_cents ?? 0;
  const discounts =
    discount > 0
      ? row(esc(labels.subtotal), formatMXN(sale.gross_cents ?? sale.total_cents + discount), 'rule') +
        row(`${esc(labels.discounts)}${sale.discount_reason?.trim() ? ` <small>(${esc(sale.discount_reason.trim())})</small>` : ''}`, `−${formatMXN(discount)}`, 'off')
      : '';
  const payments = sale.payments.map((p) => row(esc(labels.methods[p.method]), formatMXN(p.amount_cents))).join('');
  const change = sale.change_cents > 0 ? row(esc(labels.change), formatMXN(sale.change_cents)) : '';
  const taxes = (sale.taxes ?? [])
    .map((t) =>
      t.rate === 'exento'
        ? row(esc(labels.exempt), formatMXN(t.total_cents))
        : row(`${esc(labels.base)} ${t.rate} %`, formatMXN(t.subtotal_cents)) + row(`${esc(labels.iva)} ${t.rate} %`, formatMXN(t.iva_cents)),
    )
    .join('');
  const timers = sale.timers
    .map((t) =>
      t.state === 'scheduled'
        ? `<p>${esc(t.child_name)}: ${esc(labels.startsAt)} ${at(t.starts_at ?? sale.created_at)}</p>`
        : `<p>${esc(t.child_name)}: ${esc(labels.endsAt)} ${t.ends_at ? at(t.ends_at) : '—'}</p>`,
    )
    .join('');
  const code = sale.pickup_code?.trim();
  const pickup = code
    ? `<div class="pickup"><p>${esc(labels.pickupCode)}</p><p class="code">${esc(code)}</p><p>${esc(labels.pickupShow)}</p></div>`
    : '';
  const footer = branch.receipt_footer?.trim() || labels.thanks;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(branch.name)} ${esc(sale.folio ?? `#${sale.number}`)}</title>
<style>@page{size:80mm auto;margin:4mm}body{font-family:sans-serif;font-size:12px;width:72mm;margin:0 auto}
h1{font-size:16px;text-align:center;margin:0 0 4px}table{width:100%;border-collapse:collapse}td:last-child{text-align:right;white-space:nowrap}
.rule td{border-top:1px dashed #000}.total td{font-weight:bold;border-top:1px solid #000;font-size:14px}p{margin:3px 0}.c{text-align:center}
.iva{margin-top:6px;border-top:1px dashed #000}.alert td{text-align:left;font-weight:bold;white-space:normal}
.pickup{margin-top:8px;padding-top:4px;border-top:1px dashed #000;text-align:center}.pickup .code{font-size:34px;font-weight:bold;letter-spacing:6px;padding-left:6px;margin:2px 0}
.foot{margin-top:8px;text-align:center;white-space:pre-line}</style></head><body>
<h1>${esc(branch.name)}</h1>${head}
<table>${lines}${alerts}${discounts}${row(esc(labels.total), formatMXN(sale.total_cents), 'total')}${payments}${change}</table>
${taxes ? `<div class="iva"><p>${esc(labels.ivaIncluded)}</p><table>${taxes}</table></div>` : ''}
${timers}${pickup}<p class="foot">${esc(footer)}</p></body></html>`;
}

/** A receipt the hub laid out as text (a reprint marked COPIA), as a page to print on 80 mm paper. */
export function copyHtml(text: string, title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>@page{size:80mm auto;margin:4mm}body{margin:0}pre{font-family:monospace;font-size:11px;line-height:1.3;margin:0;white-space:pre}</style>
</head><body><pre>${esc(text)}</pre></body></html>`;
}
