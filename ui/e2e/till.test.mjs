// The cash drawer and the blind closing on the real hub: reception opens its drawer with a float
// counted piece by piece, sells (through the API), drops cash to the safe, prints its corte X,
// and closes the day counting blind — a count $200 short is sent back to be counted again with
// nothing expected shown, the exact recount closes the day with expected cash = float + cash
// sales − drop. The admin corrects the count with a reason; a sale after closing says it counts
// for the next business day; the kid bar opens its own drawer.
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

/** The denomination counter's keys, largest first ($20 as a bill only: the greedy count needs one). */
const PIECES = ['bill:100000', 'bill:50000', 'bill:20000', 'bill:10000', 'bill:5000', 'bill:2000', 'coin:1000', 'coin:500', 'coin:200', 'coin:100', 'coin:50'];

/** Types a count of `cents` into the denomination counter, largest pieces first; the rest emptied. */
async function countCash(page, cents) {
  let rest = cents;
  for (const key of PIECES) {
    const value = Number(key.split(':')[1]);
    const n = Math.floor(rest / value);
    rest -= n * value;
    await page.locator(`[data-testid=denom][data-key="${key}"] input`).fill(n ? String(n) : '');
  }
  assert.equal(rest, 0, `${cents} centavos can be counted in pieces`);
}

async function fits(page, what, root = 'body') {
  // A toast floats over the page for a few seconds by design: tapped away, as a clerk would.
  for (const toast of await page.locator('.toasts button').all()) await toast.click({ timeout: 1000 }).catch(() => {});
  assert.deepEqual(await layoutProblems(page, root), [], `${what} fits at 1366×768`);
  assert.deepEqual(await smallTouchTargets(page), [], `every button of ${what} is at least 48 px`);
}

