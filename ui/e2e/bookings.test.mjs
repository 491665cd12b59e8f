// Birthday parties in the calendar, on the real hub in Chromium: a clerk books a party by touch
// in the week view of a 1366×768 desk; another device (the owner's read-only viewer) sees it
// within a second; dragging it by touch onto a taken slot is refused with the hub's reason and the
// party stays where it was, while a drag to a free slot moves it; the deposit is taken through
// the usual payment dialog; on its day the party is checked in at the door with its guests, the
// balance is paid and the pick-up code shown, and every guest has a timer of the party.
//
// The branch's clock is set to a zone where it is late morning now (whatever the machine's hour),
// so "today" always has free slots in its hours, and the browser's own zone (UTC) is not the
// branch's: the calendar has to place everything in the branch's zone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenProblems, screenshot, smallTouchTargets } from './browser.mjs';
import { startHub } from './hub.mjs';
import { dayIn, lateMorningZone } from './zones.mjs';

let hub;
let browser;
let admin;
let rec;
let zone;
let today;
let areaA;
let areaB;
let pkg;
/** The party booked on screen, and another family's in the way of its move. */
let party;
let other;
let desk;
let viewer;

/** The UTC instant of a wall-clock time today in the branch's zone (whole-hour Etc zones only). */
function todayAt(hhmm) {
  const [h, m] = hhmm.split(':').map(Number);
  const offsetHours = zone === 'Etc/UTC' ? 0 : -Number(zone.slice(7));
  const [y, mo, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h - offsetHours, m)).toISOString().replace('.000Z', 'Z');
}

before(async () => {
  hub = await startHub();
  admin = await login(hub.url, 'admin');
  rec = await login(hub.url, 'recepcion');

  zone = lateMorningZone();
  const branch = items(await call(hub.url, admin, 'GET', '/branches'))[0];
  await call(hub.url, admin, 'PATCH', `/branches/${branch.id}`, { timezone: zone });
  today = dayIn(zone);
  // Open every day 08:00–22:00 (whatever the demo says), so the week has hours on every column;
  // 07:00 at first, for the early party below.
  const week = (opens) => Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, opens, closes: '22:00', closed: false }));
  await call(hub.url, admin, 'PUT', '/booking-settings', { hours: week('07:00'), closed_days: [], hold_hours: 48, refund_days: 7 });

  // Two rooms of the test's own and a two-hour party package with a 30 % deposit, beside the demo's.
  areaA = await call(hub.url, admin, 'POST', '/areas', { name: 'Salón Luna', kind: 'room', capacity: 30, color: '#e8590c', position: 10 });
  areaB = await call(hub.url, admin, 'POST', '/areas', { name: 'Salón Sol', kind: 'room', capacity: 20, color: '#1971c2', position: 11 });
  pkg = await call(hub.url, admin, 'POST', '/party-packages', {
    name: 'Fiesta Luna', duration_minutes: 120, price_cents: 300_000, children_included: 12, extra_child_price_cents: 15_000,
    deposit_percent: 30, buffer_minutes: 0, area_id: null,
  });

  // Tomorrow morning, an early party in the other room, booked while the branch opened at 07:00:
  // the week's grid opens earlier to take it in, and scrolled down to midday it is out of sight
  // (when today is a Sunday, tomorrow is next week's and the week shown has no such party).
  const early = new Date(Date.parse(todayAt('07:00')) + 24 * 3600_000).toISOString().replace('.000Z', 'Z');
  await call(hub.url, rec, 'POST', '/bookings', {
    guardian: { name: 'Rosa Temprano', phone: '33 4545 6767' }, birthday_child: 'Iker Temprano', area_id: areaB.id,
    starts_at: early, ends_at: new Date(Date.parse(early) + 2 * 3600_000).toISOString(), expected_children: 8,
  });

  const settings = await call(hub.url, admin, 'PUT', '/booking-settings', { hours: week('08:00'), closed_days: [], hold_hours: 48, refund_days: 7 });
  assert.equal(settings.timezone, zone, 'the booking settings are in the branch’s zone');

  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

