import type { Package, Product, Service } from '../api/types';

// The totem's menu as a sequence of slides built from the live catalogue: play time first (what
// parents come for), then the branch's promotion, packages, then the kidibar by category, a
// screenful at a time. Whatever runs past a screen is split over as few slides as hold it, the
// same number on each (±1), so no slide is full beside a nearly empty one.

export type Slide =
  | { kind: 'services'; items: Service[]; page: number; pages: number }
  | { kind: 'promo'; promo: Promo }
  | { kind: 'packages'; items: Package[]; page: number; pages: number }
  | { kind: 'products'; categories: (string | null)[]; items: Product[]; page: number; pages: number };

/** The branch's promotion slide: shown when it has a title. `image` is an uploaded picture's hash. */
export interface Promo {
  title: string;
  text: string;
  image: string;
}

export const PRODUCTS_PER_SLIDE = 8;
/** Play-time offers and packages on a screen: two rows of three at most, still readable on a laptop. */
export const SERVICES_PER_SLIDE = 6;
export const PACKAGES_PER_SLIDE = 6;

/** Columns for `count` offers: one row up to three, else two rows as even as they go. */
export function offerColumns(count: number): number {
  return count <= 3 ? Math.max(1, count) : Math.ceil(count / 2);
}

/**
 * What a customer can order now: active, and in stock unless the branch sells below zero (then a
 * product at 0 can still be sold, so it stays on the board).
 */
export function onSale(product: Product, allowNegativeStock: boolean): boolean {
  return product.active && (allowNegativeStock || product.stock > 0);
}

/** `count` items over as few slides as hold them, the same number on each (±1), largest first. */
export function evenPages(count: number, perSlide: number): number[] {
  const pages = Math.ceil(count / perSlide);
  const base = Math.floor(count / Math.max(1, pages));
  return Array.from({ length: pages }, (_, i) => base + (i < count - base * pages ? 1 : 0));
}

/**
 * Small categories in a row share slides: as few slides as packing them eight to a screen needs,
 * with the fullest slide as light as it can be (4 + 4 + 1 drinks, snacks and sweets make slides
 * of 4 and 5, not 8 and a lonely 1). Answers how many categories go on each slide, in order.
 */
export function shareSlides(sizes: readonly number[], perSlide: number): number[] {
  const pack = (cap: number) => {
    const groups: number[] = [];
    let load = Infinity;
    for (const size of sizes) {
      if (load + size > cap) {
        groups.push(0);
        load = 0;
      }
      groups[groups.length - 1]! += 1;
      load += size;
    }
    return groups;
  };
  const fewest = pack(perSlide).length;
  const total = sizes.reduce((sum, n) => sum + n, 0);
  for (let cap = Math.ceil(total / Math.max(1, fewest)); cap < perSlide; cap++) {
    const groups = pack(cap);
    if (groups.length === fewest) return groups;
  }
  return pack(perSlide);
}

/** `items` cut into the sizes `evenPages` gives. */
function paged<T>(items: readonly T[], perSlide: number): { items: T[]; page: number; pages: number }[] {
  const sizes = evenPages(items.length, perSlide);
  let start = 0;
  return sizes.map((size, i) => ({ items: items.slice(start, (start += size)), page: i + 1, pages: sizes.length }));
}

export function buildSlides(
  services: readonly Service[], packages: readonly Package[], products: readonly Product[], allowNegativeStock = false, promo: Promo | null = null,
): Slide[] {
  const slides: Slide[] = [];
  for (const page of paged(services.filter((s) => s.active), SERVICES_PER_SLIDE)) slides.push({ kind: 'services', ...page });
  if (promo?.title.trim()) slides.push({ kind: 'promo', promo });
  for (const page of paged(packages.filter((p) => p.active), PACKAGES_PER_SLIDE)) slides.push({ kind: 'packages', ...page });

  const byCategory = new Map<string | null, Product[]>();
  for (const p of products) {
    if (!onSale(p, allowNegativeStock)) continue;
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  let small: [string | null, Product[]][] = [];
  const shareSmall = () => {
    let at = 0;
    for (const n of shareSlides(small.map(([, items]) => items.length), PRODUCTS_PER_SLIDE)) {
      const together = small.slice(at, (at += n));
      slides.push({ kind: 'products', categories: together.map(([c]) => c), items: together.flatMap(([, items]) => items), page: 1, pages: 1 });
    }
    small = [];
  };
  for (const [category, items] of byCategory) {
    if (items.length <= PRODUCTS_PER_SLIDE) {
      small.push([category, items]);
      continue;
    }
    shareSmall();
    // Ten drinks are two slides of five, not a full slide and a nearly empty one.
    for (const page of paged(items, PRODUCTS_PER_SLIDE)) slides.push({ kind: 'products', categories: [category], ...page });
  }
  shareSmall();
  return slides;
}

/** A stable key so a catalogue reload keeps showing the same slide instead of jumping to the first. */
export function slideKey(slide: Slide): string {
  if (slide.kind === 'products') return `products:${slide.categories.join('+')}:${slide.page}`;
  return slide.kind === 'promo' ? 'promo' : `${slide.kind}:${slide.page}`;
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
