// Parties' set-up in admin, on the real hub at 1366×768: the owner adds a party room (a nameless
// one is refused under its name, in the hub's words), a party package in it with a product
// included, Sunday's hours and a closed day; gets the calendar link and fetches it as a phone
// would (text/calendar, the party booked in it), and a new link stops the old one. admin_viewer
// sees the same screens and can change nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
import { startHub } from './hub.mjs';
import { dayIn, isoWeekday } from './zones.mjs';

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

const ROOM = 'Salón Sirenas';
const PACKAGE = 'Fiesta Sirenas';

/** A day this many days after today in the branch's zone, "YYYY-MM-DD". */
function dayAfter(timezone, days) {
  return dayIn(timezone, new Date(Date.now() + days * 86_400_000));
}

/** The next day (from tomorrow on) that is an ISO weekday, "YYYY-MM-DD". */
function nextWeekday(timezone, weekday) {
  for (let d = 1; d <= 7; d++) if (isoWeekday(dayAfter(timezone, d)) === weekday) return dayAfter(timezone, d);
  throw new Error('no such weekday');
}

/** Each tab of «Fiestas» must fit the desk and keep every button finger-sized. */
async function expectFits(page, what) {
  // A «Guardado» toast floats over the page for a moment; it is not part of the layout.
  await page.$$eval('.toasts button', (toasts) => toasts.forEach((b) => b.click()));
  assert.deepEqual(await layoutProblems(page), [], `${what} fits at 1366×768`);
  assert.deepEqual(await smallTouchTargets(page), [], `every button of ${what} is at least 48 px`);
}

