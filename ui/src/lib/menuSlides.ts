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

// ── Slides drawn by the hub ──
// When the admin has chosen a menu design for the totem, the hub draws each slide with the same
// renderer as the PDF and the video, and names the result with a version that changes with the
// design or any price, name or picture on it. The totem keeps the slides it has (so it keeps
// playing through a network outage) and swaps to a new version only once every slide of it has
// arrived, so a screen never mixes old and new prices.

export interface RenderedMenu {
  designId: string;
  version: string;
  slides: number;
}

/** Whether what the hub now describes differs from what the totem shows. */
export function menuChanged(current: RenderedMenu | null, next: RenderedMenu | null): boolean {
  if (!current || !next) return current !== next;
  return current.designId !== next.designId || current.version !== next.version || current.slides !== next.slides;
}

/** How long a slide stays, in ms (at least two seconds, whatever the design says). */
export function slideDurationMs(secondsPerSlide: number): number {
  return Math.max(2000, Math.round((Number.isFinite(secondsPerSlide) ? secondsPerSlide : 8) * 1000));
}
