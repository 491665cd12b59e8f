// Day closing with a cash count that does not match: the difference is shown, before and after
// closing, and it is the hub's figure.
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

test('closing the day with a wrong cash count shows the difference', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.active && p.stock >= 1);
  assert.ok(product, 'the demo catalogue should have a product in stock');
  // A cash sale with change: the drawer should hold the price, not what was handed over.
  await call(hub.url, token, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 1 }],
    payments: [{ method: 'cash', amount_cents: product.price_cents + 10000 }],
  });
  const current = await call(hub.url, token, 'GET', '/day-closings/current');
  const expected = current.expected.cash_cents;
  assert.ok(expected > 0, 'the hub expects the cash of the sale in the drawer');

  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  const r = reception.page;
  await r.click('[data-testid=tab-sales]');
  await r.locator('[data-testid=sale-row]', { hasText: product.name }).waitFor();
  assert.equal(await r.textContent('[data-testid=sales-count]'), '1', "today's sales list the sale");
  await screenshot(r, 'reception-sales');
  await r.click('[data-testid=tab-closing]');
  await r.waitForURL((url) => url.pathname === '/reception/closing');
  await r.locator('[data-testid=expected-cash]', { hasText: formatMXN(expected) }).waitFor();

  // Count one $500 bill and two 50-centavo coins: almost certainly not what is expected.
  await r.locator('[data-testid=denom][data-key="bill:50000"] button[aria-label]').last().click();
  await r.locator('[data-testid=denom][data-key="coin:50"] input').fill('2');
  const counted = 50000 + 100;
  assert.equal(await r.textContent('[data-testid=counted-cash]'), formatMXN(counted), 'the count adds up the denominations');
  assert.equal(await r.textContent('[data-testid=preview-difference]'), formatMXN(counted - expected), 'the difference shows before closing');
  await screenshot(r, 'reception-closing');
  assert.deepEqual(await smallTouchTargets(r), [], 'every day-closing button is at least 48 px');

  await r.click('[data-testid=close-day]');
  await r.click('[data-testid=close-day]');
  await r.waitForSelector('[data-testid=closing-result]');
  await screenshot(r, 'reception-closed');
  const closings = items(await call(hub.url, token, 'GET', '/day-closings'));
  assert.equal(closings.length, 1, 'the hub recorded one closing');
  assert.equal(closings[0].difference_cents, counted - expected, 'the hub computed counted minus expected');
  assert.equal(await r.textContent('[data-testid=closing-difference]'), formatMXN(closings[0].difference_cents), 'the hub’s difference is shown');
  assert.deepEqual(reception.errors.map(String), [], 'no script errors');
});
