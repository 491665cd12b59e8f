// The manifests: each page's starts on that page, the plain one at "/", all with the three icons.
import { describe, expect, it } from 'vitest';
import { manifestFor, manifestHref, PAGES } from './manifest';

describe('manifestFor', () => {
  it('starts a page installed from /monitor on /monitor, full screen, with a dark splash', () => {
    const m = manifestFor('monitor');
    expect(m.start_url).toBe('/monitor');
    expect(m.id).toBe('/monitor');
    expect(m.display).toBe('fullscreen');
    expect(m.background_color).toBe('#0e0b1f');
    expect(m.lang).toBe('es-MX');
  });

  it('gives every page its own id and start, inside the one scope', () => {
    const ids = PAGES.map((p) => manifestFor(p).id);
    expect(new Set(ids).size).toBe(PAGES.length);
    for (const page of PAGES) expect(manifestFor(page).start_url.startsWith(manifestFor(page).scope)).toBe(true);
  });

  it('declares a 192 and a 512 icon and a maskable one', () => {
    const icons = manifestFor(null).icons;
    expect(icons.map((i) => i.sizes)).toEqual(['192x192', '512x512', '512x512']);
    expect(icons.filter((i) => i.purpose === 'maskable')).toHaveLength(1);
  });
});

describe('manifestHref', () => {
  it.each([
    ['/monitor', null, '/manifest-monitor.webmanifest'],
    ['/reception/sales/4', null, '/manifest-reception.webmanifest'],
    ['/login', '/totem', '/manifest-totem.webmanifest'],
    ['/login', null, '/manifest.webmanifest'],
    ['/', null, '/manifest.webmanifest'],
    ['/nowhere', null, '/manifest.webmanifest'],
  ])('%s (asked for %s) links %s', (path, wanted, href) => {
    expect(manifestHref(path, wanted)).toBe(href);
  });
});
