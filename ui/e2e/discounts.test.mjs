// Discounts at the desk, on the real hub: reception checks a child in with a 10 % ticket discount
// and a reason, and the total the cart showed is the hub's to the centavo; the receipt shown after
// the sale says «Total» (not «Total a cobrar»), «IVA incluido», the legal name, RFC and the clerk.
// A 25 % line discount (beyond reception's 10 %) asks for the administrator's PIN up front and the
// sale records who authorised it; when the desk did not know the limit had dropped, the hub's 403
// brings the same PIN block and the retry goes with the same Idempotency-Key.
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

async function tapPin(page, pad, digits) {
  for (const d of digits) await page.click(`[data-testid=${pad}-key-${d}]`);
}

/** The desk's sale requests, with the Idempotency-Key each went with. */
function recordSales(page) {
  const sent = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/sales') sent.push({ key: r.headers()['idempotency-key'], body: r.postDataJSON() });
  });
  return sent;
}

async function newestSale(token) {
  return items(await call(hub.url, token, 'GET', '/sales'))[0];
}

test('a 10 % ticket discount with a reason: the cart’s total is the hub’s, and the receipt says Total, IVA incluido, RFC and the clerk', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '1 hora de juego');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;

  await page.fill('[data-testid=child-name]', 'Valentina');
  await page.click(`[data-testid=offer][data-name="${service.name}"]`);
  await page.click('[data-testid=ticket-discount]');
  await page.locator('[data-testid=discount-dialog]').waitFor();
  assert.match(await page.textContent('[data-testid=discount-limit]'), /10 %/, 'the dialog says reception’s limit');
  await page.click('[data-testid=discount-percent-10]');
  // No reason yet: refused on the page.
  await page.click('[data-testid=discount-apply]');
  await page.locator('[data-testid=discount-missing]').waitFor();
  await page.locator('[data-testid=discount-reason-chip]').first().click();
  const reason = (await page.locator('[data-testid=discount-reason-chip]').first().textContent()).trim();
  await screenshot(page, 'discount-1-dialog');
  assert.deepEqual(await smallTouchTargets(page), [], 'every discount-dialog button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[data-testid=discount-dialog]'), [], 'the discount dialog fits at 1366×768');
  await page.click('[data-testid=discount-apply]');

  const shown = 15000 - 1500;
  assert.equal(await page.textContent('[data-testid=checkin-discount]'), `−${formatMXN(1500)}`);
  assert.match(await page.textContent('[data-testid=checkin-pay]'), new RegExp(formatMXN(shown).replace(/[$.]/g, '\\$&')));
  await screenshot(page, 'discount-2-checkin');
  assert.deepEqual(await smallTouchTargets(page), [], 'every check-in button is at least 48 px');
  // The form scrolls under its sticky charge row (as it did before discounts); the row itself fits.
  assert.deepEqual(await layoutProblems(page, '[data-testid=checkin] .charge'), [], 'the charge row fits at 1366×768');

  await page.click('[data-testid=checkin-pay]');
  assert.equal(await page.locator('[data-testid=checkout-needs-auth]').count(), 0, '10 % is within reception’s limit: no PIN asked');
  assert.equal(await page.textContent('[data-testid=pay-total]'), formatMXN(shown));
  assert.equal(await page.textContent('[data-testid=checkout-discount]'), `−${formatMXN(1500)}`, 'the payment shows the discount');
  await page.click('[data-testid=pay-mode-card]');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=sale-done]').waitFor();

  const sale = await newestSale(rec);
  assert.equal(sale.total_cents, shown, 'the hub charged what the cart showed');
  assert.equal(sale.discount_cents, 1500);
  assert.equal(sale.gross_cents, 15000);
  assert.equal(sale.discount_reason, reason, 'the chip’s reason went with the sale');
  assert.equal(sale.discount_authorized_by ?? null, null);

  const receipt = page.frameLocator('[data-testid=sale-receipt]').locator('body');
  await receipt.waitFor();
  const text = await receipt.innerText();
  assert.match(text, /\bTotal\b/, 'the paid receipt says Total');
  assert.doesNotMatch(text, /Total a cobrar/, 'not «Total a cobrar» once paid');
  assert.match(text, /IVA incluido/);
  assert.match(text, /Diversiones Kidyboard S\.A\. de C\.V\./, 'the legal name');
  assert.match(text, /RFC DKI201231AB1/);
  assert.match(text, /Le atendió: Recepción/, 'the clerk');
  assert.ok(text.includes(sale.folio), 'the folio');
  assert.ok(text.includes(`−${formatMXN(1500)}`), 'the discount');
  assert.ok(text.includes(reason), 'the reason');
  const iva = sale.taxes.find((t) => t.rate === '16');
  assert.ok(iva && text.includes(formatMXN(iva.iva_cents)), 'the IVA by rate, from sale.taxes');
  await screenshot(page, 'discount-3-receipt');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button after the sale is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the receipt dialog fits at 1366×768');
  await page.click('[data-testid=sale-done-close]');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});

