// The admin's Visitantes section shows what the totem's counter reported: visitors, dwell,
// conversion beside sales, and a camera whose model failed with the hint to fix it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot } from './browser.mjs';
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

// A ULID: 48-bit time then 80 random bits, in Crockford base 32.
function ulid(ms) {
  const abc = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = abc[t % 32] + time;
  const rand = [...randomBytes(16)].map((b) => abc[b % 32]).join('');
  return time + rand;
}

test('visitors, dwell and conversion reach the admin, and a broken camera says what to do', { timeout: 120_000 }, async () => {
  const totem = await login(hub.url, 'totem');
  const now = Date.now();
  // Three visits that started a few minutes ago (today in the branch's zone): 8 s, 45 s, 2 min.
  const visits = [8_000, 45_000, 120_000].map((dwell, i) => {
    const start = now - 240_000 + i * 1_000;
    return { id: ulid(start), started_at: new Date(start).toISOString(), ended_at: new Date(start + dwell).toISOString() };
  });
  const stored = await call(hub.url, totem, 'POST', '/vision/visits', { device_id: 'totem-entrada', visits });
  assert.equal(stored.recorded, 3);
  await call(hub.url, totem, 'PUT', '/vision/status', {
    device_id: 'totem-entrada', state: 'model_error', message: 'the face model is missing', source: 'camera:0',
  });

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-visitors]');
  await a.locator('[data-testid=vis-visitors]', { hasText: '3' }).waitFor({ timeout: 5000 });
  assert.equal((await a.textContent('[data-testid=vis-avg-dwell]'))?.trim(), '58 s', 'average of 8 s, 45 s and 120 s');
  assert.equal((await a.textContent('[data-testid=vis-conversion]'))?.trim(), '0.0 %', 'nobody checked in yet');
  const hour = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: 'America/Mexico_City' }).format(new Date(now - 240_000));
  await a.locator(`svg[aria-label="Visitantes por hora"] title`, { hasText: `${Number(hour)}h: 3` }).waitFor({ state: 'attached' });
  const camera = a.locator('[data-testid=vis-camera]');
  await camera.locator('text=el modelo no cargó').waitFor();
  await camera.locator('text=scripts/fetch-vision.sh').waitFor();
  await screenshot(a, 'admin-visitors');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});
