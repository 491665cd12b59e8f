// Families at the desk, on the real hub: a returning family found by its phone checks two children
// in within five taps and no retyping, each child with their own timer under one pick-up code that
// the screen shows big; the guardian signs the consent on the desk's screen and the hub holds it as
// current, strokes and all; a walk-in with two children is kept as a new family and sold by its
// ids; a party names its birthday child first and the rest come in as guests; a full venue lets a
// family in only with an administrator's PIN.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets } from './browser.mjs';
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

/** The desk's sale requests as sent. */
function recordSales(page) {
  const sent = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/sales') sent.push(r.postDataJSON());
  });
  return sent;
}

async function newestSale(base, token) {
  return items(await call(base, token, 'GET', '/sales'))[0];
}

async function findFamily(base, token, q) {
  return items(await call(base, token, 'GET', `/families?q=${encodeURIComponent(q)}`))[0];
}

/** Draws a signature-like wave across the pad with the mouse (pointer events, as a finger would). */
async function sign(page) {
  const box = await page.locator('[data-testid=consent-signature]').boundingBox();
  assert.ok(box && box.width > 200 && box.height > 100, 'the signature pad is big enough to sign on');
  await page.mouse.move(box.x + 30, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) await page.mouse.move(box.x + 30 + i * 10, box.y + box.height * 0.6 - Math.sin(i / 3) * 35);
  await page.mouse.up();
  await page.mouse.move(box.x + 60, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 90, box.y + 120, { steps: 6 });
  await page.mouse.up();
}

test('a returning family found by phone checks two children in within five taps: two timers, one pick-up code shown big', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const family = await findFamily(hub.url, rec, '5512345678');
  assert.equal(family.guardians[0].name, 'Ana López', 'the demo family');
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '1 hora de juego');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  const sent = recordSales(page);

  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'family-search',
    'the search field has the cursor: the phone is typed without a tap');
  let taps = 0;
  const tap = async (selector) => {
    await page.click(selector);
    taps++;
  };
  await page.keyboard.type('5512345678');
  const result = page.locator(`[data-testid=family-result][data-family-id="${family.id}"]`);
  await result.waitFor();
  assert.match(await result.textContent(), /55 1234 5678/, 'the result shows the phone as people say it');
  assert.match(await result.textContent(), /Sofía López · Mateo López/, 'and the children');
  await screenshot(page, 'families-1-search');

  await tap(`[data-testid=family-result][data-family-id="${family.id}"]`);
  assert.equal(await page.textContent('[data-testid=family-guardian]'), 'Ana López', 'the guardian is shown');
  const chips = page.locator('[data-testid=family-child]');
  assert.equal(await chips.count(), 2, 'both children are offered');
  assert.deepEqual(await chips.evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed'))), ['true', 'true'], 'both come chosen');
  assert.match(await page.textContent('[data-testid=child-notes]'), /Alergia al cacahuate/, 'Sofía’s allergy is in plain sight');
  await page.locator('[data-testid=consent-warning]').waitFor();

  await tap(`[data-testid=offer][data-name="${service.name}"]`);
  assert.match(await page.textContent('[data-testid=checkin-line]'), /2 × 1 hora de juego/);
  assert.match(await page.textContent('[data-testid=checkin-pay]'), /\$300\.00/, 'two children, two hours of play time charged');
  await screenshot(page, 'families-2-family');
  assert.deepEqual(await smallTouchTargets(page), [], 'every check-in button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[data-testid=checkin]'), [], 'the family’s check-in fits at 1366×768 without scrolling');

  await tap('[data-testid=checkin-pay]');
  await tap('button:text-is("Exacto")');
  await tap('[data-testid=pay-confirm]');
  await page.locator('[data-testid=pickup-code]').waitFor();
  assert.ok(taps <= 5, `a returning family of two checks in with at most 5 taps (took ${taps})`);

  const code = (await page.textContent('[data-testid=pickup-code]')).trim();
  assert.match(code, /^\d{4}$/, 'the pick-up code is four digits');
  assert.deepEqual(await page.locator('[data-testid=pickup-child]').allTextContents(), ['Sofía López', 'Mateo López'], 'with the children it collects');
  await screenshot(page, 'families-3-pickup-code');
  assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the paid dialog with the code fits');

  assert.equal(sent.length, 1);
  assert.equal(sent[0].family_id, family.id, 'the sale names the family');
  assert.deepEqual(sent[0].items[0].children, family.children.map((c) => ({ child_id: c.id })), 'and its children by id, nothing retyped');
  const sale = await newestSale(hub.url, rec);
  assert.equal(sale.pickup_code, code, 'the code shown is the sale’s');
  const timers = items(await call(hub.url, rec, 'GET', '/timers?state=running')).filter((t) => t.sale_id === sale.id);
  assert.equal(timers.length, 2, 'one timer per child');
  assert.deepEqual(timers.map((t) => t.child_name).sort(), ['Mateo López', 'Sofía López']);
  assert.ok(timers.every((t) => t.pickup_code === code), 'both timers share the pick-up code');
  assert.ok(timers.every((t) => t.duration_ms === service.duration_minutes * 60_000), 'each child has the whole hour');

  await page.click('[data-testid=sale-done-close]');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'family-search',
    'after the sale the cursor is back in the search for the next family');
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});

