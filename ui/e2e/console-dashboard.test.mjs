// The owner's «Tablero» over three weeks of a real store's history, in Chromium against a real
// cloud (PostgreSQL) and a real hub started with demo history and paired with a branch: for the
// last 14 days the figures are the cloud's own (visitors counted by the totem among them), each
// with its change against the 14 days before; the heatmap's busiest cell is the cloud's peak; the
// best sellers are the cloud's first items, for all kinds and for one; the file still downloads.
// A manager restricted to another branch sees none of the store's figures, heatmap or best
// sellers, and is refused them by the API. Checked at 1366×768 and 1920×1080.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, formatMXN, login } from './api.mjs';
import { DESK, WALL, launchBrowser, screenshot } from './browser.mjs';
import { cloudCall, createOwner, startCloud, startPostgres } from './cloud.mjs';
import { boxProblems, checkLayout } from './console-layout.mjs';
import { startHub } from './hub.mjs';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const ZONE = 'America/Mexico_City';
const PHONE = { width: 390, height: 844 };
const count = new Intl.NumberFormat('es-MX');
const decimal = new Intl.NumberFormat('es-MX', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = (p) => (p === null || p === undefined ? '—' : `${decimal.format(p)} %`);

let pg;
let cloud;
let hub;
let browser;
let owner;
let page;
let centro; // the branch the store is paired with
let norte; // a branch with no store
let period; // { from, to }: the last 14 days as the page counts them
const pageErrors = [];

/** Polls `probe` until it answers something truthy, or fails saying what was awaited. */
async function eventually(what, probe, timeout = 60_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    assert.ok(Date.now() < until, `${what} (waited ${timeout / 1000} s)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const query = (params) => `?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''))}`;

/** Signs in on a new page at 1366×768 and lands on «Tablero». */
async function signIn(email, password) {
  const context = await browser.newContext({ viewport: DESK, locale: 'es-MX', timezoneId: ZONE });
  const p = await context.newPage();
  p.on('pageerror', (err) => pageErrors.push(err));
  await p.goto(`${cloud.url}/`);
  await p.waitForURL(/#\/entrar$/);
  await p.fill('input[name=email]', email);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
  await p.waitForURL(/#\/tablero$/);
  await settled(p);
  return p;
}

async function settled(p) {
  await p.locator('main section.page[aria-busy=false]').waitFor();
  await p.locator('[data-testid=top-card][aria-busy=false]').waitFor();
}

/** «Fechas» set to the last 14 days (the page's own today, from its date input). */
async function lastFourteenDays(p) {
  await p.click('[data-testid=period-custom]');
  const today = await p.getAttribute('input[name=to]', 'max');
  await p.fill('input[name=from]', addDays(today, -13));
  await p.fill('input[name=to]', today);
  // «Hoy» shows one day; the fourteen show a range once they have come.
  await p.locator('[data-testid=period-range]', { hasText: 'Del ' }).waitFor();
  await settled(p);
  await p.locator('[data-testid=period-previous]').waitFor();
  return { from: addDays(today, -13), to: today };
}

before(async () => {
  if (!existsSync(join(uiDir, 'dist-console/index.html'))) throw new Error('ui/dist-console is missing: run `npm run build:console` first.');
  pg = await startPostgres();
  cloud = await startCloud(pg.url, { consoleDir: join(uiDir, 'dist-console') });
  hub = await startHub({ demoHistory: 21, env: { KIDYBOARD_SYNC_INTERVAL_SECS: '2' } });
  browser = await launchBrowser();
  owner = await createOwner(cloud.url, 'Brincolines');

  centro = await cloudCall(cloud.url, owner.token, 'POST', '/branches', { name: 'Centro', timezone: ZONE });
  norte = await cloudCall(cloud.url, owner.token, 'POST', '/branches', { name: 'Norte', timezone: 'America/Monterrey' });
  const { code } = await cloudCall(cloud.url, owner.token, 'POST', `/branches/${centro.id}/pairing-codes`, {});
  const admin = await login(hub.url, 'admin');
  await call(hub.url, admin, 'POST', '/sync/pair', { cloud_url: cloud.url, code, name: 'Caja Centro' });

  // Three weeks of events take a few pushes: wait until the store has nothing left to send and
  // the cloud's figures stand still.
  let last = '';
  await eventually('the store’s history reaches the cloud', async () => {
    const b = (await cloudCall(cloud.url, owner.token, 'GET', '/branches')).items.find((x) => x.id === centro.id);
    const device = b?.devices?.[0];
    const figures = JSON.stringify((await cloudCall(cloud.url, owner.token, 'GET', `/reports/branches${query({ from: addDays(new Date().toISOString().slice(0, 10), -30), to: addDays(new Date().toISOString().slice(0, 10), 1) })}`)).total);
    const still = figures === last && device && device.pending_events === 0 && JSON.parse(figures).sales_count > 0;
    last = figures;
    return still;
  }, 120_000);

  page = await signIn(owner.email, owner.password);
});

after(async () => {
  await browser?.close();
  await hub?.stop();
  await cloud?.stop();
  pg?.stop();
});

test('the last 14 days: figures, changes, heatmap and best sellers are the cloud’s', { timeout: 120_000 }, async () => {
  period = await lastFourteenDays(page);
  const api = await cloudCall(cloud.url, owner.token, 'GET', `/reports/branches${query(period)}`);
  const t = api.total;
  assert.ok(t.sales_count > 0, 'the demo history sold in the last 14 days');
  assert.ok(t.visitors > 0, 'the totem counted visitors in the last 14 days');
  assert.equal(api.previous_to, addDays(period.from, -1), 'the previous period ends the day before');

  const figure = (id) => page.textContent(`[data-testid=figure-${id}]`);
  assert.equal(await figure('revenue'), formatMXN(t.revenue_cents), 'revenue is the cloud’s');
  assert.equal(await figure('tickets'), count.format(t.sales_count), 'tickets are the cloud’s');
  assert.equal(await figure('average'), formatMXN(t.ticket_average_cents), 'the average ticket is the cloud’s');
  assert.equal(await figure('children'), count.format(t.children), 'children are the cloud’s');
  assert.equal(await figure('visitors'), count.format(t.visitors), 'visitors are the cloud’s');
  assert.equal(await figure('refunds'), formatMXN(t.refunds_cents), 'refunds are the cloud’s');
  assert.equal(await figure('occupancy'), percent(t.occupancy_percent), 'occupancy is the cloud’s (— without a capacity)');

  // Each figure beside the 14 days before: the demo store sold then too (21 days of history).
  const p = api.previous;
  const revenueChange = await figure('revenue-change');
  if (p.revenue_cents > 0) {
    const expected = ((t.revenue_cents - p.revenue_cents) / p.revenue_cents) * 100;
    assert.ok(revenueChange.includes(decimal.format(Math.abs(expected))), `the revenue change is ${expected.toFixed(1)} % (shown: ${revenueChange})`);
    assert.ok(revenueChange.startsWith(expected > 0 ? '▲' : expected < 0 ? '▼' : '='), `the arrow points the way revenue went (${revenueChange})`);
  } else {
    assert.equal(revenueChange, 'sin periodo anterior');
  }
  const refundDirection = await page.getAttribute('[data-testid=figure-refunds-change]', 'data-direction');
  if (refundDirection === 'up') assert.match(await page.getAttribute('[data-testid=figure-refunds-change]', 'class'), /bad/, 'more refunds is bad news');

  const row = page.locator(`[data-testid=branch-row][data-branch-id="${centro.id}"]`);
  const branch = api.branches.find((b) => b.branch_id === centro.id);
  assert.equal(await row.locator('[data-testid=branch-revenue]').textContent(), formatMXN(branch.revenue_cents));
  assert.equal(await row.locator('[data-testid=branch-visitors]').textContent(), count.format(branch.visitors));
  assert.equal(await row.locator('[data-testid=branch-occupancy]').textContent(), percent(branch.occupancy_percent));
  assert.notEqual(await row.locator('[data-testid=branch-revenue-change]').textContent(), '', 'the branch’s revenue change is shown');

  // The heatmap: Monday first, some cells sold, the busiest is the cloud's peak.
  const heat = await cloudCall(cloud.url, owner.token, 'GET', `/reports/heatmap${query(period)}`);
  assert.ok(heat.peak, 'the cloud names a peak hour');
  const days = await page.locator('[data-testid=heatmap] [role=rowheader]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  assert.deepEqual(days, ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo']);
  const busy = await page.locator('[data-testid=heatmap] [role=cell]').evaluateAll((els) => els.filter((e) => Number(e.dataset.sales) > 0).length);
  assert.ok(busy > 0, 'the heatmap is not empty');
  const peakCell = page.locator('[data-testid=heat-peak-cell]');
  assert.equal(await peakCell.count(), 1, 'one cell is the peak');
  assert.equal(Number(await peakCell.getAttribute('data-weekday')), heat.peak.weekday, 'the peak’s weekday is the cloud’s');
  assert.equal(Number(await peakCell.getAttribute('data-hour')), heat.peak.hour, 'the peak’s hour is the cloud’s');
  assert.equal(Number(await peakCell.getAttribute('data-sales')), heat.peak.sales, 'the peak’s tickets are the cloud’s');
  const label = await peakCell.getAttribute('aria-label');
  assert.ok(label.includes(formatMXN(heat.revenue_cents[heat.peak.weekday][heat.peak.hour])), `the peak cell tells its revenue (${label})`);
  assert.match(await page.textContent('[data-testid=heat-peak]'), new RegExp(`${heat.peak.hour}:00`), 'the peak hour is called out');

  // «Más vendidos»: the cloud's first ten, in order.
  const top = await cloudCall(cloud.url, owner.token, 'GET', `/reports/top-products${query({ ...period, limit: 10 })}`);
  assert.ok(top.items.length > 0, 'something sold');
  const rows = async () => page.locator('[data-testid=top-row]').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.dataset.itemId,
    name: tr.querySelector('[data-testid=top-name]').textContent,
    quantity: tr.querySelector('[data-testid=top-quantity]').textContent,
    revenue: tr.querySelector('[data-testid=top-revenue]').textContent,
  })));
  const asShown = (items) => items.map((i) => ({ id: i.item_id, name: i.name, quantity: count.format(i.quantity), revenue: formatMXN(i.revenue_cents) }));
  assert.deepEqual(await rows(), asShown(top.items), 'the best sellers are the cloud’s, in its order');

  for (const [label, viewport] of [['desk', DESK], ['wall', WALL]]) {
    await page.setViewportSize(viewport);
    await checkLayout(page, `console-dashboard-14-days-${label}`);
    // The rest of the page as it scrolls into view.
    for (const part of ['branch-table', 'heatmap-card', 'top-card']) {
      await page.locator(`[data-testid=${part}]`).scrollIntoViewIfNeeded();
      await screenshot(page, `console-dashboard-14-days-${label}-${part}`);
    }
    await page.evaluate(() => document.querySelector('main')?.scrollTo(0, 0));
  }
  // On a phone the heatmap scrolls in its own box; nothing else is wider than its box.
  await page.setViewportSize(PHONE);
  await screenshot(page, 'console-dashboard-14-days-phone');
  assert.deepEqual(await boxProblems(page), [], 'on a phone nothing is wider than its box');
  await page.setViewportSize(DESK);

  // Only products.
  await page.click('[data-testid=top-kind-product]');
  await page.locator('[data-testid=top-kind-product][aria-pressed=true]').waitFor();
  await settled(page);
  const products = await cloudCall(cloud.url, owner.token, 'GET', `/reports/top-products${query({ ...period, kind: 'product', limit: 10 })}`);
  assert.ok(products.items.length > 0, 'the snack bar sold');
  assert.deepEqual(await rows(), asShown(products.items), 'the best-selling products are the cloud’s');
  assert.ok(await page.locator('[data-testid=top-row]').evaluateAll((trs) => trs.every((tr) => tr.dataset.kind === 'product')), 'only products are listed');

  // The file still comes down, with the cloud's name.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
  assert.match(download.suggestedFilename(), /\.xlsx$/, 'the XLSX keeps the server’s filename');
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});

test('a manager of another branch sees none of the store’s figures', { timeout: 60_000 }, async () => {
  const email = `gerente-norte-${Date.now()}@example.mx`;
  const password = 'gerente de norte 2026';
  const invitation = await cloudCall(cloud.url, owner.token, 'POST', '/invitations', { email, role: 'manager', branch_ids: [norte.id] });
  const res = await fetch(`${cloud.url}/api/v1/invitations/accept`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: invitation.token, name: 'Gerente Norte', password }),
  });
  assert.equal(res.status, 201, 'the manager’s invitation is accepted');
  const { token } = await res.json();

  const manager = await signIn(email, password);
  await lastFourteenDays(manager);
  assert.equal(await manager.textContent('[data-testid=branch-only]'), 'Norte', 'the manager sees only Norte');
  assert.equal(await manager.locator(`[data-testid=branch-row][data-branch-id="${centro.id}"]`).count(), 0, 'no row for Centro');
  assert.equal(await manager.textContent('[data-testid=figure-revenue]'), formatMXN(0), 'none of Centro’s revenue');
  assert.equal(await manager.textContent('[data-testid=figure-tickets]'), '0', 'none of Centro’s tickets');
  assert.equal(await manager.textContent('[data-testid=figure-visitors]'), '0', 'none of Centro’s visitors');
  assert.equal(await manager.locator('[data-testid=heatmap-empty]').count(), 1, 'an empty heatmap');
  assert.equal(await manager.locator('[data-testid=top-row]').count(), 0, 'no best sellers');

  // Nor through the API with Centro's id.
  for (const path of ['/reports/branches', '/reports/heatmap', '/reports/top-products']) {
    const answer = await fetch(`${cloud.url}/api/v1${path}${query({ ...period, branch_id: centro.id })}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.ok([403, 404].includes(answer.status), `${path} for Centro is refused to Norte’s manager (${answer.status})`);
  }
  for (const [label, viewport] of [['desk', DESK], ['wall', WALL]]) {
    await manager.setViewportSize(viewport);
    await checkLayout(manager, `console-dashboard-manager-${label}`);
  }
  await manager.context().close();
  assert.deepEqual(pageErrors.map(String), [], 'no script errors in the console');
});
