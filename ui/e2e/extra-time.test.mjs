// Extra play time at reception, on the real hub in Chromium: a run-out timer shows its overtime
// live and «Terminar» charges it (the hub stops the timer with the sale) or waives it with a
// reason (the courtesies report lists it); +15 min is sold with its price on the button; time given
// without a sale needs an administrator's PIN; and a charge refused because a new block began
// shows the new amount; a plain stop the hub refuses inside a stale grace turns into the same
// choice. Timers that ran out minutes ago come from pastTimers.mjs, which says why
// the database is written by hand.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
import { extraTimeService, hubWithRunOutTimers, sellPlay } from './pastTimers.mjs';

const MINUTE = 60_000;

let hub;
let timers;
let browser;
let desk;

before(async () => {
  // Ana: 19 min 5 s past her end when the file is written, so the card says 20 min (every started
  // minute counts) for the next 55 s; Beto: 25 min (also two blocks of 15).
  ({ hub, timers } = await hubWithRunOutTimers({ Ana: 19 * MINUTE + 5000, Beto: 25 * MINUTE }));
  const rec = await login(hub.url, 'recepcion');
  const service = await extraTimeService(hub.url, rec);
  timers.Carla = await sellPlay(hub.url, rec, service, 'Carla');
  timers.Diego = await sellPlay(hub.url, rec, service, 'Diego');
  browser = await launchBrowser();
  desk = await openAs(browser, hub.url, 'recepcion', DESK);
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const card = (id) => `[data-testid=timer-card][data-timer-id="${id}"]`;
const escape = (text) => text.replace(/[$.()]/g, '\\$&');

/** The sale lines of today that sold extra time for `timerId`. */
async function extraLines(token, timerId) {
  const sales = items(await call(hub.url, token, 'GET', '/sales'));
  return sales.flatMap((s) => s.items.filter((i) => i.timer_id === timerId).map((i) => ({ ...i, sale: s })));
}

/** "hasta 18:45" → minutes since midnight. */
async function endsAtMinutes(page, id) {
  const [, h, m] = /(\d{1,2}):(\d{2})/.exec(await page.textContent(`${card(id)} [data-testid=timer-ends]`));
  return Number(h) * 60 + Number(m);
}

test('a run-out timer 20 min past its end shows its overtime; «Terminar» → «Cobrar $100» → cash charges it and stops it', { timeout: 90_000 }, async () => {
  const page = desk.page;
  const ana = timers.Ana;
  await page.locator(`${card(ana.id)}[data-state=expired]`).waitFor();
  const overtime = page.locator(`${card(ana.id)} [data-testid=timer-overtime]`);
  assert.match(await overtime.textContent(), /Excedido 20 min · \$100\.00/, 'two blocks of 15 min for 20 min late');
  await page.locator(`${card(timers.Carla.id)}[data-state=running]`).waitFor();
  await screenshot(page, 'extra-time-1-board');
  assert.deepEqual(await smallTouchTargets(page), [], 'every button on the board is at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the timer board fits at 1366×768');

  await page.click(`${card(ana.id)} [data-testid=timer-stop]`);
  const charge = page.locator(`${card(ana.id)} [data-testid=timer-charge]`);
  assert.match(await charge.textContent(), /Cobrar \$100\.00/, '«Terminar» offers to charge what is due');
  await page.locator(`${card(ana.id)} [data-testid=timer-waive]`).waitFor();
  await screenshot(page, 'extra-time-2-choice');
  assert.deepEqual(await smallTouchTargets(page), [], 'the choice’s buttons are at least 48 px');
  assert.deepEqual(await layoutProblems(page), [], 'the card with the choice fits');

  await charge.click();
  await page.locator('[role=dialog] [data-testid=extra-what]').waitFor();
  assert.equal(await page.textContent('[data-testid=pay-total]'), '$100.00', 'the payment is the overtime due');
  assert.equal(await page.inputValue('[data-testid=cash-received]'), '100.00', 'exact cash comes filled in');
  await screenshot(page, 'extra-time-3-pay');
  assert.deepEqual(await smallTouchTargets(page), [], 'the payment’s buttons are at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the payment dialog fits at 1366×768');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=sale-done]').waitFor();
  await page.locator(card(ana.id)).waitFor({ state: 'detached' });
  await screenshot(page, 'extra-time-4-charged');
  await page.click('[data-testid=sale-done-close]');

  const rec = await login(hub.url, 'recepcion');
  const stopped = await call(hub.url, rec, 'GET', `/timers/${ana.id}`);
  assert.equal(stopped.state, 'finished', 'charging the overtime stopped the timer');
  assert.equal(stopped.overtime_settlement, 'charged');
  const [line] = await extraLines(rec, ana.id);
  assert.ok(line, 'a sale line names the timer');
  assert.equal(line.extra, 'overtime');
  assert.equal(line.total_cents, 10000, 'two blocks of $50');
  assert.equal(line.sale.total_cents, 10000);
  assert.deepEqual(line.sale.payments, [{ method: 'cash', amount_cents: 10000 }]);
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('waiving: «Perdonar» asks a reason, stops the timer as waived, and the courtesies report lists it', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const beto = timers.Beto;
  await page.click(`${card(beto.id)} [data-testid=timer-stop]`);
  await page.click(`${card(beto.id)} [data-testid=timer-waive]`);
  const dialog = page.locator('[data-testid=waive-dialog]');
  await dialog.waitFor();
  // No reason: said at once, nothing sent.
  await page.click('[data-testid=waive-submit]');
  await page.locator('[data-testid=waive-missing]').waitFor();
  const rec = await login(hub.url, 'recepcion');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${beto.id}`)).state, 'expired', 'nothing is sent without a reason');
  await page.locator('[data-testid=waive-reason-chip]', { hasText: 'No se oyó el aviso' }).click();
  await screenshot(page, 'extra-time-5-waive');
  assert.deepEqual(await smallTouchTargets(page), [], 'the waive dialog’s buttons are at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the waive dialog fits');
  await page.click('[data-testid=waive-submit]');
  await page.locator(card(beto.id)).waitFor({ state: 'detached' });
  assert.equal(await dialog.count(), 0, 'the dialog closes');

  const waived = await call(hub.url, rec, 'GET', `/timers/${beto.id}`);
  assert.equal(waived.state, 'finished');
  assert.equal(waived.overtime_settlement, 'waived');
  assert.deepEqual(await extraLines(rec, beto.id), [], 'nothing was sold');
  const admin = await login(hub.url, 'admin');
  const courtesies = await call(hub.url, admin, 'GET', '/reports/courtesies');
  const entry = courtesies.items.find((c) => c.timer_id === beto.id);
  assert.ok(entry, 'the courtesies report lists the waived overtime');
  assert.equal(entry.kind, 'waived_overtime');
  assert.equal(entry.reason, 'No se oyó el aviso');
  assert.ok(entry.value_cents >= 10000, 'it says what was forgiven');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('selling +15 min on a running timer: the price is on the button, the card shows the new end, the hub holds an extension line', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const carla = timers.Carla;
  const button = page.locator(`${card(carla.id)} [data-testid=timer-extend-15]`);
  assert.match(await button.textContent(), /\+15 min\s*\$50\.00/, 'the button says minutes and price');
  assert.match(await page.textContent(`${card(carla.id)} [data-testid=timer-extend-30]`), /\+30 min\s*\$100\.00/);
  const before = await endsAtMinutes(page, carla.id);
  await button.click();
  await page.locator('[role=dialog] [data-testid=extra-what]').waitFor();
  assert.equal(await page.textContent('[data-testid=pay-total]'), '$50.00');
  await page.locator('[role=dialog] button', { hasText: 'Exacto' }).click();
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=sale-done]').waitFor();
  await page.click('[data-testid=sale-done-close]');
  await page.waitForFunction(
    ([sel, want]) => {
      const m = /(\d{1,2}):(\d{2})/.exec(document.querySelector(sel)?.textContent ?? '');
      return !!m && (Number(m[1]) * 60 + Number(m[2])) % 1440 === want;
    },
    [`${card(carla.id)} [data-testid=timer-ends]`, (before + 15) % 1440],
  );
  await screenshot(page, 'extra-time-6-extended');

  const rec = await login(hub.url, 'recepcion');
  const extended = await call(hub.url, rec, 'GET', `/timers/${carla.id}`);
  assert.equal(Date.parse(extended.ends_at) - Date.parse(carla.ends_at), 15 * MINUTE, 'the hub moved the end 15 min');
  const [line] = await extraLines(rec, carla.id);
  assert.equal(line.extra, 'extension');
  assert.equal(line.extra_minutes, 15);
  assert.equal(line.total_cents, 5000);
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('free time: reception needs an administrator’s PIN (none or a wrong one is refused, nothing given); with it the time is given', { timeout: 60_000 }, async () => {
  const page = desk.page;
  const diego = timers.Diego;
  const rec = await login(hub.url, 'recepcion');
  // The hub's own rule, without the UI: reception alone may not give time.
  const res = await fetch(`${hub.url}/api/v1/timers/${diego.id}/extend`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rec}`, 'content-type': 'application/json' },
    body: JSON.stringify({ minutes: 10, reason: 'prueba' }),
  });
  assert.equal(res.status, 403, 'the hub refuses free time from reception without authorization');

  await page.click(`${card(diego.id)} [data-testid=timer-give]`);
  await page.locator('[data-testid=give-dialog]').waitFor();
  await page.locator('[data-testid=give-auth]').waitFor();
  await page.click('[data-testid=give-minutes-10]');
  await page.locator('[data-testid=give-reason-chip]', { hasText: 'Falla en el área de juego' }).click();
  await page.fill('[data-testid=give-supervisor]', 'admin');
  // No PIN: said on the dialog, the supervisor block in view, nothing sent.
  await page.click('[data-testid=give-submit]');
  assert.match(await page.textContent('[data-testid=give-missing]'), /PIN/, 'the missing PIN is named');
  assert.ok(await page.locator('[data-testid=give-pin]').isVisible(), 'the PIN pad is there to type it');
  await screenshot(page, 'extra-time-7-give-no-pin');
  assert.deepEqual(await smallTouchTargets(page), [], 'the free-time dialog’s buttons are at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the free-time dialog fits at 1366×768');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${diego.id}`)).extended_minutes, 0, 'no PIN gives nothing');

  // A wrong PIN: the hub refuses, the PIN is blamed.
  for (const d of '1357') await page.click(`[data-testid=give-pin-key-${d}]`);
  await page.click('[data-testid=give-submit]');
  await page.locator('[data-testid=give-dialog] [data-testid=error]').waitFor();
  assert.equal(await page.getAttribute('[data-testid=give-pin-field]', 'aria-invalid'), 'true', 'the PIN is the field blamed');
  assert.equal((await call(hub.url, rec, 'GET', `/timers/${diego.id}`)).extended_minutes, 0, 'a wrong PIN gives nothing');

  const before = await endsAtMinutes(page, diego.id);
  for (const d of '2468') await page.click(`[data-testid=give-pin-key-${d}]`);
  await page.click('[data-testid=give-submit]');
  await page.locator('[data-testid=give-dialog]').waitFor({ state: 'detached' });
  assert.equal((await endsAtMinutes(page, diego.id)) % 1440, (before + 10) % 1440, 'the card shows the new end');
  const given = await call(hub.url, rec, 'GET', `/timers/${diego.id}`);
  assert.equal(given.extended_minutes, 10, 'ten minutes given');
  assert.deepEqual(await extraLines(rec, diego.id), [], 'nothing was sold');
  const courtesies = await call(hub.url, await login(hub.url, 'admin'), 'GET', '/reports/courtesies');
  const entry = courtesies.items.find((c) => c.timer_id === diego.id);
  assert.equal(entry?.kind, 'free_extension', 'the courtesies report lists the free time');
  assert.equal(entry.minutes, 10);
  assert.equal(entry.reason, 'Falla en el área de juego');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
});

test('within the grace nothing is due; a plain stop the hub refuses (409 overtime_due) turns into the same choice', { timeout: 120_000 }, async () => {
  // Its own hub: Fer is 4 min 40 s past her end when the file is written (grace: 5 min). The
  // page's clock is then frozen (Playwright's fake clock), so the card still shows the grace while
  // the hub's time goes past it: the one way the hub can answer a stop with 409 overtime_due.
  const { hub: own, timers: mine, writtenAt } = await hubWithRunOutTimers({ Fer: 5 * MINUTE - 20_000 });
  const graceEnds = writtenAt + 20_000;
  const other = await openAs(browser, own.url, 'recepcion', DESK, (context) => context.clock.install());
  try {
    const page = other.page;
    const fer = mine.Fer;
    const overtime = page.locator(`${card(fer.id)} [data-testid=timer-overtime]`);
    await overtime.waitFor();
    assert.ok(Date.now() < graceEnds - 2000, 'the page opened within the grace (the set-up was too slow otherwise)');
    await page.clock.pauseAt(Date.now() + 1000);
    assert.match(await overtime.textContent(), /Excedido 5 min · sin cargo \(tolerancia 5 min\)/, 'within the grace nothing is due');
    await screenshot(page, 'extra-time-9-grace');
    await new Promise((r) => setTimeout(r, graceEnds - Date.now() + 1500));

    // The card still thinks nothing is due: «Terminar» asks to confirm, then sends a plain stop.
    assert.match(await overtime.textContent(), /sin cargo/, 'the frozen page still shows the grace');
    await page.click(`${card(fer.id)} [data-testid=timer-stop]`);
    await page.click(`${card(fer.id)} [data-testid=timer-stop]`);
    const charge = page.locator(`${card(fer.id)} [data-testid=timer-charge]`);
    await charge.waitFor();
    assert.match(await charge.textContent(), /Cobrar \$50\.00/, 'the hub’s figure: one block past the grace');
    await page.locator(`${card(fer.id)} [data-testid=timer-waive]`).waitFor();
    const rec = await login(own.url, 'recepcion');
    assert.equal((await call(own.url, rec, 'GET', `/timers/${fer.id}`)).state, 'expired', 'the refused stop stopped nothing');
    await charge.click();
    assert.equal(await page.textContent('[data-testid=pay-total]'), '$50.00', 'the payment is what the hub said');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=sale-done]').waitFor();
    assert.equal((await call(own.url, rec, 'GET', `/timers/${fer.id}`)).overtime_settlement, 'charged');
    assert.deepEqual(other.errors.map(String), [], 'no script errors');
  } finally {
    await other.context.close();
    await own.stop();
  }
});

test('a charge refused because a new block began shows the new amount, and the second try charges it', { timeout: 120_000 }, async () => {
  // Its own hub: Eva's overtime reaches 30 min (two blocks → three) 25 s after the file is written.
  const { hub: own, timers: mine, writtenAt } = await hubWithRunOutTimers({ Eva: 30 * MINUTE - 25_000 });
  const crossing = writtenAt + 25_000;
  const other = await openAs(browser, own.url, 'recepcion', DESK);
  try {
    const page = other.page;
    const eva = mine.Eva;
    await page.click(`${card(eva.id)} [data-testid=timer-stop]`);
    await page.click(`${card(eva.id)} [data-testid=timer-charge]`);
    assert.equal(await page.textContent('[data-testid=pay-total]'), '$100.00', 'priced at two blocks when opened');
    assert.ok(Date.now() < crossing, 'the dialog opened before the new block (the set-up was too slow otherwise)');
    await page.waitForTimeout(crossing - Date.now() + 1500);
    await page.click('[data-testid=pay-confirm]');
    const moved = page.locator('[data-testid=extra-moved]');
    await moved.waitFor();
    assert.match(await moved.textContent(), new RegExp(`${escape(formatMXN(10000))}.*${escape(formatMXN(15000))}`), 'the new amount is said');
    assert.equal(await page.textContent('[data-testid=pay-total]'), '$150.00');
    assert.equal(await page.inputValue('[data-testid=cash-received]'), '150.00', 'exact cash follows the new amount');
    await screenshot(page, 'extra-time-8-moved');
    assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the payment with the note fits');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=sale-done]').waitFor();

    const rec = await login(own.url, 'recepcion');
    const sales = items(await call(own.url, rec, 'GET', '/sales')).filter((s) => s.items.some((i) => i.timer_id === eva.id));
    assert.equal(sales.length, 1, 'one sale: the refused attempt wrote nothing');
    assert.equal(sales[0].total_cents, 15000, 'three blocks');
    assert.equal((await call(own.url, rec, 'GET', `/timers/${eva.id}`)).overtime_settlement, 'charged');
    assert.deepEqual(other.errors.map(String), [], 'no script errors');
  } finally {
    await other.context.close();
    await own.stop();
  }
});
