import { areas as areasApi, partyPackages } from '../../../api/endpoints';
import type { Area, PartyPackage } from '../../../api/types';
import type { PackageItem } from '../../../api/types';
import type { MessageKey } from '../../../i18n/index.svelte';
import { formatDuration } from '../../../lib/duration';
import { formatMXN } from '../../../lib/money';
import { formBody, ivaField, yes, type EntityConfig, type FieldDef, type FormValues } from '../entities';

// How parties' rooms and zones, and party packages, appear in admin: the catalogue's table and
// form (EntityAdmin), with the API's own field names so a 422's `field` lands on its input.

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Colours the owner can tell apart on the calendar; a new area takes the next one. */
export const AREA_COLORS = ['#5b2fd6', '#ff8a1f', '#1f9d5c', '#d93b45', '#0e88c9', '#c2409a', '#8a6d00', '#4b4f7a'];

const areaFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  {
    name: 'kind', label: 'parties.kind', kind: 'select', required: true,
    options: [{ value: 'room', key: 'parties.kind.room' }, { value: 'zone', key: 'parties.kind.zone' }],
  },
  { name: 'capacity', label: 'field.capacity', kind: 'int', hint: 'parties.areaCapacityHint' },
  { name: 'color', label: 'parties.color', kind: 'color', hint: 'parties.colorHint' },
  { name: 'position', label: 'parties.position', kind: 'int', hint: 'parties.positionHint' },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

/** `existing`: the areas there are, so a new one takes the next place and colour. */
export function areaConfig(t: Translate, existing: readonly Area[]): EntityConfig<Area> {
  const next = existing.length ? Math.max(...existing.map((a) => a.position)) + 1 : 1;
  return {
    entity: 'area',
    columns: [
      { key: 'name', label: 'field.name', cell: (a) => a.name },
      { key: 'kind', label: 'parties.kind', cell: (a) => t(a.kind === 'zone' ? 'parties.kind.zone' : 'parties.kind.room') },
      { key: 'capacity', label: 'field.capacity', cell: (a) => (a.capacity > 0 ? String(a.capacity) : '—'), numeric: true },
      { key: 'color', label: 'parties.color', cell: (a) => a.color },
      { key: 'position', label: 'parties.position', cell: (a) => String(a.position), numeric: true },
      { key: 'active', label: 'field.active', cell: (a) => yes(a.active) },
    ],
    fields: areaFields,
    title: (a) => a.name,
    empty: () => ({
      name: '', kind: 'room', capacity: 0, color: AREA_COLORS[existing.length % AREA_COLORS.length] ?? '#5b2fd6', position: next, active: true,
    }),
    fromRow: (a) => ({ ...a }),
    toBody: (v, creating) => formBody(areaFields, v, creating),
    api: areasApi,
  };
}

const packageFields: FieldDef[] = [
  { name: 'name', label: 'field.name', kind: 'text', required: true },
  { name: 'area_id', label: 'parties.area', kind: 'select' },
  { name: 'duration_minutes', label: 'field.duration', kind: 'int', required: true },
  { name: 'children_included', label: 'parties.childrenIncluded', kind: 'int' },
  { name: 'price_cents', label: 'field.price', kind: 'money', required: true },
  { name: 'extra_child_price_cents', label: 'parties.extraChildPrice', kind: 'money' },
  { name: 'deposit_percent', label: 'parties.depositPercent', kind: 'int', hint: 'parties.depositHint' },
  { name: 'buffer_minutes', label: 'parties.bufferMinutes', kind: 'int', hint: 'parties.bufferHint' },
  ivaField,
  { name: 'products', label: 'parties.products', kind: 'items', productsOnly: true },
  { name: 'active', label: 'field.active', kind: 'bool' },
];

/** `areas`: the choices of the package's room or zone (none: any, chosen when booking). */
export function partyPackageConfig(t: Translate, areas: readonly Area[]): EntityConfig<PartyPackage> {
  const fields = packageFields.map((f) =>
    f.name === 'area_id'
      ? { ...f, options: [{ value: '', key: 'parties.anyArea' as const }, ...areas.map((a) => ({ value: a.id, label: a.name }))] }
      : f,
  );
  const areaName = (id: string | null | undefined) => (id ? (areas.find((a) => a.id === id)?.name ?? '…') : t('parties.anyArea'));
  return {
    entity: 'party_package',
    columns: [
      { key: 'name', label: 'field.name', cell: (p) => p.name },
      { key: 'area', label: 'parties.area', cell: (p) => areaName(p.area_id) },
      { key: 'duration', label: 'field.durationShown', cell: (p) => formatDuration(p.duration_minutes), numeric: true },
      { key: 'children', label: 'parties.childrenIncluded', cell: (p) => String(p.children_included), numeric: true },
      { key: 'price', label: 'field.price', cell: (p) => formatMXN(p.price_cents), numeric: true },
      { key: 'deposit', label: 'parties.depositPercent', cell: (p) => `${p.deposit_percent} %`, numeric: true },
      { key: 'active', label: 'field.active', cell: (p) => yes(p.active) },
    ],
    fields,
    title: (p) => p.name,
    empty: () => ({
      name: '', area_id: '', duration_minutes: 180, children_included: 10, price_cents: 0, extra_child_price_cents: 0,
      deposit_percent: 30, buffer_minutes: 30, iva_rate: '16', products: [], active: true,
    }),
    fromRow: (p) => ({ ...p, area_id: p.area_id ?? '', iva_rate: p.iva_rate ?? '16', products: p.products.map((i) => ({ ...i })) }),
    toBody: (v, creating) => partyPackageBody(fields, v, creating),
    api: partyPackages,
  };
}

function partyPackageBody(fields: FieldDef[], v: FormValues, creating: boolean): Record<string, unknown> {
  const out = formBody(fields, v, creating);
  // On a change the hub reads a null area as "keep it" and "" as "any room": «Cualquiera» must clear it.
  if (!creating && out.area_id === null) out.area_id = '';
  const lines = (v.products as PackageItem[] | null) ?? [];
  out.products = lines.map((i) => ({ product_id: i.product_id, quantity: i.quantity }));
  return out;
}
