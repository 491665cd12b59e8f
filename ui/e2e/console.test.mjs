// The owner's console in Chromium against a real cloud (PostgreSQL) serving ui/dist-console, and a
// real store hub: the owner signs in through the page, adds a branch, reads its pairing code off
// the screen and types it into the hub's «Nube» tab; a sale at the store reaches the dashboard. A
// manager invited to one branch sees only it; a wrong password is refused; the second factor is
// set up from «Mi cuenta» and a sign-in then needs the TOTP code; every page fits at 1366×768 and
// 1920×1080.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, WALL, launchBrowser, openAs, screenshot } from './browser.mjs';
import { boxProblems, checkLayout } from './console-layout.mjs';
import { cloudCall, createOwner, startCloud, startPostgres } from './cloud.mjs';
import { startHub } from './hub.mjs';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const PHONE = { width: 390, height: 844 };

let pg;
let cloud;
let hub;
let browser;
let owner; // { token, orgId, email, password }
let ownerPage;
let centro; // the branch made on the page
let sold = 0; // centavos sold at the store
const pageErrors = [];

before(async () => {
  if (!existsSync(join(uiDir, 'dist-console/index.html'))) throw new Error('ui/dist-console is missing: run `npm run build:console` first.');
  pg = await startPostgres();
  cloud = await startCloud(pg.url, { consoleDir: join(uiDir, 'dist-console') });
  hub = await startHub({ env: { KIDYBOARD_SYNC_INTERVAL_SECS: '2' } });
  browser = await launchBrowser();
  owner = await createOwner(cloud.url, 'Brincolines');
});

after(async () => {
  await browser?.close();
  await hub?.stop();
  await cloud?.stop();
  pg?.stop();
});

