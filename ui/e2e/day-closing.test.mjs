// Day closing, blind: the desk counts without seeing what is expected, an administrator sees it
// (and a preview of the difference) before counting, a count too far off is sent back once, and
// after the recount the difference shown is the hub's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
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

test('the desk counts blind, an admin sees the expected cash, the hub’s difference is shown after closing', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.active && p.stock >= 1);
  assert.ok(product, 'the demo catalogue should have a product in stock');
  // A cash sale with change: the drawer should hold the price, not what was handed over.
  await call(hub.url, token, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 1 }],
    payments: [{ method: 'cash', amount_cents: product.price_cents + 10000 }],
  });
  const current = await call(hub.url, token, 'GET', '/day-closings/current');
  assert.equal(current.expected, null, 'the hub keeps the expected figures from the desk');
  const adminToken = await login(hub.url, 'admin');
  const expected = (await call(hub.url, adminToken, 'GET', '/day-closings/current')).expected.cash_cents;
  assert.ok(expected > 0, 'the hub expects the cash of the sale in the drawer');

  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  const r = reception.page;
  await r.click('[data-testid=tab-sales]');
  await r.locator('[data-testid=sale-row]', { hasText: product.name }).waitFor();
  assert.equal(await r.textContent('[data-testid=sales-count]'), '1', "today's sales list the sale");
  await screenshot(r, 'reception-sales');
  await r.click('[data-testid=tab-closing]');
  await r.waitForURL((url) => url.pathname === '/reception/closing');
  await r.locator('[data-testid=status-sales]', { hasText: '1' }).waitFor();
  assert.equal(await r.locator('[data-testid=status-expected]').count(), 0, 'the desk sees no expected figures');

  // The administrator sees what is expected, and the difference as they count.
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.goto(`${hub.url}/reception/closing`);
  await a.locator('[data-testid=status-expected]', { hasText: formatMXN(expected) }).waitFor();
  await a.click('[data-testid=start-closing]');
  await a.locator('[data-testid=expected-cash]', { hasText: formatMXN(expected) }).waitFor();
  await a.locator('[data-testid=denom][data-key="bill:50000"] button[aria-label]').last().click();
  assert.equal(await a.textContent('[data-testid=preview-difference]'), formatMXN(50000 - expected), 'the admin sees the difference before closing');
  await screenshot(a, 'reception-closing-admin');
  await a.click('[data-testid=closing-back]');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors (admin)');

  // Count one $500 bill and two 50-centavo coins: far from what is expected.
  await r.click('[data-testid=start-closing]');
  await r.locator('[data-testid=denom][data-key="bill:50000"] button[aria-label]').last().click();
  await r.locator('[data-testid=denom][data-key="coin:50"] input').fill('2');
  const counted = 50000 + 100;
  assert.equal(await r.textContent('[data-testid=counted-cash]'), formatMXN(counted), 'the count adds up the denominations');
  assert.equal(await r.locator('[data-testid=admin-expected], [data-testid=expected-cash], [data-testid=preview-difference]').count(), 0,
    'the desk counts blind');
  await screenshot(r, 'reception-closing');
  assert.deepEqual(await smallTouchTargets(r), [], 'every day-closing button is at least 48 px');

  await r.click('[data-testid=close-day]');
  await r.click('[data-testid=close-day]');
  await r.locator('[data-testid=recount-notice]').waitFor();
  assert.equal(items(await call(hub.url, token, 'GET', '/day-closings')).length, 0, 'a count that far off closes nothing');
  // Counted again, the same: the hub accepts the second count.
  await r.locator('[data-testid=denom][data-key="bill:50000"] button[aria-label]').last().click();
  await r.locator('[data-testid=denom][data-key="coin:50"] input').fill('2');
  await r.click('[data-testid=close-day]');
  await r.click('[data-testid=close-day]');
  await r.waitForSelector('[data-testid=closing-result]');
  await screenshot(r, 'reception-closed');
  const closings = items(await call(hub.url, token, 'GET', '/day-closings'));
  assert.equal(closings.length, 1, 'the hub recorded one closing');
  assert.equal(closings[0].difference_cents, counted - expected, 'the hub computed counted minus expected');
  assert.equal(await r.textContent('[data-testid=closing-difference]'), formatMXN(closings[0].difference_cents), 'the hub’s difference is shown');
  assert.equal(await r.textContent('[data-testid=result-cash-expected]'), formatMXN(expected), 'the expected cash shows once the count is in');
  assert.match(await r.textContent('[data-testid=first-count]'), /\$501\.00/, 'the first count is shown');
  assert.deepEqual(reception.errors.map(String), [], 'no script errors');
});
