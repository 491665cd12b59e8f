// Families on the real hub, from the owner's side and on the wall: a party of ten sold at the desk
// shows as ten tiles on the 1920×1080 monitor, each with the name the hub gives the wall, under the
// venue's occupancy; the admin edits a family (an authorised adult added, a wrong phone refused on
// its field) and admin_viewer only looks; the owner exports a family's data and erases it, after
// which the search no longer finds it; the «Clientes» report counts two families' check-ins; the
// branch's settings save capacity, retention and full names, and the wall then shows full names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, layoutProblems, openAs, screenshot, smallTouchTargets, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { tempDir } from './tmp.mjs';
import { dayIn } from './zones.mjs';

let hub;
let browser;
/** The wall, open from the first test on (the last one watches it switch to full names). */
let wall;

before(async () => {
  hub = await startHub();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const PARTY = ['Ana Ruiz', 'Bruno Díaz', 'Carla Gómez', 'Daniel Pérez', 'Elena Torres', 'Fernando López', 'Gabriela Sánchez',
  'Hugo Martínez', 'Isabel Flores', 'Jorge Ramírez'];
/** As the wall shows them by default: first name and initial. */
const initialled = (name) => `${name.split(' ')[0]} ${name.split(' ')[1][0]}.`;

const tileNames = (page) => page.$$eval('[data-testid=monitor-tile] [data-testid=monitor-name]', (els) => els.map((e) => e.textContent.trim()).sort());

test('a party of ten shows as ten readable tiles on the wall, named as the hub names them, under the occupancy', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const party = items(await call(hub.url, rec, 'GET', '/packages')).find((p) => p.name === 'Fiesta 10 niños');
  assert.ok(party, 'the demo sells «Fiesta 10 niños»');
  const sale = await call(hub.url, rec, 'POST', '/sales', {
    items: [{ package_id: party.id, children: PARTY.map((name) => ({ name })) }],
    payments: [{ method: 'cash', amount_cents: party.price_cents }],
  });
  assert.equal(sale.timers.length, 10, 'the hub made one timer per child');

  wall = await openAs(browser, hub.url, 'monitor', WALL);
  const m = wall.page;
  await m.locator('[data-testid=monitor-tile]').nth(9).waitFor({ timeout: 5000 });
  assert.equal(await m.locator('[data-testid=monitor-tile]').count(), 10, 'ten separate tiles');
  const monitorToken = await login(hub.url, 'monitor');
  const fromHub = items(await call(hub.url, monitorToken, 'GET', '/timers?state=running')).map((t) => t.child_name).sort();
  assert.deepEqual(fromHub, PARTY.map(initialled).sort(), 'the hub gives the wall first name and initial');
  assert.deepEqual(await tileNames(m), fromHub, 'each tile carries its child’s name as the hub sent it');

  const occupancy = m.locator('[data-testid=monitor-occupancy]');
  await m.locator('[data-testid=monitor-occupancy][data-inside="10"]').waitFor({ timeout: 3000 });
  assert.match(await occupancy.textContent(), /10\s*\/\s*40/, 'ten inside of the venue’s forty');

  // Readable from across the room: every name whole, big type, nothing spilling out of a tile.
  const sizes = await m.$$eval('[data-testid=monitor-tile]', (tiles) =>
    tiles.map((tile) => {
      const name = tile.querySelector('[data-testid=monitor-name]');
      const countdown = tile.querySelector('[data-testid=countdown]');
      const box = tile.getBoundingClientRect();
      return {
        name: parseFloat(getComputedStyle(name).fontSize),
        countdown: parseFloat(getComputedStyle(countdown).fontSize),
        whole: name.scrollWidth <= name.clientWidth && countdown.scrollWidth <= countdown.clientWidth,
        onScreen: box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
      };
    }),
  );
  for (const s of sizes) {
    assert.ok(s.name >= 40, `a name is at least 40 px (${s.name})`);
    assert.ok(s.countdown >= 80, `a countdown is at least 80 px (${s.countdown})`);
    assert.ok(s.whole, 'no name or countdown is cut');
    assert.ok(s.onScreen, 'every tile is on the screen');
  }
  await screenshot(m, 'monitor-party-of-ten');
  assert.deepEqual(await layoutProblems(m), [], 'the wall fits 1920×1080');
  assert.deepEqual(wall.errors.map(String), [], 'no script errors');
});

test('the admin adds an authorised adult to a family; a wrong phone is refused on its field; admin_viewer only looks', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const family = items(await call(hub.url, adminToken, 'GET', '/families?q=ana lopez'))[0];
  assert.ok(family, 'the demo has Ana López’s family');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-families]');
  await page.fill('[data-testid=families-search]', 'lopez');
  const row = page.locator(`[data-testid=family-row][data-id="${family.id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /55 1234 5678/, 'the list shows the guardian’s phone');
  assert.match(await row.textContent(), /Sofía López/, 'and the children');
  await screenshot(page, 'admin-families');
  assert.deepEqual(await layoutProblems(page), [], 'the families list fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every families button is at least 48 px');

  await row.locator('[data-testid=family-open]').click();
  const dialog = page.locator('[role=dialog]');
  await dialog.locator('[data-testid=family-editor]').waitFor();
  await dialog.locator('[data-testid=family-add-pickup_adults]').click();
  await dialog.locator('input[name="pickup_adults[0].name"]').fill('Rosa Díaz');
  await dialog.locator('input[name="pickup_adults[0].phone"]').fill('55 8765 4321');
  await dialog.locator('input[name="pickup_adults[0].relation"]').fill('Abuela');
  await dialog.locator('input[name="guardians[0].phone"]').fill('123');
  await dialog.locator('[data-testid=family-save]').click();

  const fieldError = dialog.locator('[data-testid=field-error][data-field="guardians[0].phone"]');
  await fieldError.waitFor();
  const res = await fetch(`${hub.url}/api/v1/families/${family.id}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'accept-language': 'es-MX' },
    body: JSON.stringify({ guardians: [{ name: 'Ana López', phone: '123', email: '' }] }),
  });
  const refusal = (await res.json()).error;
  assert.equal(res.status, 422);
  assert.equal(refusal.field, 'guardians[0].phone');
  assert.equal((await fieldError.textContent()).trim(), refusal.message, 'the hub’s own words under the phone');
  assert.equal(await dialog.locator('input[name="guardians[0].phone"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await dialog.locator('[data-testid=error]').count(), 0, 'the message is on the field, not repeated below the form');
  await screenshot(page, 'admin-family-phone-refused');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] form'), [], 'the family dialog (it scrolls) fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every family-dialog button is at least 48 px');
  assert.deepEqual((await call(hub.url, adminToken, 'GET', `/families/${family.id}`)).pickup_adults, [], 'nothing was saved');

  await dialog.locator('input[name="guardians[0].phone"]').fill('55 1234 5678');
  await dialog.locator('[data-testid=family-save]').click();
  await dialog.waitFor({ state: 'detached' });
  const saved = await call(hub.url, adminToken, 'GET', `/families/${family.id}`);
  assert.deepEqual(saved.pickup_adults, [{ name: 'Rosa Díaz', phone: '5587654321', relation: 'Abuela' }], 'the adult as typed, the phone as digits');
  assert.deepEqual(saved.children.filter((c) => c.active).map((c) => c.name), ['Sofía López', 'Mateo López'], 'the children stay');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();

  // admin_viewer reads the same record and can change nothing.
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  const v = viewer.page;
  await v.click('[data-testid=tab-families]');
  await v.locator(`[data-testid=family-row][data-id="${family.id}"] [data-testid=family-open]`).click();
  await v.locator('[role=dialog] [data-testid=family-editor]').waitFor();
  assert.equal(await v.inputValue('[role=dialog] input[name="pickup_adults[0].name"]'), 'Rosa Díaz');
  assert.ok(await v.locator('[role=dialog] input[name="guardians[0].phone"]').isDisabled(), 'the inputs are read-only');
  for (const id of ['family-save', 'family-export', 'family-erase', 'family-add-children']) {
    assert.equal(await v.locator(`[data-testid=${id}]`).count(), 0, `no ${id} for admin_viewer`);
  }
  assert.equal(await v.locator('[data-testid=family-new]').count(), 0, 'admin_viewer adds no family');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors');
  await viewer.context.close();
});

