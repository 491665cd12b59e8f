// The kidibar sells by barcode scan and by touch; the stock the admin sees goes down live.
// A kidibar user cannot open reception or admin pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, smallTouchTargets } from './browser.mjs';
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

test('a kidibar sale lowers the stock the admin sees', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const products = items(await call(hub.url, adminToken, 'GET', '/products')).filter((p) => p.active);
  const product = products.find((p) => p.barcode && p.stock >= 3);
  assert.ok(product, 'the demo catalogue should have a product with a barcode and stock');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  assert.equal(new URL(admin.page.url()).pathname, '/admin', 'admin lands on the dashboard');
  await screenshot(admin.page, 'admin');
  assert.deepEqual(await smallTouchTargets(admin.page), [], 'every admin dashboard button is at least 48 px');
  await admin.page.click('[data-testid=tab-products]');
  const stockCell = admin.page.locator(`[data-testid=entity-row][data-id="${product.id}"] [data-col=stock]`);
  await stockCell.waitFor();
  assert.equal(await stockCell.textContent(), String(product.stock), 'admin sees the starting stock');

  const kidibar = await openAs(browser, hub.url, 'kidibar', DESK);
  const k = kidibar.page;
  assert.equal(new URL(k.url()).pathname, '/kidibar', 'kidibar lands on its own page');
  await k.waitForSelector('[data-testid=product-tile]');

  // A scanner types the digits fast and presses Enter, wherever the focus is.
  await k.click('[data-testid=product-search]');
  await k.keyboard.type(product.barcode, { delay: 5 });
  await k.keyboard.press('Enter');
  await k.locator('[data-testid=cart-line]', { hasText: product.name }).waitFor({ timeout: 2000 });
  assert.equal(await k.inputValue('[data-testid=product-search]'), '', 'the scanned digits do not stay in the search box');

  // …and a tap on the tile adds another one.
  await k.click(`[data-testid=product-tile][data-product-id="${product.id}"]`);
  await k.locator('[data-testid=cart-line]', { hasText: '× 2' }).waitFor();
  await k.click('[data-testid=checkout]');
  await k.click('[data-testid=pay-mode-card]');
  await k.click('[data-testid=pay-confirm]');
  await k.waitForSelector('[data-testid=sale-done]');
  await k.click('[data-testid=sale-done-close]');

  const after = await call(hub.url, adminToken, 'GET', `/products/${product.id}`);
  assert.equal(after.stock, product.stock - 2, 'the hub lowered the stock by the two sold');
  await admin.page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [`[data-testid=entity-row][data-id="${product.id}"] [data-col=stock]`, String(product.stock - 2)],
    { timeout: 2000 },
  );

  // Stock set to zero in admin blocks the tile at the kidibar, live.
  await call(hub.url, adminToken, 'POST', `/products/${product.id}/stock`, { delta: -(product.stock - 2), reason: 'e2e: agotar' });
  await k.locator(`[data-testid=product-tile][data-product-id="${product.id}"]:disabled`).waitFor({ timeout: 2000 });

  await screenshot(k, 'kidibar');
  assert.deepEqual(await smallTouchTargets(k), [], 'every kidibar button is at least 48 px');
  assert.deepEqual([...admin.errors, ...kidibar.errors].map(String), [], 'no script errors');
});

test('a kidibar user cannot reach reception or admin pages', { timeout: 60_000 }, async () => {
  const kidibar = await openAs(browser, hub.url, 'kidibar', DESK);
  for (const path of ['/reception', '/reception/closing', '/admin', '/admin/users', '/monitor']) {
    await kidibar.page.goto(`${hub.url}${path}`);
    await kidibar.page.waitForURL((url) => url.pathname === '/kidibar', { timeout: 3000 });
    assert.equal(await kidibar.page.locator('[data-testid=checkin], [data-testid=close-day], [data-testid=entity-new]').count(), 0,
      `nothing of ${path} is shown to kidibar`);
  }
  // The hub refuses it too, whatever the page does.
  const token = await login(hub.url, 'kidibar');
  const res = await fetch(`${hub.url}/api/v1/timers`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 403, 'the hub forbids timers to kidibar');
});
