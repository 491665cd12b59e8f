// The wall monitor survives the hub going away: the offline badge shows, and when the hub is back
// on the same address and data it reconnects by itself, the badge goes and the timers are back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { launchBrowser, openAs, WALL } from './browser.mjs';
import { newDataDir, startHub } from './hub.mjs';

let hub;
let browser;

before(async () => {
  hub = await startHub({ dataDir: newDataDir() });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

async function checkIn(base, name) {
  const token = await login(base, 'recepcion');
  const service = items(await call(base, token, 'GET', '/services')).find((s) => s.active);
  await call(base, token, 'POST', '/sales', {
    items: [{ service_id: service.id, quantity: 1, child: { name } }],
    payments: [{ method: 'cash', amount_cents: service.price_cents }],
  });
}

test('the monitor reconnects after the hub restarts', { timeout: 120_000 }, async () => {
  await checkIn(hub.url, 'Mateo');
  const monitor = await openAs(browser, hub.url, 'monitor', WALL);
  const m = monitor.page;
  await m.locator('[data-testid=monitor-tile]', { hasText: 'Mateo' }).waitFor();
  assert.equal(await m.locator('[data-testid=offline-badge]').count(), 0, 'no offline badge while connected');

  const { port, dataDir } = hub;
  await hub.kill();
  await m.locator('[data-testid=offline-badge]').waitFor({ timeout: 5000 });
  assert.equal(await m.locator('[data-testid=monitor-tile]', { hasText: 'Mateo' }).count(), 1, 'the last known timers stay on the wall while offline');

  hub = await startHub({ dataDir, port });
  assert.equal(hub.port, port, 'the hub came back on the same port');
  // Back-off tops out at 8 s, so the monitor is back within that and a little.
  await m.locator('[data-testid=offline-badge]').waitFor({ state: 'detached', timeout: 15_000 });
  await m.locator('[data-testid=monitor-tile]', { hasText: 'Mateo' }).waitFor({ timeout: 2000 });

  // The live feed works again: a new check-in shows up without a reload.
  await checkIn(hub.url, 'Valentina');
  await m.locator('[data-testid=monitor-tile]', { hasText: 'Valentina' }).waitFor({ timeout: 1000 });
  assert.equal(new URL(m.url()).pathname, '/monitor', 'the monitor stayed on its page (no trip to /login)');
  assert.deepEqual(monitor.errors.map(String), [], 'no script errors');
});

test('an unattended screen opened again keeps its session; a staff tab does not', { timeout: 60_000 }, async () => {
  const monitor = await openAs(browser, hub.url, 'monitor', WALL);
  await monitor.page.close();
  const again = await monitor.context.newPage();
  await again.goto(`${hub.url}/monitor`);
  await again.waitForLoadState('networkidle');
  assert.equal(new URL(again.url()).pathname, '/monitor', 'the wall screen comes back without a login');

  const reception = await openAs(browser, hub.url, 'recepcion', WALL);
  const other = await reception.context.newPage();
  await other.goto(`${hub.url}/reception`);
  await other.waitForURL((url) => url.pathname === '/login');
});
