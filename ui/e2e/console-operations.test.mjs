// The owner's console over a real store's day, in Chromium against a real cloud (PostgreSQL) and a
// real hub paired with it: the store closes a day short of cash and the console's «Cortes» shows
// that branch's closing with the difference; the owner lowers the cash rule in «Alertas» and the
// cloud's alert check raises the alert for that closing; a branch price set in «Precios por
// sucursal» reaches the store's catalogue after sync (a refused price is shown at its field); a
// manager sets their own branch's price and is refused (403, in the cloud's words) one no longer
// theirs, and a viewer only reads; a package is made in «Paquetes» (a refused price marked at its
// field); a party booked at the store is in the week and month calendars of «Fiestas», with its
// details. Every page is checked at 1366×768 and 1920×1080.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, WALL, launchBrowser, screenshot } from './browser.mjs';
import { cloudCall, createOwner, startCloud, startPostgres } from './cloud.mjs';
import { boxProblems, checkLayout } from './console-layout.mjs';
import { startHub } from './hub.mjs';
import { dayIn } from './zones.mjs';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const ZONE = 'America/Mexico_City';
/** What the store's count is short by: between the cloud's default rule ($200) and the owner's new one ($100). */
const SHORT = 12_345;

let pg;
let cloud;
let hub;
let browser;
let owner;
let page;
let branch; // the cloud's branch the hub is paired with
let norte; // a second branch, with no store
let admin; // the hub's admin token
const pageErrors = [];