/** The calendar's grid geometry: where a wall-clock time is inside a column, on screen. */
async function slotPoint(page, day, minutes, areaId = null) {
  const grid = page.locator('[data-testid=time-grid]');
  const start = Number(await grid.getAttribute('data-start'));
  const px = Number(await grid.getAttribute('data-px-per-minute'));
  // Bring the time near the top of the scrolling grid, below its sticky heads.
  await grid.evaluate((el, top) => { el.scrollTop = top; }, Math.max(0, (minutes - start) * px - 120));
  const column = page.locator(`[data-testid=calendar-column][data-day="${day}"]${areaId ? `[data-area-id="${areaId}"]` : ''}`);
  const box = await column.boundingBox();
  assert.ok(box, `the column of ${day} is on screen`);
  return { x: box.x + box.width / 2, y: box.y + (minutes - start) * px, px };
}

/** A finger on the touch screen: down, a slow slide, up (Chrome's own touch events, through CDP). */
async function touchDrag(page, from, to, steps = 12) {
  const cdp = await page.context().newCDPSession(page);
  const point = (p) => [{ x: Math.round(p.x), y: Math.round(p.y), radiusX: 4, radiusY: 4, force: 1, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from) });
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove', touchPoints: point({ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps }),
    });
    await page.waitForTimeout(16);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** The toasts float over the page for a few seconds by design: tapped away, as a clerk would. */
async function dismissToasts(page) {
  for (const toast of await page.locator('.toasts button').all()) await toast.click({ timeout: 1000 }).catch(() => {});
}

const block = (id) => `[data-testid=booking][data-booking-id="${id}"]`;
/** The same instant, however the milliseconds are written. */
const ms = (iso) => new Date(iso).getTime();

test('a clerk books a party by touch in the week view; the owner’s screen shows it within a second', { timeout: 120_000 }, async () => {
  desk = await openAs(browser, hub.url, 'recepcion', DESK, async () => {}, { hasTouch: true, timezoneId: 'UTC' });
  viewer = await openAs(browser, hub.url, 'gerente', DESK, async () => {}, { timezoneId: 'UTC' });
  const page = desk.page;

  await page.locator('[data-testid=tab-parties]').tap();
  await page.waitForURL('**/reception/parties');
  await page.locator('[data-testid=view-week]').tap();
  await page.locator(`[data-testid=calendar-column][data-day="${today}"]`).waitFor();
  await viewer.page.goto(`${hub.url}/admin/bookings`);
  await viewer.page.locator('[data-testid=view-week]').click();
  await viewer.page.locator(`[data-testid=calendar-column][data-day="${today}"]`).waitFor();
  assert.equal(await viewer.page.locator('[data-testid=booking-new]').count(), 0, 'the read-only viewer has no «Nueva fiesta»');

  // A tap on the empty grid at 12:05 books the 12:00 slot of today.
  const at = await slotPoint(page, today, 12 * 60 + 5);
  await page.touchscreen.tap(at.x, at.y);
  const form = page.locator('[data-testid=booking-form]');
  await form.waitFor();
  assert.equal(await page.inputValue('[data-testid=booking-day]'), today, 'the form is on the day tapped');
  assert.equal(await page.locator('[data-testid=booking-start] option:checked').textContent(), '12:00', 'at the slot tapped');

  // The family as at check-in: its phone, then its birthday child.
  await page.locator('[data-testid=family-search]').fill('5512345678');
  await page.locator('[data-testid=family-result]').first().tap();
  await page.locator('[data-testid=booking-family-child]', { hasText: 'Sofía' }).tap();
  assert.equal(await page.inputValue('[data-testid=booking-child]'), 'Sofía López');
  await page.locator(`[data-testid=booking-area][data-area-id="${areaA.id}"]`).tap();
  const pkgButton = page.locator(`[data-testid=booking-package][data-package-id="${pkg.id}"]`);
  if ((await pkgButton.getAttribute('class')).includes('selected') === false) await pkgButton.tap();
  assert.equal(await page.locator('[data-testid=booking-end] option:checked').textContent(), '14:00', 'the end follows the package’s two hours');
  await page.locator('[data-testid=booking-age]').fill('6');
  await page.locator('[data-testid=booking-notes]').fill('Alergia al cacahuate. Temática: unicornios.');
  await screenshot(page, 'bookings-1-form');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the booking form is a finger’s size');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the booking form fits at 1366×768');

  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/bookings');
  await page.locator('[data-testid=booking-save]').tap();
  const response = await created;
  assert.equal(response.status(), 201, `the hub books it: ${await response.text()}`);
  const answered = Date.now();
  party = await response.json();
  // Seen on the other device without a reload.
  await viewer.page.locator(block(party.id)).waitFor({ timeout: 1000 });
  const seenAfter = Date.now() - answered;
  assert.ok(seenAfter <= 1000, `the owner's calendar shows the party within a second (took ${seenAfter} ms)`);

  assert.equal(party.state, 'tentative', 'held until its deposit is paid');
  assert.equal(party.area_id, areaA.id);
  assert.equal(ms(party.starts_at), ms(todayAt('12:00')), 'booked at 12:00 in the branch’s zone, not the browser’s');
  assert.equal(ms(party.ends_at), ms(todayAt('14:00')));
  assert.equal(party.birthday_age, 6);
  await page.locator('[data-testid=booking-panel]').waitFor();
  assert.match(await page.textContent('[data-testid=booking-when]'), /12:00–14:00/);
  await screenshot(page, 'bookings-2-panel');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the booking’s panel fits');
  await page.locator('[role=dialog] button[aria-label=Cerrar]').tap();

  assert.equal(await page.getAttribute(block(party.id), 'data-tone'), 'tentative', 'shown as tentative');
  assert.match(await page.textContent(block(party.id)), /12:00–14:00[\s\S]*Sofía López/);
  await dismissToasts(page);
  await screenshot(page, 'bookings-3-week');
  await screenshot(viewer.page, 'bookings-3-week-viewer');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the calendar is a finger’s size');
  assert.deepEqual(await screenProblems(page), [], 'the week view fits at 1366×768');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors at the desk');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors on the viewer');
});

