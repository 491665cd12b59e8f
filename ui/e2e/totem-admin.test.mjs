// The totem plays the real catalogue; admin_viewer sees admin read-only; bad logins explain themselves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, smallTouchTargets, WALL } from './browser.mjs';
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

test('the totem shows the real menu and follows catalogue edits live', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const service = items(await call(hub.url, token, 'GET', '/services')).find((s) => s.active);
  const totem = await openAs(browser, hub.url, 'totem', WALL);
  const t = totem.page;
  assert.equal(new URL(t.url()).pathname, '/totem', 'totem lands on its page');
  const slide = t.locator('[data-testid=totem-slide][data-kind=services]');
  await slide.locator(`text=${service.name}`).waitFor();
  await slide.locator(`text=${formatMXN(service.price_cents)}`).first().waitFor();
  await t.waitForTimeout(900); // let the slide's entrance animation finish before the picture
  await screenshot(t, 'totem');
  assert.deepEqual(await smallTouchTargets(t), [], 'every totem button is at least 48 px');

  const price = service.price_cents + 1000;
  await call(hub.url, token, 'PATCH', `/services/${service.id}`, { price_cents: price });
  await slide.locator(`text=${formatMXN(price)}`).waitFor({ timeout: 3000 });
  assert.deepEqual(totem.errors.map(String), [], 'no script errors');
});

test('admin_viewer sees admin read-only', { timeout: 60_000 }, async () => {
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  assert.equal(new URL(viewer.page.url()).pathname, '/admin');
  await viewer.page.click('[data-testid=tab-products]');
  await viewer.page.waitForSelector('[data-testid=entity-row]');
  assert.equal(await viewer.page.locator('[data-testid=entity-new]').count(), 0, 'no create button for admin_viewer');
});

test('admin creates a product; a barcode already taken is refused on its field', { timeout: 60_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const taken = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.barcode).barcode;
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-products]');
  await a.click('[data-testid=entity-new]');
  await a.fill('input[name=name]', 'Agua de jamaica');
  await a.fill('input[name=category]', 'Bebidas');
  await a.fill('input[name=price_cents]', '28.50');
  await a.fill('input[name=barcode]', taken);
  await a.click('[data-testid=entity-save]');
  await a.locator('input[name=barcode][aria-invalid=true]').waitFor({ timeout: 3000 });
  assert.ok(((await a.textContent('[data-testid=field-error]')) ?? '').trim().length > 0, 'the hub’s message is shown under the field');
  await screenshot(a, 'admin-product-error');

  await a.fill('input[name=barcode]', '2000000099990');
  await a.click('[data-testid=entity-save]');
  await a.locator('[data-testid=entity-row]', { hasText: 'Agua de jamaica' }).waitFor({ timeout: 3000 });
  const created = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.name === 'Agua de jamaica');
  assert.equal(created?.price_cents, 2850, 'the price typed as pesos is stored as centavos');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

test('a wrong password shows the hub’s message and marks the field', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: DESK });
  const page = await context.newPage();
  await page.goto(`${hub.url}/reception`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.fill('input[name=username]', 'recepcion');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=error]');
  assert.ok(((await page.textContent('[data-testid=error]')) ?? '').length > 0, 'an error message is shown');
  assert.equal(await page.getAttribute('input[name=password]', 'aria-invalid'), 'true', 'the password field is highlighted');
  await screenshot(page, 'login');

  // English is one tap away, on every screen.
  await page.click('button:text-is("EN")');
  assert.equal((await page.textContent('button[type=submit]'))?.trim(), 'Log in', 'the copy switches to English');
});
