import type { Package, Product, Service } from '../api/types';

// The totem's menu as a sequence of slides built from the live catalogue: play time first (what
// parents come for), then packages, then the kidibar by category, a screenful at a time.

export type Slide =
  | { kind: 'services'; items: Service[] }
  | { kind: 'packages'; items: Package[] }
  | { kind: 'products'; categories: (string | null)[]; items: Product[]; page: number; pages: number };

export const PRODUCTS_PER_SLIDE = 8;

export function buildSlides(services: readonly Service[], packages: readonly Package[], products: readonly Product[]): Slide[] {
  const slides: Slide[] = [];
  const activeServices = services.filter((s) => s.active);
  const activePackages = packages.filter((p) => p.active);
  if (activeServices.length) slides.push({ kind: 'services', items: activeServices });
  if (activePackages.length) slides.push({ kind: 'packages', items: activePackages });

  const byCategory = new Map<string | null, Product[]>();
  for (const p of products) {
    if (!p.active) continue;
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  for (const [category, items] of byCategory) {
    const pages = Math.ceil(items.length / PRODUCTS_PER_SLIDE);
    for (let page = 0; page < pages; page++) {
      const chunk = items.slice(page * PRODUCTS_PER_SLIDE, (page + 1) * PRODUCTS_PER_SLIDE);
      const previous = slides.at(-1);
      // Small categories share a screen rather than leaving most of it empty.
      if (pages === 1 && previous?.kind === 'products' && previous.pages === 1 && previous.items.length + chunk.length <= PRODUCTS_PER_SLIDE) {
        previous.categories.push(category);
        previous.items.push(...chunk);
        continue;
      }
      slides.push({ kind: 'products', categories: [category], items: chunk, page: page + 1, pages });
    }
  }
  return slides;
}

/** A stable key so a catalogue reload keeps showing the same slide instead of jumping to the first. */
export function slideKey(slide: Slide): string {
  return slide.kind === 'products' ? `products:${slide.categories.join('+')}:${slide.page}` : slide.kind;
}