test('the guardian signs the consent on screen and the family’s consent becomes current', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const family = await findFamily(hub.url, rec, 'Carlos');
  assert.equal(family.consent.current, false, 'the demo family has not signed');
  const current = await call(hub.url, rec, 'GET', '/consents/current');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;

  await page.fill('[data-testid=family-search]', 'carlos perez');
  await page.click(`[data-testid=family-result][data-family-id="${family.id}"]`);
  await page.click('[data-testid=consent-sign]');
  await page.locator('[data-testid=consent-dialog]').waitFor();
  assert.equal((await page.textContent('[data-testid=consent-text]')).trim(), current.consent_text, 'the consent as the branch published it');
  assert.equal((await page.textContent('[data-testid=privacy-notice]')).trim(), current.privacy_notice, 'and the privacy notice');
  assert.equal(await page.inputValue('[data-testid=consent-signer]'), 'Carlos Pérez', 'the guardian signs by default');
  assert.ok(await page.isDisabled('[data-testid=consent-submit]'), 'nothing to send before the signature and the notice');

  await sign(page);
  await page.click('[data-testid=consent-signature-clear]');
  assert.ok(await page.isDisabled('[data-testid=consent-signature-clear]'), 'the pad is clear again');
  await sign(page);
  await page.click('[data-testid=consent-privacy]');
  await screenshot(page, 'families-4-consent');
  assert.deepEqual(await smallTouchTargets(page), [], 'every consent button is at least 48 px');
  assert.deepEqual(await layoutProblems(page, '[data-testid=consent-dialog]'), [], 'the consent dialog fits at 1366×768');
  await page.click('[data-testid=consent-submit]');
  await page.locator('[data-testid=consent-dialog]').waitFor({ state: 'detached' });
  await page.locator('[data-testid=consent-warning]').waitFor({ state: 'detached' });

  const after = await call(hub.url, rec, 'GET', `/families/${family.id}`);
  assert.equal(after.consent.current, true, 'the family’s consent is current');
  assert.equal(after.consent.accepted_version, current.version);
  assert.equal(after.consent.signer_name, 'Carlos Pérez');
  const record = await call(hub.url, await login(hub.url, 'admin'), 'GET', `/families/${family.id}/export`);
  const { signature } = record.consents.at(-1);
  assert.equal(signature.strokes.length, 2, 'the two strokes drawn after clearing, not the cleared one');
  assert.ok(
    signature.strokes.flat().every(([x, y]) => Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x <= signature.width && y <= signature.height),
    'integer points inside the box',
  );
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});

