// The admin's Backups section against the real hub: sales, "back up now", more sales, then a
// restore chosen in the list and confirmed; the hub then holds exactly the backed-up sales and
// goes on serving, and what was replaced is listed as a "before restoring" backup.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
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

async function sell(token, product) {
  const body = { items: [{ product_id: product, quantity: 1 }], payments: [{ method: 'cash', amount_cents: 5000 }] };
  return (await call(hub.url, token, 'POST', '/sales', body)).id;
}

const saleIds = async (token) => items(await call(hub.url, token, 'GET', '/sales')).map((s) => s.id).sort();

test('admin backs up, restores a backup after confirming, and the hub serves the backed-up sales', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const water = items(await call(hub.url, rec, 'GET', '/products')).find((p) => p.name === 'Agua natural 600 ml').id;
  const kept = [await sell(rec, water), await sell(rec, water)];

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-backups]');
  await a.locator('[data-testid=backups-dir]').waitFor();
  await a.click('[data-testid=backups-take]');
  await a.locator('[data-testid=backups-notice]', { hasText: 'Respaldo creado' }).waitFor();
  const row = a.locator('[data-testid=backup-row]').first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /Manual/);

  await sell(rec, water); // after the backup: the restore takes it away
  assert.equal((await saleIds(rec)).length, 3);

  await row.locator('[data-testid=backup-restore]').click();
  const confirm = a.locator('[data-testid=backups-confirm-text]');
  await confirm.waitFor();
  assert.match((await confirm.textContent()) ?? '', /se quitarán/);
  await screenshot(a, 'admin-backups-confirm');
  assert.deepEqual(await smallTouchTargets(a), [], 'every button is at least 48 px');
  await a.click('[data-testid=backups-confirm]');
  await a.locator('[data-testid=backups-notice]', { hasText: 'Se restauró' }).waitFor({ timeout: 30_000 });
  await a.locator('[data-testid=backup-row]', { hasText: 'Antes de restaurar' }).waitFor();
  await screenshot(a, 'admin-backups');

  assert.deepEqual(await saleIds(rec), [...kept].sort(), 'exactly the backed-up sales');
  await sell(rec, water);
  assert.equal((await saleIds(rec)).length, 3, 'the hub serves on the restored data');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

test('the admin viewer does not see the Backups section', { timeout: 60_000 }, async () => {
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  await viewer.page.locator('[data-testid=tab-dashboard]').waitFor();
  assert.equal(await viewer.page.locator('[data-testid=tab-backups]').count(), 0);
  await viewer.context.close();
});
