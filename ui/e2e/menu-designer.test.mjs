// The menu designer end to end: edit a design and watch the hub's preview change, export a PDF
// through the progress bar and check it with pdftotext, then the totem plays the design and
// picks up a price change by itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, OUTPUT_DIR, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';

let hub;
let browser;

before(async () => {
  hub = await startHub();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const previewSrc = (page) => page.getAttribute('[data-testid=menu-preview]', 'src');

test('admin edits a design, sees the preview change and exports a PDF', { timeout: 180_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-menus]');
  await a.click('[data-testid=menu-new]');
  await a.locator('[data-testid=menu-preview]').waitFor({ timeout: 20_000 });
  const first = await previewSrc(a);
  await a.fill('[data-testid=menu-columns]', '9');
  await a.locator('[data-testid=menu-columns][aria-invalid=true]').waitFor({ timeout: 20_000 });
  await a.fill('[data-testid=menu-columns]', '1');
  await a.waitForFunction((src) => document.querySelector('[data-testid=menu-preview]')?.getAttribute('src') !== src, first, { timeout: 20_000 });
  await a.fill('[data-testid=menu-name]', 'Mostrador');
  await a.click('[data-testid=menu-save]');
  await a.locator('[data-testid=menu-design]', { hasText: 'Mostrador' }).waitFor();
  const saved = items(await call(hub.url, token, 'GET', '/menus/designs')).find((d) => d.name === 'Mostrador');
  assert.equal(saved?.design.columns, 1, 'the edit reached the hub');
  await screenshot(a, 'admin-menu-designer');

  // Remember whether the progress bar ever showed: a short export may be over in a blink.
  await a.evaluate(() => {
    window.sawProgress = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=menu-progress]')) window.sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  const [download] = await Promise.all([a.waitForEvent('download', { timeout: 60_000 }), a.click('[data-testid=menu-export-pdf]')]);
  assert.equal(download.suggestedFilename(), 'Mostrador.pdf');
  assert.equal(await a.evaluate(() => window.sawProgress), true, 'the progress bar showed during the export');
  const path = join(OUTPUT_DIR, 'menu-designer.pdf');
  await download.saveAs(path);
  const text = execFileSync('pdftotext', [path, '-']).toString().replace(/\s+/g, ' ');
  for (const p of items(await call(hub.url, token, 'GET', '/products')).filter((x) => x.active)) {
    assert.ok(text.includes(p.name.replace(/\s+/g, ' ')), `the PDF lists ${p.name}`);
    assert.ok(text.includes(formatMXN(p.price_cents)), `the PDF prices ${p.name}`);
  }
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

test('the totem plays the chosen design and updates after a price change', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'admin');
  await call(hub.url, token, 'POST', '/menus/designs', {
    name: 'Pantalla del tótem',
    on_totem: true,
    design: { canvas: { kind: 'screen', size: '1080p' }, slides: { seconds_per_slide: 30, transition_seconds: 0.5 } },
  });
  const totem = await openAs(browser, hub.url, 'totem', WALL);
  const t = totem.page;
  const stage = t.locator('[data-testid=totem-menu]');
  await stage.waitFor({ timeout: 30_000 });
  const before = await stage.getAttribute('data-version');
  await t.waitForFunction(() => {
    const img = document.querySelector('[data-testid=totem-menu-slide][data-slide="0"]');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth === 1920;
  });
  await screenshot(t, 'totem-hub-menu');

  const service = items(await call(hub.url, token, 'GET', '/services')).find((s) => s.active);
  await call(hub.url, token, 'PATCH', `/services/${service.id}`, { price_cents: service.price_cents + 500 });
  await t.waitForFunction(
    (v) => {
      const el = document.querySelector('[data-testid=totem-menu]');
      return el && el.getAttribute('data-version') !== v;
    },
    before,
    { timeout: 20_000 },
  );
  const menu = await call(hub.url, token, 'GET', '/menus/totem');
  assert.equal(await stage.getAttribute('data-version'), menu.version, 'the totem shows the current version');
  assert.deepEqual(totem.errors.map(String), [], 'no script errors');
});