test('a walk-in with two children is saved as a new family and sold by its ids', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;
  const sent = recordSales(page);

  await page.fill('[data-testid=child-name]', 'Lucía Gómez');
  await page.click('[data-testid=add-child]');
  await page.keyboard.type('Pablo Gómez');
  assert.deepEqual(await page.locator('[data-testid=child-name]').evaluateAll((els) => els.map((e) => e.value)), ['Lucía Gómez', 'Pablo Gómez'],
    '«Otro niño» puts the cursor in a new field');
  await page.fill('[data-testid=guardian-name]', 'Rosa Gómez');
  assert.equal(await page.isChecked('[data-testid=save-family]'), false, 'without a phone there is nothing to find them by');
  await page.fill('[data-testid=guardian-phone]', '81 2222 3333');
  assert.equal(await page.isChecked('[data-testid=save-family]'), true, 'a phone typed keeps them as a family by default');
  await page.click('[data-testid=offer][data-name="30 minutos de juego"]');
  await screenshot(page, 'families-5-walk-in');
  assert.deepEqual(await smallTouchTargets(page), [], 'every walk-in button is at least 48 px');
  await page.click('[data-testid=checkin-pay]');
  await page.click('[data-testid=pay-mode-card]');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=pickup-code]').waitFor();
  assert.deepEqual(await page.locator('[data-testid=pickup-child]').allTextContents(), ['Lucía Gómez', 'Pablo Gómez']);
  // A new family has signed nothing: the paid screen offers the consent too.
  await page.locator('[data-testid=done-consent-sign]').waitFor();

  const family = await findFamily(hub.url, rec, '8122223333');
  assert.ok(family, 'the walk-in was saved as a family');
  assert.deepEqual(family.guardians.map((g) => [g.name, g.phone]), [['Rosa Gómez', '8122223333']]);
  assert.deepEqual(family.children.map((c) => c.name), ['Lucía Gómez', 'Pablo Gómez']);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].family_id, family.id, 'the sale names the new family');
  assert.deepEqual(sent[0].items[0].children, family.children.map((c) => ({ child_id: c.id })), 'and its children by id');
  const sale = await newestSale(hub.url, rec);
  assert.equal(sale.family_id, family.id);
  assert.deepEqual(sale.items[0].children.map((c) => c.child_id), family.children.map((c) => c.id));
  assert.deepEqual(desk.errors.map(String), [], 'no script errors');
  await desk.context.close();
});

test('a party names its birthday child first; the children not named come in as guests', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const party = items(await call(hub.url, rec, 'GET', '/packages')).find((p) => p.name === 'Fiesta 10 niños');
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  const page = desk.page;

  await page.fill('[data-testid=child-name]', 'Beto Ruiz');
  await page.click('[data-testid=add-child]');
  await page.keyboard.type('Lupita Ruiz');
  await page.click(`[data-testid=offer][data-name="${party.name}"]`);
  assert.match(await page.textContent('[data-testid=package-children]'), /Hasta 10 niños/);
  await page.selectOption('[data-testid=birthday-child]', { label: 'Lupita Ruiz' });
  await screenshot(page, 'families-6-party');
  await page.click('[data-testid=checkin-pay]');
  await page.click('[data-testid=pay-mode-card]');
  await page.click('[data-testid=pay-confirm]');
  await page.locator('[data-testid=pickup-code]').waitFor();
  const names = await page.locator('[data-testid=pickup-child]').allTextContents();
  assert.deepEqual(names.slice(0, 2), ['Lupita Ruiz', 'Beto Ruiz'], 'the birthday child first');
  assert.deepEqual(names.slice(2), ['Invitado 3', 'Invitado 4', 'Invitado 5', 'Invitado 6', 'Invitado 7', 'Invitado 8', 'Invitado 9', 'Invitado 10']);
  const sale = await newestSale(hub.url, rec);
  assert.equal(sale.timers.length, 10, 'ten timers for a party of ten');
  assert.equal(new Set(sale.timers.map((t) => t.pickup_code)).size, 1, 'under one pick-up code');
  await desk.context.close();
});

