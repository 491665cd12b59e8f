import { describe, expect, it } from 'vitest';
import type { Package, Product, Service } from '../api/types';
import { buildSlides, evenPages, menuChanged, offerColumns, PACKAGES_PER_SLIDE, SERVICES_PER_SLIDE, shareSlides, slideDurationMs, slideKey } from './menuSlides';

const service: Service = { id: 's', name: '1 hora de juego', description: '', duration_minutes: 60, price_cents: 15000, capacity: 0, active: true,
  extra_block_minutes: 15, extra_block_price_cents: 5000, grace_minutes: 5, created_at: '2026-11-22T18:00:00Z', updated_at: '2026-11-22T18:00:00Z' };

function product(i: number, category: string, active = true, stock = 5): Product {
  return {
    id: `p${i}`, name: `P${i}`, category, description: '', price_cents: 1000, cost_cents: 0, stock,
    low_stock_threshold: 1, barcode: null, image_url: null, active, low_stock: false,
    created_at: '2026-11-22T18:00:00Z', updated_at: '2026-11-22T18:00:00Z',
  };
}

describe('buildSlides', () => {
  it('orders services, packages, then products by category in pages of eight', () => {
    const products = [...Array.from({ length: 10 }, (_, i) => product(i, 'Bebidas')), ...Array.from({ length: 7 }, (_, i) => product(50 + i, 'Snacks')), product(100, 'Snacks', false)];
    const slides = buildSlides([service], [], products);
    expect(slides.map(slideKey)).toEqual(['services:1', 'products:Bebidas:1', 'products:Bebidas:2', 'products:Snacks:1']);
    const [first, second] = [slides[1], slides[2]];
    expect(first?.kind === 'products' && first.items.length).toBe(5);
    expect(second?.kind === 'products' && second.items.length).toBe(5);
  });

  it('spreads a category evenly over its slides', () => {
    expect(evenPages(10, 8)).toEqual([5, 5]);
    expect(evenPages(17, 8)).toEqual([6, 6, 5]);
    expect(evenPages(16, 8)).toEqual([8, 8]);
    expect(evenPages(9, 8)).toEqual([5, 4]);
    expect(evenPages(3, 8)).toEqual([3]);
    expect(evenPages(0, 8)).toEqual([]);
  });

  it('fills slides evenly for any count: the fewest slides, sizes one apart at most, none over capacity', () => {
    for (let perSlide = 1; perSlide <= 12; perSlide++) {
      for (let count = 0; count <= 100; count++) {
        const sizes = evenPages(count, perSlide);
        const where = `${count} items, ${perSlide} a slide: ${sizes.join(' + ')}`;
        expect(sizes.length, where).toBe(Math.ceil(count / perSlide));
        expect(sizes.reduce((a, b) => a + b, 0), where).toBe(count);
        if (count) {
          expect(Math.max(...sizes) - Math.min(...sizes), where).toBeLessThanOrEqual(1);
          expect(Math.max(...sizes), where).toBeLessThanOrEqual(perSlide);
        }
      }
    }
  });

  it('lays offers out in at most two rows', () => {
    expect([1, 2, 3, 4, 5, 6].map(offerColumns)).toEqual([1, 2, 3, 2, 3, 3]);
  });

  it('splits many services and packages evenly too, with the promotion after play time', () => {
    const services = Array.from({ length: SERVICES_PER_SLIDE + 1 }, (_, i) => ({ ...service, id: `s${i}` }));
    const pkg = (i: number): Package => ({ id: `k${i}`, name: `K${i}`, description: '', price_cents: 1000, active: true, items: [] } as unknown as Package);
    const packages = Array.from({ length: PACKAGES_PER_SLIDE + 2 }, (_, i) => pkg(i));
    const slides = buildSlides(services, packages, [], false, { title: '2×1 los martes', text: '', image: '' });
    expect(slides.map(slideKey)).toEqual(['services:1', 'services:2', 'promo', 'packages:1', 'packages:2']);
    expect(slides.map((s) => (s.kind === 'promo' ? 0 : s.items.length))).toEqual([4, 3, 0, 4, 4]);
    expect(buildSlides([service], [], [], false, { title: '  ', text: 'sin título', image: '' }).map(slideKey)).toEqual(['services:1']);
  });

  it('shares slides between small categories as evenly as the fewest slides allow', () => {
    expect(shareSlides([4, 4, 1], 8)).toEqual([1, 2]);
    expect(shareSlides([1, 1, 1, 1, 1, 1, 1, 1, 1], 8)).toEqual([5, 4]);
    expect(shareSlides([1, 4, 3, 3, 1, 1], 8)).toEqual([3, 3]);
    expect(shareSlides([8], 8)).toEqual([1]);
    expect(shareSlides([], 8)).toEqual([]);
    const products = [...Array.from({ length: 4 }, (_, i) => product(i, 'Bebidas')), ...Array.from({ length: 4 }, (_, i) => product(10 + i, 'Snacks')), product(20, 'Dulces')];
    expect(buildSlides([], [], products).map((s) => s.kind === 'products' && s.items.length)).toEqual([4, 5]);
  });

  it('leaves out sold-out products unless the branch sells below zero', () => {
    const products = [product(1, 'Snacks'), product(2, 'Snacks', true, 0), product(3, 'Snacks', true, -2), product(4, 'Snacks', false)];
    const names = (allowNegative: boolean) => buildSlides([], [], products, allowNegative).flatMap((s) => (s.kind === 'products' ? s.items.map((p) => p.name) : []));
    expect(names(false)).toEqual(['P1']);
    expect(names(true)).toEqual(['P1', 'P2', 'P3']);
  });

  it('puts small categories together on one screen', () => {
    const products = [product(1, 'Postres'), product(2, 'Accesorios'), ...Array.from({ length: 7 }, (_, i) => product(10 + i, 'Comida'))];
    expect(buildSlides([], [], products).map(slideKey)).toEqual(['products:Postres+Accesorios:1', 'products:Comida:1']);
  });

  it('is empty for an empty catalogue', () => {
    expect(buildSlides([], [], [])).toEqual([]);
  });
});

describe('slides drawn by the hub', () => {
  const shown = { designId: 'D1', version: 'v1', slides: 3 };
  it('reload when the version, the design or the slide count changes', () => {
    expect(menuChanged(shown, { ...shown })).toBe(false);
    expect(menuChanged(shown, { ...shown, version: 'v2' })).toBe(true);
    expect(menuChanged(shown, { ...shown, designId: 'D2' })).toBe(true);
    expect(menuChanged(shown, { ...shown, slides: 4 })).toBe(true);
    expect(menuChanged(shown, null)).toBe(true);
    expect(menuChanged(null, null)).toBe(false);
  });
  it('hold each slide at least two seconds', () => {
    expect(slideDurationMs(8)).toBe(8000);
    expect(slideDurationMs(0.5)).toBe(2000);
    expect(slideDurationMs(Number.NaN)).toBe(8000);
  });
});
