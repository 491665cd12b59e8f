// Reception checks a child in and takes cash; the wall monitor (another device) shows the timer
// within a second; a pause and 15 minutes sold at reception show on the monitor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, smallTouchTargets, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { onEveryPage, openWall } from './wall.mjs';

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

test('check-in with cash reaches the monitor, then a pause and a paid extension follow', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'recepcion');
  const services = items(await call(hub.url, token, 'GET', '/services')).filter((s) => s.active);
  const service = services.find((s) => s.duration_minutes === 60) ?? services[0];
  assert.ok(service, 'the demo catalogue should have a play-time service');

  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  assert.equal(new URL(reception.page.url()).pathname, '/reception', 'reception lands on its own page');
  const monitor = await openAs(browser, hub.url, 'monitor', WALL);
  assert.equal(new URL(monitor.page.url()).pathname, '/monitor', 'the monitor user lands on the monitor');

  const child = 'Sofía Ramírez';
  // The wall names children by first name and initial (the branch's default).
  const onWall = 'Sofía R.';
  const r = reception.page;
  await r.fill('[data-testid=child-name]', child);
  await r.fill('[data-testid=guardian-name]', 'Ana Ramírez');
  await r.fill('[data-testid=guardian-phone]', '5512345678');
  await r.click(`[data-testid=offer][data-name="${service.name}"]`);
  await r.click('[data-testid=checkin-pay]');
  await r.click('[data-testid=pay-mode-cash]');
  const received = Math.ceil((service.price_cents + 1) / 50000) * 50000;
  await r.fill('[data-testid=cash-received]', String(received / 100));
  await r.click('[data-testid=pay-confirm]');
  await r.waitForSelector('[data-testid=sale-done]');
  const confirmedAt = Date.now();
  assert.equal(await r.textContent('[data-testid=sale-change]'), formatMXN(received - service.price_cents), 'the change is shown');

  const tile = monitor.page.locator('[data-testid=monitor-tile]', { hasText: onWall });
  await tile.waitFor({ timeout: 1000 });
  assert.ok(Date.now() - confirmedAt <= 1000, 'the timer shows on the monitor within one second of the sale');
  const started = await tile.locator('[data-testid=countdown]').textContent();
  const expectedStart = service.duration_minutes >= 60 ? /^(1:00:00|59:\d\d)$/ : new RegExp(`^${String(service.duration_minutes - 1).padStart(2, '0')}:\\d\\d|${service.duration_minutes}:00$`);
  assert.match(started ?? '', expectedStart, 'the monitor counts down from the service length');

  await r.click('[data-testid=sale-done-close]');
  const card = r.locator('[data-testid=timer-card]', { hasText: child });
  await card.waitFor();

  // Pause at reception → the monitor shows it paused and stops counting.
  await card.locator('[data-testid=timer-pause]').click();
  await monitor.page.locator('[data-testid=monitor-tile][data-state=paused]', { hasText: onWall }).waitFor({ timeout: 1000 });
  const frozen = await tile.locator('[data-testid=countdown]').textContent();
  await monitor.page.waitForTimeout(1500);
  assert.equal(await tile.locator('[data-testid=countdown]').textContent(), frozen, 'a paused timer does not count down');

  // Sell 15 more minutes (paid by card) → the monitor shows 15 more minutes.
  await card.locator('[data-testid=timer-extend-15]').click();
  await r.click('[data-testid=pay-mode-card]');
  await r.click('[data-testid=pay-confirm]');
  await monitor.page.waitForFunction(
    ([name, before]) => {
      const tileEl = [...document.querySelectorAll('[data-testid=monitor-tile]')].find((el) => el.textContent?.includes(name));
      const text = tileEl?.querySelector('[data-testid=countdown]')?.textContent ?? '';
      const secs = (s) => s.split(':').map(Number).reduce((a, b) => a * 60 + b, 0);
      return secs(text) - secs(before) >= 14 * 60;
    },
    [onWall, frozen],
    { timeout: 1000 },
  );

  await r.click('[data-testid=sale-done-close]');

  // Resume → running again on the monitor.
  await card.locator('[data-testid=timer-resume]').click();
  await monitor.page.locator('[data-testid=monitor-tile][data-state=running]', { hasText: onWall }).waitFor({ timeout: 1000 });

  await screenshot(r, 'reception');
  await screenshot(monitor.page, 'monitor');
  assert.deepEqual(await smallTouchTargets(r), [], 'every reception button is at least 48 px');
  assert.deepEqual(await smallTouchTargets(monitor.page), [], 'every monitor button is at least 48 px');
  assert.deepEqual([...reception.errors, ...monitor.errors].map(String), [], 'no script errors on either page');
});