test('the owner exports a family’s data as JSON and erases it; the search no longer finds it', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const family = await call(hub.url, adminToken, 'POST', '/families', {
    guardians: [{ name: 'Laura Méndez', phone: '5523456789', email: 'laura@example.mx' }],
    children: [{ name: 'Pablo Méndez', birth_date: '2019-05-04', notes: 'Asma' }],
  });

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-families]');
  await page.fill('[data-testid=families-search]', '55 2345 6789');
  const row = page.locator(`[data-testid=family-row][data-id="${family.id}"]`);
  await row.waitFor();
  await row.locator('[data-testid=family-open]').click();

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=family-export]')]);
  assert.match(download.suggestedFilename(), /^kidyboard-familia-laura-mendez-\d{4}-\d{2}-\d{2}\.json$/);
  const path = join(tempDir('kidyboard-family'), download.suggestedFilename());
  await download.saveAs(path);
  const exported = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(exported.family.id, family.id, 'the file is this family’s');
  assert.equal(exported.family.guardians[0].email, 'laura@example.mx', 'with everything held about it');
  assert.equal(exported.family.children[0].notes, 'Asma');
  assert.ok(Array.isArray(exported.consents) && Array.isArray(exported.visits), 'consents and visits included');

  await page.click('[data-testid=family-erase]');
  const confirm = page.locator('[data-testid=family-erase-confirm]');
  assert.ok(await confirm.isDisabled(), 'no erasure without a reason');
  await page.locator('[data-testid=family-erase-reason-chip]').first().click();
  await screenshot(page, 'admin-family-erase');
  assert.deepEqual(await layoutProblems(page, '[role=dialog] form'), [], 'the erase confirmation fits');
  await confirm.click();
  // Closed once the hub has erased it; a refusal stays on the form in the hub's words.
  const refused = page.locator('[data-testid=family-erase-form] [data-testid=error]');
  await Promise.race([page.locator('[role=dialog]').waitFor({ state: 'detached' }), refused.waitFor()]);
  assert.equal(await refused.count(), 0, `the hub erased the family (it answered: ${await refused.textContent().catch(() => '')})`);

  // Searched again, by phone and by name: gone from the list and from the hub's search.
  await page.fill('[data-testid=families-search]', '');
  await page.fill('[data-testid=families-search]', '5523456789');
  await page.locator('[data-testid=families] td.muted').waitFor();
  assert.equal(await page.locator(`[data-testid=family-row][data-id="${family.id}"]`).count(), 0, 'the phone finds nothing');
  await page.fill('[data-testid=families-search]', 'Méndez');
  await page.locator('[data-testid=families] td.muted').waitFor();
  assert.equal(await page.locator('[data-testid=family-row]').count(), 0, 'the name finds nothing');
  assert.equal(items(await call(hub.url, adminToken, 'GET', '/families?q=mendez')).length, 0, 'the hub finds nothing');
  const erased = await call(hub.url, adminToken, 'GET', `/families/${family.id}`);
  assert.ok(erased.erased_at, 'the hub marks the family erased');
  assert.ok(!JSON.stringify(erased).includes('Laura'), 'the guardian’s name is gone');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});