async function newPage(viewport = DESK) {
  const context = await browser.newContext({ viewport, locale: 'es-MX' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  return page;
}

/** The page has its data (each console page is aria-busy until its first answer). */
async function settled(page) {
  await page.locator('main section.page[aria-busy=false]').waitFor();
}

async function signIn(page, email, password) {
  await page.goto(`${cloud.url}/`);
  await page.waitForURL(/#\/entrar$/);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits) for a base32 secret at time step `step`. */
function totp(secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('the owner pairs a store from the console and its sale reaches the dashboard', { timeout: 120_000 }, async () => {
  const page = await newPage();
  ownerPage = page;

  // A wrong password is refused with the cloud's words, at the fields.
  await signIn(page, owner.email, 'no es la contraseña');
  const refused = page.locator('[data-testid=login-error]');
  await refused.waitFor();
  assert.match((await refused.textContent()) ?? '', /\S/, 'the refusal is shown');
  assert.equal(await page.getAttribute('input[name=password]', 'aria-invalid'), 'true', 'the password is marked');
  await screenshot(page, 'console-login-refused');

  await page.fill('input[name=password]', owner.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/tablero$/);
  await page.locator('[data-testid=figures]').waitFor();
  assert.equal(await page.textContent('[data-testid=organisation]'), 'Brincolines');

  // A branch made on Sucursales, and its pairing code as text and as a QR code.
  await page.click('[data-testid=menu-sucursales]');
  await page.click('[data-testid=branch-new]');
  await page.fill('[data-testid=branch-form] input[name=name]', 'Centro');
  await page.selectOption('[data-testid=branch-form] select[name=timezone]', 'America/Mexico_City');
  await page.click('[data-testid=branch-save]');
  const card = page.locator('[data-testid=branch-card][data-branch-name=Centro]');
  await card.waitFor();
  centro = await card.getAttribute('data-branch-id');
  await card.locator('[data-testid=branch-pair]').click();
  const codeEl = page.locator('[data-testid=pairing-code]');
  await codeEl.waitFor();
  const code = ((await codeEl.textContent()) ?? '').trim();
  assert.match(code, /^\S{6,}$/, 'a pairing code is shown');
  const qrWidth = await page.locator('[data-testid=pairing-qr]').evaluate((img) => img.complete && img.naturalWidth);
  assert.ok(qrWidth > 0, 'the QR code is drawn (a data: image the CSP allows)');
  await screenshot(page, 'console-pairing-code');
  await page.keyboard.press('Escape');

  // The store's admin types the code into «Nube» and the store pairs.
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-cloud]');
  await a.locator('[data-testid=cloud-status][data-paired=false]').waitFor();
  await a.fill('input[name=cloud_url]', cloud.url);
  await a.fill('input[name=code]', code);
  await a.click('[data-testid=cloud-pair-submit]');
  await a.locator('[data-testid=cloud-status][data-online=true]').waitFor({ timeout: 30_000 });
  assert.deepEqual(admin.errors.map(String), [], 'no script errors at the store');
  await admin.context.close();

  // A sale at the store.
  const rec = await login(hub.url, 'recepcion');
  const product = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.active && p.stock > 2 && p.price_cents > 0);
  assert.ok(product, 'the demo store sells a product');
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: product.id, quantity: 2 }], payments: [{ method: 'cash', amount_cents: 2 * product.price_cents }] });
  sold = 2 * product.price_cents;

  // Sucursales shows the store online with its device.
  await page.reload();
  await card.locator('[data-testid=branch-online]').waitFor({ timeout: 15_000 });
  assert.equal(await card.locator('[data-testid=device-row]').count(), 1, 'the paired store is listed');

  // The dashboard shows the sale once the store has synced (its own «Actualizar»).
  await page.click('[data-testid=menu-tablero]');
  const revenue = page.locator('[data-testid=figure-revenue]');
  const until = Date.now() + 45_000;
  while ((await revenue.textContent()) !== formatMXN(sold)) {
    assert.ok(Date.now() < until, `the dashboard shows ${formatMXN(sold)} (it shows ${await revenue.textContent()})`);
    await page.waitForTimeout(1000);
    await page.click('[data-testid=refresh]');
    await settled(page);
  }
  assert.equal(await page.textContent('[data-testid=figure-tickets]'), '1');
  const row = page.locator(`[data-testid=branch-row][data-branch-id="${centro}"]`);
  assert.equal(await row.locator('[data-testid=branch-revenue]').textContent(), formatMXN(sold), 'the branch’s row has the sale');
  await page.locator('[data-testid=revenue-chart]').waitFor();

  // The dashboard as a file, with the cloud's filename.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
  assert.match(download.suggestedFilename(), /\.csv$/, 'the CSV keeps the server’s filename');
  await screenshot(page, 'console-dashboard-sale');
});

