import { live } from '../api/live.svelte';
import { products as productsApi } from '../api/endpoints';
import type { Product } from '../api/types';

// The active products with their stock, kept current by the live feed: a sale at the other
// counter lowers the stock shown here at once.

export class ProductShelf {
  items = $state<Product[]>([]);
  loaded = $state(false);
  error = $state<unknown>(null);

  constructor(private readonly includeInactive = false) {}

  follow(): () => void {
    void this.reload();
    return live.on((message) => {
      if (message.type === 'stock.changed' || message.type === 'stock.low') this.apply(message.product);
      else if (message.type === 'catalog.changed' && message.entity === 'product') void this.reload();
      else if (message.type === 'hello' || message.type === 'resync') void this.reload();
    });
  }

  byId = (id: string): Product | undefined => this.items.find((p) => p.id === id);

  apply(product: Product): void {
    const known = this.items.some((p) => p.id === product.id);
    this.items = known ? this.items.map((p) => (p.id === product.id ? product : p)) : [...this.items, product];
  }

  async reload(): Promise<void> {
    try {
      const list = await productsApi.list(this.includeInactive ? { include_inactive: 'true' } : {});
      this.items = list.items;
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}

/** Categories in first-seen order, for the filter chips. */
export function categoriesOf(items: readonly Product[]): string[] {
  const all = items.map((p) => p.category).filter((c): c is string => !!c);
  return all.filter((c, i) => all.indexOf(c) === i);
}

/** Accent-insensitive match on name, category and barcode ("jugo" finds "Jugo", "cafe" finds "Café"). */
export function matches(product: Product, query: string): boolean {
  const q = fold(query.trim());
  if (!q) return true;
  return [product.name, product.category ?? '', product.barcode ?? ''].some((s) => fold(s).includes(q));
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