test('dragging the party onto a taken slot is refused with the hub’s reason, and it stays; a free slot takes it', { timeout: 120_000 }, async () => {
  assert.ok(party, 'the party of the first test');
  const page = desk.page;
  // Another family's party in the same room from 15:00 to 17:00.
  other = await call(hub.url, rec, 'POST', '/bookings', {
    guardian: { name: 'Carla Ruiz', phone: '5587654321' }, birthday_child: 'Leo', birthday_age: 5, area_id: areaA.id,
    package_id: pkg.id, starts_at: todayAt('15:00'), expected_children: 10,
  });
  await page.locator(block(other.id)).waitFor({ timeout: 2000 });

  const from = await slotPoint(page, today, 12 * 60 + 30);
  const to = { x: from.x, y: from.y + 3 * 60 * from.px };
  const refused = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/bookings/${party.id}`));
  await touchDrag(page, from, to);
  const answer = await refused;
  assert.equal(answer.status(), 409, 'the hub refuses the taken slot');
  const body = await answer.json();
  assert.equal(body.error.code, 'slot_taken');
  const alert = page.locator('[data-testid=calendar-refusal]');
  await alert.waitFor();
  assert.ok((await alert.textContent()).includes(body.error.message), 'the hub’s own reason is on screen');
  await screenshot(page, 'bookings-4-refused');
  assert.match(await page.textContent(block(party.id)), /12:00–14:00/, 'the party is back where it was');
  const held = await call(hub.url, rec, 'GET', `/bookings/${party.id}`);
  assert.equal(ms(held.starts_at), ms(party.starts_at), 'and the hub still has it at 12:00');

  // A drag by 30 minutes up, to a free slot, moves it, and the viewer follows.
  const again = await slotPoint(page, today, 12 * 60 + 30);
  const moved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/bookings/${party.id}`));
  await touchDrag(page, again, { x: again.x, y: again.y - 30 * again.px });
  assert.equal((await moved).status(), 200, 'a free slot takes it');
  await page.locator(`${block(party.id)}:has-text("11:30–13:30")`).waitFor({ timeout: 2000 });
  await viewer.page.locator(`${block(party.id)}:has-text("11:30–13:30")`).waitFor({ timeout: 2000 });
  party = await call(hub.url, rec, 'GET', `/bookings/${party.id}`);
  assert.equal(ms(party.starts_at), ms(todayAt('11:30')));
  assert.equal(party.version, 2, 'the move is the party’s second version');
  assert.equal(await page.locator('[data-testid=calendar-refusal]').count(), 0, 'the refusal is gone once a move succeeds');
});