test('«Clientes» counts two families’ check-ins: new, returning, visits per family, birthdays, consent coverage', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const rec = await login(hub.url, 'recepcion');
  const branch = items(await call(hub.url, adminToken, 'GET', '/branches'))[0];
  const today = dayIn(branch.timezone);
  const birthday = `${Number(today.slice(0, 4)) - 6}-${today.slice(5, 7)}-01`;
  const service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.name === '1 hora de juego');
  const consent = await call(hub.url, rec, 'GET', '/consents/current');

  const made = [];
  for (const [guardian, phone, child, born] of [
    ['Paola Castro', '5534567890', 'Iker Castro', birthday],
    ['Rubén Ortiz', '3311223344', 'Mía Ortiz', '2018-02-10'],
  ]) {
    const family = await call(hub.url, rec, 'POST', '/families', { guardians: [{ name: guardian, phone }], children: [{ name: child, birth_date: born }] });
    await call(hub.url, rec, 'POST', '/sales', {
      family_id: family.id,
      items: [{ service_id: service.id, children: [{ child_id: family.children[0].id }] }],
      payments: [{ method: 'cash', amount_cents: service.price_cents }],
    });
    made.push(family);
  }
  // One of the two signs the current consent at the desk.
  await call(hub.url, rec, 'POST', `/families/${made[0].id}/consents`, {
    version: consent.version, signer_name: 'Paola Castro', privacy_accepted: true,
    signature: { width: 300, height: 100, strokes: [[[10, 10], [120, 60], [280, 20]]] },
  });
  const report = await call(hub.url, adminToken, 'GET', `/reports/customers?from=${today}&to=${today}`);
  assert.equal(report.new_families, 2, 'the two families are new today');
  assert.equal(report.consent_current, 1, 'one accepted the current consent');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-reports]');
  await page.click('[data-testid=rep-preset-today]');
  await page.click('[data-testid=rep-tab-customers]');
  await page.locator('[data-testid=customers]').waitFor();
  const figure = (id) => page.textContent(`[data-testid=customers-${id}]`);
  assert.equal(await figure('visited'), String(report.families_visited), 'families that came');
  assert.equal(await figure('new'), '2', 'new families');
  assert.equal(await figure('returning'), String(report.returning_families), 'returning families');
  assert.equal(await figure('consent'), `${report.consent_coverage_percent} %`, 'consent coverage');
  assert.match(await figure('walkins'), new RegExp(`${report.walk_in_visits}$`), 'walk-in visits (the party)');
  const oneVisit = report.visits_per_family.find((b) => b.visits === 1).families;
  assert.match(await page.textContent('[data-testid=customers-visits-per-family]'), new RegExp(`1 visita\\s*${oneVisit}`), 'families with one visit');

  const birthdayRow = page.locator(`[data-testid=customers-birthday][data-child-id="${made[0].children[0].id}"]`);
  await birthdayRow.scrollIntoViewIfNeeded();
  const text = await birthdayRow.textContent();
  assert.match(text, /Iker Castro/);
  assert.match(text, /6 años/, 'the age they turn');
  assert.match(text, /55 3456 7890/, 'the guardian’s phone to invite them');
  await screenshot(page, 'admin-reports-customers');
  assert.deepEqual(await layoutProblems(page), [], 'the Clientes report fits at 1366×768');
  assert.deepEqual(await smallTouchTargets(page), [], 'every report button is at least 48 px');

  // The sales tab is still the default and still there.
  await page.click('[data-testid=rep-tab-sales]');
  await page.locator('[data-testid=rep-kpi-revenue]').waitFor();
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});

