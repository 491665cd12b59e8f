// The quick switch on a shared desk: the header names who is signed in; «Cambiar usuario» takes a
// username (or one of the people who worked on this device) and a PIN, and the page becomes the
// new user's, with the new role's screen. A wrong PIN is refused, a burst of them is slowed down,
// and the replaced session is revoked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
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

async function tryPin(page, username, pin) {
  await page.fill('[data-testid=switch-username]', username);
  for (const d of pin) await page.click(`[data-testid=switch-pin-key-${d}]`);
  await page.click('[data-testid=switch-submit]');
}

test('signed in as reception, a PIN switches the desk to the kid bar; wrong PINs are refused', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.active && p.stock > 0);
  const sale = await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: product.id, quantity: 1 }], payments: [{ method: 'cash', amount_cents: product.price_cents }] });

  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  assert.equal(await page.textContent('[data-testid=user-name]'), 'Recepción', 'the header names the user');
  assert.equal(await page.getAttribute('[data-testid=user-role]', 'data-role'), 'reception', 'and their role');
  const oldToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('kidyboard.session')).token);

  await page.click('[data-testid=user-menu]');
  await page.click('[data-testid=switch-user]');
  await page.locator('[data-testid=user-switch]').waitFor();

  // A wrong PIN: refused, and the desk stays as it was.
  await tryPin(page, 'kidibar', '1357');
  await page.locator('[data-testid=user-switch] [data-testid=error]').waitFor();
  assert.equal(await page.getAttribute('[data-testid=switch-pin-field]', 'aria-invalid'), 'true', 'the PIN is marked');
  assert.equal(await page.inputValue('[data-testid=switch-pin-field]'), '', 'the wrong PIN is cleared for the next try');
  assert.equal(await page.getAttribute('[data-testid=user-role]', 'data-role'), 'reception', 'still reception');
  assert.equal(new URL(page.url()).pathname, '/reception');

  // A burst of guesses at one username: the hub slows them (429) and the dialog says to wait.
  let waited = false;
  for (let i = 0; i < 6 && !waited; i++) {
    await tryPin(page, 'admin', '9753');
    await page.waitForFunction(() => document.querySelector('[data-testid=user-switch] [role=alert]'));
    waited = (await page.locator('[data-testid=switch-wait]').count()) > 0;
  }
  assert.ok(waited, 'repeated wrong PINs end in the wait message');
  assert.match(await page.textContent('[data-testid=switch-wait]'), /espera/i);

  // The right PIN for the kid bar (another username: not slowed by the admin's failures).
  await page.fill('[data-testid=switch-username]', 'kidibar');
  for (const d of '2468') await page.click(`[data-testid=switch-pin-key-${d}]`);
  await screenshot(page, 'pin-switch');
  assert.deepEqual(await smallTouchTargets(page), [], 'every switch button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the switch fits at 1366×768');
  await page.click('[data-testid=switch-submit]');
  await page.waitForURL((url) => url.pathname === '/kidibar');
  await page.locator('[data-testid=user-role][data-role=kidibar]').waitFor();
  assert.equal(await page.textContent('[data-testid=user-name]'), 'Kidibar');
  await page.locator('[data-testid=product-grid]').waitFor();
  assert.equal(await page.locator('[data-testid=tab-checkin]').count(), 0, 'reception’s tabs are gone');
  const revoked = await fetch(`${hub.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${oldToken}` } });
  assert.equal(revoked.status, 401, 'the replaced session is revoked');

  // The kid bar's own history, as the kid bar (the product sale is one it may see).
  await page.click('[data-testid=tab-sales]');
  await page.locator(`[data-testid=sale-row][data-folio="${sale.folio}"]`).waitFor();
  await screenshot(page, 'pin-switch-kidibar-sales');
  assert.deepEqual(await layoutProblems(page), [], 'the kid bar’s history fits');

  // Back to reception in one tap of the recent list and the PIN.
  await page.click('[data-testid=user-menu]');
  await page.click('[data-testid=switch-user]');
  await page.click('[data-testid=switch-user-recepcion]');
  for (const d of '2468') await page.click(`[data-testid=switch-pin-key-${d}]`);
  await page.click('[data-testid=switch-submit]');
  await page.locator('[data-testid=user-role][data-role=reception]').waitFor();
  // The kid bar's address is not reception's: the desk lands on reception's home.
  await page.waitForURL((url) => url.pathname === '/reception');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});