/** Polls `probe` until it answers something truthy, or fails saying what was awaited. */
async function eventually(what, probe, timeout = 45_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    assert.ok(Date.now() < until, `${what} (waited ${timeout / 1000} s)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Monday of a day's week, as "YYYY-MM-DD". */
function mondayOf(day) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

async function settled() {
  await page.locator('main section.page[aria-busy=false]').waitFor();
}

async function open(id) {
  // A dialog a failed test left open would hide the menu.
  if (await page.locator('[role=dialog]').count()) await page.keyboard.press('Escape');
  await page.click(`[data-testid=menu-${id}]`);
  await page.locator(`[data-testid=page-${id}]`).waitFor();
  await settled();
}

/** A person invited with `role` (and these branches, or all), signed in on a page of their own. */
async function invited(role, branchIds) {
  const email = `${role}-${Date.now()}@example.mx`;
  const password = 'una contraseña de prueba';
  const body = branchIds ? { email, role, branch_ids: branchIds } : { email, role, all_branches: true };
  const invitation = await cloudCall(cloud.url, owner.token, 'POST', '/invitations', body);
  const res = await fetch(`${cloud.url}/api/v1/invitations/accept`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: invitation.token, name: role, password }),
  });
  assert.equal(res.status, 201, `the ${role}'s invitation is accepted`);
  const { token } = await res.json();
  const user = (await cloudCall(cloud.url, owner.token, 'GET', '/users')).items.find((u) => u.email === email);
  const context = await browser.newContext({ viewport: DESK, locale: 'es-MX' });
  const p = await context.newPage();
  p.on('pageerror', (err) => pageErrors.push(err));
  await p.goto(`${cloud.url}/`);
  await p.waitForURL(/#\/entrar$/);
  await p.fill('input[name=email]', email);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
  await p.waitForURL(/#\/tablero$/);
  return { page: p, token, user };
}

/** The page (or an open dialog, `root`) checked at both desk sizes, back at 1366×768 after. */
async function checkBothSizes(name, root = 'body') {
  for (const [label, viewport] of [['desk', DESK], ['wall', WALL]]) {
    await page.setViewportSize(viewport);
    await checkLayout(page, `${name}-${label}`, root);
  }
  await page.setViewportSize(DESK);
}

before(async () => {
  if (!existsSync(join(uiDir, 'dist-console/index.html'))) throw new Error('ui/dist-console is missing: run `npm run build:console` first.');
  pg = await startPostgres();
  // The alert rules are checked every 2 s instead of every minute.
  cloud = await startCloud(pg.url, { consoleDir: join(uiDir, 'dist-console'), config: 'alert_check_secs = 2\n' });
  hub = await startHub({ env: { KIDYBOARD_SYNC_INTERVAL_SECS: '2' } });
  browser = await launchBrowser();
  owner = await createOwner(cloud.url, 'Brincolines');

  // The store is paired through its API (the pairing screens have their own tests).
  branch = await cloudCall(cloud.url, owner.token, 'POST', '/branches', { name: 'Centro', timezone: ZONE });
  norte = await cloudCall(cloud.url, owner.token, 'POST', '/branches', { name: 'Norte', timezone: 'America/Monterrey' });
  const { code } = await cloudCall(cloud.url, owner.token, 'POST', `/branches/${branch.id}/pairing-codes`, {});
  admin = await login(hub.url, 'admin');
  await call(hub.url, admin, 'POST', '/sync/pair', { cloud_url: cloud.url, code, name: 'Caja Centro' });
  await eventually('the paired store reaches the cloud', async () =>
    (await cloudCall(cloud.url, owner.token, 'GET', '/branches')).items.find((b) => b.id === branch.id)?.online);

  const context = await browser.newContext({ viewport: DESK, locale: 'es-MX' });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  await page.goto(`${cloud.url}/`);
  await page.waitForURL(/#\/entrar$/);
  await page.fill('input[name=email]', owner.email);
  await page.fill('input[name=password]', owner.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/tablero$/);
});

after(async () => {
  await browser?.close();
  await hub?.stop();
  await cloud?.stop();
  pg?.stop();
});

test('a day the store closes short of cash is in Cortes with its difference', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.active && p.stock > 2 && p.price_cents > 0);
  assert.ok(product, 'the demo store sells a product');
  await call(hub.url, rec, 'POST', '/till/open', { float_cents: 50_000 });
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: product.id, quantity: 1 }], payments: [{ method: 'cash', amount_cents: product.price_cents }] });
  const expected = (await call(hub.url, admin, 'GET', '/day-closings/current')).expected.cash_cents;
  assert.ok(expected > SHORT, 'the drawer holds more than the count will miss');
  const counted = expected - SHORT;
  // A count that far off is sent back once; the same count again closes the day.
  const close = () => fetch(`${hub.url}/api/v1/day-closings`, {
    method: 'POST', headers: { authorization: `Bearer ${rec}`, 'content-type': 'application/json' }, body: JSON.stringify({ counted_cash_cents: counted }),
  });
  let answer = await close();
  if (answer.status === 409) answer = await close();
  assert.equal(answer.status, 201, `the day closes: ${await answer.clone().text()}`);
  const closing = await answer.json();
  assert.equal(closing.difference_cents, counted - expected, 'the hub keeps counted minus expected');

  await eventually('the closing reaches the cloud', async () =>
    (await cloudCall(cloud.url, owner.token, 'GET', '/day-closings')).items.some((c) => c.branch_id === branch.id));
  await open('cortes');
  const row = page.locator('[data-testid=closing-row]', { hasText: 'Centro' });
  await row.waitFor();
  const text = (await row.textContent()) ?? '';
  assert.match(text, new RegExp(formatMXN(counted - expected).replace(/[$.]/g, '\\$&')), `the difference ${formatMXN(counted - expected)} is shown`);
  assert.match(text, new RegExp(formatMXN(expected).replace(/[$.]/g, '\\$&')), 'the expected cash is shown');
  assert.equal(await row.locator('td.negative').count(), 1, 'missing cash is in red');
  await checkBothSizes('console-ops-cortes');
});

