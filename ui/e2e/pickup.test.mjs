// Pick-up at reception, on the real hub in Chromium: the code from the ticket (typed like a
// scanner: digits and Enter) shows the children and who may collect them, and one tap on the
// guardian hands them over (their timers end); an adult not on the list needs an administrator's
// PIN; overtime still due is charged in one sale and then handed over, or waived with a reason; a
// message typed at the desk reaches a real speaker player; a party guest is named on the card; the
// occupancy follows all of it live. Run-out timers come from pastTimers.mjs (it says why).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, DEMO_PASSWORD, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
import { HUB_BIN } from './hub.mjs';
import { hubWithRunOutTimers } from './pastTimers.mjs';
import { tempDir } from './tmp.mjs';

const MINUTE = 60_000;

let hub;
let timers;
let browser;
let desk;
let rec;
let player;
const dir = tempDir('kidyboard-pickup-e2e');

before(async () => {
  // Ana: 20 min past her end (two blocks of $50 with blocks of 15), Beto: 25 min; neither ticket
  // names an adult. Carla ends 5 min 25 s after the file is written: the hub's five-minute call
  // comes while the other tests run.
  ({ hub, timers } = await hubWithRunOutTimers({ Ana: 19 * MINUTE + 5000, Beto: 25 * MINUTE, Carla: -(5 * MINUTE + 25_000) }));
  rec = await login(hub.url, 'recepcion');
  // The speaker player, as a store runs it, writing to a WAV file instead of a sound card.
  player = spawn(HUB_BIN, ['--data-dir', join(dir, 'player'), 'audio', 'run', '--hub', hub.url, '--user', 'monitor', '--name', 'Bocina del salón', '--wav', join(dir, 'out.wav')], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  player.stdin.end(`${DEMO_PASSWORD}\n`);
  browser = await launchBrowser();
  desk = await openAs(browser, hub.url, 'recepcion', DESK);
  // Every toast the desk shows, kept: they fade by themselves.
  await desk.page.evaluate(() => {
    window.seenToasts = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('.toast')) if (!window.seenToasts.includes(el.textContent)) window.seenToasts.push(el.textContent);
    }).observe(document.body, { childList: true, subtree: true });
  });
});

after(async () => {
  player?.kill('SIGTERM');
  await browser?.close();
  await hub?.stop();
});

const card = (id) => `[data-testid=timer-card][data-timer-id="${id}"]`;

/** Checks a demo family's children in through the API (one hour each); answers the sale. */
async function checkIn(guardian) {
  const family = items(await call(hub.url, rec, 'GET', '/families')).find((f) => f.guardians.some((g) => g.name === guardian));
  assert.ok(family, `the demo has the family of ${guardian}`);
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.active && s.duration_minutes === 60);
  return call(hub.url, rec, 'POST', '/sales', {
    family_id: family.id,
    items: [{ service_id: service.id, children: family.children.map((c) => ({ child_id: c.id })) }],
    payments: [{ method: 'cash', amount_cents: service.price_cents * family.children.length }],
  });
}

/** The hub's answer to a pick-up code, as status and error code. */
async function previewStatus(code) {
  const res = await fetch(`${hub.url}/api/v1/checkouts/${code}`, { headers: { authorization: `Bearer ${rec}` } });
  const body = await res.json();
  return { status: res.status, code: body.error?.code ?? null };
}

async function occupancyShown(page) {
  return Number(await page.getAttribute('[data-testid=occupancy]', 'data-inside'));
}

/** Layout problems of the board, read from its top (the sticky search covers cards scrolled under it). */
async function boardProblems(page) {
  await page.locator('[data-testid=timer-board]').evaluate((el) => (el.scrollTop = 0));
  return (await layoutProblems(page, '[data-testid=timer-board]')).filter((x) => !/scrolls:/.test(x));
}

/** Types a code the way a barcode scanner does: the digits fast, then Enter. */
async function scan(page, code) {
  await page.locator('[data-testid=pickup-code]').pressSequentially(code, { delay: 5 });
  await page.keyboard.press('Enter');
}

