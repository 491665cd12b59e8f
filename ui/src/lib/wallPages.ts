import { layoutSections, type WallLayout, type WallSection } from './wallGroups';

// The wall's order and pages. A child's tile keeps its place while the child plays: the wall is
// in check-in order (the timer's start, ties by id), not by time left, which would move every tile
// each time another child's time ran shorter; only a run-out timer comes to the front, where staff
// look first. When the children no longer fit at the readable minimum (`readableTile`), the wall shows
// them a page at a time rather than shrinking them, each party kept whole on one page when it fits.

/** What ordering needs of a timer. */
export interface OrderedTimer {
  id: string;
  state: string;
  starts_at: string;
}

/** Run-out timers first, then every other one by its start (check-in), ties by id. */
export function stableWallOrder(a: OrderedTimer, b: OrderedTimer): number {
  const over = (t: OrderedTimer) => (t.state === 'expired' ? 0 : 1);
  return over(a) - over(b) || Date.parse(a.starts_at) - Date.parse(b.starts_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface WallPage<T> {
  sections: WallSection<T>[];
  layout: WallLayout;
}

/**
 * `sections` (in wall order) on pages of a `width`×`height` wall, each page's tiles `readable`
 * (`readableTile`): as many sections as fit on a page, in order; a party that does not fit beside the
 * page's others starts the next page; one too big for a whole page, or the walk-ins, continue on
 * the next page (a party's header shown again). One page when everything fits.
 */
export function wallPages<T>(
  sections: readonly WallSection<T>[],
  width: number,
  height: number,
  readable: (tileWidth: number, tileHeight: number) => boolean,
): WallPage<T>[] {
  const layoutOf = (page: readonly WallSection<T>[]) =>
    layoutSections(page.map((s) => s.timers.length), page.map((s) => s.title !== null), width, height);
  const fits = (page: readonly WallSection<T>[]) => {
    const l = layoutOf(page);
    return readable(l.tileWidth, l.tileHeight);
  };
  /** The most of `rest` that fits after `page`'s sections (0: none). Fitting shrinks with more tiles, so a binary search. */
  const most = (page: readonly WallSection<T>[], section: WallSection<T>, rest: readonly T[]) => {
    let lo = 0;
    let hi = rest.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits([...page, { ...section, timers: rest.slice(0, mid) }])) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const pages: WallSection<T>[][] = [];
  let page: WallSection<T>[] = [];
  for (const section of sections) {
    let rest = section.timers;
    while (rest.length > 0) {
      const whole = { ...section, timers: rest };
      if (fits([...page, whole])) {
        page.push(whole);
        break;
      }
      // A party that fits a page of its own starts the next one rather than being split.
      if (page.length > 0 && section.title !== null && fits([whole])) {
        pages.push(page);
        page = [whole];
        break;
      }
      let k = most(page, section, rest);
      if (k === 0 && page.length > 0) {
        pages.push(page);
        page = [];
        continue;
      }
      // A screen too small for even one tile at the minimum still shows one a page.
      k = Math.max(1, k);
      page.push({ ...section, timers: rest.slice(0, k) });
      pages.push(page);
      page = [];
      rest = rest.slice(k);
    }
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages.map((sections) => ({ sections, layout: layoutOf(sections) }));
}