test('a full venue lets a family in only with an administrator’s PIN', { timeout: 120_000 }, async () => {
  // A hub of its own: filling the venue would refuse the other tests' children.
  const full = await startHub();
  try {
    const rec = await login(full.url, 'recepcion');
    const admin = await call(full.url, await login(full.url, 'admin'), 'GET', '/auth/me');
    const services = items(await call(full.url, rec, 'GET', '/services'));
    const short = services.find((s) => s.name === '30 minutos de juego');
    const { capacity } = await call(full.url, rec, 'GET', '/occupancy');
    // The venue full, spread over two other services: each service has a limit of its own too.
    const others = services.filter((s) => s.name === '2 horas de juego' || s.name === 'Día completo');
    const half = Math.ceil(capacity / 2);
    for (const [i, s] of others.entries()) {
      const n = i === 0 ? half : capacity - half;
      await call(full.url, rec, 'POST', '/sales', {
        items: [{ service_id: s.id, children: Array.from({ length: n }, (_, k) => ({ name: `Niño ${i}-${k + 1}` })) }],
        payments: [{ method: 'cash', amount_cents: s.price_cents * n }],
      });
    }
    assert.equal((await call(full.url, rec, 'GET', '/occupancy')).full, true, 'the venue is full');
    const family = await findFamily(full.url, rec, 'María Hernández');

    const desk = await openAs(browser, full.url, 'recepcion', DESK);
    const page = desk.page;
    const sent = recordSales(page);
    await page.fill('[data-testid=family-search]', 'Hernández');
    await page.click(`[data-testid=family-result][data-family-id="${family.id}"]`);
    await page.click(`[data-testid=offer][data-name="${short.name}"]`);
    await page.click('[data-testid=checkin-pay]');
    await page.click('[data-testid=pay-mode-card]');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=capacity-full]').waitFor();
    assert.match(await page.textContent('[role=dialog] [data-testid=error]'), /lleno/, 'the hub’s own message is shown');
    await screenshot(page, 'families-7-capacity-full');
    assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the refusal and its «Autorizar entrada» fit');
    await page.click('[data-testid=capacity-authorize]');
    assert.match(await page.textContent('[data-testid=checkout-needs-auth]'), /local está lleno/, 'the PIN is asked for the capacity, not a discount');

    // A wrong PIN is refused by the hub; the right one lets the child in.
    await page.fill('[data-testid=checkout-supervisor]', 'admin');
    for (const d of '1111') await page.click(`[data-testid=checkout-pin-key-${d}]`);
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=checkout-pin-field][aria-invalid=true]').waitFor();
    for (const d of '2468') await page.click(`[data-testid=checkout-pin-key-${d}]`);
    await screenshot(page, 'families-8-capacity-pin');
    assert.deepEqual(await layoutProblems(page, '[role=dialog]'), [], 'the payment with the capacity PIN fits at 1366×768');
    await page.click('[data-testid=pay-confirm]');
    await page.locator('[data-testid=pickup-code]').waitFor();

    const last = sent.at(-1);
    assert.equal(last.capacity_override, true, 'the retry asks to go over the capacity');
    assert.deepEqual(last.authorization, { username: 'admin', pin: '2468' });
    assert.equal(sent[0].capacity_override, undefined, 'the first attempt did not');
    const sale = await newestSale(full.url, rec);
    assert.equal(sale.family_id, family.id);
    assert.equal(sale.capacity_override_by, admin.id, 'the sale records who let them in');
    assert.equal((await call(full.url, rec, 'GET', '/occupancy')).inside, capacity + 1, 'one child over the capacity');
    assert.deepEqual(desk.errors.map(String), [], 'no script errors');
    await desk.context.close();
  } finally {
    await full.stop();
  }
});
