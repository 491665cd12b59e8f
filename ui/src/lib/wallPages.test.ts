import { describe, expect, it } from 'vitest';
import { readableTile } from './monitorLayout';
import { wallSections } from './wallGroups';
import { stableWallOrder, wallPages, type WallPage } from './wallPages';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 16, minute)).toISOString();
const timer = (id: string, minute: number, state = 'running', booking_id: string | null = null, group: string | null = null) =>
  ({ id, state, starts_at: at(minute), booking_id, group });

describe('stableWallOrder', () => {
  it('keeps check-in order (ties by id) whatever the time left, run-out timers first', () => {
    const list = [timer('c', 5), timer('b', 1), timer('a', 5), timer('late', 9, 'paused'), timer('out', 7, 'expired')];
    expect(list.sort(stableWallOrder).map((t) => t.id)).toEqual(['out', 'b', 'a', 'c', 'late']);
  });
});

// The wall under its 64 px header.
const W = 1920;
const H = 1080 - 64;
const readable = (w: number, h: number) => readableTile(w, h, 4.7);

function many(n: number, from = 0, booking: string | null = null) {
  return Array.from({ length: n }, (_, i) => timer(`${booking ?? 'w'}${String(from + i).padStart(3, '0')}`, from + i, 'running', booking, booking ? `Fiesta ${booking}` : null));
}

function check(pages: WallPage<{ id: string }>[], all: { id: string }[]) {
  for (const page of pages) expect(readable(page.layout.tileWidth, page.layout.tileHeight), 'every page at the readable minimum').toBe(true);
  const ids = pages.flatMap((p) => p.sections.flatMap((s) => s.timers.map((t) => t.id)));
  expect(ids, 'every child once, in wall order').toEqual(all.map((t) => t.id));
}

describe('wallPages', () => {
  it('shows up to twenty walk-ins on one page at 1920×1080, then pages', () => {
    for (const [n, count] of [[1, 1], [8, 1], [20, 1], [21, 2], [30, 2], [48, 3], [60, 3]] as const) {
      const timers = many(n);
      const pages = wallPages(wallSections(timers), W, H, readable);
      expect(pages.length, `${n} children`).toBe(count);
      check(pages, timers);
    }
  });

  it('keeps a party whole on the next page rather than splitting it, its header on every page it spans', () => {
    const timers = [...many(15), ...many(10, 20, 'b1')];
    const pages = wallPages(wallSections(timers), W, H, readable);
    check(pages, timers);
    const party = pages.filter((p) => p.sections.some((s) => s.key === 'b1'));
    expect(party.length, 'ten party children on one page').toBe(1);
    expect(party[0]!.sections.find((s) => s.key === 'b1')!.timers.length).toBe(10);

    const big = [...many(3), ...many(35, 10, 'b2')];
    const bigPages = wallPages(wallSections(big), W, H, readable);
    check(bigPages, big);
    expect(bigPages.filter((p) => p.sections.some((s) => s.key === 'b2' && s.title === 'Fiesta b2')).length).toBeGreaterThan(1);
  });

  it('pages a portrait wall too', () => {
    const timers = many(48);
    const pages = wallPages(wallSections(timers), 1080, 1920 - 64, readable);
    expect(pages.length).toBe(3);
    check(pages, timers);
  });

  it('has one empty page for an empty wall', () => {
    expect(wallPages([], W, H, readable).map((p) => p.sections)).toEqual([[]]);
  });
});
