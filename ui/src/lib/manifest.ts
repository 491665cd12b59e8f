// The web app manifests that make each role's page installable on a device without the desktop
// shell (a kid bar's Android tablet, a wall TV on a streaming stick). vite.config.ts writes one
// file per page from manifestFor(), and the app links the one of the page it is on.
//
// Why one manifest per page and not start_url "/" plus a page remembered in localStorage: the
// browser installs whatever the linked manifest says, so a TV opened at /monitor and installed
// from there starts at /monitor, even before anyone has logged in on it (the login page links
// the manifest of the page the device asked for), and the file a browser fetched can be checked
// by a test without driving the install prompt. The session already brings "/" to the role's home
// page, so the plain /manifest.webmanifest with start_url "/" is right for a device that was not
// opened on a particular page.
//
// A browser installs (and grants a wake lock) only on a secure origin: https, or the device's own
// localhost. A hub reached over plain http on the store's network gives a tablet a home-screen
// shortcut at best, until the hub is served over https.

import type { Page } from './access';

export const PAGES: readonly Page[] = ['reception', 'kidibar', 'monitor', 'totem', 'admin'];

/** The name under the icon on a home screen, one a page. */
const SHORT_NAMES: Record<Page, string> = {
  reception: 'Recepción',
  kidibar: 'Kid bar',
  monitor: 'Monitor',
  totem: 'Tótem',
  admin: 'Administración',
};

// The UI's palette (styles.css): the primary colour for the system bars; the splash screen takes
// the background the page will show, dark for the wall and the totem, light for the desks.
const THEME = '#5b2fd6';
const LIGHT = '#f4f2fb';
const DARK = '#0e0b1f';

export interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

export interface WebManifest {
  id: string;
  name: string;
  short_name: string;
  description: string;
  lang: string;
  dir: 'ltr';
  start_url: string;
  scope: string;
  display: 'fullscreen';
  display_override: string[];
  theme_color: string;
  background_color: string;
  icons: ManifestIcon[];
}

export const ICONS: ManifestIcon[] = [
  { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
  { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
  { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
];

/** The file a page's manifest is served as; null: the one for a device opened on no page. */
export function manifestFile(page: Page | null): string {
  return page ? `manifest-${page}.webmanifest` : 'manifest.webmanifest';
}

/** The manifest to link on a path: its page's, or the plain one (login, "/"). */
export function manifestHref(path: string, wanted: string | null = null): string {
  const first = (p: string | null) => (p ?? '').split('/').filter(Boolean)[0] ?? '';
  const page = [first(path), first(wanted)].find((p): p is Page => (PAGES as readonly string[]).includes(p));
  return `/${manifestFile(page ?? null)}`;
}

export function manifestFor(page: Page | null): WebManifest {
  const wall = page === 'monitor' || page === 'totem';
  return {
    // A different id a page, so one tablet can hold both the kid bar and the totem as apps.
    id: page ? `/${page}` : '/',
    name: 'Kidyboard',
    short_name: page ? SHORT_NAMES[page] : 'Kidyboard',
    description: 'Kidyboard: centro de juegos',
    lang: 'es-MX',
    dir: 'ltr',
    start_url: page ? `/${page}` : '/',
    scope: '/',
    // Full screen for a wall or a kiosk; where a browser cannot, the next best it can.
    display: 'fullscreen',
    display_override: ['fullscreen', 'standalone', 'minimal-ui'],
    theme_color: THEME,
    background_color: wall ? DARK : LIGHT,
    icons: ICONS,
  };
}
