// The store and the cloud through the screens: the admin links the store with the owner's pairing
// code; a product the owner adds in the cloud, and then its new price, reach the kidibar by
// themselves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { formatMXN } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot } from './browser.mjs';
import { cloudCall, createOwner, startCloud, startPostgres } from './cloud.mjs';
import { startHub } from './hub.mjs';

let pg;
let cloud;
let hub;
let browser;

before(async () => {
  pg = await startPostgres();
  cloud = await startCloud(pg.url);
  hub = await startHub({ env: { KIDYBOARD_SYNC_INTERVAL_SECS: '2' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
  await cloud?.stop();
  pg?.stop();
});

test('a catalogue change made in the cloud reaches the kidibar', { timeout: 180_000 }, async () => {
  const { token: owner } = await createOwner(cloud.url);
  const branch = await cloudCall(cloud.url, owner, 'POST', '/branches', { name: 'Centro', timezone: 'America/Mexico_City' });
  const { code } = await cloudCall(cloud.url, owner, 'POST', `/branches/${branch.id}/pairing-codes`, {});

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-cloud]');
  await a.locator('[data-testid=cloud-status][data-paired=false]').waitFor();
  await a.fill('input[name=cloud_url]', cloud.url);
  await a.fill('input[name=code]', 'WRONG-CODE1');
  await a.click('[data-testid=cloud-pair-submit]');
  await a.locator('[data-testid=cloud-pair-error]').waitFor();
  assert.equal(await a.getAttribute('input[name=code]', 'aria-invalid'), 'true', 'a refused code marks its field');

  await a.fill('input[name=code]', code);
  await a.click('[data-testid=cloud-pair-submit]');
  await a.locator('[data-testid=cloud-status][data-online=true]').waitFor({ timeout: 30_000 });
  await a.locator('[data-testid=cloud-pending]', { hasText: /^0$/ }).waitFor({ timeout: 30_000 });
  await screenshot(a, 'admin-cloud-linked');

  const bar = await openAs(browser, hub.url, 'kidibar', DESK);
  const b = bar.page;
  await b.locator('[data-testid=product-tile]').first().waitFor();

  const product = await cloudCall(cloud.url, owner, 'POST', '/catalog/products', {
    name: 'Churros de la nube', category: 'Postres', price_cents: 3500, low_stock_threshold: 2,
  });
  const tile = b.locator(`[data-testid=product-tile][data-product-id="${product.id}"]`);
  await tile.waitFor({ timeout: 30_000 });
  assert.match((await tile.textContent()) ?? '', /Churros de la nube/);
  assert.match((await tile.textContent()) ?? '', new RegExp(formatMXN(3500).replace(/[$.]/g, '\\$&')));

  await cloudCall(cloud.url, owner, 'PATCH', `/catalog/products/${product.id}`, { price_cents: 3900 });
  await tile.filter({ hasText: formatMXN(3900) }).waitFor({ timeout: 30_000 });
  await screenshot(b, 'kidibar-cloud-product');
  assert.deepEqual([...admin.errors, ...bar.errors].map(String), [], 'no script errors');
});
