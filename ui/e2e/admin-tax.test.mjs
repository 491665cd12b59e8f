// The owner's side of discounts and IVA, on the real hub: the catalogue forms set a product's IVA
// and a service's extra time (the API holds them), the branch's settings save its legal fields
// and a wrong RFC shows the hub's own message on the field; the dashboard breaks a day with a
// discounted sale and a refund into gross, discounts, refunds and net, and the IVA report lists
// the day and downloads it as CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
import { startHub } from './hub.mjs';
import { tempDir } from './tmp.mjs';

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

async function editRow(page, section, id) {
  await page.click(`[data-testid=tab-${section}]`);
  const row = page.locator(`[data-testid=entity-row][data-id="${id}"]`);
  await row.waitFor();
  await row.locator('button').click();
  await page.locator('[role=dialog] form').waitFor();
}

test('the catalogue forms set IVA and extra time; the branch saves its legal fields and shows the hub’s RFC message', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const product = items(await call(hub.url, adminToken, 'GET', '/products')).find((p) => p.name.startsWith('Agua'));
  const service = items(await call(hub.url, adminToken, 'GET', '/services')).find((s) => s.name === '2 horas de juego');
  const branch = items(await call(hub.url, adminToken, 'GET', '/branches'))[0];
  assert.equal(product.iva_rate, '16', 'the demo product starts at 16 %');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;

  await editRow(page, 'products', product.id);
  assert.equal(await page.inputValue('[role=dialog] select[name=iva_rate]'), '16');
  await page.selectOption('[role=dialog] select[name=iva_rate]', '0');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  assert.equal((await call(hub.url, adminToken, 'GET', `/products/${product.id}`)).iva_rate, '0', 'the product is 0 % now');

  await editRow(page, 'services', service.id);
  await page.locator('[data-testid=note-extra_time]').waitFor();
  await page.fill('[role=dialog] input[name=extra_block_minutes]', '10');
  await page.fill('[role=dialog] input[name=extra_block_price_cents]', '35.50');
  await page.fill('[role=dialog] input[name=grace_minutes]', '3');
  await page.selectOption('[role=dialog] select[name=iva_rate]', 'exento');
  await screenshot(page, 'admin-service-extra-time');
  assert.deepEqual(await smallTouchTargets(page), [], 'every service-form button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] form'), [], 'the service form (the dialog scrolls) fits at 1366×768');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const saved = await call(hub.url, adminToken, 'GET', `/services/${service.id}`);
  assert.deepEqual(
    { block: saved.extra_block_minutes, price: saved.extra_block_price_cents, grace: saved.grace_minutes, iva: saved.iva_rate },
    { block: 10, price: 3550, grace: 3, iva: 'exento' },
    'the service’s extra time and IVA as typed',
  );

  await editRow(page, 'branches', branch.id);
  assert.equal(await page.inputValue('[role=dialog] input[name=rfc]'), branch.rfc);
  await page.fill('[role=dialog] input[name=legal_name]', 'Juegos Felices S.A. de C.V.');
  await page.fill('[role=dialog] input[name=phone]', '55 1234 5678');
  await page.fill('[role=dialog] textarea[name=receipt_footer]', 'Gracias, vuelve pronto');
  await page.fill('[role=dialog] input[name=discount_limit_reception_percent]', '15');
  await page.fill('[role=dialog] input[name=refund_free_below_cents]', '50');
  await page.fill('[role=dialog] input[name=rfc]', 'XX12');
  await page.click('[data-testid=entity-save]');
  const fieldError = page.locator('[role=dialog] [data-testid=field-error]');
  await fieldError.waitFor();
  // The hub's own words for the same RFC.
  const res = await fetch(`${hub.url}/api/v1/branches/${branch.id}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'accept-language': 'es-MX' },
    body: JSON.stringify({ rfc: 'XX12' }),
  });
  const refusal = (await res.json()).error;
  assert.equal(res.status, 422);
  assert.equal(refusal.field, 'rfc');
  assert.equal((await fieldError.textContent()).trim(), refusal.message, 'the hub’s message under the RFC field');
  assert.equal(await page.getAttribute('[role=dialog] input[name=rfc]', 'aria-invalid'), 'true');
  await screenshot(page, 'admin-branch-settings');
  assert.deepEqual(await smallTouchTargets(page), [], 'every branch-form button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] form'), [], 'the branch settings (the dialog scrolls) fit at 1366×768');

  await page.fill('[role=dialog] input[name=rfc]', 'jfe2001019x3');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const b = await call(hub.url, adminToken, 'GET', `/branches/${branch.id}`);
  assert.deepEqual(
    { legal: b.legal_name, rfc: b.rfc, phone: b.phone, footer: b.receipt_footer, limit: b.discount_limit_reception_percent, free: b.refund_free_below_cents },
    { legal: 'Juegos Felices S.A. de C.V.', rfc: 'JFE2001019X3', phone: '55 1234 5678', footer: 'Gracias, vuelve pronto', limit: 15, free: 5000 },
    'the branch holds what the form saved (the RFC in capitals)',
  );
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});

test('the dashboard shows gross, discounts, refunds and net; the IVA report lists the day and exports it as CSV', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const rec = await login(hub.url, 'recepcion');
  const [a, b] = items(await call(hub.url, rec, 'GET', '/products')).filter((p) => p.active && p.stock > 3);
  const discounted = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ product_id: a.id, quantity: 2 }], discount: { percent: 10 }, discount_reason: 'cliente frecuente',
    payments: [{ method: 'cash', amount_cents: 2 * a.price_cents }],
  });
  const other = await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: b.id, quantity: 1 }], payments: [{ method: 'card', amount_cents: b.price_cents }] });
  const refund = await call(hub.url, adminToken, 'POST', `/sales/${other.id}/refunds`, { reason: 'se equivocó' });
  assert.ok(discounted.discount_cents > 0 && refund.total_cents > 0);
  // A courtesy: ten minutes given by reception with the administrator's PIN.
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '30 minutos de juego');
  const play = await call(hub.url, rec, 'POST', '/sales', { items: [{ service_id: service.id, child: { name: 'Renata' } }], payments: [{ method: 'cash', amount_cents: service.price_cents }] });
  await call(hub.url, rec, 'POST', `/timers/${play.timers[0].id}/extend`, { minutes: 10, reason: 'se cayó el juego', authorization: { username: 'admin', pin: '2468' } });
  const summary = await call(hub.url, adminToken, 'GET', '/reports/summary');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.locator('[data-testid=dash-money]').waitFor();
  await page.locator(`[data-testid=dash-money-net]:has-text("${formatMXN(summary.revenue_cents)}")`).waitFor();
  assert.equal(await page.textContent('[data-testid=dash-money-discounts]'), formatMXN(discounted.discount_cents), 'the day’s discounts');
  assert.equal(await page.textContent('[data-testid=dash-money-refunds]'), formatMXN(refund.total_cents), 'the day’s refunds');
  assert.equal(await page.textContent('[data-testid=dash-money-gross]'), formatMXN(summary.gross_cents));
  assert.equal(summary.gross_cents - summary.discounts_cents - summary.refunds_cents, summary.revenue_cents, 'the hub’s figures add up');
  await screenshot(page, 'admin-dashboard-net');
  assert.deepEqual(await smallTouchTargets(page), [], 'every dashboard button is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the dashboard fits at 1366×768');

  await page.click('[data-testid=tab-reports]');
  await page.click('[data-testid=rep-preset-today]');
  const day = discounted.business_day;
  const taxes = await call(hub.url, adminToken, 'GET', `/reports/taxes?from=${day}&to=${day}`);
  const dayRow = page.locator(`[data-testid=rep-taxes-day][data-day="${day}"]`);
  await dayRow.waitFor();
  assert.match(await dayRow.textContent(), new RegExp(formatMXN(taxes.days[0].total_cents).replace(/[$.]/g, '\\$&')), 'the day’s total, refunds netted');
  assert.equal(await page.textContent('[data-testid=rep-money-discounts]'), formatMXN(discounted.discount_cents));
  await page.locator('[data-testid=rep-courtesies-totals]').waitFor();
  const courtesy = page.locator('[data-testid=rep-courtesy][data-kind=free_extension]');
  await courtesy.waitFor();
  const courtesyText = await courtesy.textContent();
  assert.match(courtesyText, /se cayó el juego/, 'why');
  assert.match(courtesyText, /Recepción/, 'who gave it');
  assert.match(courtesyText, /Dueña/, 'who authorised it');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-taxes-csv]')]);
  assert.match(download.suggestedFilename(), /taxes.*\.csv$/);
  const path = join(tempDir('kidyboard-taxes'), download.suggestedFilename());
  await download.saveAs(path);
  const csv = readFileSync(path, 'utf8');
  assert.ok(csv.includes(day), 'the CSV lists the day');
  const pesos = (taxes.days[0].total_cents / 100).toFixed(2);
  assert.ok(csv.includes(pesos) || csv.includes(String(taxes.days[0].total_cents)), `the CSV holds the day's total (${pesos})`);
  await page.locator('[data-testid=rep-taxes]').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-reports-taxes');
  assert.deepEqual(await smallTouchTargets(page), [], 'every reports button is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the reports fit at 1366×768');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});
