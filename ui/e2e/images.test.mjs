// Product pictures: an admin uploads a photo from the product form; the kidibar shows it from the
// hub at the width its tile needs, in AVIF; a file that is not a picture is refused with a message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot } from './browser.mjs';
import { startHub } from './hub.mjs';

const PHOTO = new URL('../../crates/images/tests/data/chelsea.png', import.meta.url);

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

test('an uploaded product photo shows on the kidibar in AVIF', { timeout: 240_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const product = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.active && p.stock > 0);
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-products]');
  await a.locator('[data-testid=entity-row]', { hasText: product.name }).locator('button').click();

  // Not a picture: refused, with the hub's words, and the field keeps its value.
  const fake = { name: 'foto.png', mimeType: 'image/png', buffer: Buffer.from('<html>this is not a picture</html>') };
  await a.setInputFiles('[data-testid=image-file]', fake);
  await a.locator('[data-testid=image-error]').waitFor({ timeout: 30_000 });
  assert.ok(((await a.textContent('[data-testid=image-error]')) ?? '').trim().length > 0);

  await a.setInputFiles('[data-testid=image-file]', { name: 'gato.png', mimeType: 'image/png', buffer: readFileSync(PHOTO) });
  const preview = a.locator('[data-testid=image-field] img');
  await preview.waitFor({ timeout: 30_000 });
  await a.waitForFunction((el) => el.complete && el.naturalWidth > 0, await preview.elementHandle(), { timeout: 60_000 });
  const address = await a.inputValue('input[name=image_url]');
  assert.match(address, /^\/img\/[0-9a-f]{64}$/, 'the form holds the stored picture’s address');
  await screenshot(a, 'admin-product-photo');
  await a.click('[data-testid=entity-save]');
  await a.locator('[data-testid=image-field]').waitFor({ state: 'detached', timeout: 30_000 });
  const saved = await call(hub.url, token, 'GET', `/products/${product.id}`);
  assert.equal(saved.image_url, address);

  const bar = await openAs(browser, hub.url, 'kidibar', DESK);
  const pictures = [];
  bar.page.on('response', (r) => {
    if (r.url().includes('/img/')) pictures.push({ url: r.url(), type: r.headers()['content-type'] });
  });
  await bar.page.reload();
  const img = bar.page.locator(`[data-testid=product-tile][data-product-id="${product.id}"] img`);
  await img.waitFor();
  await bar.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 60_000 });
  const srcset = await img.getAttribute('srcset');
  assert.ok(srcset?.includes(`${address}?w=160 160w`), `srcset lists the widths: ${srcset}`);
  const current = await img.evaluate((el) => el.currentSrc);
  const loaded = pictures.find((p) => p.url === current);
  assert.ok(loaded, `the chosen width was loaded from the hub: ${current}`);
  assert.equal(loaded.type, 'image/avif', 'Chromium accepts AVIF, so it gets AVIF');
  await screenshot(bar.page, 'kidibar-product-photo');
  assert.deepEqual([...admin.errors, ...bar.errors].map(String), [], 'no script errors');
});
