// Screens that hold up on a busy Saturday: every role's main pages at the desk's 1366×768 and a
// wall's 1920×1080 (and the monitor in portrait, 1080×1920), on a real hub put in a busy state
// through its API: a dozen children playing over three services (two paused, one run out, one
// still to start), a party checked in today, sales at the kid bar, a family with long names, prices
// in the thousands. On every page nothing scrolls sideways or sticks out of its box, no control
// lies on another or out of reach, and no amount, time or length breaks over two lines or is cut
// (`screenProblems` in browser.mjs). Each screen is saved to test-output/layout-<role>-<page>-<size>.png.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenProblems, screenshot, WALL } from './browser.mjs';
import { hubWithRunOutTimers } from './pastTimers.mjs';
import { openWall } from './wall.mjs';
import { dayIn, isoWeekday, secondsIntoDay } from './zones.mjs';

const PORTRAIT = { width: 1080, height: 1920 };
const RUN_OUT = 'María Fernanda Guadalupe Hernández';
const LONG = 'Maximiliano Alejandro de la Garza Villaseñor';

let hub;
let browser;
let saleId;
let pickupCode;

before(async () => {
  // One child whose time ran out six minutes ago (the hub expires it on start).
  ({ hub } = await hubWithRunOutTimers({ [RUN_OUT]: 6 * 60_000 }));
  browser = await launchBrowser();
  await busySaturday();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

/** The store in full swing, through the same API the devices use. */
async function busySaturday() {
  const admin = await login(hub.url, 'admin');
  const rec = await login(hub.url, 'recepcion');
  const bar = await login(hub.url, 'kidibar');

  // The desk's drawer open with its float, as on any open day.
  await call(hub.url, rec, 'POST', '/till/open', { float_cents: 250_000 });
  // Prices in the thousands.
  const allDay = await call(hub.url, admin, 'POST', '/services', {
    name: 'Pase Aventura Extrema Todo el Día', duration_minutes: 480, price_cents: 185_000,
  });
  const cake = await call(hub.url, admin, 'POST', '/products', {
    name: 'Pastel de cumpleaños de chocolate con fresas', price_cents: 129_900, stock: 12,
  }).catch(() => null);

  // A dozen children over three services.
  const services = items(await call(hub.url, rec, 'GET', '/services')).filter((s) => s.active && s.duration_minutes >= 60);
  const lines = [
    [services[0], ['Sofía Ramírez', 'Mateo López', LONG, 'Valentina Hernández']],
    [services[1] ?? services[0], ['Santiago Martínez', 'Regina Fernández de Córdoba', 'Emiliano Torres']],
    [allDay, ['Ximena Guadalupe Castillo Morales', 'Leonardo Núñez', 'Camila Ortega']],
  ];
  const timers = [];
  for (const [service, names] of lines) {
    const sale = await call(hub.url, rec, 'POST', '/sales', {
      items: [{ service_id: service.id, children: names.map((n) => ({ name: n })) }],
      payments: [{ method: 'cash', amount_cents: service.price_cents * names.length }],
    });
    timers.push(...sale.timers);
    saleId ??= sale.id;
    pickupCode ??= sale.timers[0].pickup_code;
  }
  // Two paused (a bathroom break), one to start in half an hour.
  for (const t of timers.slice(1, 3)) await call(hub.url, rec, 'POST', `/timers/${t.id}/pause`);
  const startAt = new Date(Math.ceil((Date.now() + 30 * 60_000) / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await call(hub.url, rec, 'POST', '/sales', {
    items: [{ service_id: services[0].id, quantity: 1, child: { name: 'Renata Programada Salgado' }, start_at: startAt }],
    payments: [{ method: 'card', amount_cents: services[0].price_cents }],
  });

  // A family with long names, for the pick-up and the families list.
  await call(hub.url, rec, 'POST', '/families', {
    guardians: [{ name: 'Guadalupe Alejandra Villaseñor de la Garza', phone: '55 1234 5678' }],
    children: [{ name: LONG, birth_date: '2019-03-14' }, { name: 'Ana Sofía de la Garza Villaseñor', birth_date: '2021-07-02' }],
  });

  // The kid bar: two sales, one of them in the thousands.
  const products = items(await call(hub.url, bar, 'GET', '/products')).filter((p) => p.active && p.stock >= 3);
  const sell = (list) => call(hub.url, bar, 'POST', '/sales', {
    items: list.map(([p, quantity]) => ({ product_id: p.id, quantity })),
    payments: [{ method: 'cash', amount_cents: list.reduce((sum, [p, q]) => sum + p.price_cents * q, 0) }],
  });
  await sell([[products[0], 2], [products[1] ?? products[0], 1]]);
  await sell([[cake ?? products[0], 2], [products.at(-1), 3]]);

  // A birthday party checked in today, with its deposit paid.
  const settings = await call(hub.url, admin, 'GET', '/booking-settings');
  const weekday = isoWeekday(dayIn(settings.timezone));
  await call(hub.url, admin, 'PUT', '/booking-settings', {
    hours: settings.hours.map((h) => (h.weekday === weekday ? { weekday, opens: '00:00', closes: '23:59', closed: false } : h)),
    closed_days: [], hold_hours: settings.hold_hours, refund_days: settings.refund_days,
  });
  const room = await call(hub.url, admin, 'POST', '/areas', { name: 'Salón Galaxia de las Estrellas', kind: 'room', capacity: 30, color: '#ff8a1f', position: 1 });
  const pkg = await call(hub.url, admin, 'POST', '/party-packages', {
    name: 'Fiesta Mega Diversión 3 horas', duration_minutes: 180, children_included: 10, price_cents: 450_000, extra_child_price_cents: 25_000,
    deposit_percent: 30, buffer_minutes: 30, iva_rate: '16', products: [],
  });
  const minutes = Math.min(pkg.duration_minutes, 23 * 60 + 56 - Math.floor(secondsIntoDay(settings.timezone) / 60) - 2);
  if (minutes < 15) return; // too close to midnight in the branch's zone for a party today
  const startsAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 2 * 60_000);
  const booking = await call(hub.url, rec, 'POST', '/bookings', {
    guardian: { name: 'Guadalupe Alejandra Villaseñor', phone: '5512345678' }, birthday_child: 'Isabella Montserrat', birthday_age: 7,
    area_id: room.id, package_id: pkg.id, starts_at: startsAt.toISOString(),
    ends_at: new Date(startsAt.getTime() + minutes * 60_000).toISOString(), expected_children: 6,
  });
  await call(hub.url, rec, 'POST', '/sales', { items: [{ booking_id: booking.id }], payments: [{ method: 'cash', amount_cents: booking.deposit_cents }] });
  await call(hub.url, rec, 'POST', `/bookings/${booking.id}/check-in`, {
    children: ['Isabella Montserrat', 'Diego Armando', 'Luciana Paredes', 'Tomás Echeverría', 'Paula Ibarra', 'Andrés Quintero'].map((name) => ({ name })),
  });
}

/** Waits until the page has made no request for 300 ms (at most 6 s). */
function quiet(page) {
  let pending = 0;
  let last = Date.now();
  const up = () => { pending++; last = Date.now(); };
  const down = () => { pending = Math.max(0, pending - 1); last = Date.now(); };
  page.on('request', up);
  page.on('requestfinished', down);
  page.on('requestfailed', down);
  return async () => {
    const until = Date.now() + 6000;
    await page.waitForTimeout(150);
    while (Date.now() < until && (pending > 0 || Date.now() - last < 300)) await page.waitForTimeout(50);
  };
}

/** In-app navigation, as a tap on a tab does (no reload, the live feed stays connected). */
const go = (page, path) => page.evaluate((p) => {
  history.pushState(null, '', p);
  dispatchEvent(new PopStateEvent('popstate'));
}, path);

/**
 * Every page in `paths` ({name: path, or [path, fill]}) at each size: saved as a screenshot and
 * checked. `fill(page)` puts the page mid-task first (a cart being rung up), as a person would.
 * Answers the problems, each prefixed with its page and size.
 */
async function checkPages(device, role, paths, sizes) {
  const { page, errors } = device;
  const settle = quiet(page);
  const found = [];
  for (const size of sizes) {
    await page.setViewportSize(size);
    for (const [name, entry] of Object.entries(paths)) {
      const [path, fill] = Array.isArray(entry) ? entry : [entry, null];
      await go(page, path);
      await settle();
      if (fill) {
        await fill(page);
        await settle();
      }
      const shot = `layout-${role}-${name}-${size.width}x${size.height}`;
      await screenshot(page, shot);
      for (const p of await screenProblems(page)) found.push(`${shot}: ${p}`);
    }
  }
  for (const e of errors) found.push(`${role}: script error ${e}`);
  return found;
}

test('reception: every tab at 1366×768 and 1920×1080', { timeout: 60_000 }, async () => {
  const device = await openAs(browser, hub.url, 'recepcion', DESK);
  await device.page.locator('[data-testid=timer-card]', { hasText: RUN_OUT }).waitFor();
  const problems = await checkPages(device, 'reception', {
    checkin: '/reception',
    // A walk-in being checked in: a long name, the all-day pass in the thousands.
    'checkin-form': ['/reception', async (page) => {
      await page.fill('[data-testid=child-name]', 'María Fernanda Guadalupe Hernández');
      await page.click('[data-testid=offer][data-name="Pase Aventura Extrema Todo el Día"]');
    }],
    pickup: '/reception/pickup', 'pickup-code': `/reception/pickup/${pickupCode}`, parties: '/reception/parties', products: '/reception/products',
    sales: '/reception/sales', sale: `/reception/sales/${saleId}`, closing: '/reception/closing',
  }, [DESK, WALL]);
  assert.deepEqual(problems, [], 'reception holds up');
  await device.context.close();
});

test('kid bar: counter, sales and till at 1366×768 and 1920×1080', { timeout: 60_000 }, async () => {
  const device = await openAs(browser, hub.url, 'kidibar', DESK);
  const problems = await checkPages(device, 'kidibar', {
    counter: '/kidibar',
    // An order being rung up: the cake twice and three more lines, a total in the thousands.
    cart: ['/kidibar', async (page) => {
      if (await page.locator('[data-testid=cart-count]').textContent().then((t) => !t.startsWith('0'))) return;
      const tiles = page.locator('[data-testid=product-tile]:not([disabled])');
      for (const n of [0, 0, 1, 2, 3]) await tiles.nth(n).click();
    }],
    sales: '/kidibar/sales', till: '/kidibar/till' }, [DESK, WALL]);
  assert.deepEqual(problems, [], 'the kid bar holds up');
  await device.context.close();
});

test('admin: every section at 1366×768 and 1920×1080', { timeout: 90_000 }, async () => {
  const device = await openAs(browser, hub.url, 'admin', DESK);
  const sections = ['dashboard', 'reports', 'bookings', 'visitors', 'families', 'products', 'services', 'packages', 'parties', 'menus',
    'audio', 'branches', 'privacy', 'users', 'cloud', 'backups'];
  const paths = Object.fromEntries(sections.map((s) => [s, s === 'dashboard' ? '/admin' : `/admin/${s}`]));
  const problems = await checkPages(device, 'admin', paths, [DESK, WALL]);
  assert.deepEqual(problems, [], 'admin holds up');
  await device.context.close();
});

test('monitor at 1366×768, 1920×1080 and portrait 1080×1920; totem at 1366×768 and 1920×1080', { timeout: 60_000 }, async () => {
  const wall = await openWall(browser, hub.url, WALL);
  await wall.page.locator('[data-testid=monitor-tile][data-state=expired]').waitFor();
  const problems = await checkPages(wall, 'monitor', { wall: '/monitor' }, [DESK, WALL, PORTRAIT]);
  await wall.context.close();
  const totem = await openAs(browser, hub.url, 'totem', WALL);
  problems.push(...await checkPages(totem, 'totem', { menu: '/totem' }, [DESK, WALL]));
  await totem.context.close();
  assert.deepEqual(problems, [], 'the wall screens hold up');
});