test('a manager invited to one branch sees only that branch and no Personas', { timeout: 60_000 }, async () => {
  assert.ok(centro, 'the branch of the first test');
  await cloudCall(cloud.url, owner.token, 'POST', '/branches', { name: 'Norte', timezone: 'America/Monterrey' });
  const page = ownerPage;
  await page.click('[data-testid=menu-personas]');
  await page.locator('[data-testid=person-row]').first().waitFor();
  await page.click('[data-testid=person-invite]');
  const email = `gerente-${Date.now()}@example.mx`;
  await page.fill('[data-testid=invite-form] input[name=email]', email);
  await page.selectOption('[data-testid=invite-form] select[name=role]', 'manager');
  await page.check('[data-testid=branch-choice][data-branch-name=Centro]');
  await page.click('[data-testid=invite-send]');
  const link = ((await page.locator('[data-testid=invite-link]').textContent()) ?? '').trim();
  assert.match(link, /#\/invitacion\/\S+$/, 'the invitation link is shown to copy');
  await screenshot(page, 'console-invitation-link');
  await page.keyboard.press('Escape');

  // The organisation keeps one active owner: disabling herself is refused in the cloud's words.
  await page.locator('[data-testid=person-row]', { hasText: '(tú)' }).locator('[data-testid=person-disable]').click();
  const lastOwner = page.locator('[data-testid=person-error]');
  await lastOwner.waitFor();
  assert.match((await lastOwner.textContent()) ?? '', /\S/, 'the last_owner refusal is shown');
  await screenshot(page, 'console-last-owner');

  const manager = await newPage();
  await manager.goto(link);
  await manager.locator('[data-testid=invitation-preview]').waitFor();
  assert.equal(await manager.textContent('[data-testid=invitation-email]'), email);
  assert.equal(await manager.textContent('[data-testid=invitation-role]'), 'Gerente');
  assert.equal(await manager.textContent('[data-testid=invitation-organisation]'), 'Brincolines');
  await manager.fill('input[name=name]', 'Gerardo');
  await manager.fill('input[name=password]', 'corta');
  assert.equal(await manager.getAttribute('input[name=password]', 'aria-invalid'), 'true', 'a short password is marked');
  await screenshot(manager, 'console-invitation');
  await manager.fill('input[name=password]', 'gerente de centro 2026');
  await manager.fill('input[name=password_repeat]', 'gerente de centro 2026');
  await manager.click('button[type=submit]');
  await manager.waitForURL(/#\/tablero$/);
  await manager.locator('[data-testid=branch-row]').first().waitFor();

  assert.equal(await manager.locator('[data-testid=menu-personas]').count(), 0, 'no Personas in a manager’s menu');
  const rows = manager.locator('[data-testid=branch-row]');
  assert.equal(await rows.count(), 1, 'the dashboard has only the manager’s branch');
  assert.equal(await rows.first().getAttribute('data-branch-id'), centro);
  await manager.locator('[data-testid=branch-only]').waitFor();
  assert.equal(await manager.locator('[data-testid=branch-filter]').count(), 0, 'one branch: nothing to choose');
  assert.equal(await manager.textContent('[data-testid=branch-only]'), 'Centro', 'the filter names the manager’s branch');
  await manager.click('[data-testid=menu-sucursales]');
  await manager.locator('[data-testid=branch-card]').first().waitFor();
  assert.deepEqual(await manager.locator('[data-testid=branch-card]').evaluateAll((cards) => cards.map((c) => c.dataset.branchName)), ['Centro']);
  assert.equal(await manager.locator('[data-testid=branch-new]').count(), 0, 'a manager adds no branch');
  await manager.click('[data-testid=menu-catalogo]');
  await manager.locator('[data-testid=catalog-table]').waitFor();
  assert.equal(await manager.locator('[data-testid=catalog-new]').count(), 0, 'a manager changes no catalogue');
  await manager.click('[data-testid=menu-alertas]');
  await manager.locator('section.page[aria-busy=false]').waitFor();
  assert.equal(await manager.locator('[data-testid=alert-rules]').count(), 0, 'a manager sets no alert rules');
  await manager.goto(`${cloud.url}/#/personas`);
  await manager.waitForURL(/#\/tablero$/);
  await screenshot(manager, 'console-manager-dashboard');
  await manager.context().close();
});

test('a viewer reads every page and changes nothing', { timeout: 60_000 }, async () => {
  const email = `consulta-${Date.now()}@example.mx`;
  const invitation = await cloudCall(cloud.url, owner.token, 'POST', '/invitations', { email, role: 'viewer', all_branches: true });
  const password = 'solo miro los números';
  const accepted = await fetch(`${cloud.url}/api/v1/invitations/accept`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: invitation.token, name: 'Vero', password }),
  });
  assert.equal(accepted.status, 201, 'the viewer’s invitation is accepted');
  const page = await newPage();
  await signIn(page, email, password);
  await page.waitForURL(/#\/tablero$/);
  assert.equal(await page.locator('[data-testid=menu-personas]').count(), 0, 'no Personas for a viewer');
  await page.click('[data-testid=menu-sucursales]');
  await page.locator('[data-testid=branch-card]').first().waitFor();
  assert.equal(await page.locator('[data-testid=branch-card]').count(), 2, 'a viewer of every branch sees both');
  for (const control of ['branch-new', 'branch-edit', 'branch-pair', 'device-unpair']) {
    assert.equal(await page.locator(`[data-testid=${control}]`).count(), 0, `no ${control} for a viewer`);
  }
  await page.click('[data-testid=menu-catalogo]');
  await page.locator('[data-testid=catalog-table]').waitFor();
  assert.equal(await page.locator('[data-testid=catalog-new], [data-testid=catalog-edit]').count(), 0, 'the catalogue is read-only');
  await page.click('[data-testid=menu-alertas]');
  await settled(page);
  assert.equal(await page.locator('[data-testid=alert-rules]').count(), 0, 'no alert rules for a viewer');
  await page.context().close();
});

test('the second factor is set up in Mi cuenta and a sign-in then asks for its code', { timeout: 60_000 }, async () => {
  const page = ownerPage;
  await page.click('[data-testid=menu-cuenta]');
  await page.click('[data-testid=totp-setup]');
  const secret = ((await page.locator('[data-testid=totp-secret]').textContent()) ?? '').trim();
  assert.match(secret, /^[A-Z2-7]{16,}$/, 'the secret is shown as text');
  assert.ok(await page.locator('[data-testid=totp-qr]').evaluate((img) => img.complete && img.naturalWidth > 0), 'its QR code is drawn');
  await screenshot(page, 'console-totp-setup');
  const step = Math.floor(Date.now() / 1000 / 30);
  await page.fill('[data-testid=totp-confirm-code]', totp(secret, step));
  await page.click('[data-testid=totp-enable]');
  await page.locator('[data-testid=totp-on]').waitFor();

  const other = await newPage();
  await signIn(other, owner.email, owner.password);
  await other.locator('[data-testid=totp-code]').waitFor();
  await screenshot(other, 'console-login-totp');
  await other.fill('[data-testid=totp-code]', '000000' === totp(secret, step + 1) ? '111111' : '000000');
  await other.click('button[type=submit]');
  await other.locator('[data-testid=login-error]').waitFor();
  // A code is taken once: the next step's (within the cloud's one step of drift).
  await other.fill('[data-testid=totp-code]', totp(secret, step + 1));
  await other.click('button[type=submit]');
  await other.waitForURL(/#\/tablero$/);
  await other.context().close();
});

test('repeated wrong passwords are throttled and the page says how long to wait', { timeout: 30_000 }, async () => {
  const page = await newPage();
  await signIn(page, 'nadie@example.mx', 'una contraseña equivocada');
  const error = page.locator('[data-testid=login-error]');
  for (let attempt = 0; attempt < 10 && !/Espera/.test((await error.textContent().catch(() => '')) ?? ''); attempt++) {
    await page.fill('input[name=password]', 'una contraseña equivocada');
    await page.click('button[type=submit]');
    await error.waitFor();
  }
  assert.match((await error.textContent()) ?? '', /Espera \d+ (segundos?|minutos?)/, 'the wait of the 429 is shown in words');
  await screenshot(page, 'console-login-throttled');
  await page.context().close();
});

test('the owner adds a product in pesos and sets the alert rules, with errors at their field', { timeout: 30_000 }, async () => {
  const page = ownerPage;
  await page.click('[data-testid=menu-catalogo]');
  await page.click('[data-testid=catalog-new]');
  await page.fill('[data-testid=catalog-form] input[name=name]', 'Agua de jamaica');
  await page.fill('[data-testid=catalog-form] input[name=category]', 'Bebidas');
  await page.fill('[data-testid=catalog-form] input[name=price]', '15.50');
  await page.click('[data-testid=catalog-save]');
  const row = page.locator('[data-testid=catalog-row]', { hasText: 'Agua de jamaica' });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /\$15\.50/, 'the price typed in pesos is kept as 1550 centavos');
  const stored = (await cloudCall(cloud.url, owner.token, 'GET', '/catalog/products')).items.find((p) => p.record.name === 'Agua de jamaica');
  assert.equal(stored.record.price_cents, 1550);

  await page.click('[data-testid=menu-alertas]');
  await page.locator('[data-testid=alert-rules]').waitFor();
  await page.fill('[data-testid=alert-rules] input[name=emails]', 'esto no es un correo');
  await page.click('[data-testid=alert-rules-save]');
  await page.locator('[data-testid=alert-rules] input[name=emails][aria-invalid=true]').waitFor();
  await screenshot(page, 'console-alert-rules-error');
  await page.fill('[data-testid=alert-rules] input[name=emails]', 'duena@example.mx, gerencia@example.mx');
  await page.fill('[data-testid=alert-rules] input[name=cash_difference]', '150');
  await page.click('[data-testid=alert-rules-save]');
  await page.locator('[data-testid=alert-rules-saved]').waitFor();
  const settings = await cloudCall(cloud.url, owner.token, 'GET', '/alert-settings');
  assert.deepEqual(settings.emails, ['duena@example.mx', 'gerencia@example.mx']);
  assert.equal(settings.cash_difference_cents, 15_000, 'the difference typed in pesos is kept in centavos');
});

test('every console page fits at 1366×768 and 1920×1080, and on a phone', { timeout: 90_000 }, async () => {
  const pages = ['tablero', 'sucursales', 'personas', 'alertas', 'fiestas', 'cortes', 'catalogo', 'cuenta'];
  const token = owner.token;
  await cloudCall(cloud.url, token, 'POST', '/catalog/products', { name: 'Churros de la nube', category: 'Postres', price_cents: 3500, low_stock_threshold: 2 });
  for (const [label, viewport] of [['desk', DESK], ['wall', WALL]]) {
    const page = ownerPage;
    await page.setViewportSize(viewport);
    for (const id of pages) {
      await page.click(`[data-testid=menu-${id}]`);
      await page.locator(`[data-testid=page-${id}]`).waitFor();
      await settled(page);
      await checkLayout(page, `console-${id}-${label}`);
    }
  }
  // Thirty days of columns: the day labels thin out to what fits.
  await ownerPage.click('[data-testid=menu-tablero]');
  await ownerPage.click('[data-testid=period-month]');
  await settled(ownerPage);
  await ownerPage.locator('[data-testid=revenue-chart]').waitFor();
  await checkLayout(ownerPage, 'console-tablero-30-days-wall');
  const labels = await ownerPage.locator('[data-testid=revenue-chart] text.label').count();
  assert.ok(labels > 3 && labels <= 30, `the 30-day chart labels some days, not all crammed (${labels})`);
  await ownerPage.click('[data-testid=period-today]');

  await ownerPage.setViewportSize(PHONE);
  for (const id of ['tablero', 'sucursales']) {
    await ownerPage.click(`[data-testid=menu-${id}]`);
    await settled(ownerPage);
    await screenshot(ownerPage, `console-${id}-phone`);
    assert.deepEqual(await boxProblems(ownerPage), [], `${id} on a phone: nothing wider than its box`);
  }
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});

test('a store is unpaired from Sucursales after a confirmation', { timeout: 30_000 }, async () => {
  const page = ownerPage;
  await page.setViewportSize(DESK);
  await page.click('[data-testid=menu-sucursales]');
  const card = page.locator(`[data-testid=branch-card][data-branch-id="${centro}"]`);
  await card.locator('[data-testid=device-row]').waitFor();
  await card.locator('[data-testid=device-unpair]').click();
  await screenshot(page, 'console-unpair-confirm');
  await page.click('[data-testid=device-unpair-confirm]');
  await card.locator('[data-testid=device-row]').waitFor({ state: 'detached' });
  const [branch] = (await cloudCall(cloud.url, owner.token, 'GET', '/branches')).items.filter((b) => b.id === centro);
  assert.deepEqual(branch.devices, [], 'the cloud no longer lists the store');
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});
