// The pick-up code on paper, on the real hub: a returning family checks two children in, the
// receipt the browser prints carries the code, both children's names and the allergy; «Imprimir
// pulseras» shows the hub's labels, one per child, each with the code, and prints them.
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

/**
 * Every frame's print() (the hidden frame a receipt is printed from included) records the page it
 * would print instead of opening the print dialog.
 */
async function catchPrints(context) {
  await context.addInitScript(() => {
    window.print = () => {
      const top = /** @type {any} */ (window.top);
      (top.__printed ??= []).push(document.documentElement.outerHTML);
    };
  });
}

const printed = (page) => page.evaluate(() => /** @type {any} */ (window).__printed ?? []);

test('a check-in’s receipt carries the pick-up code, the children and the allergy; «Imprimir pulseras» gives one label per child', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const family = items(await call(hub.url, rec, 'GET', `/families?q=5512345678`))[0];
  assert.equal(family.guardians[0].name, 'Ana López', 'the demo family');
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '1 hora de juego');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK, catchPrints);
  const page = desk.page;

  await page.fill('[data-testid=family-search]', '5512345678');
  await page.click(`[data-testid=family-result][data-family-id="${family.id}"]`);
  await page.click(`[data-testid=offer][data-name="${service.name}"]`);
  await page.click('[data-testid=checkin-pay]');
  // Paid with a larger note: the change to give makes the paid screen as tall as it gets.
  await page.click(`button:text-is("${formatMXN(2 * service.price_cents + 20_000)}")`);
  await page.click('[data-testid=pay-confirm]');
  const code = (await page.locator('[data-testid=pickup-code]').textContent()).trim();
  assert.match(code, /^\d{4}$/, 'the pick-up code is four digits');
  const sale = items(await call(hub.url, rec, 'GET', '/sales'))[0];
  assert.equal(sale.pickup_code, code, 'the sale just made is the one on screen');
  assert.equal(await page.textContent('[data-testid=sale-change]'), formatMXN(20_000), 'there is change to give');
  await page.locator('[data-testid=done-consent-sign]').waitFor();

  // The receipt printed from the browser.
  await page.click('[data-testid=sale-print]');
  await page.waitForFunction(() => (/** @type {any} */ (window).__printed ?? []).length === 1);
  const [receipt] = await printed(page);
  assert.ok(receipt.includes(`<p class="code">${code}</p>`), 'the receipt shows the pick-up code on a line of its own, large');
  assert.ok(receipt.includes('Muéstrelo para recoger a los niños. Solo lo entregamos a los adultos autorizados.'), 'and what it is for');
  assert.ok(receipt.includes('Niños: Sofía López, Mateo López'), 'the play-time line names both children');
  assert.ok(receipt.includes('¡Atención! Sofía López: Alergia al cacahuate'), 'Sofía’s allergy is on the receipt');
  assert.equal(receipt.match(/¡Atención!/g)?.length, 1, 'Mateo has no notes: nothing is printed for him');
  const preview = await page.getAttribute('[data-testid=sale-receipt]', 'srcdoc');
  assert.ok(preview.includes(code) && preview.includes('Alergia al cacahuate'), 'the receipt on screen is the one printed');
  await screenshot(page, 'wristbands-1-paid');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the paid screen is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the paid screen, with the wristbands button, fits at 1366×768');
  const row = await page.locator('[data-testid=print-wristbands], [data-testid=done-consent-sign]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  assert.equal(row[0], row[1], 'the wristbands and the consent share one row');

  // The wristbands: the hub's labels, shown one per child (a plain browser has no label printer).
  const labelsAsked = page.waitForRequest((r) => new URL(r.url()).pathname === `/api/v1/sales/${sale.id}/wristbands`);
  await page.click('[data-testid=print-wristbands]');
  assert.equal(new URL((await labelsAsked).url()).searchParams.get('format'), 'text', 'a browser asks for the labels as text');
  const sheet = page.locator('[data-testid=wristbands-text]');
  await sheet.waitFor();
  const labels = (await sheet.textContent()).split(/\n-(?: -)+\n/);
  assert.equal(labels.length, 2, `two labels, a cut line between them:\n${await sheet.textContent()}`);
  for (const label of labels) assert.match(label, new RegExp(`Código ${code}`), `every label carries the code:\n${label}`);
  assert.match(labels[0], /Sofía López/);
  assert.match(labels[0], /Alergia al cacahuate/, 'Sofía’s label warns of her allergy');
  assert.match(labels[1], /Mateo López/);
  assert.doesNotMatch(labels[1], /Alergia/, 'Mateo’s does not');
  assert.match(await page.locator('[role=dialog]').last().getAttribute('aria-label'), new RegExp(`Pulseras · código ${code}`));
  await screenshot(page, 'wristbands-2-labels');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the labels dialog is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] [role=dialog]'), [], 'the labels dialog fits at 1366×768');

  assert.match(await page.textContent('[data-testid=wristbands-print]'), /Imprimir pulseras/, 'the button says what it prints');
  await page.click('[data-testid=wristbands-print]');
  await page.waitForFunction(() => (/** @type {any} */ (window).__printed ?? []).length === 2);
  const paper = (await printed(page))[1];
  assert.equal(paper.match(new RegExp(`Código ${code}`, 'g'))?.length, 2, 'the printed sheet carries both labels');

  // Closing the labels leaves the paid screen as it was.
  await page.click('[data-testid=wristbands-text] ~ .actions button.soft');
  await page.locator('[data-testid=wristbands-text]').waitFor({ state: 'detached' });
  await page.locator('[data-testid=pickup-code]', { hasText: code }).waitFor();
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});