test('on its day the party is checked in at the door: deposit, guests, balance, pick-up code and a timer per child', { timeout: 120_000 }, async () => {
  const page = desk.page;
  // The deposit, from the party's panel, through the usual payment dialog.
  await page.locator(block(party.id)).tap();
  await page.locator('[data-testid=booking-pay-deposit]').tap();
  await page.locator('button:text-is("Exacto")').tap();
  await page.locator('[data-testid=pay-confirm]').tap();
  await page.locator('[data-testid=sale-done]').waitFor();
  await page.locator('[data-testid=sale-done-close]').tap();
  await page.locator('[data-testid=booking-panel][data-state=confirmed]').waitFor({ timeout: 2000 });
  const paid = await call(hub.url, rec, 'GET', `/bookings/${party.id}`);
  assert.equal(paid.state, 'confirmed', 'paying the deposit confirms it');
  assert.equal(paid.paid_cents, paid.deposit_cents);
  await page.locator('[role=dialog] button[aria-label=Cerrar]').tap();

  // The day view: the rooms side by side.
  await page.locator('[data-testid=view-day]').tap();
  await page.locator(`[data-testid=calendar-column][data-area-id="${areaB.id}"]`).waitFor();
  await slotPoint(page, today, 11 * 60 + 30, areaA.id);
  await dismissToasts(page);
  await screenshot(page, 'bookings-5-day');
  assert.deepEqual(await screenProblems(page), [], 'the day view fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the day view is a finger’s size');
  await page.locator('[data-testid=view-month]').tap();
  await page.locator(`[data-testid=month-day][data-day="${today}"][data-count="2"]`).waitFor();
  await dismissToasts(page);
  await screenshot(page, 'bookings-6-month');
  assert.deepEqual(await screenProblems(page), [], 'the month view fits at 1366×768');
  await page.locator('[data-testid=view-week]').tap();

  // «Fiestas de hoy» lets it in: the family's children come written, two guests are added.
  const row = page.locator(`[data-testid=today-party][data-booking-id="${party.id}"]`);
  await row.locator('[data-testid=today-party-checkin]').tap();
  await page.locator('[data-testid=party-checkin]').waitFor();
  const names = page.locator('[data-testid=child-name]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=child-name]').length >= 3);
  assert.deepEqual((await names.evaluateAll((els) => els.map((e) => e.value))).slice(0, 2), ['Sofía López', 'Mateo López'],
    'the birthday child first, then the sibling');
  await names.nth(2).fill('Valentina');
  await page.locator('[data-testid=add-child]').tap();
  await names.nth(3).fill('Diego');
  assert.match(await page.textContent('[data-testid=party-guest-count]'), /4 de 12/);
  await screenshot(page, 'bookings-7-door');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the door list fits');
  assert.ok(await page.isChecked('[data-testid=party-pay-now]'), 'the balance is offered');
  await page.locator('[data-testid=party-checkin-submit]').tap();
  await page.locator('button:text-is("Exacto")').tap();
  const checkin = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/bookings/${party.id}/check-in`));
  await page.locator('[data-testid=pay-confirm]').tap();
  const res = await checkin;
  assert.equal(res.status(), 201, `checked in: ${await res.text()}`);
  const { booking, sale } = await res.json();
  await page.locator('[data-testid=party-checked-in]').waitFor();
  const code = (await page.textContent('[data-testid=pickup-code]')).trim();
  assert.match(code, /^\d{4}$/, 'the pick-up code is shown big');
  assert.equal(code, sale.pickup_code);
  await screenshot(page, 'bookings-8-checked-in');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the checked-in dialog fits');

  assert.equal(booking.state, 'checked_in');
  assert.equal(booking.checked_in_children, 4);
  assert.equal(booking.due_cents, 0, 'the balance was paid at the door');
  const timers = items(await call(hub.url, rec, 'GET', '/timers?state=running')).filter((t) => t.booking_id === party.id);
  assert.deepEqual(timers.map((t) => t.child_name).sort(), ['Diego', 'Mateo López', 'Sofía López', 'Valentina'], 'a timer per child of the party');
  assert.ok(timers.every((t) => t.pickup_code === code), 'all under the party’s pick-up code');
  assert.ok(timers.every((t) => t.group && t.group.includes('Sofía')), 'grouped as Sofía’s party');
  const ends = new Set(timers.map((t) => t.ends_at));
  assert.equal(ends.size, 1, 'the guests’ time ends together');

  await page.locator('[data-testid=party-done]').tap();
  await page.locator(`${block(party.id)}[data-tone=checked_in]`).waitFor({ timeout: 2000 });
  await viewer.page.locator(`${block(party.id)}[data-tone=checked_in]`).waitFor({ timeout: 2000 });
  assert.deepEqual(desk.errors.map(String), [], 'no script errors at the desk');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors on the viewer');
});

test('a party is cancelled with a reason and leaves the calendar; the owner’s panel only reads', { timeout: 60_000 }, async () => {
  assert.ok(other, 'the party of the second test');
  const page = desk.page;
  await page.locator(block(other.id)).tap();
  await page.locator('[data-testid=booking-cancel]').tap();
  await page.locator('[data-testid=booking-cancel-form]').waitFor();
  assert.ok(await page.isDisabled('[data-testid=booking-cancel-confirm]'), 'no cancelling without a reason');
  await page.locator('[data-testid=booking-cancel-reason-chip]', { hasText: 'Cambio de fecha' }).tap();
  await screenshot(page, 'bookings-9-cancel');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the cancel form fits');
  await page.locator('[data-testid=booking-cancel-confirm]').tap();
  await page.locator(`[data-testid=booking-panel][data-state=cancelled]`).waitFor();
  const cancelled = await call(hub.url, rec, 'GET', `/bookings/${other.id}`);
  assert.equal(cancelled.state, 'cancelled');
  assert.equal(cancelled.cancel_reason, 'Cambio de fecha');
  await page.locator('[role=dialog] button[aria-label=Cerrar]').tap();
  await page.locator(block(other.id)).waitFor({ state: 'detached' });
  await viewer.page.locator(block(other.id)).waitFor({ state: 'detached', timeout: 2000 });
  await page.locator('[data-testid=show-cancelled]').check();
  assert.equal(await page.getAttribute(block(other.id), 'data-tone'), 'cancelled', 'shown struck out when asked for');

  // The owner's viewer opens the checked-in party: everything to read, nothing to change.
  await viewer.page.locator(block(party.id)).click();
  await viewer.page.locator('[data-testid=booking-panel][data-state=checked_in]').waitFor();
  assert.match(await viewer.page.textContent('[data-testid=booking-pickup-code]'), /^\d{4}$/);
  assert.equal(await viewer.page.locator('[data-testid=booking-panel] .acts').count(), 0, 'no action for admin_viewer');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors at the desk');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors on the viewer');
});

test('tomorrow’s parties wait at the desk with their WhatsApp reminder', { timeout: 60_000 }, async () => {
  const starts = new Date(Date.parse(todayAt('12:00')) + 24 * 3600_000).toISOString().replace('.000Z', 'Z');
  const booked = await call(hub.url, rec, 'POST', '/bookings', {
    guardian: { name: 'Paola Mañana', phone: '33 1212 3434' }, birthday_child: 'Tomás Mañana', area_id: areaB.id,
    starts_at: starts, ends_at: new Date(Date.parse(starts) + 2 * 3600_000).toISOString(), expected_children: 6,
  });
  const page = desk.page;
  const row = page.locator(`[data-testid=tomorrow-party][data-booking-id="${booked.id}"]`);
  await row.waitFor({ timeout: 3000 });
  assert.match(await row.textContent(), /Tomás Mañana/);
  const link = await row.locator('[data-testid=tomorrow-whatsapp]').getAttribute('href');
  assert.ok(link.startsWith('https://wa.me/523312123434?text='), link);
  assert.match(decodeURIComponent(link.split('text=')[1]), /le recordamos la fiesta de Tomás Mañana/);
  await screenshot(page, 'bookings-10-tomorrow');
  assert.deepEqual(await layoutProblems(page, '[data-testid=today-parties]'), [], 'the reminders fit beside the calendar');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors at the desk');
});
