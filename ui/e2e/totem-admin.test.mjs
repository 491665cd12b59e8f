// The totem plays the real catalogue in the branch's own face (logo, promotion slide, opening
// hours, a QR code to its WhatsApp) and follows edits live; admin edits that face in the branch's
// «Tótem» settings; admin_viewer sees admin read-only; bad logins explain themselves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenProblems, screenshot, smallTouchTargets, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';

const LOGO = new URL('../../crates/images/tests/data/chelsea.png', import.meta.url);
const PROMO = new URL('../../crates/images/tests/data/grace_hopper.jpg', import.meta.url);
const jsQR = createRequire(import.meta.url)('jsqr');

/** Uploads a picture as admin does, answering its hash. */
async function upload(base, token, file, type) {
  const res = await fetch(`${base}/api/v1/images`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: readFileSync(file),
  });
  assert.equal(res.status, 201, `the picture is stored: ${await res.clone().text()}`);
  return (await res.json()).hash;
}

/** What the QR code on the page says: its picture as the page draws it, read by jsQR here. */
async function readQr(page, selector) {
  const size = 400;
  const pixels = await page.evaluate(async ([sel, size]) => {
    const img = document.querySelector(sel);
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0, size, size);
    return [...ctx.getImageData(0, 0, size, size).data];
  }, [selector, size]);
  return jsQR(Uint8ClampedArray.from(pixels), size, size)?.data ?? null;
}

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

test('the totem shows the real menu and follows catalogue edits live', { timeout: 120_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const service = items(await call(hub.url, token, 'GET', '/services')).find((s) => s.active);
  const totem = await openAs(browser, hub.url, 'totem', WALL);
  const t = totem.page;
  assert.equal(new URL(t.url()).pathname, '/totem', 'totem lands on its page');
  const slide = t.locator('[data-testid=totem-slide][data-kind=services]');
  await slide.locator(`text=${service.name}`).waitFor();
  await slide.locator(`text=${formatMXN(service.price_cents)}`).first().waitFor();
  await t.waitForTimeout(900); // let the slide's entrance animation finish before the picture
  await screenshot(t, 'totem');
  assert.deepEqual(await smallTouchTargets(t), [], 'every totem button is at least 48 px');

  const price = service.price_cents + 1000;
  await call(hub.url, token, 'PATCH', `/services/${service.id}`, { price_cents: price });
  await slide.locator(`text=${formatMXN(price)}`).waitFor({ timeout: 3000 });
  assert.deepEqual(totem.errors.map(String), [], 'no script errors');
});

