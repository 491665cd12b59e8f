// The cloud's catalogue answers each record untyped (`CatalogItem.record`, "as the branches apply
// it"): these read the fields the console shows, and nothing is assumed about the rest.
import type { CatalogItem, PackageItem } from '../api/client';

export interface CatalogRow {
  id: string;
  name: string;
  category: string;
  description: string;
  price_cents: number;
  active: boolean;
  /** Products only. */
  low_stock_threshold: number | null;
  /** Services only. */
  duration_minutes: number | null;
  capacity: number | null;
  /** Packages only: what the package bundles. */
  items: PackageItem[];
}

function field(record: unknown, key: string): unknown {
  return record && typeof record === 'object' ? (record as Record<string, unknown>)[key] : undefined;
}
const text = (v: unknown) => (typeof v === 'string' ? v : '');
const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A package's lines, each a product or a service with its quantity; malformed lines are left out. */
function packageItems(v: unknown): PackageItem[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((line) => {
    const product = text(field(line, 'product_id'));
    const service = text(field(line, 'service_id'));
    const quantity = int(field(line, 'quantity'));
    if ((!product && !service) || quantity === null) return [];
    return [product ? { product_id: product, quantity } : { service_id: service, quantity }];
  });
}

export function catalogRow(item: CatalogItem): CatalogRow {
  const r = item.record;
  return {
    id: item.id,
    name: text(field(r, 'name')) || '(sin nombre)',
    category: text(field(r, 'category')),
    description: text(field(r, 'description')),
    price_cents: int(field(r, 'price_cents')) ?? 0,
    active: field(r, 'active') !== false,
    low_stock_threshold: int(field(r, 'low_stock_threshold')),
    duration_minutes: int(field(r, 'duration_minutes')),
    capacity: int(field(r, 'capacity')),
    items: packageItems(field(r, 'items')),
  };
}