test('(a) the code from the ticket shows both children and their allergy; one tap on the guardian hands them over', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const sale = await checkIn('Ana López');
  const code = sale.pickup_code;
  assert.match(code, /^\d{4}$/, 'the sale carries a 4-digit pick-up code');
  const [first, second] = sale.timers;
  await page.locator(`${card(first.id)} [data-testid=timer-code]`, { hasText: code }).waitFor();
  const inside = (await call(hub.url, rec, 'GET', '/occupancy')).inside;
  await page.waitForFunction((n) => document.querySelector('[data-testid=occupancy]')?.getAttribute('data-inside') === String(n), inside);
  assert.match(await page.textContent('[data-testid=occupancy-count]'), new RegExp(`${inside} / 40 adentro`), 'the board says how many are inside');
  await screenshot(page, 'pickup-0-board');
  assert.deepEqual(await boardProblems(page), [], 'the board fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button on the board is at least 48 px');

  await page.click('[data-testid=tab-pickup]');
  await scan(page, code);
  const kids = page.locator('[data-testid=pickup-child]');
  await kids.nth(1).waitFor();
  const names = await page.locator('[data-testid=pickup-child] .who strong').allTextContents();
  assert.deepEqual(names.sort(), ['Mateo López', 'Sofía López'], 'both children on the code are shown');
  assert.match(await page.textContent('[data-testid=pickup-child-notes]'), /Alergia al cacahuate/, 'Sofía’s allergy is on screen');
  const adult = page.locator('[data-testid=pickup-adult]');
  assert.deepEqual(await adult.allTextContents().then((x) => x.map((s) => s.trim())), ['Ana López'], 'the guardian is the one authorised adult');
  await screenshot(page, 'pickup-1-preview');
  assert.deepEqual(await layoutProblems(page), [], 'the pick-up fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button of the pick-up is at least 48 px');

  await adult.click();
  const done = page.locator('[data-testid=pickup-done]');
  await done.waitFor();
  assert.match(await done.textContent(), /Sofía López/);
  assert.match(await done.textContent(), /Mateo López/);
  assert.match(await done.textContent(), /Recogió: Ana López/);
  await screenshot(page, 'pickup-2-done');
  assert.deepEqual(await layoutProblems(page), [], 'the success fits');

  for (const timer of [first, second]) {
    assert.equal((await call(hub.url, rec, 'GET', `/timers/${timer.id}`)).state, 'finished', `${timer.child_name}’s timer ended`);
  }
  assert.deepEqual(await previewStatus(code), { status: 409, code: 'already_checked_out' }, 'the hub recorded the pick-up');
  const admin = await login(hub.url, 'admin');
  const exported = await call(hub.url, admin, 'GET', `/families/${first.family_id}/export`);
  assert.ok(exported.pickups.some((p) => p.pickup_code === code && p.collected_by === 'Ana López'), 'the family’s record names who collected them');

  // «Siguiente código» leaves the field empty and ready for the scanner.
  await page.click('[data-testid=pickup-next]');
  assert.equal(await page.inputValue('[data-testid=pickup-code]'), '');
  assert.ok(await page.locator('[data-testid=pickup-code]').evaluate((el) => el === document.activeElement), 'the field has the focus again');

  await page.click('[data-testid=tab-checkin]');
  await page.locator(card(first.id)).waitFor({ state: 'detached' });
  await page.locator(card(second.id)).waitFor({ state: 'detached' });
  await page.waitForFunction((n) => document.querySelector('[data-testid=occupancy]')?.getAttribute('data-inside') === String(n), inside - 2);
  assert.equal(await occupancyShown(page), inside - 2, 'the occupancy drops by two, live');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('(b) from the card: an adult not on the list needs an administrator’s PIN; none or a wrong one hands over nobody', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const sale = await checkIn('Carlos Pérez');
  const [valentina] = sale.timers;
  await page.click(`${card(valentina.id)} [data-testid=timer-pickup]`);
  const dialog = page.locator('[role=dialog]');
  await dialog.locator('[data-testid=pickup-adult]', { hasText: 'Carlos Pérez' }).waitFor();
  assert.equal(await dialog.locator('[data-testid=pickup-code]').inputValue(), sale.pickup_code, 'the card’s code is filled in');

  await dialog.locator('[data-testid=pickup-other]').fill('Rosa Martínez');
  await dialog.locator('[data-testid=pickup-other-submit]').click();
  await dialog.locator('[data-testid=pickup-auth]').waitFor();
  assert.match(await dialog.locator('[data-testid=pickup-not-listed]').textContent(), /Rosa Martínez no está en la lista/);
  await dialog.locator('[data-testid=pickup-submit]').click();
  await dialog.locator('[data-testid=pickup-missing-pin]').waitFor();
  await screenshot(page, 'pickup-3-supervisor');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the dialog with the PIN pad fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'the dialog’s buttons are at least 48 px');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${valentina.id}`)).state, 'running', 'no PIN hands over nobody');

  await dialog.locator('[data-testid=pickup-supervisor]').fill('admin');
  for (const d of '1357') await dialog.locator(`[data-testid=pickup-pin-key-${d}]`).click();
  await dialog.locator('[data-testid=pickup-submit]').click();
  await dialog.locator('[data-testid=error]').waitFor();
  assert.equal(await dialog.locator('[data-testid=pickup-pin-field]').getAttribute('aria-invalid'), 'true', 'the PIN is blamed');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${valentina.id}`)).state, 'running', 'a wrong PIN hands over nobody');

  for (const d of '2468') await dialog.locator(`[data-testid=pickup-pin-key-${d}]`).click();
  await dialog.locator('[data-testid=pickup-submit]').click();
  const done = dialog.locator('[data-testid=pickup-done]');
  await done.waitFor();
  assert.match(await done.textContent(), /Recogió: Rosa Martínez · autorizó admin/);
  await dialog.locator('[data-testid=pickup-next]').click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator(card(valentina.id)).waitFor({ state: 'detached' });
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${valentina.id}`)).state, 'finished');
  const exported = await call(hub.url, await login(hub.url, 'admin'), 'GET', `/families/${valentina.family_id}/export`);
  assert.ok(exported.pickups.some((p) => p.pickup_code === sale.pickup_code && p.collected_by === 'Rosa Martínez'), 'the pick-up names Rosa');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('(c) overtime due: «Cobrar $100.00 y entregar» charges it in one sale, then hands the child over', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const ana = timers.Ana;
  await page.click('[data-testid=tab-pickup]');
  await scan(page, ana.pickup_code);
  const owed = page.locator('[data-testid=pickup-overtime]');
  await owed.waitFor();
  assert.match(await owed.textContent(), /\$100\.00/, 'two blocks of $50 for 20 min');
  assert.match(await page.textContent('[data-testid=pickup-child-time]'), /Excedido 20 min\s*\$100\.00/, 'the child’s overtime and its price');
  // The ticket named nobody: the clerk writes who came.
  await page.fill('[data-testid=pickup-other]', 'Laura Gómez');
  await page.click('[data-testid=pickup-other-submit]');
  const charge = page.locator('[data-testid=pickup-charge]');
  await charge.waitFor();
  assert.match(await charge.textContent(), /Cobrar \$100\.00 y entregar/);
  await screenshot(page, 'pickup-4-overtime');
  assert.deepEqual(await layoutProblems(page), [], 'the overtime choice fits');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${ana.id}`)).state, 'expired', 'nothing handed over while overtime is due');

  await charge.click();
  await page.locator('[data-testid=pickup-charge-what]').waitFor();
  assert.equal(await page.textContent('[data-testid=pay-total]'), '$100.00', 'the payment is the overtime due');
  assert.equal(await page.inputValue('[data-testid=cash-received]'), '100.00', 'exact cash comes filled in');
  await screenshot(page, 'pickup-5-pay');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the payment fits');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=sale-done]').waitFor();
  await page.click('[data-testid=sale-done-close]');
  await page.locator('[data-testid=pickup-done]').waitFor();

  const stopped = await call(hub.url, rec, 'GET', `/timers/${ana.id}`);
  assert.equal(stopped.state, 'finished');
  assert.equal(stopped.overtime_settlement, 'charged', 'the overtime was charged');
  const sales = items(await call(hub.url, rec, 'GET', '/sales')).filter((s) => s.items.some((i) => i.timer_id === ana.id));
  assert.equal(sales.length, 1, 'one overtime sale');
  assert.equal(sales[0].total_cents, 10000);
  assert.deepEqual(await previewStatus(ana.pickup_code), { status: 409, code: 'already_checked_out' }, 'and the child was handed over');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('(c) overtime due can be waived with a reason sent with the pick-up', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const beto = timers.Beto;
  await page.click('[data-testid=pickup-next]');
  await scan(page, beto.pickup_code);
  await page.locator('[data-testid=pickup-overtime]').waitFor();
  await page.fill('[data-testid=pickup-other]', 'Jorge Ruiz');
  await page.click('[data-testid=pickup-other-submit]');
  await page.click('[data-testid=pickup-waive]');
  await page.click('[data-testid=pickup-waive-submit]');
  await page.locator('[data-testid=pickup-waive-missing]').waitFor();
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${beto.id}`)).state, 'expired', 'no reason, nothing sent');
  await page.locator('[data-testid=pickup-waive-reason-chip]', { hasText: 'Ya esperaban en la salida' }).click();
  await screenshot(page, 'pickup-6-waive');
  assert.deepEqual(await layoutProblems(page), [], 'the waive fits');
  await page.click('[data-testid=pickup-waive-submit]');
  await page.locator('[data-testid=pickup-done]').waitFor();
  const waived = await call(hub.url, rec, 'GET', `/timers/${beto.id}`);
  assert.equal(waived.state, 'finished');
  assert.equal(waived.overtime_settlement, 'waived');
  const courtesies = await call(hub.url, await login(hub.url, 'admin'), 'GET', '/reports/courtesies');
  assert.equal(courtesies.items.find((c) => c.timer_id === beto.id)?.reason, 'Ya esperaban en la salida', 'the courtesies report says why');
  await page.click('[data-testid=pickup-next]');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('(d) a message typed at the desk reaches the speaker player; a card offers the call and WhatsApp', { timeout: 90_000 }, async () => {
  const page = desk.page;
  const sale = await checkIn('María Hernández');
  const [diego] = sale.timers;
  await page.click('[data-testid=tab-checkin]');
  const whatsapp = page.locator(`${card(diego.id)} [data-testid=timer-whatsapp]`);
  await whatsapp.waitFor();
  const href = await whatsapp.getAttribute('href');
  assert.match(href, /^https:\/\/wa\.me\/526641234567\?text=/, 'WhatsApp to 52 + the guardian’s ten digits');
  assert.match(decodeURIComponent(href.split('text=')[1]), /Diego Hernández/, 'the message names the child');
  assert.equal(await whatsapp.getAttribute('target'), '_blank');
  assert.equal(await whatsapp.getAttribute('rel'), 'noopener');
  await desk.context.setOffline(true);
  await whatsapp.waitFor({ state: 'detached' });
  await desk.context.setOffline(false);
  await whatsapp.waitFor();
  await page.locator('html[data-live=online]').waitFor({ state: 'attached', timeout: 15_000 });

  // The card's «bocina» fills in the call for that child's adult, by the name the wall shows.
  await page.click(`${card(diego.id)} [data-testid=timer-announce]`);
  assert.equal(await page.inputValue('[data-testid=announce-text]'), `Tutor de ${diego.public_name}, favor de pasar a recepción`);
  await screenshot(page, 'pickup-7-announce');
  assert.deepEqual(await boardProblems(page), [], 'the open box fits');

  const text = 'Se encontró una mochila azul en el área de pelotas';
  await page.fill('[data-testid=announce-text]', text);
  await page.click('[data-testid=announce-send]');
  await page.locator('.toast', { hasText: 'Aviso enviado a las bocinas' }).waitFor();
  assert.equal(await page.inputValue('[data-testid=announce-text]'), '', 'the box empties once sent');

  const until = Date.now() + 30_000;
  let heard = null;
  while (Date.now() < until) {
    const players = items(await call(hub.url, rec, 'GET', '/audio/players'));
    heard = players.find((p) => p.name === 'Bocina del salón')?.last_announcement ?? null;
    if (heard === text) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(heard, text, 'the player reports the announcement it spoke');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('(e) a party guest «Invitado 2» is named on the card; the hub and the pick-up use the name', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const party = items(await call(hub.url, rec, 'GET', '/packages')).find((p) => p.name === 'Fiesta 10 niños');
  const sale = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ package_id: party.id, children: [{ name: 'Lucía Ramos' }] }],
    guardian: { name: 'Pedro Ramos', phone: '5599887766' },
    payments: [{ method: 'cash', amount_cents: party.price_cents }],
  });
  const guest = sale.timers.find((x) => x.child_name === 'Invitado 2');
  assert.ok(guest, 'the party’s unnamed children are «Invitado 2…10»');
  const named = sale.timers.find((x) => x.child_name === 'Lucía Ramos');
  const { inside } = await call(hub.url, rec, 'GET', '/occupancy');
  await page.waitForFunction((n) => document.querySelector('[data-testid=occupancy]')?.getAttribute('data-inside') === String(n), inside);
  await page.locator(`${card(guest.id)} [data-testid=guest-edit]`).waitFor();
  assert.equal(await page.locator(`${card(named.id)} [data-testid=guest-edit]`).count(), 0, 'a named child has nothing to rename');

  await page.click(`${card(guest.id)} [data-testid=guest-edit]`);
  await page.locator(`${card(guest.id)} [data-testid=guest-name]`).fill('Emilio Ruiz');
  await screenshot(page, 'pickup-8-rename');
  assert.deepEqual(await boardProblems(page), [], 'the rename fits');
  await page.keyboard.press('Enter');
  await page.locator(`${card(guest.id)} [data-testid=timer-child]`, { hasText: 'Emilio Ruiz' }).waitFor();
  assert.equal(await page.locator(`${card(guest.id)} [data-testid=guest-edit]`).count(), 0, 'named, the pencil goes');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${guest.id}`)).child_name, 'Emilio Ruiz', 'the hub holds the name');

  await page.click(`${card(guest.id)} [data-testid=timer-pickup]`);
  const dialog = page.locator('[role=dialog]');
  await dialog.locator('[data-testid=pickup-child]').nth(9).waitFor();
  assert.ok((await dialog.locator('[data-testid=pickup-child] .who strong').allTextContents()).includes('Emilio Ruiz'), 'the pick-up lists him by name');
  await screenshot(page, 'pickup-9-party');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]').then((p) => p.filter((x) => !/scrolls/.test(x))), [], 'ten children fit in the dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('full: the badge says when a place frees up', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const admin = await login(hub.url, 'admin');
  const { inside } = await call(hub.url, rec, 'GET', '/occupancy');
  const [branch] = items(await call(hub.url, admin, 'GET', '/branches'));
  await call(hub.url, admin, 'PATCH', `/branches/${branch.id}`, { capacity: inside });
  const full = page.locator('[data-testid=occupancy-full]');
  await full.waitFor();
  const occupancy = await call(hub.url, rec, 'GET', '/occupancy');
  assert.equal(occupancy.full, true);
  assert.match(await page.textContent('[data-testid=occupancy]'), new RegExp(`${inside} / ${inside} adentro · se libera un lugar \\d{1,2}:\\d{2}`));
  await screenshot(page, 'pickup-10-full');
  assert.deepEqual(await boardProblems(page), [], 'the full badge fits');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('five minutes before the end the desk is told too, not only the speakers', { timeout: 60_000 }, async () => {
  const page = desk.page;
  await page.waitForFunction(() => window.seenToasts.some((t) => /A Carla le quedan 5 min de juego/.test(t)), undefined, { timeout: 45_000 });
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});