test('the wall’s clock tells the branch’s time, not the zone its device is set to', { timeout: 60_000 }, async () => {
  const admin = await login(hub.url, 'admin');
  const { timezone } = items(await call(hub.url, admin, 'GET', '/branches'))[0];
  // A streaming stick left on Tokyo's time: fourteen or fifteen hours from any zone of Mexico.
  const wall = await openAs(browser, hub.url, 'monitor', WALL, async () => {}, { timezoneId: 'Asia/Tokyo' });
  const clock = wall.page.locator('[data-testid=wall-clock]');
  const at = (timeZone, ms) => new Intl.DateTimeFormat('es-MX', { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(ms));
  // Compared a minute either side, as the minute may turn between the two readings.
  const near = (timeZone) => [-60_000, 0, 60_000].map((d) => at(timeZone, Date.now() + d));
  await wall.page.waitForFunction(
    ([selector, expected]) => expected.includes(document.querySelector(selector)?.textContent?.trim()),
    ['[data-testid=wall-clock]', near(timezone)], { timeout: 5000 },
  );
  assert.ok(!near('Asia/Tokyo').includes((await clock.textContent()).trim()), 'not the device’s own time');
  assert.deepEqual(wall.errors.map(String), [], 'no script errors');
  await wall.context.close();
});

test('a check-in scheduled for later, paid card + cash, starts on demand', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'recepcion');
  const service = items(await call(hub.url, token, 'GET', '/services')).find((s) => s.active && s.price_cents >= 200);
  const branch = items(await call(hub.url, token, 'GET', '/branches'))[0];
  const inTwoHours = new Intl.DateTimeFormat('en-GB', { timeZone: branch.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(Date.now() + 2 * 3600_000));

  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  const monitor = await openAs(browser, hub.url, 'monitor', WALL);
  const r = reception.page;
  const child = 'Leo Martínez';
  const onWall = 'Leo M.';
  await r.fill('[data-testid=child-name]', child);
  await r.click(`[data-testid=offer][data-name="${service.name}"]`);
  await r.click('[data-testid=schedule-later]');
  await r.fill('[data-testid=start-time]', inTwoHours);
  await r.click('[data-testid=checkin-pay]');
  await r.click('[data-testid=pay-mode-split]');
  const card = Math.floor(service.price_cents / 2);
  await r.fill('[data-testid=split-card]', (card / 100).toFixed(2));
  await r.fill('[data-testid=split-cash]', ((service.price_cents - card) / 100).toFixed(2));
  await r.click('[data-testid=pay-confirm]');
  await r.waitForSelector('[data-testid=sale-done]');
  await r.click('[data-testid=sale-done-close]');

  // The desk names the children of a play-time line in `children` (one timer each).
  const sale = items(await call(hub.url, token, 'GET', '/sales')).find((s) => s.items.some((i) => i.children?.some((c) => c.name === child)));
  assert.deepEqual(sale.payments.map((p) => p.method).sort(), ['card', 'cash'], 'the sale was paid card + cash');
  const scheduled = r.locator('[data-testid=timer-card][data-state=scheduled]', { hasText: child });
  await scheduled.waitFor();
  assert.match((await scheduled.textContent()) ?? '', new RegExp(inTwoHours), 'the card shows the start time in the branch’s zone');
  assert.equal(await monitor.page.locator('[data-testid=monitor-tile]', { hasText: onWall }).count(), 0, 'a scheduled child is not on the wall yet');

  await scheduled.locator('[data-testid=timer-start]').click();
  await monitor.page.locator('[data-testid=monitor-tile][data-state=running]', { hasText: onWall }).waitFor({ timeout: 1000 });
  assert.deepEqual([...reception.errors, ...monitor.errors].map(String), [], 'no script errors');
});

