// Birthday parties on the 1920×1080 wall, on the real hub: a party booked for today, its deposit
// paid in cash and its ten children checked in through the API shows on the monitor as one group
// under «Fiesta de …» with ten tiles, beside three walk-ins; a second party of ten makes twenty
// party tiles, more than fit at the readable minimum (names 40 px, countdowns 64 px): the wall
// pages, each party whole on one page, and on every page nothing spills out of its tile, its group
// or the screen, and every name and countdown reads whole.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { launchBrowser, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { onEveryPage, openWall } from './wall.mjs';
import { dayIn, isoWeekday, lateMorningZone, secondsIntoDay } from './zones.mjs';

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

const SOFIA = ['Ana Ruiz', 'Bruno Díaz', 'Carla Gómez', 'Daniel Pérez', 'Elena Torres', 'Fernando López', 'Gabriela Sánchez',
  'Hugo Martínez', 'Isabel Flores', 'Jorge Ramírez'];
const MATEO = ['Karla Núñez', 'Luis Herrera', 'Mónica Vega', 'Nicolás Rojas', 'Olivia Castro', 'Pedro Méndez', 'Regina Ortiz',
  'Santiago Mora', 'Teresa Silva', 'Ulises Campos'];
const WALK_INS = ['Valeria Soto', 'Emilio Reyes', 'Ximena Luna'];

/** A request the test expects to succeed, with an idempotency key for the routes that take one. */
async function post(token, path, body) {
  const res = await fetch(`${hub.url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Minutes from now to 23:59 in the branch's zone (a party booked now must end by then). */
function minutesLeftToday(timezone) {
  return 23 * 60 + 59 - Math.floor(secondsIntoDay(timezone) / 60);
}

/** Books a party in `room` starting in two minutes, pays its deposit in cash and checks `children` in. */
async function partyNow(rec, room, pkg, birthdayChild, children, timezone) {
  const startsAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 2 * 60_000);
  const minutes = Math.min(pkg.duration_minutes, minutesLeftToday(timezone) - 3);
  assert.ok(minutes >= 15, 'the test needs a quarter of an hour before midnight in the branch’s zone');
  const booking = await post(rec, '/bookings', {
    guardian: { name: `Mamá de ${birthdayChild}`, phone: '5512345678' }, birthday_child: birthdayChild, birthday_age: 6,
    area_id: room.id, package_id: pkg.id, starts_at: startsAt.toISOString(),
    ends_at: new Date(startsAt.getTime() + minutes * 60_000).toISOString(), expected_children: children.length,
  });
  assert.equal(booking.state, 'tentative', 'a party with a deposit to pay is held, not confirmed');
  assert.ok(booking.deposit_cents > 0, 'the package asks for a deposit');
  await post(rec, '/sales', {
    items: [{ booking_id: booking.id }],
    payments: [{ method: 'cash', amount_cents: booking.deposit_cents }],
  });
  const paid = await call(hub.url, rec, 'GET', `/bookings/${booking.id}`);
  assert.equal(paid.state, 'confirmed', 'the deposit confirms the party');
  const checkIn = await post(rec, `/bookings/${booking.id}/check-in`, { children: children.map((name) => ({ name })) });
  assert.equal(checkIn.booking.state, 'checked_in');
  assert.equal(checkIn.sale.timers.length, children.length, 'a timer per child');
  return checkIn.booking;
}

/** What must hold on the wall however many tiles it shows: inside the screen, inside its group, whole. */
async function wallProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const inside = (a, b) => a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
    const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
    const groups = [...document.querySelectorAll('[data-testid=party-group], [data-testid=walk-ins]')];
    const boxes = groups.map((g) => g.getBoundingClientRect());
    groups.forEach((g, i) => {
      const label = g.querySelector('[data-testid=party-group-name]')?.textContent?.trim() ?? 'walk-ins';
      if (!inside(boxes[i], screen)) problems.push(`${label}: the group reaches past the screen`);
      for (let j = i + 1; j < groups.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1) {
          problems.push(`${label} overlaps another group`);
        }
      }
      const name = g.querySelector('[data-testid=party-group-name]');
      if (name && name.scrollWidth > name.clientWidth + 1) problems.push(`${label}: the party's name is cut`);
      for (const tile of g.querySelectorAll('[data-testid=monitor-tile]')) {
        const box = tile.getBoundingClientRect();
        const child = tile.querySelector('[data-testid=monitor-name]');
        const countdown = tile.querySelector('[data-testid=countdown]');
        if (!inside(box, boxes[i])) problems.push(`${child.textContent}: the tile spills out of ${label}`);
        if (child.scrollWidth > child.clientWidth + 1) problems.push(`${child.textContent}: the name is cut`);
        if (!inside(countdown.getBoundingClientRect(), box)) problems.push(`${child.textContent}: the countdown spills out of its tile`);
      }
    });
    const tiles = [...document.querySelectorAll('[data-testid=monitor-tile]')].map((t) => t.getBoundingClientRect());
    for (let i = 0; i < tiles.length; i++) {
      for (let j = i + 1; j < tiles.length; j++) {
        const a = tiles[i];
        const b = tiles[j];
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1) {
          problems.push(`tiles ${i} and ${j} overlap`);
        }
      }
    }
    return problems;
  });
}

