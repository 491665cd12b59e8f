// The till's corrections: a clerk finds a sale by its folio in the history, refunds one of its
// two items with the supervisor's PIN typed on the dialog's pad, and the hub holds exactly that
// refund (authorised by the admin, the product back in stock); a wrong PIN writes nothing; the
// reprint is the hub's copy, marked COPIA, with the refund on it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
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

/** Types a PIN on the pad, one tap a digit. */
async function tapPin(page, pad, digits) {
  for (const d of digits) await page.click(`[data-testid=${pad}-key-${d}]`);
}

test('a clerk refunds one item of a sale with the supervisor’s PIN; a wrong PIN writes nothing', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const admin = await call(hub.url, await login(hub.url, 'admin'), 'GET', '/auth/me');
  const [keep, back] = items(await call(hub.url, rec, 'GET', '/products')).filter((p) => p.active && p.stock > 3);
  assert.ok(keep && back, 'the demo catalogue has two products in stock');
  const sale = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: keep.id, quantity: 1 }, { product_id: back.id, quantity: 1 }],
    payments: [{ method: 'cash', amount_cents: keep.price_cents + back.price_cents }],
  });
  // Another sale of the day, so the search has something to leave out.
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: keep.id, quantity: 1 }], payments: [{ method: 'card', amount_cents: keep.price_cents }] });
  const stockBefore = (await call(hub.url, rec, 'GET', `/products/${back.id}`)).stock;

  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  await page.click('[data-testid=tab-sales]');
  await page.locator('[data-testid=sale-row]').nth(1).waitFor();
  await page.fill('[data-testid=sale-search]', sale.folio.toLowerCase());
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=sale-row]').length === 1);
  const row = page.locator(`[data-testid=sale-row][data-folio="${sale.folio}"]`);
  await row.waitFor();
  await screenshot(page, 'refund-1-history');
  assert.deepEqual(await smallTouchTargets(page), [], 'every history button is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the history fits at 1366×768');

  await row.click();
  await page.waitForURL((url) => url.pathname === `/reception/sales/${sale.id}`);
  await page.locator('[data-testid=sale-folio]', { hasText: sale.folio }).waitFor();
  assert.equal(await page.textContent('[data-testid=sale-net]'), formatMXN(sale.total_cents), 'nothing refunded yet: the net is the total');
  // A reload stays on the sale.
  await page.reload();
  await page.locator('[data-testid=sale-folio]', { hasText: sale.folio }).waitFor();
  await screenshot(page, 'refund-2-sale');
  assert.deepEqual(await smallTouchTargets(page), [], 'every sale-page button is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the sale page fits at 1366×768');

  // The line's own refund button: one unit of it comes chosen.
  await page.click(`[data-testid=sale-line][data-line="${sale.id}.1"] [data-testid=line-refund]`);
  const dialog = page.locator('[data-testid=refund-dialog]');
  await dialog.waitFor();
  await page.locator('[data-testid=refund-auth]').waitFor();
  assert.match(await page.textContent('[data-testid=refund-submit]'), new RegExp(formatMXN(back.price_cents).replace(/[$.]/g, '\\$&')), 'the button says what goes back');
  assert.match(await page.textContent('[data-testid=refund-split]'), /Efectivo/, 'a cash sale gives back cash');
  await page.locator('[data-testid=reason-chip]').first().click();
  await page.fill('[data-testid=refund-supervisor]', 'admin');

  // A wrong PIN: refused, named, nothing written.
  await tapPin(page, 'refund-pin', '1357');
  await page.click('[data-testid=refund-submit]');
  const note = dialog.locator('[data-testid=error]');
  await note.waitFor();
  assert.match(await note.textContent(), /PIN/i, 'the hub’s reason is shown');
  assert.equal(await page.getAttribute('[data-testid=refund-pin-field]', 'aria-invalid'), 'true', 'the PIN is the field blamed');
  const untouched = await call(hub.url, rec, 'GET', `/sales/${sale.id}`);
  assert.equal(untouched.refunded_cents, 0, 'a wrong PIN refunds nothing');
  assert.deepEqual(untouched.refunds, [], 'a wrong PIN records no refund');
  assert.equal((await call(hub.url, rec, 'GET', `/products/${back.id}`)).stock, stockBefore, 'a wrong PIN moves no stock');

  // The right one, in the same dialog (same Idempotency-Key).
  await tapPin(page, 'refund-pin', '2468');
  await screenshot(page, 'refund-3-dialog-pin');
  assert.deepEqual(await smallTouchTargets(page), [], 'every dialog button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the refund dialog fits at 1366×768');
  await page.click('[data-testid=refund-submit]');
  const folio = (await page.locator('[data-testid=refund-folio]').textContent()).trim();
  assert.match(folio, /^A-D\d{6}$/, 'the refund’s own folio is shown');
  await screenshot(page, 'refund-4-done');
  await page.click('[data-testid=refund-close]');

  // The page shows the sale as it now stands.
  await page.locator(`[data-testid=sale-refund-entry][data-folio="${folio}"]`).waitFor();
  assert.match(await page.textContent(`[data-testid=sale-refund-entry][data-folio="${folio}"]`), /autorizó Dueña \(administración\)/, 'the supervisor is named as the hub names them');
  assert.match(await page.textContent(`[data-testid=sale-line][data-line="${sale.id}.1"] [data-testid=line-refunded]`), /1/, 'the line shows one refunded');
  assert.equal(await page.locator(`[data-testid=sale-line][data-line="${sale.id}.0"] [data-testid=line-refunded]`).count(), 0, 'the other line is untouched');
  assert.equal(await page.textContent('[data-testid=sale-net]'), formatMXN(keep.price_cents), 'the net is what was kept');
  await screenshot(page, 'refund-6-sale-after');
  assert.deepEqual(await layoutProblems(page), [], 'the refunded sale’s page fits');

  // The hub agrees.
  const after = await call(hub.url, rec, 'GET', `/sales/${sale.id}`);
  assert.equal(after.refunds.length, 1, 'one refund');
  const refund = await call(hub.url, rec, 'GET', `/refunds/${after.refunds[0].id}`);
  assert.equal(refund.folio, folio);
  assert.equal(refund.authorized_by, admin.id, 'the admin authorised it');
  assert.equal(refund.is_void, false);
  assert.deepEqual(refund.items.map((i) => [i.item_id, i.quantity, i.damaged]), [[`${sale.id}.1`, 1, false]], 'exactly the one item');
  assert.deepEqual(refund.payments, [{ method: 'cash', amount_cents: back.price_cents }], 'its price back in cash');
  assert.ok(refund.reason.length > 0, 'the chosen reason is recorded');
  assert.equal((await call(hub.url, rec, 'GET', `/products/${back.id}`)).stock, stockBefore + 1, 'the product is back in stock');
  assert.deepEqual(after.items.map((i) => i.refunded_quantity), [0, 1]);

  // The reprint: the hub's text copy, marked COPIA, with the refund.
  await page.click('[data-testid=sale-reprint]');
  const copy = page.locator('[data-testid=receipt-text]');
  await copy.waitFor();
  const text = await copy.textContent();
  assert.match(text, /COPIA/, 'the reprint is marked COPIA');
  assert.ok(text.includes(sale.folio), 'the reprint carries the sale’s folio');
  assert.ok(text.includes(folio), 'the reprint lists the refund');
  await screenshot(page, 'refund-5-reprint');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the reprint fits at 1366×768');

  // Back in the history, the search kept, the sale shows what went back.
  await page.keyboard.press('Escape');
  await page.click('[data-testid=sale-back]');
  assert.equal(await page.inputValue('[data-testid=sale-search]'), sale.folio.toLowerCase(), 'the search is as it was left');
  await page.locator(`[data-testid=sale-row][data-folio="${sale.folio}"]`, { hasText: `−${formatMXN(back.price_cents)}` }).waitFor();
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('an administrator voids a whole sale without a PIN: «Todo» sends it as a void', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.active && p.stock > 3);
  const sale = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 2 }],
    payments: [{ method: 'card', amount_cents: 2 * product.price_cents }],
  });

  const desk = await openAs(browser, hub.url, 'admin', DESK);
  const page = desk.page;
  await page.goto(`${hub.url}/reception/sales/${sale.id}`);
  await page.click('[data-testid=sale-refund]');
  await page.locator('[data-testid=refund-dialog]').waitFor();
  assert.equal(await page.locator('[data-testid=refund-auth]').count(), 0, 'an administrator is not asked for a PIN up front');
  await page.click('[data-testid=refund-all]');
  assert.equal(await page.textContent('[data-testid=refund-qty]'), '2', '«Todo» takes every unit left');
  assert.match(await page.textContent('[data-testid=refund-split]'), /Tarjeta/, 'a card sale goes back to the card');
  // No reason yet: the dialog says so and sends nothing.
  await page.click('[data-testid=refund-submit]');
  await page.locator('[data-testid=refund-missing]').waitFor();
  await page.fill('[data-testid=refund-reason]', 'venta duplicada');
  await page.click('[data-testid=refund-submit]');
  const folio = (await page.locator('[data-testid=refund-folio]').textContent()).trim();
  await page.click('[data-testid=refund-close]');
  await page.locator('[data-testid=sale-status]', { hasText: 'Anulada' }).waitFor();
  assert.equal(await page.textContent('[data-testid=sale-net]'), formatMXN(0));
  assert.equal(await page.locator('[data-testid=sale-refund]').count(), 0, 'nothing is left to refund');

  const refund = await call(hub.url, rec, 'GET', `/refunds/${(await call(hub.url, rec, 'GET', `/sales/${sale.id}`)).refunds[0].id}`);
  assert.equal(refund.folio, folio);
  assert.equal(refund.is_void, true, 'sent as a void');
  assert.equal(refund.reason, 'venta duplicada');
  assert.deepEqual(refund.payments, [{ method: 'card', amount_cents: sale.total_cents }]);
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});
