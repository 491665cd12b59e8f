// «Precios por sucursal»: one row per branch for a catalogue record, with the organisation's price
// beside the branch's own (typed in pesos; empty = the organisation's) and whether it is sold
// there, and the override each changed row sends (only what differs from the organisation's).
import type { Branch, CatalogOverride, OverrideEdit } from '../api/client';
import { centsToInput, parseMoney } from '../../lib/money';

export type Entity = 'product' | 'service' | 'package';

export interface BranchPriceRow {
  branch_id: string;
  branch_name: string;
  /** The branch's own price as typed, in pesos; empty when it uses the organisation's. */
  price: string;
  available: boolean;
}

export interface Central {
  price_cents: number;
  active: boolean;
}

/** The rows as the cloud has them now, branches by name. */
export function branchPriceRows(branches: Branch[], overrides: CatalogOverride[], entity: Entity, entityId: string, central: Central): BranchPriceRow[] {
  return [...branches]
    .sort((a, b) => a.name.localeCompare(b.name, 'es'))
    .map((b) => {
      const o = overrides.find((x) => x.branch_id === b.id && x.entity === entity && x.entity_id === entityId);
      return {
        branch_id: b.id,
        branch_name: b.name,
        price: o?.price_cents != null ? centsToInput(o.price_cents) : '',
        available: o?.active ?? central.active,
      };
    });
}

/** The typed price in centavos, null when empty, undefined when it is not an amount. */
export function typedPrice(text: string): number | null | undefined {
  if (!text.trim()) return null;
  return parseMoney(text) ?? undefined;
}

/** What a row sends: the branch's price (null = the organisation's) and availability (null = as
 * the organisation's, when it is the same). Undefined when its price is not an amount. */
export function overrideEdit(row: BranchPriceRow, entity: Entity, entityId: string, central: Central): OverrideEdit | undefined {
  const price = typedPrice(row.price);
  if (price === undefined) return undefined;
  return {
    branch_id: row.branch_id,
    entity,
    entity_id: entityId,
    price_cents: price,
    active: row.available === central.active ? null : row.available,
  };
}

/** Did the row change since it was loaded? (Unchanged rows are not sent again.) */
export function rowChanged(now: BranchPriceRow, before: BranchPriceRow | undefined): boolean {
  return !before || typedPrice(now.price) !== typedPrice(before.price) || now.available !== before.available;
}

/** How many branches have a price or availability of their own for the record. */
export function overrideCount(overrides: CatalogOverride[], entity: Entity, entityId: string): number {
  return overrides.filter((o) => o.entity === entity && o.entity_id === entityId && (o.price_cents != null || o.active != null)).length;
}