/** The smallest countdown and name type on the wall, in px. */
const smallestType = (page) =>
  page.$$eval('[data-testid=monitor-tile]', (tiles) => ({
    countdown: Math.min(...tiles.map((t) => parseFloat(getComputedStyle(t.querySelector('[data-testid=countdown]')).fontSize))),
    name: Math.min(...tiles.map((t) => parseFloat(getComputedStyle(t.querySelector('[data-testid=monitor-name]')).fontSize))),
  }));

const groupTiles = (page, key) => page.locator(`[data-testid=party-group][data-key="${key}"] [data-testid=monitor-tile]`);

test('a party checked in shows on the wall as one group of ten tiles under its name, beside the walk-ins; two parties still fit', { timeout: 180_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const rec = await login(hub.url, 'recepcion');
  // The branch in a zone where it is late morning now, and today open all day: the parties are
  // booked "now" with the day ahead of them, whatever the hour the suite runs at.
  const branch = items(await call(hub.url, adminToken, 'GET', '/branches'))[0];
  await call(hub.url, adminToken, 'PATCH', `/branches/${branch.id}`, { timezone: lateMorningZone() });
  const settings = await call(hub.url, adminToken, 'GET', '/booking-settings');
  const weekday = isoWeekday(dayIn(settings.timezone));
  await call(hub.url, adminToken, 'PUT', '/booking-settings', {
    hours: settings.hours.map((h) => (h.weekday === weekday ? { weekday, opens: '00:00', closes: '23:59', closed: false } : h)),
    closed_days: [], hold_hours: settings.hold_hours, refund_days: settings.refund_days,
  });
  const rooms = [];
  for (const name of ['Salón Estrellas', 'Salón Planetas']) {
    rooms.push(await call(hub.url, adminToken, 'POST', '/areas', { name, kind: 'room', capacity: 30, color: '#ff8a1f', position: rooms.length + 1 }));
  }
  const pkg = await call(hub.url, adminToken, 'POST', '/party-packages', {
    name: 'Fiesta 2 horas', duration_minutes: 120, children_included: 10, price_cents: 250_000, extra_child_price_cents: 15_000,
    deposit_percent: 30, buffer_minutes: 30, iva_rate: '16', products: [],
  });

  // Three children playing on their own, then Sofía's party.
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '1 hora de juego');
  await post(rec, '/sales', {
    items: [{ service_id: service.id, children: WALK_INS.map((name) => ({ name })) }],
    payments: [{ method: 'cash', amount_cents: service.price_cents * WALK_INS.length }],
  });
  const sofia = await partyNow(rec, rooms[0], pkg, 'Sofía', SOFIA, settings.timezone);

  const monitorToken = await login(hub.url, 'monitor');
  const partyTimers = items(await call(hub.url, monitorToken, 'GET', '/timers?state=running')).filter((t) => t.booking_id === sofia.id);
  assert.equal(partyTimers.length, 10, 'the hub marks the party’s ten timers with its booking');
  const group = partyTimers[0].group;
  assert.match(group ?? '', /Sofía/, 'and names the party after the birthday child');

  const wall = await openWall(browser, hub.url, WALL);
  const m = wall.page;
  await groupTiles(m, sofia.id).nth(9).waitFor({ timeout: 5000 });
  assert.equal(await groupTiles(m, sofia.id).count(), 10, 'ten tiles, one per child, together in the party’s group');
  assert.equal((await m.textContent(`[data-testid=party-group][data-key="${sofia.id}"] [data-testid=party-group-name]`)).trim(), group,
    'under the party’s name as the hub gives it');
  assert.match(await m.textContent(`[data-testid=party-group][data-key="${sofia.id}"] [data-testid=party-group-count]`), /10 niños/);
  assert.equal(await m.locator('[data-testid=walk-ins] [data-testid=monitor-tile]').count(), 3, 'the walk-ins apart');
  const names = await groupTiles(m, sofia.id).locator('[data-testid=monitor-name]').allTextContents();
  assert.deepEqual(names.map((n) => n.trim()).sort(), partyTimers.map((t) => t.public_name || t.child_name).sort(), 'each child named as the hub names them');
  const details = await groupTiles(m, sofia.id).locator('[data-testid=monitor-detail]').allTextContents();
  assert.deepEqual([...new Set(details.map((d) => d.trim()))], [rooms[0].name], 'under each countdown the party’s room (its name is in the header)');
  // The party's children count in the venue's occupancy like any other.
  await m.locator('[data-testid=monitor-occupancy][data-inside="13"]').waitFor({ timeout: 3000 });
  await screenshot(m, 'monitor-party-group');
  assert.deepEqual(await wallProblems(m), [], 'nothing spills out with a party of ten and three walk-ins');
  const type = await smallestType(m);
  assert.ok(type.countdown >= 64, `countdowns read from 5 m (${type.countdown} px)`);
  assert.ok(type.name >= 40, `names read from 5 m (${type.name} px)`);

  // Mateo's party arrives too: twenty party tiles and the walk-ins.
  const mateo = await partyNow(rec, rooms[1], pkg, 'Mateo', MATEO, settings.timezone);
  await m.locator('[data-testid=monitor-occupancy][data-inside="23"]').waitFor({ timeout: 3000 });
  await m.locator('[data-testid=monitor-page]').waitFor({ timeout: 3000 });
  const pages = await onEveryPage(m, async (page, n) => {
    if (n === 1) await screenshot(page, 'monitor-two-parties');
    return {
      sofia: await groupTiles(page, sofia.id).count(),
      mateo: await groupTiles(page, mateo.id).count(),
      tiles: await page.locator('[data-testid=monitor-tile]').count(),
      problems: await wallProblems(page),
      type: await smallestType(page),
    };
  });
  assert.ok(pages.length > 1, 'twenty-three children do not fit one 1920×1080 page at the minimum: the wall pages');
  assert.deepEqual(pages.map((p) => p.sofia).filter(Boolean), [10], 'Sofía’s ten together on one page');
  assert.deepEqual(pages.map((p) => p.mateo).filter(Boolean), [10], 'Mateo’s ten together on one page');
  assert.equal(pages.reduce((n, p) => n + p.tiles, 0), 23, 'every child on some page');
  assert.deepEqual(pages.flatMap((p) => p.problems), [], 'nothing spills out on any page');
  for (const { type } of pages) {
    assert.ok(type.countdown >= 64, `countdowns still read (${type.countdown} px)`);
    assert.ok(type.name >= 40, `names still read (${type.name} px)`);
  }
  assert.deepEqual(wall.errors.map(String), [], 'no script errors');
  await wall.context.close();
});
