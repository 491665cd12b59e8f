import { branches, packages, products, services, users } from '../../api/endpoints';
import type {
  Branch, CatalogEntity, Id, ItemList, Package, PackageItem, Product, Role, Service, User,
} from '../../api/types';
import type { MessageKey } from '../../i18n/index.svelte';
import { formatDuration } from '../../lib/duration';
import { formatMXN } from '../../lib/money';

// How each catalogue entity appears in admin: its table columns and its form fields. Form field
// names are the API's own, so a {field} in a hub error points straight at the input to highlight.

export type FieldKind = 'text' | 'textarea' | 'money' | 'int' | 'bool' | 'select' | 'password' | 'items' | 'image' | 'picture' | 'note' | 'color';
export type FormValue = string | number | boolean | null | PackageItem[];
export type FormValues = Record<string, FormValue>;

export interface FieldDef {
  name: string;
  label: MessageKey;
  kind: FieldKind;
  required?: boolean;
  /** Only set when creating (stock after creation moves through adjustments; usernames are keys). */
  createOnly?: boolean;
  /** A select's choices: a label as it is, or a message key (translated when shown). */
  options?: { value: string; label?: string; key?: MessageKey }[];
  /** Under the input: what the field does, in a sentence. */
  hint?: MessageKey;
  /** An `items` field that holds products only (a party package's), not services. */
  productsOnly?: boolean;
  /** A text field's longest value, as the hub allows it. */
  maxLength?: number;
}

export interface Column<T> {
  key: string;
  label: MessageKey;
  cell: (row: T) => string;
  numeric?: boolean;
}

export interface EntityConfig<T extends { id: Id }> {
  entity: CatalogEntity;
  columns: Column<T>[];
  fields: FieldDef[];
  title: (row: T) => string;
  empty: () => FormValues;
  fromRow: (row: T) => FormValues;
  toBody: (values: FormValues, creating: boolean) => Record<string, unknown>;
  api: {
    list: (params?: Record<string, string | undefined>) => Promise<ItemList<T>>;
    create: (body: never) => Promise<T>;
    update: (id: string, body: never) => Promise<T>;
    remove?: (id: string) => Promise<void>;
  };
  listParams?: Record<string, string>;
}

const str = (v: FormValue): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const num = (v: FormValue): number => (typeof v === 'number' ? v : Number(v) || 0);
export const yes = (active: boolean) => (active ? '✓' : '—');

/** Only the fields the form shows, in the API's shape. */
export function formBody(fields: FieldDef[], values: FormValues, creating: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.kind === 'note' || (f.createOnly && !creating)) continue;
    const v = values[f.name] ?? null;
    if (f.kind === 'password') {
      if (str(v)) out[f.name] = v;
    } else if (f.kind === 'text' || f.kind === 'textarea' || f.kind === 'image' || f.kind === 'picture') {
      // On a change, empty text is sent as "" (the hub clears the field); null would keep it.
      out[f.name] = creating ? str(v) : typeof v === 'string' ? v.trim() : null;
    } else if (f.kind === 'select' || f.kind === 'color') out[f.name] = str(v);
    else if (f.kind === 'money' || f.kind === 'int') out[f.name] = v === null || v === '' ? null : num(v);
    else out[f.name] = v;
  }
  return out;
}

/** The IVA a price includes (the hub's `iva_rate`): 16 % by default, 0 % or exempt. */
export const ivaField: FieldDef = {
  name: 'iva_rate', label: 'field.iva', kind: 'select', required: true,
  options: [{ value: '16', key: 'field.iva.16' }, { value: '0', key: 'field.iva.0' }, { value: 'exento', key: 'field.iva.exento' }],
};

const productFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'category', label: 'field.category', kind: 'text' },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'cost_cents', label: 'field.cost', kind: 'money' },
  ivaField,
  { name: 'stock', label: 'field.stock', kind: 'int', createOnly: true },
  { name: 'low_stock_threshold', label: 'field.lowStock', kind: 'int' },
  { name: 'barcode', label: 'field.barcode', kind: 'text' },
  { name: 'image_url', label: 'field.imageUrl', kind: 'image' },
  { name: 'description', label: 'field.description', kind: 'textarea' },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

export const productConfig: EntityConfig<Product> = {
  entity: 'product',
  columns: [
    { key: 'name', label: 'field.name', cell: (p) => p.name },
    { key: 'category', label: 'field.category', cell: (p) => p.category ?? '' },
    { key: 'price', label: 'field.price', cell: (p) => formatMXN(p.price_cents), numeric: true },
    { key: 'stock', label: 'field.stock', cell: (p) => String(p.stock), numeric: true },
    { key: 'barcode', label: 'field.barcode', cell: (p) => p.barcode ?? '' },
    { key: 'active', label: 'field.active', cell: (p) => yes(p.active) },
  ],
  fields: productFields,
  title: (p) => p.name,
  empty: () => ({ name: '', category: '', price_cents: 0, cost_cents: null, iva_rate: '16', stock: 0, low_stock_threshold: 5, barcode: '', image_url: '', description: '', active: true }),
  fromRow: (p) => ({ ...p, iva_rate: p.iva_rate ?? '16' }),
  toBody: (v, creating) => formBody(productFields, v, creating),
  api: products,
  listParams: { include_inactive: 'true' },
};

const serviceFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'duration_minutes', label: 'field.duration', kind: 'int', required: true },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'capacity', label: 'field.capacity', kind: 'int' },
  ivaField,
  { name: 'extra_time', label: 'field.extraTime', kind: 'note' },
  { name: 'extra_block_minutes', label: 'field.extraBlockMinutes', kind: 'int' },
  { name: 'extra_block_price_cents', label: 'field.extraBlockPrice', kind: 'money' },
  { name: 'grace_minutes', label: 'field.graceMinutes', kind: 'int' },
  { name: 'description', label: 'field.description', kind: 'textarea' },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

export const serviceConfig: EntityConfig<Service> = {
  entity: 'service',
  columns: [
    { key: 'name', label: 'field.name', cell: (s) => s.name },
    { key: 'duration', label: 'field.durationShown', cell: (s) => formatDuration(s.duration_minutes), numeric: true },
    { key: 'price', label: 'field.price', cell: (s) => formatMXN(s.price_cents), numeric: true },
    { key: 'active', label: 'field.active', cell: (s) => yes(s.active) },
  ],
  fields: serviceFields,
  title: (s) => s.name,
  empty: () => ({
    name: '', duration_minutes: 60, price_cents: 0, capacity: null, iva_rate: '16', extra_block_minutes: 15,
    extra_block_price_cents: 0, grace_minutes: 5, description: '', active: true,
  }),
  fromRow: (s) => ({ ...s, iva_rate: s.iva_rate ?? '16' }),
  toBody: (v, creating) => formBody(serviceFields, v, creating),
  api: services,
};

const packageFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'items', label: 'field.items', kind: 'items', required: true },
  ivaField,
  { name: 'description', label: 'field.description', kind: 'textarea' },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

export const packageConfig: EntityConfig<Package> = {
  entity: 'package',
  columns: [
    { key: 'name', label: 'field.name', cell: (p) => p.name },
    { key: 'items', label: 'field.items', cell: (p) => p.items.map((i) => `${i.quantity}× ${i.name ?? ''}`).join(', ') },
    { key: 'price', label: 'field.price', cell: (p) => formatMXN(p.price_cents), numeric: true },
    { key: 'active', label: 'field.active', cell: (p) => yes(p.active) },
  ],
  fields: packageFields,
  title: (p) => p.name,
  empty: () => ({ name: '', price_cents: 0, items: [], iva_rate: '16', description: '', active: true }),
  fromRow: (p) => ({ ...p, iva_rate: p.iva_rate ?? '16', items: p.items.map((i) => ({ ...i })) }),
  toBody: (v, creating) => {
    const out = formBody(packageFields, v, creating);
    const items = (v.items as PackageItem[] | null) ?? [];
    out.items = items.map((i) => (i.service_id ? { service_id: i.service_id, quantity: i.quantity } : { product_id: i.product_id, quantity: i.quantity }));
    return out;
  },
  api: packages,
};

const branchFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'timezone', label: 'field.timezone', kind: 'text', required: true },
  { name: 'address', label: 'field.address', kind: 'text' },
  { name: 'allow_negative_stock', label: 'field.allowNegative', kind: 'bool' },
  // The venue and the families' data: how many children fit, the call before the end, how the
  // wall names children, how long personal data is kept.
  { name: 'venue', label: 'field.venueNote', kind: 'note' },
  { name: 'capacity', label: 'field.capacity', kind: 'int', hint: 'field.capacityHint' },
  { name: 'warning_minutes', label: 'field.warningMinutes', kind: 'int', hint: 'field.warningMinutesHint' },
  { name: 'retention_months', label: 'field.retentionMonths', kind: 'int', hint: 'field.retentionMonthsHint' },
  { name: 'monitor_full_names', label: 'field.monitorFullNames', kind: 'bool', hint: 'field.monitorFullNamesHint' },
  // What the till may do alone, and when it needs an administrator's PIN.
  { name: 'till_rules', label: 'field.tillRules', kind: 'note' },
  { name: 'folio_prefix', label: 'field.folioPrefix', kind: 'text', hint: 'field.folioPrefixHint' },
  { name: 'refund_free_below_cents', label: 'field.refundFreeBelow', kind: 'money', hint: 'field.refundFreeBelowHint' },
  { name: 'recount_threshold_cents', label: 'field.recountThreshold', kind: 'money', hint: 'field.recountThresholdHint' },
  { name: 'discount_limit_reception_percent', label: 'field.discountReception', kind: 'int' },
  { name: 'discount_limit_kidibar_percent', label: 'field.discountKidibar', kind: 'int' },
  // What every receipt prints.
  { name: 'receipt', label: 'field.receiptNote', kind: 'note' },
  { name: 'legal_name', label: 'field.legalName', kind: 'text' },
  { name: 'rfc', label: 'field.rfc', kind: 'text', hint: 'field.rfcHint' },
  { name: 'phone', label: 'field.phone', kind: 'text' },
  { name: 'receipt_footer', label: 'field.receiptFooter', kind: 'textarea' },
  // What the totem shows besides the menu (its opening hours come from the party bookings' week).
  { name: 'totem', label: 'field.totemNote', kind: 'note' },
  { name: 'logo_image', label: 'field.logoImage', kind: 'picture', hint: 'field.logoImageHint' },
  { name: 'whatsapp', label: 'field.whatsapp', kind: 'text', hint: 'field.whatsappHint' },
  { name: 'totem_message', label: 'field.totemMessage', kind: 'text', hint: 'field.totemMessageHint', maxLength: 80 },
  { name: 'totem_show_hours', label: 'field.totemShowHours', kind: 'bool', hint: 'field.totemShowHoursHint' },
  { name: 'promo_title', label: 'field.promoTitle', kind: 'text', hint: 'field.promoTitleHint', maxLength: 60 },
  { name: 'promo_text', label: 'field.promoText', kind: 'textarea', maxLength: 240 },
  { name: 'promo_image', label: 'field.promoImage', kind: 'picture' },
];

export const branchConfig: EntityConfig<Branch> = {
  entity: 'branch',
  columns: [
    { key: 'name', label: 'field.name', cell: (b) => b.name },
    { key: 'timezone', label: 'field.timezone', cell: (b) => b.timezone },
    { key: 'address', label: 'field.address', cell: (b) => b.address ?? '' },
  ],
  fields: branchFields,
  title: (b) => b.name,
  empty: () => ({
    name: '', timezone: 'America/Mexico_City', address: '', capacity: 0, allow_negative_stock: false, folio_prefix: '',
    warning_minutes: 5, retention_months: 24, monitor_full_names: false,
    refund_free_below_cents: null, recount_threshold_cents: null, discount_limit_reception_percent: null,
    discount_limit_kidibar_percent: null, legal_name: '', rfc: '', phone: '', receipt_footer: '',
    logo_image: '', whatsapp: '', totem_message: '', totem_show_hours: false, promo_title: '', promo_text: '', promo_image: '',
  }),
  // The opening hours are read-only here (they are the booking settings' week).
  fromRow: ({ opening_hours: _hours, ...b }) => ({ ...b }),
  toBody: (v, creating) => {
    const out = formBody(branchFields, v, creating);
    // An RFC is written in capitals (the hub checks it as the SAT writes it).
    if (typeof out.rfc === 'string') out.rfc = out.rfc.toUpperCase();
    // A folio prefix cannot be emptied: left empty it keeps the one it has.
    if (out.folio_prefix === '') out.folio_prefix = null;
    return out;
  },
  api: branches,
};

export const ROLES: Role[] = ['super_admin', 'admin_viewer', 'reception', 'kidibar', 'monitor', 'totem'];

export function userConfig(roleLabel: (r: Role) => string): EntityConfig<User> {
  const fields: FieldDef[] = [
    { name: 'username', label: 'field.username', kind: 'text', required: true, createOnly: true },
    { name: 'display_name', label: 'field.displayName', kind: 'text' },
    { name: 'role', label: 'field.role', kind: 'select', required: true, options: ROLES.map((r) => ({ value: r, label: roleLabel(r) })) },
    { name: 'password', label: 'field.password', kind: 'password' },
    { name: 'active', label: 'field.active', kind: 'bool' },
  ];
  return {
    entity: 'user',
    columns: [
      { key: 'username', label: 'field.username', cell: (u) => u.username },
      { key: 'display_name', label: 'field.displayName', cell: (u) => u.display_name ?? '' },
      { key: 'role', label: 'field.role', cell: (u) => roleLabel(u.role) },
      { key: 'active', label: 'field.active', cell: (u) => yes(u.active) },
    ],
    fields,
    title: (u) => u.username,
    empty: () => ({ username: '', display_name: '', role: 'reception', password: '', active: true }),
    fromRow: (u) => ({ ...u, password: '' }),
    toBody: (v, creating) => {
      const out = formBody(fields, v, creating);
      // A new account is created active; the API's create body has no such field.
      if (creating) delete out.active;
      return out;
    },
    api: users,
  };
}
