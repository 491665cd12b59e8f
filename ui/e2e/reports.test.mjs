// The owner opens «Reportes», sees today's sales in the figures, and downloads an XLSX that a
// real reader (Python's openpyxl) opens with the same revenue.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, smallTouchTargets } from './browser.mjs';
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

test('reports show the day\'s sales and export an XLSX with the same revenue', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const products = items(await call(hub.url, rec, 'GET', '/products')).filter((p) => p.active && p.stock > 2);
  const [a, b] = products;
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: a.id, quantity: 2 }], payments: [{ method: 'card', amount_cents: 2 * a.price_cents }] });
  await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: b.id, quantity: 1 }], payments: [{ method: 'cash', amount_cents: b.price_cents }] });
  const revenue = 2 * a.price_cents + b.price_cents;

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-reports]');
  await page.locator(`[data-testid=rep-kpi-revenue]:has-text("${formatMXN(revenue)}")`).waitFor({ timeout: 10_000 });
  assert.equal(await page.textContent('[data-testid=rep-kpi-sales]'), '2');
  await page.locator('[data-testid=rep-top]').waitFor();
  await page.locator('[data-testid=forecast-status][data-status=not_enough_data]').first().waitFor();

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-revenue-xlsx]')]);
  assert.match(download.suggestedFilename(), /^kidyboard-revenue-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx$/);
  const path = join(tempDir('kidyboard-xlsx'), download.suggestedFilename());
  await download.saveAs(path);
  await page.locator('[data-testid=export-done]').first().waitFor();
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const read = execFileSync(python, ['-c', 'import sys, openpyxl; s = openpyxl.load_workbook(sys.argv[1])["Resumen"]; print(s["A2"].value, s["B2"].value)', path], { encoding: 'utf8' });
  const [label, value] = read.trim().split(' ');
  assert.equal(label, 'Ingresos');
  assert.equal(Number(value), revenue / 100, 'the workbook holds the same revenue, as a number in pesos');

  // A reversed range is explained on the page instead of asking the hub.
  await page.fill('[data-testid=rep-from]', '2026-03-10');
  await page.fill('[data-testid=rep-to]', '2026-03-01');
  await page.locator('[data-testid=rep-range-problem]').waitFor();
  await screenshot(page, 'admin-reports');
  assert.deepEqual(await smallTouchTargets(page), [], 'every reports button is at least 48 px');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});
