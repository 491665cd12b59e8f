// A role's page is an installable web app for a device without the desktop shell (a kid bar's
// tablet, a wall TV on a streaming stick): the page links its page's manifest, the manifest and
// its icons are served and say what they should, the wall keeps its screen awake where the
// browser allows, and a wall or totem that loses the hub says so in large letters.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { call, items, login } from './api.mjs';
import { launchBrowser, openAs, screenshot, WALL } from './browser.mjs';
import { newDataDir, startHub } from './hub.mjs';
import { tempDir } from './tmp.mjs';

let hub;
let browser;

before(async () => {
  hub = await startHub({ dataDir: newDataDir() });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const PAGES = ['reception', 'kidibar', 'monitor', 'totem', 'admin'];

/** A PNG's width and height from its IHDR chunk; throws when the bytes are not a PNG. */
function pngSize(bytes) {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], signature, 'an icon should be a PNG');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR', "a PNG's first chunk is its header");
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

async function fetchManifest(href) {
  const res = await fetch(new URL(href, hub.url));
  assert.equal(res.status, 200, `${href} should be served`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/manifest\+json/, `${href} should be served as a web app manifest`);
  return res.json();
}

test('every page links a manifest that installs it full screen, with icons that load', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: WALL, locale: 'es-MX' });
  const page = await context.newPage();
  // A TV opened on /monitor before anyone logged in: the login page links the monitor's manifest.
  await page.goto(`${hub.url}/monitor`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.waitForFunction(() => document.querySelector('link[rel=manifest]')?.getAttribute('href') === '/manifest-monitor.webmanifest');

  // Chromium itself fetches and parses it without complaint.
  const cdp = await context.newCDPSession(page);
  const seen = await cdp.send('Page.getAppManifest');
  assert.equal(new URL(seen.url).pathname, '/manifest-monitor.webmanifest', 'Chromium found the linked manifest');
  assert.deepEqual(seen.errors, [], "Chromium's manifest parser reports no errors");

  const checkedIcons = new Set();
  for (const [href, start] of [['/manifest.webmanifest', '/'], ...PAGES.map((p) => [`/manifest-${p}.webmanifest`, `/${p}`])]) {
    const m = await fetchManifest(href);
    assert.equal(m.name, 'Kidyboard', `${href}: name`);
    assert.ok(m.short_name && m.short_name.length <= 15, `${href}: a short_name that fits under an icon, got ${m.short_name}`);
    assert.equal(m.lang, 'es-MX', `${href}: Spanish (Mexico)`);
    assert.equal(m.start_url, start, `${href}: starts on its page`);
    assert.equal(m.scope, '/', `${href}: the whole app is in scope`);
    assert.equal(m.display, 'fullscreen', `${href}: full screen`);
    assert.ok(Array.isArray(m.display_override) && m.display_override.includes('standalone'), `${href}: falls back to standalone`);
    assert.match(m.theme_color, /^#[0-9a-f]{6}$/i, `${href}: theme colour`);
    assert.match(m.background_color, /^#[0-9a-f]{6}$/i, `${href}: background colour`);
    const sizes = m.icons.map((i) => `${i.sizes}${i.purpose === 'maskable' ? ' maskable' : ''}`);
    for (const want of ['192x192', '512x512', '512x512 maskable']) assert.ok(sizes.includes(want), `${href}: a ${want} icon, got ${sizes}`);
    for (const icon of m.icons) {
      if (checkedIcons.has(icon.src)) continue;
      const res = await fetch(new URL(icon.src, hub.url));
      assert.equal(res.status, 200, `${icon.src} should be served`);
      assert.equal(res.headers.get('content-type'), 'image/png', `${icon.src} is served as a PNG`);
      assert.equal(icon.type, 'image/png', `${icon.src} is declared a PNG`);
      assert.equal(pngSize(Buffer.from(await res.arrayBuffer())), icon.sizes, `${icon.src} is as large as declared`);
      checkedIcons.add(icon.src);
    }
  }
  const monitor = await fetchManifest('/manifest-monitor.webmanifest');
  assert.equal(monitor.background_color, '#0e0b1f', "the wall's splash is as dark as the wall");

  // A logged-in desk links its own page's manifest, and follows the page.
  await context.close();
  const desk = await openAs(browser, hub.url, 'admin', WALL);
  await desk.page.waitForFunction(() => document.querySelector('link[rel=manifest]')?.getAttribute('href') === '/manifest-admin.webmanifest');
  await desk.context.close();
});

test('Chromium would install the monitor as an app', { timeout: 60_000 }, async () => {
  // Chromium offers no install in an incognito-like context (every browser.newContext()), so this
  // one gets a profile on disk of its own.
  const context = await chromium.launchPersistentContext(tempDir('kidyboard-e2e-profile'), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: WALL,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${hub.url}/monitor`);
    await page.waitForFunction(() => document.querySelector('link[rel=manifest]')?.getAttribute('href') === '/manifest-monitor.webmanifest');
    const cdp = await context.newCDPSession(page);
    let errors;
    for (const until = Date.now() + 10_000; Date.now() < until; await page.waitForTimeout(250)) {
      errors = (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors;
      if (errors.length === 0) break;
    }
    assert.deepEqual(errors, [], 'Chromium finds nothing that keeps the page from being installed');
  } finally {
    await context.close();
  }
});

/** Records wake-lock requests in window.__wakeCalls: headless Chromium may refuse the real one. */
async function recordWakeLock(context) {
  await context.addInitScript(() => {
    window.__wakeCalls = [];
    Object.defineProperty(navigator, 'wakeLock', {
      configurable: true,
      value: {
        request: async (type) => {
          window.__wakeCalls.push(type);
          return { released: false, release: async () => {}, addEventListener() {} };
        },
      },
    });
  });
}

test('the wall asks to keep the screen awake, again when shown; a desk does not', { timeout: 60_000 }, async () => {
  const wall = await openAs(browser, hub.url, 'monitor', WALL, recordWakeLock);
  await wall.page.waitForFunction(() => window.__wakeCalls.length >= 1);
  assert.deepEqual(await wall.page.evaluate(() => window.__wakeCalls), ['screen'], 'one screen wake lock asked for');
  // A browser drops the lock when the page is hidden; shown again, the page asks again.
  await wall.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await wall.page.waitForFunction(() => window.__wakeCalls.length >= 2);
  assert.deepEqual(wall.errors.map(String), [], 'no script errors on the wall');
  await wall.context.close();

  const desk = await openAs(browser, hub.url, 'recepcion', WALL, recordWakeLock);
  await desk.page.waitForTimeout(500);
  assert.deepEqual(await desk.page.evaluate(() => window.__wakeCalls), [], 'the reception desk keeps no wake lock');
  await desk.context.close();
});

async function checkIn(name) {
  const token = await login(hub.url, 'recepcion');
  const service = items(await call(hub.url, token, 'GET', '/services')).find((s) => s.active);
  await call(hub.url, token, 'POST', '/sales', {
    items: [{ service_id: service.id, quantity: 1, child: { name } }],
    payments: [{ method: 'cash', amount_cents: service.price_cents }],
  });
}

const inEnglish = (context) => context.addInitScript(() => localStorage.setItem('kidyboard.lang', 'en'));

test('a wall and a totem without the hub say so in large letters, and stop once it is back', { timeout: 90_000 }, async () => {
  await checkIn('Mateo');
  const wall = await openAs(browser, hub.url, 'monitor', WALL);
  await wall.page.locator('[data-testid=monitor-tile]', { hasText: 'Mateo' }).waitFor();
  // The totem in English: the message follows the device's language.
  const totem = await openAs(browser, hub.url, 'totem', WALL, inEnglish);
  const banners = [wall, totem].map((d) => d.page.locator('[data-testid=hub-unreachable]'));
  for (const b of banners) assert.equal(await b.count(), 0, 'no banner while the hub answers');

  const { port, dataDir } = hub;
  const stoppedAt = Date.now();
  await hub.stop();
  for (const b of banners) await b.waitFor({ timeout: 8000 });
  const waited = Date.now() - stoppedAt;
  assert.ok(waited < 8000, `the banner should show within a few seconds of the hub going, took ${waited} ms`);
  assert.match(await banners[0].innerText(), /Sin conexión con el hub — reintentando…/, 'the Spanish message on the wall');
  assert.match(await banners[1].innerText(), /No connection to the hub — retrying…/, 'the English message on the totem');
  // The last timers stay under it (dimmed), so the wall is not blank while the hub is away.
  assert.equal(await wall.page.locator('[data-testid=monitor-tile]', { hasText: 'Mateo' }).count(), 1, 'the last known timers stay on the wall');

  // Readable across the room: large type, most of the screen's width, in the middle of it.
  const look = await banners[0].evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { fontSize: parseFloat(getComputedStyle(el.querySelector('strong')).fontSize), width: r.width, top: r.top, bottom: r.bottom };
  });
  assert.ok(look.fontSize >= 64, `the message should be at least 64 px on a 1080p wall, is ${look.fontSize}`);
  assert.ok(look.width >= WALL.width * 0.75, `the banner should span most of the wall, is ${look.width} px`);
  assert.ok(look.top > 0 && look.bottom < WALL.height, 'the banner is whole on screen');
  await screenshot(wall.page, 'installable-hub-unreachable-monitor');
  await screenshot(totem.page, 'installable-hub-unreachable-totem');

  hub = await startHub({ dataDir, port });
  for (const b of banners) await b.waitFor({ state: 'detached', timeout: 15_000 });
  assert.equal(new URL(wall.page.url()).pathname, '/monitor', 'the wall stayed on its page');
  for (const d of [wall, totem]) {
    assert.deepEqual(d.errors.map(String), [], 'no script errors');
    await d.context.close();
  }
});