test('the owner lowers the cash rule and the alert for that closing is raised', { timeout: 90_000 }, async () => {
  await open('alertas');
  // Over two checks of the cloud's default rule ($200) nothing is raised for $123.45.
  await page.waitForTimeout(4500);
  await page.click('[data-testid=alerts-all]');
  await settled();
  assert.equal(await page.locator('[data-testid=alert][data-kind=cash_difference]').count(), 0, 'no cash alert under the default rule');

  const rules = page.locator('[data-testid=alert-rules]');
  await rules.locator('input[name=cash_enabled]').check();
  await rules.locator('input[name=cash_difference]').fill('100');
  await page.click('[data-testid=alert-rules-save]');
  await page.locator('[data-testid=alert-rules-saved]').waitFor();
  assert.equal((await cloudCall(cloud.url, owner.token, 'GET', '/alert-settings')).cash_difference_cents, 10_000, 'the rule is kept in centavos');

  const alert = page.locator('[data-testid=alert][data-kind=cash_difference]');
  await eventually('the cash alert shows in Alertas', async () => {
    await page.click('[data-testid=alerts-all]');
    await page.click('[data-testid=alerts-open]');
    await settled();
    return (await alert.count()) > 0;
  }, 30_000);
  const text = (await alert.first().textContent()) ?? '';
  assert.match(text, /Centro/, 'the alert names the branch');
  assert.match(text, /\$123\.45 de menos/, 'the alert says what was missing');
  assert.match(text, /Abierta/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await checkBothSizes('console-ops-alertas');
});

test('a branch price set in the console reaches the paired store, a refused one is shown at its field', { timeout: 120_000 }, async () => {
  const product = await cloudCall(cloud.url, owner.token, 'POST', '/catalog/products', {
    name: 'Palomitas de la nube', category: 'Botanas', price_cents: 3500, low_stock_threshold: 1,
  });
  await eventually('the store pulls the new product', async () =>
    items(await call(hub.url, admin, 'GET', '/products')).find((p) => p.id === product.id && p.price_cents === 3500));

  await open('catalogo');
  const row = page.locator(`[data-testid=catalog-row][data-item-id="${product.id}"]`);
  await row.locator('[data-testid=catalog-prices]').click();
  const dialog = page.locator('[data-testid=branch-prices]');
  const centro = dialog.locator(`[data-testid=branch-price-row][data-branch-id="${branch.id}"]`);
  await centro.waitFor();
  assert.equal(await dialog.locator('[data-testid=branch-price-row]').count(), 2, 'every branch is listed');
  assert.equal(await centro.locator('input[name=price]').inputValue(), '', 'no price of its own yet');
  assert.match((await centro.textContent()) ?? '', /\$35\.00/, 'the central price is beside it');

  // A negative price: the cloud names price_cents, shown on the branch's row.
  await centro.locator('input[name=price]').fill('-5');
  await page.click('[data-testid=branch-prices-save]');
  await centro.locator('[data-testid=branch-price-error]').waitFor();
  assert.equal(await centro.locator('input[name=price]').getAttribute('aria-invalid'), 'true', 'the refused price is marked');
  await checkBothSizes('console-ops-branch-prices-error', '[role=dialog]');

  await centro.locator('input[name=price]').fill('42.50');
  await page.click('[data-testid=branch-prices-save]');
  await page.locator('[data-testid=branch-prices-saved]').waitFor();
  const [override] = (await cloudCall(cloud.url, owner.token, 'GET', `/catalog/overrides?branch_id=${branch.id}`)).items;
  assert.deepEqual({ ...override, active: override.active ?? null }, { branch_id: branch.id, entity: 'product', entity_id: product.id, price_cents: 4250, active: null },
    'the price typed in pesos is kept in centavos, availability as the organisation');
  await page.keyboard.press('Escape');
  await row.locator('[data-testid=catalog-overridden]').waitFor();
  await checkBothSizes('console-ops-catalogo');

  const atStore = await eventually('the store sells it at the branch’s price', async () =>
    items(await call(hub.url, admin, 'GET', '/products')).find((p) => p.id === product.id && p.price_cents === 4250));
  assert.equal(atStore.name, 'Palomitas de la nube');
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});

test('a manager sets their branch’s price, one taken from them meanwhile is refused in the cloud’s words; a viewer only reads', { timeout: 90_000 }, async () => {
  const product = (await cloudCall(cloud.url, owner.token, 'GET', '/catalog/products')).items.find((p) => p.record.name === 'Palomitas de la nube');
  const manager = await invited('manager', [branch.id]);
  const m = manager.page;
  await m.click('[data-testid=menu-catalogo]');
  await m.locator(`[data-testid=catalog-row][data-item-id="${product.id}"] [data-testid=catalog-prices]`).click();
  const rows = m.locator('[data-testid=branch-price-row]');
  await rows.first().waitFor();
  assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.dataset.branchName)), ['Centro'], 'a manager sees only their branch');
  assert.equal(await rows.first().locator('input[name=price]').inputValue(), '42.50', 'the owner’s price for the branch');
  await rows.first().locator('input[name=price]').fill('39');
  await m.click('[data-testid=branch-prices-save]');
  await m.locator('[data-testid=branch-prices-saved]').waitFor();
  const [own] = (await cloudCall(cloud.url, owner.token, 'GET', `/catalog/overrides?branch_id=${branch.id}`)).items;
  assert.equal(own.price_cents, 3900, 'the manager’s price is kept');

  // The owner moves the manager to Norte while the dialog is still open: the cloud refuses (403).
  await cloudCall(cloud.url, owner.token, 'PATCH', `/users/${manager.user.id}`, { branch_ids: [norte.id] });
  const refused = await fetch(`${cloud.url}/api/v1/catalog/overrides`, {
    method: 'PUT', headers: { Authorization: `Bearer ${manager.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ branch_id: branch.id, entity: 'product', entity_id: product.id, price_cents: 4100 }),
  });
  assert.equal(refused.status, 403, 'the cloud refuses a branch that is not the manager’s');
  const { error } = await refused.json();
  await rows.first().locator('input[name=price]').fill('41');
  await m.click('[data-testid=branch-prices-save]');
  const shown = m.locator('[data-testid=branch-price-error]');
  await shown.waitFor();
  assert.equal(((await shown.textContent()) ?? '').trim(), error.message, 'the cloud’s own words are shown on the branch’s row');
  await checkLayout(m, 'console-ops-branch-prices-forbidden-desk', '[role=dialog]');
  await m.context().close();

  const viewer = await invited('viewer');
  const v = viewer.page;
  await v.click('[data-testid=menu-catalogo]');
  await v.locator(`[data-testid=catalog-row][data-item-id="${product.id}"] [data-testid=catalog-prices]`).click();
  await v.locator('[data-testid=branch-price-row]').first().waitFor();
  assert.equal(await v.locator('[data-testid=branch-price-row]').count(), 2, 'a viewer of every branch reads both');
  assert.equal(await v.locator('[data-testid=branch-price-row] input:not([disabled])').count(), 0, 'nothing to change');
  assert.equal(await v.locator('[data-testid=branch-prices-save]').count(), 0, 'no saving');
  await v.context().close();
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});

test('the owner makes a package in Paquetes', { timeout: 60_000 }, async () => {
  const service = await cloudCall(cloud.url, owner.token, 'POST', '/catalog/services', { name: 'Hora de juego', price_cents: 12_000, duration_minutes: 60 });
  await open('catalogo');
  await page.click('[data-testid=catalog-packages]');
  await settled();
  await page.click('[data-testid=catalog-new]');
  const form = page.locator('[data-testid=catalog-form]');
  await form.locator('input[name=name]').fill('Combo cumpleañero');
  await form.locator('input[name=price]').fill('149');
  await page.click('[data-testid=package-item-add]');
  await page.click('[data-testid=package-item-add]');
  const lines = form.locator('[data-testid=package-item]');
  await lines.nth(0).locator('select').selectOption(`service:${service.id}`);
  const product = (await cloudCall(cloud.url, owner.token, 'GET', '/catalog/products')).items.find((p) => p.record.name === 'Palomitas de la nube');
  await lines.nth(1).locator('select').selectOption(`product:${product.id}`);
  await lines.nth(1).locator('input[name=quantity]').fill('2');
  // A price out of range: the cloud names price_cents, marked at the price.
  await form.locator('input[name=price]').fill('-1');
  await page.click('[data-testid=catalog-save]');
  await form.locator('input[name=price][aria-invalid=true]').waitFor();
  await page.locator('[data-testid=catalog-error]').waitFor();
  await checkBothSizes('console-ops-package-error', '[role=dialog]');
  await form.locator('input[name=price]').fill('149');
  await page.click('[data-testid=catalog-save]');
  const row = page.locator('[data-testid=catalog-row]', { hasText: 'Combo cumpleañero' });
  await row.waitFor();
  assert.match((await row.locator('[data-testid=package-contents]').textContent()) ?? '', /1 × Hora de juego, 2 × Palomitas de la nube/);
  assert.match((await row.textContent()) ?? '', /\$149\.00/);
  const stored = (await cloudCall(cloud.url, owner.token, 'GET', '/catalog/packages')).items.find((p) => p.record.name === 'Combo cumpleañero');
  assert.equal(stored.record.price_cents, 14_900);
  assert.deepEqual(stored.record.items, [{ service_id: service.id, product_id: null, quantity: 1 }, { product_id: product.id, service_id: null, quantity: 2 }],
    'the lines are kept as chosen');
  await checkBothSizes('console-ops-packages');
});

test('a menu design saved at the store is in «Menús», named with the branch that made it, and leaves it when deleted there', { timeout: 90_000 }, async () => {
  const design = await call(hub.url, admin, 'POST', '/menus/designs', { name: 'Menú de invierno', title: 'Chocolate caliente y más' });
  await open('catalogo');
  await page.click('[data-testid=catalog-menus]');
  const row = page.locator(`[data-testid=menu-design][data-design-id="${design.id}"]`);
  // The store pushes every 2 s; the page reads the cloud when opened.
  await eventually('the design reaches the cloud', async () =>
    (await cloudCall(cloud.url, owner.token, 'GET', '/catalog/menu-designs')).items.some((d) => d.id === design.id));
  await page.click('[data-testid=catalog-products]');
  await page.click('[data-testid=catalog-menus]');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /Menú de invierno[\s\S]*Chocolate caliente y más[\s\S]*Centro · /);
  assert.equal(await page.locator('[data-testid=catalog-new]').count(), 0, 'designs are made at the stores, not here');
  await checkBothSizes('console-ops-menus');

  // Deleted at the store: gone from the list.
  await call(hub.url, admin, 'DELETE', `/menus/designs/${design.id}`);
  await eventually('the deletion reaches the cloud', async () =>
    !(await cloudCall(cloud.url, owner.token, 'GET', '/catalog/menu-designs')).items.some((d) => d.id === design.id));
  await page.click('[data-testid=catalog-products]');
  await page.click('[data-testid=catalog-menus]');
  await page.locator('[data-testid=menu-designs] .empty').waitFor();
});

test('a party booked at the store is in the week and month calendars, with its details', { timeout: 120_000 }, async () => {
  // Open every day 08:00–22:00, a room of the test's own, and a party two days from now at noon.
  const hours = Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, opens: '08:00', closes: '22:00', closed: false }));
  await call(hub.url, admin, 'PUT', '/booking-settings', { hours, closed_days: [], hold_hours: 48, refund_days: 7 });
  const area = await call(hub.url, admin, 'POST', '/areas', { name: 'Salón Luna', kind: 'room', capacity: 30, color: '#e8590c', position: 10 });
  const day = dayIn(ZONE, new Date(Date.now() + 2 * 86_400_000));
  const startsAt = new Date(`${day}T18:00:00Z`).toISOString(); // 12:00 in Mexico City (UTC−6 all year)
  const endsAt = new Date(`${day}T20:00:00Z`).toISOString();
  const rec = await login(hub.url, 'recepcion');
  const booking = await call(hub.url, rec, 'POST', '/bookings', {
    guardian: { name: 'Paola Ruiz', phone: '5512345678' }, birthday_child: 'Valentina', area_id: area.id,
    starts_at: startsAt, ends_at: endsAt, expected_children: 12,
  });
  await eventually('the party reaches the cloud', async () =>
    (await cloudCall(cloud.url, owner.token, 'GET', `/bookings?from=${day}&to=${day}`)).items.some((b) => b.id === booking.id));

  await open('fiestas');
  await page.locator(`[data-testid=party-row][data-booking-id="${booking.id}"]`).waitFor();
  await checkBothSizes('console-ops-fiestas-list');

  // The week: Monday first, the party on its day; ‹ › move a week at a time.
  await page.click('[data-testid=parties-view-week]');
  await settled();
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const weeks = Math.round((Date.parse(mondayOf(day)) - Date.parse(mondayOf(today))) / (7 * 86_400_000));
  for (let i = 0; i < weeks; i++) await page.click('[data-testid=calendar-next]');
  const columns = page.locator('[data-testid=party-week] [data-testid=calendar-day]');
  await page.locator(`[data-testid=party-week] [data-testid=calendar-day][data-day="${day}"]`).waitFor();
  assert.equal(await columns.count(), 7, 'a week has seven days');
  assert.equal(await columns.first().getAttribute('data-day'), mondayOf(day), 'the week starts on Monday');
  const chip = page.locator(`[data-testid=calendar-day][data-day="${day}"] [data-testid=calendar-party][data-booking-id="${booking.id}"]`);
  await chip.waitFor();
  assert.match((await chip.textContent()) ?? '', /12:00.*Valentina/s, 'the party at noon in its branch’s zone');
  await checkBothSizes('console-ops-fiestas-week');
  // On a phone the week is a list of days, nothing wider than its box.
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'console-ops-fiestas-week-phone');
  assert.deepEqual(await boxProblems(page), [], 'the week on a phone: nothing wider than its box');
  await page.setViewportSize(DESK);
  await chip.click();
  const details = page.locator(`[data-testid=party-details][data-booking-id="${booking.id}"]`);
  await details.waitFor();
  assert.equal(await details.locator('[data-testid=party-details-time]').textContent(), '12:00–14:00');
  assert.equal(await details.locator('[data-testid=party-details-branch]').textContent(), 'Centro');
  await checkBothSizes('console-ops-fiestas-details', '[role=dialog]');
  await page.keyboard.press('Escape');

  // The branch filter applies to the calendar: Norte has no parties.
  await page.selectOption('[data-testid=branch-filter]', { label: 'Norte' });
  await settled();
  await chip.waitFor({ state: 'detached' });
  await page.selectOption('[data-testid=branch-filter]', { label: 'Centro' });
  await chip.waitFor();

  // The month, from today: the party on its day.
  await page.click('[data-testid=parties-view-month]');
  await page.click('[data-testid=calendar-today]');
  await settled();
  const months = (Number(day.slice(0, 4)) - Number(today.slice(0, 4))) * 12 + Number(day.slice(5, 7)) - Number(today.slice(5, 7));
  for (let i = 0; i < months; i++) await page.click('[data-testid=calendar-next]');
  await page.locator('[data-testid=party-month]').waitFor();
  assert.equal(await page.locator('[data-testid=party-month] [data-testid=calendar-day]').first().getAttribute('data-day').then((d) => d && new Date(`${d}T12:00:00Z`).getUTCDay()), 1,
    'the month starts its weeks on Monday');
  await chip.waitFor();
  await checkBothSizes('console-ops-fiestas-month');
  await chip.click();
  await details.waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});