test('a timer that runs out is marked by the hub and flashes on the monitor', { timeout: 150_000 }, async () => {
  const admin = await login(hub.url, 'admin');
  const service = await call(hub.url, admin, 'POST', '/services', { name: 'Prueba de un minuto', duration_minutes: 1, price_cents: 100 });
  const token = await login(hub.url, 'recepcion');
  const reception = await openAs(browser, hub.url, 'recepcion', DESK);
  const monitor = await openAs(browser, hub.url, 'monitor', WALL);
  const child = 'Regina Torres';
  const onWall = 'Regina T.';
  await call(hub.url, token, 'POST', '/sales', {
    items: [{ service_id: service.id, quantity: 1, child: { name: child } }],
    payments: [{ method: 'cash', amount_cents: 100 }],
  });
  const tile = monitor.page.locator('[data-testid=monitor-tile]', { hasText: onWall });
  await tile.waitFor({ timeout: 1000 });

  // The hub expires it at its exact end; reception's card shows the hub's state, not a local guess.
  await reception.page.locator('[data-testid=timer-card][data-state=expired]', { hasText: child }).waitFor({ timeout: 70_000 });
  await monitor.page.locator('[data-testid=monitor-tile][data-state=expired]', { hasText: onWall }).waitFor({ timeout: 1000 });
  const animation = await tile.evaluate((el) => getComputedStyle(el).animationName);
  assert.match(animation, /flash/, 'an expired tile flashes');
  await screenshot(monitor.page, 'monitor-expired');
  assert.deepEqual([...reception.errors, ...monitor.errors].map(String), [], 'no script errors');
});

test('every countdown fits its tile, hours and run-out timers included, on a small wall', { timeout: 120_000 }, async () => {
  const admin = await login(hub.url, 'admin');
  const service = await call(hub.url, admin, 'POST', '/services', { name: 'Día de campamento', duration_minutes: 9 * 60, price_cents: 50000 });
  const token = await login(hub.url, 'recepcion');
  for (let i = 1; i <= 10; i++) {
    await call(hub.url, token, 'POST', '/sales', {
      items: [{ service_id: service.id, quantity: 1, child: { name: `Campista ${i}` } }],
      payments: [{ method: 'cash', amount_cents: 50000 }],
    });
  }
  for (const viewport of [{ width: 1280, height: 800 }, WALL, { width: 800, height: 1280 }]) {
    // More children than fit at the readable minimum: the wall pages (turned here by a tap).
    const monitor = await openWall(browser, hub.url, viewport);
    await monitor.page.locator('[data-testid=monitor-tile]').first().waitFor({ timeout: 2000 });
    await monitor.page.waitForTimeout(600); // a few ticks of the shared clock
    const pages = await onEveryPage(monitor.page, (page) => page.$$eval('[data-testid=monitor-tile]', (tiles) => ({
      campers: tiles.filter((tile) => tile.textContent.includes('Campista')).length,
      overflowing: tiles
        .map((tile) => {
          const countdown = tile.querySelector('[data-testid=countdown]');
          const box = countdown.getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(countdown);
          const text = range.getBoundingClientRect();
          const inner = tile.getBoundingClientRect();
          const fits = countdown.scrollWidth <= countdown.clientWidth && text.left >= inner.left && text.right <= inner.right;
          return fits ? null : `${countdown.textContent} (${Math.round(text.width)} px in ${Math.round(box.width)} px)`;
        })
        .filter(Boolean),
    })));
    assert.equal(pages.reduce((n, p) => n + p.campers, 0), 10, `every camper on some page at ${viewport.width}×${viewport.height}`);
    const overflowing = pages.flatMap((p) => p.overflowing);
    assert.deepEqual(overflowing, [], `every countdown fits at ${viewport.width}×${viewport.height}`);
    if (viewport.width === 1280) await screenshot(monitor.page, 'monitor-small-wall');
    assert.deepEqual(monitor.errors.map(String), [], 'no script errors');
    await monitor.page.context().close();
  }
});