test('a day with a float and a drop closes with the right expected cash after a blind count', { timeout: 180_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.active && p.stock >= 5);
  assert.ok(product, 'the demo catalogue has a product in stock');

  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  const r = reception.page;
  await r.click('[data-testid=tab-closing]');
  await r.waitForURL((url) => url.pathname === '/reception/closing');
  assert.equal((await r.textContent('[data-testid=tab-closing]')).trim(), 'Caja', 'the tab is the drawer now');
  await r.locator('[data-testid=till-open]').waitFor();
  await screenshot(r, 'till-not-open');
  await fits(r, 'the drawer not opened yet');

  // The float, counted piece by piece: one $1,000 bill.
  await r.click('[data-testid=till-open]');
  await r.click('[data-testid=float-count-toggle]');
  await r.locator('[role=dialog] [data-testid=denom][data-key="bill:100000"] button[aria-label]').last().click();
  await r.locator('[data-testid=float-open]', { hasText: '$1,000.00' }).waitFor();
  await screenshot(r, 'till-open-float');
  assert.deepEqual(await layoutProblems(r, '[role=dialog]'), [], 'the float dialog fits');
  await r.click('[data-testid=float-open]');
  await r.locator('[data-testid=till-float]', { hasText: '$1,000.00' }).waitFor();
  const floats = (await call(hub.url, rec, 'GET', '/till')).floats;
  assert.deepEqual(floats.map((f) => [f.till, f.float_cents]), [['caja', 100000]], 'the hub holds the desk drawer’s $1,000 float');

  // The day's sales: two in cash (with change), one by card.
  const cashSales = 2 * product.price_cents + product.price_cents;
  await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 2 }], payments: [{ method: 'cash', amount_cents: 2 * product.price_cents + 10000 }],
  });
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: product.id, quantity: 1 }], payments: [{ method: 'cash', amount_cents: product.price_cents }] });
  const cardSale = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 1 }], payments: [{ method: 'card', amount_cents: product.price_cents }],
  });

  // A $500 drop to the safe, with a quick reason.
  await r.click('[data-testid=till-drop]');
  await r.fill('[data-testid=movement-amount]', '500');
  await r.locator('[data-testid=movement-reason-chip]').first().click();
  const reason = await r.inputValue('[data-testid=movement-reason]');
  assert.ok(reason.length > 0, 'a chip fills the reason');
  await r.click('[data-testid=movement-save]');
  const drop = r.locator('[data-testid=till-movement][data-kind=drop]');
  await drop.waitFor();
  assert.match(await drop.textContent(), /\$500\.00/, 'the drop lists its amount');
  assert.match(await drop.textContent(), new RegExp(reason), 'the drop lists its reason');
  assert.match(await drop.textContent(), /Recepción/, 'the drop says who made it');
  await r.locator('[data-testid=till-drops]', { hasText: '$500.00' }).waitFor();
  await r.locator('[data-testid=status-drops]', { hasText: '$500.00' }).waitFor();
  const moves = (await call(hub.url, rec, 'GET', '/till')).movements;
  assert.deepEqual(moves.map((m) => [m.till, m.kind, m.amount_cents, m.reason]), [['caja', 'drop', 50000, reason]], 'the hub holds the drop');
  assert.equal(await r.locator('[data-testid=status-expected]').count(), 0, 'the desk sees no expected figures');
  await screenshot(r, 'till-drawer');
  await fits(r, 'the drawer with a drop');

  // The corte X: the clerk's own figures, as the hub lays them out.
  const shift = await call(hub.url, rec, 'GET', '/till/shift');
  await r.click('[data-testid=shift-report]');
  const paper = r.locator('[data-testid=shift-text]');
  await paper.waitFor();
  const text = await paper.textContent();
  assert.match(text, /CORTE X/, 'the corte X is shown');
  assert.match(text, /Recepción/, 'it is the clerk’s');
  for (const cents of [shift.received.cash_cents, shift.received.card_cents, shift.float_cents, shift.drops_cents]) {
    assert.ok(text.includes(formatMXN(cents)), `the corte X shows ${formatMXN(cents)}`);
  }
  assert.equal(shift.received.cash_cents, cashSales, 'the hub’s corte X has the cash sales');
  await screenshot(r, 'till-corte-x');
  assert.deepEqual(await layoutProblems(r, '[role=dialog]'), [], 'the corte X fits');
  await r.keyboard.press('Escape');

  // The closing, blind: first a count $200 short.
  const expected = 100000 + cashSales - 50000;
  await r.click('[data-testid=start-closing]');
  await r.locator('[data-testid=close-day]').waitFor();
  await countCash(r, expected - 20000);
  await r.fill('[data-testid=counted-card]', (product.price_cents / 100).toFixed(2));
  assert.equal(await r.textContent('[data-testid=counted-cash]'), formatMXN(expected - 20000), 'the count adds up the pieces');
  assert.equal(await r.locator('[data-testid=admin-expected]').count(), 0, 'nothing expected is shown to the desk');
  await screenshot(r, 'till-blind-count');
  await fits(r, 'the blind count');
  await r.click('[data-testid=close-day]');
  await r.click('[data-testid=close-day]');
  const notice = r.locator('[data-testid=recount-notice]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /Cuenta otra vez/, 'the desk is told to count again');
  assert.equal(await r.textContent('[data-testid=counted-cash]'), '$0.00', 'the cash is asked for anew');
  const body = await r.textContent('body');
  assert.ok(!body.includes(formatMXN(expected)), 'the expected cash appears nowhere');
  assert.equal(await r.locator('[data-testid=admin-expected], [data-testid=expected-cash], [data-testid=closing-result]').count(), 0,
    'no expected figures and no result after a refused count');
  assert.equal((await call(hub.url, rec, 'GET', '/day-closings/current')).recount_pending, true, 'the hub waits for the recount');
  await screenshot(r, 'till-recount');
  await fits(r, 'the recount');

  // The recount, exact: the day closes and the result shows the hub's figures.
  await countCash(r, expected);
  await r.click('[data-testid=close-day]');
  await r.click('[data-testid=close-day]');
  await r.locator('[data-testid=closing-result]').waitFor();
  const [closing] = items(await call(hub.url, rec, 'GET', '/day-closings'));
  assert.equal(closing.expected.cash_cents, expected, 'the hub expects float + cash sales − drop');
  assert.equal(closing.difference_cents, 0, 'the recount is exact');
  assert.equal(closing.first_count_cash_cents, expected - 20000, 'the hub keeps the first count');
  assert.equal(closing.expected.card_cents, cardSale.total_cents, 'the hub expects the card sale');
  assert.equal(await r.textContent('[data-testid=result-cash-expected]'), formatMXN(expected), 'the result shows the expected cash');
  assert.equal(await r.textContent('[data-testid=result-cash-counted]'), formatMXN(expected), 'and the counted cash');
  assert.equal(await r.textContent('[data-testid=closing-difference]'), '$0.00', 'no difference');
  assert.equal(await r.textContent('[data-testid=breakdown-float]'), '$1,000.00', 'the float is in the expected cash');
  assert.equal(await r.textContent('[data-testid=breakdown-sales]'), formatMXN(cashSales), 'and the cash sales');
  assert.equal(await r.textContent('[data-testid=breakdown-drops]'), '$500.00', 'and the drop');
  assert.equal(await r.textContent('[data-testid=breakdown-expected]'), formatMXN(expected), 'adding up to the expected cash');
  assert.match(await r.textContent('[data-testid=first-count]'), new RegExp(formatMXN(expected - 20000).replace('$', '\\$')), 'the first count is shown');
  await screenshot(r, 'till-closing-result');
  await fits(r, 'the closing result');
  assert.equal(await r.locator('[data-testid=amend-closing]').count(), 0, 'the desk cannot correct a count');

  // The admin corrects the count with a reason; the original stays.
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.goto(`${hub.url}/reception/closing`);
  await a.click('[data-testid=view-closing]');
  await a.click('[data-testid=amend-closing]');
  await a.fill('[data-testid=amend-cash]', ((expected - 10000) / 100).toFixed(2));
  await a.locator('[data-testid=amend-reason-chip]').first().click();
  const why = await a.inputValue('[data-testid=amend-reason]');
  await screenshot(a, 'till-amend-dialog');
  assert.deepEqual(await layoutProblems(a, '[role=dialog]'), [], 'the correction dialog fits');
  await a.click('[data-testid=amend-save]');
  const amendment = a.locator('[data-testid=amendment]');
  await amendment.waitFor();
  assert.match(await amendment.textContent(), new RegExp(why), 'the history shows the reason');
  assert.equal(await a.textContent('[data-testid=amendment-difference]'), '-$100.00', 'and the corrected difference');
  assert.equal(await a.textContent('[data-testid=closing-difference]'), '$0.00', 'the closing keeps its own count');
  const amended = items(await call(hub.url, rec, 'GET', '/day-closings'))[0];
  assert.equal(amended.amendments.length, 1, 'the hub holds one amendment');
  assert.equal(amended.amendments[0].counted.cash_cents, expected - 10000, 'with the corrected cash');
  assert.equal(amended.counted.cash_cents, expected, 'and the original count unchanged');
  await screenshot(a, 'till-amended');
  await fits(a, 'the amended closing');
  await a.click('[data-testid=result-back]');
  await a.locator('[data-testid=recent-closing]').first().waitFor();
  assert.deepEqual(admin.errors.map(String), [], 'no script errors (admin)');

  // A sale after closing counts for the next business day, and the desk says so.
  const late = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: product.id, quantity: 1 }], payments: [{ method: 'cash', amount_cents: product.price_cents }],
  });
  assert.ok(late.business_day > closing.business_day, 'the hub puts a sale after closing in the next business day');
  await r.click('[data-testid=result-back]');
  const banner = r.locator('[data-testid=next-day-banner]');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('data-day'), late.business_day, 'the Caja tab names the next business day');
  assert.match(await banner.textContent(), /Día cerrado: las ventas de ahora cuentan para el/, 'in words');
  await screenshot(r, 'till-day-closed');
  await fits(r, 'the drawer after closing');
  await r.click('[data-testid=tab-sales]');
  await r.locator('[data-testid=next-day-banner]').waitFor();
  const row = r.locator('[data-testid=sale-row]', { has: r.locator('[data-testid=sale-business-day]') });
  await row.first().waitFor();
  assert.equal(await row.first().getAttribute('data-folio'), late.folio, 'the late sale is marked');
  assert.equal(await r.getAttribute('[data-testid=sale-business-day]', 'data-day'), late.business_day, 'with its business day');
  await screenshot(r, 'till-next-day-sales');
  assert.deepEqual(await layoutProblems(r), [], 'the history with the banner fits');
  assert.deepEqual(reception.errors.map(String), [], 'no script errors (reception)');
});