test('the owner sets up a party room, a package with a product, Sunday’s hours, a closed day and the calendar link', { timeout: 180_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const water = items(await call(hub.url, adminToken, 'GET', '/products')).find((p) => p.name === 'Agua natural 600 ml');
  assert.ok(water, 'the demo sells «Agua natural 600 ml»');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-parties]');
  await page.locator('[data-testid=parties]').waitFor();

  // A room: first without a name (the hub names the field), then as it should be.
  await page.click('[data-testid=entity-new]');
  const form = page.locator('[role=dialog] form');
  await form.waitFor();
  await page.click('[data-testid=entity-save]');
  const nameError = form.locator('[data-testid=field-error]');
  await nameError.waitFor();
  const res = await fetch(`${hub.url}/api/v1/areas`, {
    method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'accept-language': 'es-MX' },
    body: JSON.stringify({ name: null, kind: 'room', capacity: 0 }),
  });
  const refusal = (await res.json()).error;
  assert.equal(res.status, 422, 'a nameless area is refused');
  assert.equal(refusal.field, 'name', 'naming the name');
  assert.equal(await form.locator('input[name=name]').getAttribute('aria-invalid'), 'true', 'the name input is marked');
  assert.equal((await nameError.textContent()).trim(), refusal.message, 'the hub’s own words under the name');
  assert.equal(await form.locator('[data-testid=error]').count(), 0, 'and not repeated below the form');

  await form.locator('input[name=name]').fill(ROOM);
  await form.locator('select[name=kind]').selectOption('room');
  await form.locator('input[name=capacity]').fill('25');
  await form.locator('input[name=color]').fill('#ff8a1f');
  await form.locator('input[name=position]').fill('1');
  await screenshot(page, 'admin-parties-area-form');
  await expectFits(page, 'the area form');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const room = items(await call(hub.url, adminToken, 'GET', '/areas')).find((a) => a.name === ROOM);
  assert.ok(room, 'the hub holds the room');
  assert.deepEqual(
    { kind: room.kind, capacity: room.capacity, color: room.color, position: room.position, active: room.active },
    { kind: 'room', capacity: 25, color: '#ff8a1f', position: 1, active: true },
    'as the form set it',
  );
  const row = page.locator(`[data-testid=entity-row][data-id="${room.id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Salón \(una fiesta a la vez\)/, 'the table says what kind of area it is');
  await screenshot(page, 'admin-parties-areas');
  await expectFits(page, 'the areas table');

  // A party package in that room, with twelve waters included; pesos typed, centavos kept.
  await page.click('[data-testid=parties-tab-packages]');
  await page.click('[data-testid=entity-new]');
  await form.waitFor();
  await form.locator('input[name=name]').fill(PACKAGE);
  await form.locator('select[name=area_id]').selectOption(room.id);
  await form.locator('input[name=duration_minutes]').fill('180');
  await form.locator('input[name=children_included]').fill('12');
  await form.locator('input[name=price_cents]').fill('3,500');
  await form.locator('input[name=extra_child_price_cents]').fill('180.50');
  await form.locator('input[name=deposit_percent]').fill('30');
  await form.locator('input[name=buffer_minutes]').fill('45');
  await form.locator('select[name=iva_rate]').selectOption('16');
  await form.locator('[data-testid=items-add]').selectOption(`p:${water.id}`);
  await form.locator('[data-testid=items-add-button]').click();
  await form.locator('input[name="products[0].quantity"]').fill('12');
  await screenshot(page, 'admin-parties-package-form');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] form'), [], 'the package form (it scrolls) fits at 1366×768');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const pkg = items(await call(hub.url, adminToken, 'GET', '/party-packages')).find((p) => p.name === PACKAGE);
  assert.ok(pkg, 'the hub holds the package');
  assert.deepEqual(
    {
      area_id: pkg.area_id, duration: pkg.duration_minutes, children: pkg.children_included, price: pkg.price_cents,
      extra: pkg.extra_child_price_cents, deposit: pkg.deposit_percent, buffer: pkg.buffer_minutes, iva: pkg.iva_rate,
      products: pkg.products.map((p) => [p.product_id, p.quantity]),
    },
    { area_id: room.id, duration: 180, children: 12, price: 350_000, extra: 18_050, deposit: 30, buffer: 45, iva: '16', products: [[water.id, 12]] },
    'the package as typed, money in centavos',
  );
  const pkgRow = page.locator(`[data-testid=entity-row][data-id="${pkg.id}"]`);
  await pkgRow.waitFor();
  assert.match(await pkgRow.textContent(), /Salón Sirenas.*\$3,500\.00.*30 %/, 'the table shows its room, price and deposit');
  await screenshot(page, 'admin-parties-packages');
  await expectFits(page, 'the packages table');

  // Changed later: any room (chosen when booking) and two more children.
  await pkgRow.locator('button').click();
  await form.locator('select[name=area_id]').selectOption('');
  await form.locator('input[name=children_included]').fill('14');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const changed = await call(hub.url, adminToken, 'GET', '/party-packages').then((l) => items(l).find((p) => p.id === pkg.id));
  assert.deepEqual({ area: changed.area_id ?? null, children: changed.children_included, products: changed.products.length },
    { area: null, children: 14, products: 1 }, 'the area cleared, the children changed, the products kept');
  assert.match(await pkgRow.textContent(), /Cualquiera/, 'the table says any room');

  // Sunday's hours and a closed day; the rules of a booking.
  const settings0 = await call(hub.url, adminToken, 'GET', '/booking-settings');
  const closedDay = dayAfter(settings0.timezone, 20);
  await page.click('[data-testid=parties-tab-hours]');
  const hours = page.locator('[data-testid=booking-settings]');
  await hours.waitFor();
  const weekdays = await hours.locator('[data-testid=hours-row]').evaluateAll((rows) => rows.map((r) => r.dataset.weekday));
  assert.deepEqual(weekdays, ['1', '2', '3', '4', '5', '6', '7'], 'the week starts on Monday');
  assert.match(await hours.locator('[data-testid=hours-row]').first().textContent(), /Lunes/);
  const sunday = hours.locator('[data-testid=hours-row][data-weekday="7"]');
  assert.match(await sunday.textContent(), /Domingo/);
  await sunday.locator('input[type=checkbox]').uncheck();
  // First the hours the wrong way round: the hub refuses them on Sunday's closing time.
  await sunday.locator('input[name="hours[6].opens"]').fill('18:00');
  await sunday.locator('input[name="hours[6].closes"]').fill('10:00');
  await page.click('[data-testid=closed-day-add]');
  const day = hours.locator('[data-testid=closed-day]').last();
  await day.locator('input[type=date]').fill(closedDay);
  await day.locator('input[type=text]').fill('Día del festival');
  await hours.locator('input[name=hold_hours]').fill('24');
  await page.click('[data-testid=booking-settings-save]');
  const closesError = hours.locator('[data-testid=field-error][data-field="hours[6].closes"]');
  await closesError.waitFor();
  const wrongWay = await fetch(`${hub.url}/api/v1/booking-settings`, {
    method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'accept-language': 'es-MX' },
    body: JSON.stringify({ hours: [{ weekday: 7, opens: '18:00', closes: '10:00', closed: false }] }),
  });
  assert.equal(wrongWay.status, 422);
  assert.equal((await closesError.textContent()).trim(), (await wrongWay.json()).error.message, 'the hub’s words under Sunday');
  assert.equal(await sunday.locator('input[name="hours[6].closes"]').getAttribute('aria-invalid'), 'true', 'Sunday’s closing time is marked');
  assert.equal(await hours.locator('[data-testid=error]').count(), 0, 'and not repeated below the form');
  assert.equal((await call(hub.url, adminToken, 'GET', '/booking-settings')).closed_days.length, 0, 'nothing was saved');
  await screenshot(page, 'admin-parties-hours-refused');
  await sunday.locator('input[name="hours[6].opens"]').fill('10:00');
  await sunday.locator('input[name="hours[6].closes"]').fill('18:00');
  // The earlier saves' «Guardado» may still show: only this save's counts.
  await page.$$eval('.toasts button', (toasts) => toasts.forEach((b) => b.click()));
  await page.waitForFunction(() => !document.querySelector('.toasts button'));
  await page.click('[data-testid=booking-settings-save]');
  await page.locator('.toasts button', { hasText: 'Guardado' }).waitFor();
  const settings = await call(hub.url, adminToken, 'GET', '/booking-settings');
  const sun = settings.hours.find((h) => h.weekday === 7);
  assert.deepEqual({ opens: sun.opens, closes: sun.closes, closed: sun.closed }, { opens: '10:00', closes: '18:00', closed: false }, 'Sunday’s hours kept');
  assert.deepEqual(settings.closed_days.find((d) => d.day === closedDay), { day: closedDay, reason: 'Día del festival' }, 'the closed day kept');
  assert.equal(settings.hold_hours, 24, 'and the hold');
  await hours.locator('[data-testid=closed-day]').last().scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-parties-hours');
  await expectFits(page, 'the hours and rules');

  // The hub now keeps parties off the closed day and within Sunday's hours.
  const rec = await login(hub.url, 'recepcion');
  const bookOn = (startsAt) => fetch(`${hub.url}/api/v1/bookings`, {
    method: 'POST', headers: { authorization: `Bearer ${rec}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      guardian: { name: 'Laura Méndez', phone: '5523456789' }, birthday_child: 'Pablo', birthday_age: 6, area_id: room.id,
      package_id: pkg.id, starts_at: startsAt, expected_children: 12,
    }),
  });
  const closedRefusal = await bookOn(zonedIso(closedDay, '12:00', settings.timezone));
  assert.equal(closedRefusal.status, 422, 'no party on the closed day');
  assert.equal((await closedRefusal.json()).error.field, 'starts_at');
  const sundayDay = nextWeekday(settings.timezone, 7) === closedDay ? dayAfter(settings.timezone, 27) : nextWeekday(settings.timezone, 7);
  const late = await bookOn(zonedIso(sundayDay, '16:00', settings.timezone));
  assert.equal(late.status, 422, 'a three-hour party from 16:00 ends after Sunday’s 18:00');
  const booked = await bookOn(zonedIso(sundayDay, '11:00', settings.timezone));
  assert.equal(booked.status, 201, `a Sunday party at 11:00 is booked (${booked.status} ${await booked.clone().text()})`);
  const booking = await booked.json();

  // The calendar link: shown once to copy, fetched as a phone would, without a session.
  await page.click('[data-testid=parties-tab-calendar]');
  const feed = page.locator('[data-testid=calendar-feed]');
  await feed.waitFor();
  assert.match(await feed.locator('[data-testid=calendar-feed-warning]').textContent(), /invalida el anterior/, 'the owner is warned first');
  await feed.locator('[data-testid=calendar-feed-status]').waitFor();
  assert.match(await feed.locator('[data-testid=calendar-feed-status]').textContent(), /Aún no hay enlace/, 'the page knows there is no link yet');
  await page.click('[data-testid=calendar-feed-renew]');
  const urlInput = feed.locator('[data-testid=calendar-feed-url]');
  await urlInput.waitFor();
  const url = await urlInput.inputValue();
  assert.match(url, /^https?:\/\/.+\/bookings\.ics\?token=/, 'a whole address, with its token');
  const ics = await fetch(url);
  assert.equal(ics.status, 200, 'the link works without signing in');
  assert.match(ics.headers.get('content-type') ?? '', /^text\/calendar/, 'as a calendar');
  const text = await ics.text();
  assert.match(text, /BEGIN:VCALENDAR/);
  assert.match(text, /BEGIN:VEVENT/, 'with the party booked');
  assert.ok(text.includes('Pablo'), 'named after the birthday child');
  assert.ok(text.includes(booking.id) || text.includes(booking.folio), 'the booking identifies its event');
  await screenshot(page, 'admin-parties-calendar');
  await expectFits(page, 'the calendar link');

  // A new link replaces the old one, as the warning says.
  await page.click('[data-testid=calendar-feed-renew]');
  await page.waitForFunction((old) => document.querySelector('[data-testid=calendar-feed-url]')?.value !== old, url);
  const renewed = await urlInput.inputValue();
  assert.equal((await fetch(renewed)).status, 200, 'the new link works');
  assert.ok((await fetch(url)).status >= 400, 'the old link no longer does');
  // Back on the page later, it says a link is in use (never the link itself).
  await page.reload();
  await page.click('[data-testid=parties-tab-calendar]');
  await feed.locator('[data-testid=calendar-feed-status]').waitFor();
  const status = await feed.locator('[data-testid=calendar-feed-status]').textContent();
  assert.match(status, /Hay un enlace en uso desde/, status);
  assert.equal(await feed.locator('[data-testid=calendar-feed-url]').count(), 0, 'the secret is not shown again');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();

  // admin_viewer looks at the same set-up and can change nothing.
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  const v = viewer.page;
  await v.click('[data-testid=tab-parties]');
  await v.locator(`[data-testid=entity-row][data-id="${room.id}"]`).waitFor();
  assert.equal(await v.locator('[data-testid=entity-new]').count(), 0, 'no new area for admin_viewer');
  await v.click('[data-testid=parties-tab-packages]');
  await v.locator(`[data-testid=entity-row][data-id="${pkg.id}"] button`).click();
  assert.ok(await v.locator('[role=dialog] input[name=name]').isDisabled(), 'the package opens read-only');
  assert.equal(await v.locator('[data-testid=entity-save]').count(), 0);
  await v.locator('[role=dialog] button[aria-label=Cerrar]').click();
  await v.click('[data-testid=parties-tab-hours]');
  await v.locator('[data-testid=booking-settings]').waitFor();
  assert.ok(await v.locator('input[name="hours[6].opens"]').isDisabled(), 'the hours are read-only');
  assert.equal(await v.locator('[data-testid=booking-settings-save]').count(), 0);
  await v.click('[data-testid=parties-tab-calendar]');
  await v.locator('[data-testid=calendar-feed]').waitFor();
  assert.equal(await v.locator('[data-testid=calendar-feed-renew]').count(), 0, 'only the owner makes a calendar link');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors');
  await viewer.context.close();
});

/** "YYYY-MM-DD" at "HH:MM" in `timezone`, as an RFC 3339 UTC instant. */
function zonedIso(day, time, timezone) {
  const wanted = Date.parse(`${day}T${time}:00Z`);
  // The zone's offset at that moment (Mexico has had no daylight saving since 2022; this still holds if it had).
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(wanted));
  const get = (type) => parts.find((p) => p.type === type).value;
  const asLocal = Date.parse(`${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:00Z`);
  return new Date(wanted - (asLocal - wanted)).toISOString();
}