test('the branch saves capacity, retention, the call before the end and full names; the wall then shows full names', { timeout: 120_000 }, async () => {
  const adminToken = await login(hub.url, 'admin');
  const branch = items(await call(hub.url, adminToken, 'GET', '/branches'))[0];
  assert.equal(branch.monitor_full_names, false, 'the wall starts with first name and initial');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-branches]');
  await page.locator(`[data-testid=entity-row][data-id="${branch.id}"] button`).click();
  const form = page.locator('[role=dialog] form');
  await form.waitFor();
  await form.locator('input[name=retention_months]').fill('0');
  await page.click('[data-testid=entity-save]');
  await form.locator('[data-testid=field-error]').waitFor();
  assert.equal(await form.locator('input[name=retention_months]').getAttribute('aria-invalid'), 'true', 'the hub refuses 0 months on the field');

  await form.locator('input[name=capacity]').fill('30');
  await form.locator('input[name=retention_months]').fill('12');
  await form.locator('input[name=warning_minutes]').fill('10');
  await form.locator('input[name=monitor_full_names]').check();
  await form.locator('input[name=monitor_full_names]').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-branch-families');
  await page.click('[data-testid=entity-save]');
  await page.locator('[role=dialog]').waitFor({ state: 'detached' });
  const b = await call(hub.url, adminToken, 'GET', `/branches/${branch.id}`);
  assert.deepEqual(
    { capacity: b.capacity, retention: b.retention_months, warning: b.warning_minutes, full: b.monitor_full_names },
    { capacity: 30, retention: 12, warning: 10, full: true },
    'the branch holds what the form saved',
  );

  // The wall, open since the first test, follows by itself (run alone, this test opens one now).
  wall ??= await openAs(browser, hub.url, 'monitor', WALL);
  const m = wall.page;
  await m.waitForFunction(
    (names) => {
      const shown = [...document.querySelectorAll('[data-testid=monitor-tile] [data-testid=monitor-name]')].map((e) => e.textContent.trim());
      return names.every((n) => shown.includes(n));
    },
    PARTY,
    { timeout: 5000 },
  );
  await m.locator('[data-testid=monitor-occupancy][data-capacity="30"]').waitFor({ timeout: 3000 });
  const { inside } = await call(hub.url, adminToken, 'GET', '/occupancy');
  assert.match(await m.textContent('[data-testid=monitor-occupancy]'), new RegExp(`${inside}\\s*/\\s*30`), 'the new capacity on the wall');
  const cut = await m.$$eval('[data-testid=monitor-name]', (els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
  assert.deepEqual(cut, [], 'every full name fits its tile');
  await screenshot(m, 'monitor-full-names');
  assert.deepEqual([...admin.errors, ...wall.errors].map(String), [], 'no script errors');
  await admin.context.close();
});