test('a 25 % line discount asks for the administrator’s PIN and is recorded as theirs; the cart’s lines are the hub’s', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const admin = await call(hub.url, await login(hub.url, 'admin'), 'GET', '/auth/me');
  const [a, b] = items(await call(hub.url, rec, 'GET', '/products')).filter((p) => p.active && p.stock > 5).slice(0, 2);
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  const sent = recordSales(page);
  await page.click('[data-testid=tab-products]');
  await page.click(`[data-testid=product-tile][data-product-id="${a.id}"]`);
  await page.click(`[data-testid=product-tile][data-product-id="${b.id}"]`);
  await page.click(`[data-testid=product-tile][data-product-id="${b.id}"]`);
  await page.click(`[data-testid=product-tile][data-product-id="${b.id}"]`);

  // 25 % off the second line, then $3.33 off the ticket: shared in proportion, centavos by remainders.
  await page.locator('[data-testid=line-discount]').nth(1).click();
  await page.click('[data-testid=discount-percent-25]');
  await page.locator('[data-testid=discount-reason-chip]').nth(1).click();
  await page.click('[data-testid=discount-apply]');
  await page.click('[data-testid=ticket-discount]');
  await page.click('[data-testid=discount-mode-amount]');
  await page.fill('[data-testid=discount-amount]', '3.33');
  await page.click('[data-testid=discount-apply]');
  const lineTotals = await page.locator('[data-testid=line-total]').allTextContents();
  const cartTotal = await page.textContent('[data-testid=cart-total]');
  await screenshot(page, 'discount-4-cart');
  assert.deepEqual(await smallTouchTargets(page), [], 'every cart button is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the products tab with discounts fits at 1366×768');

  await page.click('[data-testid=checkout]');
  await page.locator('[data-testid=checkout-needs-auth]').waitFor();
  await page.click('[data-testid=pay-mode-card]');
  // Without the PIN nothing is sent.
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=checkout-missing-pin]').waitFor();
  assert.equal(sent.length, 0, 'no sale sent without the PIN');
  await page.fill('[data-testid=checkout-supervisor]', 'admin');
  await tapPin(page, 'checkout-pin', '2468');
  await screenshot(page, 'discount-5-supervisor');
  assert.deepEqual(await smallTouchTargets(page), [], 'every payment button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the payment with the PIN block fits at 1366×768');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=sale-done]').waitFor();

  const sale = await newestSale(rec);
  assert.equal(sale.discount_authorized_by, admin.id, 'the administrator authorised it');
  assert.equal(formatMXN(sale.total_cents), cartTotal, 'the hub charged the cart’s total to the centavo');
  assert.deepEqual(sale.items.map((i) => formatMXN(i.total_cents)), lineTotals, 'each line as the cart showed it');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body.authorization, { username: 'admin', pin: '2468' });
  assert.equal(sent[0].body.items[1].discount.percent, 25);
  assert.equal(sent[0].body.discount.amount_cents, 333);
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});

test('when the hub asks for a PIN the desk did not expect, the block appears and the retry keeps the Idempotency-Key', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const rec = await login(hub.url, 'recepcion');
  const branch = items(await call(hub.url, adminToken, 'GET', '/branches'))[0];
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '30 minutos de juego');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  const sent = recordSales(page);
  await page.fill('[data-testid=child-name]', 'Emilio');
  await page.click(`[data-testid=offer][data-name="${service.name}"]`);
  await page.click('[data-testid=ticket-discount]');
  await page.click('[data-testid=discount-percent-10]');
  await page.locator('[data-testid=discount-reason-chip]').first().click();
  await page.click('[data-testid=discount-apply]');
  // The owner lowers reception's limit after the desk read it.
  await call(hub.url, adminToken, 'PATCH', `/branches/${branch.id}`, { discount_limit_reception_percent: 5 });
  try {
    await page.click('[data-testid=checkin-pay]');
    assert.equal(await page.locator('[data-testid=checkout-needs-auth]').count(), 0, 'the desk still thinks 10 % is allowed');
    await page.click('[data-testid=pay-mode-card]');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=checkout-needs-auth]').waitFor();
    await page.locator('[data-testid=error]').waitFor();
    await page.fill('[data-testid=checkout-supervisor]', 'admin');
    await tapPin(page, 'checkout-pin', '2468');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=sale-done]').waitFor();
    assert.equal(sent.length, 2, 'refused once, then sent with the PIN');
    assert.equal(sent[0].key, sent[1].key, 'the retry goes with the same Idempotency-Key');
    assert.equal(sent[0].body.authorization, undefined);
    assert.equal(sent[1].body.authorization.username, 'admin');
    const sale = await newestSale(rec);
    assert.equal(sale.total_cents, 9000 - 900);
    assert.ok(sale.discount_authorized_by, 'recorded as authorised');
  } finally {
    await call(hub.url, adminToken, 'PATCH', `/branches/${branch.id}`, { discount_limit_reception_percent: 10 });
  }
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});