test('the kid bar opens its own drawer, takes a deposit and prints its corte X', { timeout: 120_000 }, async () => {
  const bar = await openAs(browser, hub.url, 'kidibar', DESK);
  const k = bar.page;
  await k.click('[data-testid=tab-till]');
  await k.waitForURL((url) => url.pathname === '/kidibar/till');
  await k.click('[data-testid=till-open]');
  await k.locator('[data-testid=float-quick]', { hasText: '$500' }).click();
  await k.click('[data-testid=float-open]');
  await k.locator('[data-testid=till-float]', { hasText: '$500.00' }).waitFor();
  await k.click('[data-testid=till-deposit]');
  await k.fill('[data-testid=movement-amount]', '100');
  await k.locator('[data-testid=movement-reason-chip]').first().click();
  await k.click('[data-testid=movement-save]');
  await k.locator('[data-testid=till-movement][data-kind=deposit]').waitFor();
  const tok = await login(hub.url, 'kidibar');
  const day = await call(hub.url, tok, 'GET', '/till');
  assert.deepEqual(day.floats.filter((f) => f.till === 'kidibar').map((f) => f.float_cents), [50000], 'the kid bar’s float is its own');
  assert.deepEqual(day.movements.filter((m) => m.till === 'kidibar').map((m) => [m.kind, m.amount_cents]), [['deposit', 10000]], 'and so is its deposit');
  await screenshot(k, 'kidibar-till');
  await fits(k, 'the kid bar drawer');
  await k.click('[data-testid=shift-report]');
  assert.match(await k.locator('[data-testid=shift-text]').textContent(), /Kidibar/, 'the corte X is the kid bar clerk’s');
  assert.deepEqual(bar.errors.map(String), [], 'no script errors (kid bar)');
});