test('the totem shows the branch’s logo, promotion, opening hours and a WhatsApp QR code, and follows their edits', { timeout: 180_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const branch = items(await call(hub.url, token, 'GET', '/branches'))[0];
  const logo = await upload(hub.url, token, LOGO, 'image/png');
  const picture = await upload(hub.url, token, PROMO, 'image/jpeg');
  // Monday to Friday 10–20, Saturday 09–21, Sunday closed.
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday, opens: weekday === 6 ? '09:00' : '10:00', closes: weekday === 6 ? '21:00' : '20:00', closed: weekday === 7,
  }));
  await call(hub.url, token, 'PUT', '/booking-settings', { hours });
  await call(hub.url, token, 'PATCH', `/branches/${branch.id}`, {
    logo_image: logo, promo_image: picture, whatsapp: '55 1234 5678', totem_message: '¡Reserva tu fiesta por WhatsApp!',
    promo_title: '2×1 los martes', promo_text: 'Dos horas de juego al precio de una, todos los martes.', totem_show_hours: true,
  });

  const totem = await openAs(browser, hub.url, 'totem', WALL, async (context) => context.clock.install());
  const t = totem.page;
  await t.locator('[data-testid=totem-slide][data-kind=services]').waitFor();
  assert.equal((await t.textContent('[data-testid=totem-branch]'))?.trim(), branch.name, 'the header names the branch');
  const logoImg = t.locator('[data-testid=totem-logo]');
  await logoImg.waitFor();
  assert.ok(await logoImg.evaluate((img) => img.decode().then(() => img.naturalWidth)) > 0, 'the branch logo loads');
  assert.equal(await t.locator('header .logo').count(), 0, 'the «K» mark gives way to the logo');

  // Opening hours: weekdays grouped, Sunday closed, today's line stands out.
  const lines = await t.locator('[data-testid=totem-hours-line]').allInnerTexts();
  assert.deepEqual(lines.map((l) => l.replace(/\s+/g, ' ').trim()), ['Lun–Vie 10:00–20:00', 'Sáb 09:00–21:00', 'Dom Cerrado']);
  assert.equal(await t.locator('[data-testid=totem-hours-line][data-today=true]').count(), 1, 'one line is today’s');

  // The QR code opens the store's chat; the call to action stands above it.
  assert.equal((await t.textContent('[data-testid=totem-cta]'))?.trim(), '¡Reserva tu fiesta por WhatsApp!');
  assert.equal(await t.getAttribute('[data-testid=totem-qr]', 'data-url'), 'https://wa.me/525512345678');
  assert.equal(await readQr(t, '[data-testid=totem-qr]'), 'https://wa.me/525512345678', 'the QR code on screen reads as the wa.me link');
  await t.waitForTimeout(900);
  await screenshot(t, 'totem-branch-face-1920');
  assert.deepEqual(await screenProblems(t), [], 'the services slide and the side panel fit at 1920×1080');

  // The promotion is one of the slides.
  const count = await t.locator('footer.dots span').count();
  let promo = false;
  for (let i = 0; i < count && !promo; i++) {
    promo = (await t.locator('[data-testid=totem-slide]').getAttribute('data-kind')) === 'promo';
    if (!promo) await t.clock.runFor(9000);
  }
  assert.ok(promo, `the promotion slide plays among the ${count} slides`);
  const slide = t.locator('[data-testid=totem-promo]');
  assert.match((await slide.innerText()).replace(/\s+/g, ' '), /2×1 los martes Dos horas de juego al precio de una, todos los martes\./);
  assert.ok(await slide.locator('[data-testid=totem-promo-image]').evaluate((img) => img.decode().then(() => img.naturalWidth)) > 0, 'the promotion picture loads');
  await t.waitForTimeout(900);
  await screenshot(t, 'totem-promo-1920');
  assert.deepEqual(await screenProblems(t), [], 'the promotion slide fits at 1920×1080');
  await t.setViewportSize(DESK);
  await screenshot(t, 'totem-promo-1366');
  assert.deepEqual(await screenProblems(t), [], 'and on a 1366×768 screen');
  await t.setViewportSize(WALL);

  // Edits reach the running totem through the live feed.
  await call(hub.url, token, 'PATCH', `/branches/${branch.id}`, { totem_message: '¡Pregunta por tu fiesta!', whatsapp: '' });
  await t.locator('[data-testid=totem-whatsapp]').waitFor({ state: 'detached', timeout: 5000 });
  await call(hub.url, token, 'PATCH', `/branches/${branch.id}`, { whatsapp: '3312345678', totem_show_hours: false });
  await t.locator('[data-testid=totem-cta]', { hasText: '¡Pregunta por tu fiesta!' }).waitFor({ timeout: 5000 });
  assert.equal(await t.getAttribute('[data-testid=totem-qr]', 'data-url'), 'https://wa.me/523312345678');
  assert.equal(await t.locator('[data-testid=totem-hours]').count(), 0, 'the hours hide when the branch says so');
  assert.deepEqual(totem.errors.map(String), [], 'no script errors');
  await totem.context.close();
});

