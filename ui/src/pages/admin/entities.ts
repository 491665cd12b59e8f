import { branches, packages, products, services, users } from '../../api/endpoints';
import type {
  Branch, CatalogEntity, Id, ItemList, Package, PackageItem, Product, Role, Service, User,
} from '../../api/types';
import type { MessageKey } from '../../i18n/index.svelte';
import { formatMXN } from '../../lib/money';

// How each catalogue entity appears in admin: its table columns and its form fields. Form field
// names are the API's own, so a {field} in a hub error points straight at the input to highlight.

export type FieldKind = 'text' | 'textarea' | 'money' | 'int' | 'bool' | 'select' | 'password' | 'items' | 'image';
export type FormValue = string | number | boolean | null | PackageItem[];
export type FormValues = Record<string, FormValue>;

export interface FieldDef {
  name: string;
  label: MessageKey;
  kind: FieldKind;
  required?: boolean;
  /** Only set when creating (stock after creation moves through adjustments; usernames are keys). */
  createOnly?: boolean;
  options?: { value: string; label: string }[];
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
const yes = (active: boolean) => (active ? '✓' : '—');

/** Only the fields the form shows, in the API's shape. */
function body(fields: FieldDef[], values: FormValues, creating: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.createOnly && !creating) continue;
    const v = values[f.name] ?? null;
    if (f.kind === 'password') {
      if (str(v)) out[f.name] = v;
    } else if (f.kind === 'text' || f.kind === 'textarea' || f.kind === 'image') {
      // On a change, empty text is sent as "" (the hub clears the field); null would keep it.
      out[f.name] = creating ? str(v) : typeof v === 'string' ? v.trim() : null;
    } else if (f.kind === 'select') out[f.name] = str(v);
    else if (f.kind === 'money' || f.kind === 'int') out[f.name] = v === null || v === '' ? null : num(v);
    else out[f.name] = v;
  }
  return out;
}

const productFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'category', label: 'field.category', kind: 'text' },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'cost_cents', label: 'field.cost', kind: 'money' },
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
  empty: () => ({ name: '', category: '', price_cents: 0, cost_cents: null, stock: 0, low_stock_threshold: 5, barcode: '', image_url: '', description: '', active: true }),
  fromRow: (p) => ({ ...p }),
  toBody: (v, creating) => body(productFields, v, creating),
  api: products,
  listParams: { include_inactive: 'true' },
};

const serviceFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'duration_minutes', label: 'field.duration', kind: 'int', required: true },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'capacity', label: 'field.capacity', kind: 'int' },
  { name: 'description', label: 'field.description', kind: 'textarea' },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

export const serviceConfig: EntityConfig<Service> = {
  entity: 'service',
  columns: [
    { key: 'name', label: 'field.name', cell: (s) => s.name },
    { key: 'duration', label: 'field.duration', cell: (s) => `${s.duration_minutes} min`, numeric: true },
    { key: 'price', label: 'field.price', cell: (s) => formatMXN(s.price_cents), numeric: true },
    { key: 'active', label: 'field.active', cell: (s) => yes(s.active) },
  ],
  fields: serviceFields,
  title: (s) => s.name,
  empty: () => ({ name: '', duration_minutes: 60, price_cents: 0, capacity: null, description: '', active: true }),
  fromRow: (s) => ({ ...s }),
  toBody: (v, creating) => body(serviceFields, v, creating),
  api: services,
};

const packageFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'items', label: 'field.items', kind: 'items', required: true },
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
  empty: () => ({ name: '', price_cents: 0, items: [], description: '', active: true }),
  fromRow: (p) => ({ ...p, items: p.items.map((i) => ({ ...i })) }),
  toBody: (v, creating) => {
    const out = body(packageFields, v, creating);
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
  { name: 'capacity', label: 'field.capacity', kind: 'int' },
  { name: 'allow_negative_stock', label: 'field.allowNegative', kind: 'bool' },
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
  empty: () => ({ name: '', timezone: 'America/Mexico_City', address: '', capacity: null, allow_negative_stock: false }),
  fromRow: (b) => ({ ...b }),
  toBody: (v, creating) => body(branchFields, v, creating),
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
      const out = body(fields, v, creating);
      // A new account is created active; the API's create body has no such field.
      if (creating) delete out.active;
      return out;
    },
    api: users,
  };
}