test('admin edits the totem’s face in the branch settings; a bad WhatsApp number is refused on its field', { timeout: 120_000 }, async () => {
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-branches]');
  await a.locator('[data-testid=entity-row] button').first().click();
  await a.locator('[data-testid=note-totem]').scrollIntoViewIfNeeded();
  assert.match((await a.textContent('form')) ?? '', /Fiestas › Horario y reglas/, 'the form says where the hours are set');
  await a.fill('input[name=whatsapp]', '12345');
  await a.fill('input[name=totem_message]', '¡Ven a jugar!');
  await a.fill('input[name=promo_title]', 'Martes de locura');
  await a.fill('textarea[name=promo_text]', 'Todo el día al 2×1.');
  await a.locator('[data-testid=image-field][data-field=promo_image] [data-testid=image-file]').setInputFiles(PROMO.pathname);
  await a.locator('[data-testid=image-field][data-field=promo_image] img').waitFor();
  await a.click('[data-testid=entity-save]');
  await a.locator('input[name=whatsapp][aria-invalid=true]').waitFor({ timeout: 3000 });
  const note = a.locator('.field:has(input[name=whatsapp]) [data-testid=field-error]');
  assert.ok(((await note.textContent()) ?? '').trim().length > 0, 'the hub’s message sits under the WhatsApp field');
  await a.locator('input[name=whatsapp]').scrollIntoViewIfNeeded();
  await screenshot(a, 'admin-branch-totem-error');
  assert.deepEqual(await screenProblems(a, '[role=dialog]'), [], 'the totem settings fit at 1366×768');

  await a.fill('input[name=whatsapp]', '55 8765 4321');
  const showHours = a.locator('input[name=totem_show_hours]');
  if (!(await showHours.isChecked())) await showHours.check();
  await a.click('[data-testid=entity-save]');
  await a.locator('[data-testid=entity-save]').waitFor({ state: 'detached', timeout: 3000 });
  const token = await login(hub.url, 'admin');
  const saved = items(await call(hub.url, token, 'GET', '/branches'))[0];
  assert.equal(saved.whatsapp, '5587654321', 'the number is kept as its ten digits');
  assert.equal(saved.totem_message, '¡Ven a jugar!');
  assert.equal(saved.promo_title, 'Martes de locura');
  assert.equal(saved.promo_text, 'Todo el día al 2×1.');
  assert.match(saved.promo_image, /^[0-9a-f]{64}$/, 'the promotion picture is stored by its hash');
  assert.equal(saved.totem_show_hours, true);
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});

test('admin_viewer sees admin read-only', { timeout: 60_000 }, async () => {
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  assert.equal(new URL(viewer.page.url()).pathname, '/admin');
  await viewer.page.click('[data-testid=tab-products]');
  await viewer.page.waitForSelector('[data-testid=entity-row]');
  assert.equal(await viewer.page.locator('[data-testid=entity-new]').count(), 0, 'no create button for admin_viewer');
});

test('admin creates a product; a barcode already taken is refused on its field', { timeout: 60_000 }, async () => {
  const token = await login(hub.url, 'admin');
  const taken = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.barcode).barcode;
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-products]');
  await a.click('[data-testid=entity-new]');
  await a.fill('input[name=name]', 'Agua de jamaica');
  await a.fill('input[name=category]', 'Bebidas');
  await a.fill('input[name=price_cents]', '28.50');
  await a.fill('input[name=barcode]', taken);
  await a.click('[data-testid=entity-save]');
  await a.locator('input[name=barcode][aria-invalid=true]').waitFor({ timeout: 3000 });
  assert.ok(((await a.textContent('[data-testid=field-error]')) ?? '').trim().length > 0, 'the hub’s message is shown under the field');
  await screenshot(a, 'admin-product-error');

  await a.fill('input[name=barcode]', '2000000099990');
  await a.click('[data-testid=entity-save]');
  await a.locator('[data-testid=entity-row]', { hasText: 'Agua de jamaica' }).waitFor({ timeout: 3000 });
  const created = items(await call(hub.url, token, 'GET', '/products')).find((p) => p.name === 'Agua de jamaica');
  assert.equal(created?.price_cents, 2850, 'the price typed as pesos is stored as centavos');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

test('a wrong password shows the hub’s message and marks the field', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: DESK });
  const page = await context.newPage();
  await page.goto(`${hub.url}/reception`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.fill('input[name=username]', 'recepcion');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=error]');
  assert.ok(((await page.textContent('[data-testid=error]')) ?? '').length > 0, 'an error message is shown');
  assert.equal(await page.getAttribute('input[name=password]', 'aria-invalid'), 'true', 'the password field is highlighted');
  await screenshot(page, 'login');

  // English is one tap away, on every screen.
  await page.click('button:text-is("EN")');
  assert.equal((await page.textContent('button[type=submit]'))?.trim(), 'Log in', 'the copy switches to English');
});
