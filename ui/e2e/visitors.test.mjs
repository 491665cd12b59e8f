// The admin's Visitantes section shows what the totem's counter reported: visitors, dwell,
// conversion beside sales, a camera whose model failed with the hint to fix it, a working camera
// with its count and last report, and how to add a camera with the desktop app (never a command
// line). Admins edit the shifts (the hub's complaint shows by the field it names; the chart
// follows a save); a read-only admin sees them without controls. Admins watch a camera's live
// picture, relayed by the hub from memory while someone watches.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenProblems, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { secondsIntoDay } from './zones.mjs';

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

// A ULID: 48-bit time then 80 random bits, in Crockford base 32.
function ulid(ms) {
  const abc = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = abc[t % 32] + time;
  const rand = [...randomBytes(16)].map((b) => abc[b % 32]).join('');
  return time + rand;
}

/** The instant of the last midnight in the zone (the start of its today, in ms). */
function sinceMidnight(timeZone, now = Date.now()) {
  return now - (now % 1000) - secondsIntoDay(timeZone, now) * 1000;
}

test('visitors, dwell and conversion reach the admin, and a broken camera says what to do', { timeout: 120_000 }, async () => {
  const totem = await login(hub.url, 'totem');
  const { timezone } = items(await call(hub.url, totem, 'GET', '/branches'))[0];
  // Three visits that started together a few minutes ago, but never before the branch's midnight
  // (just after it, "a few minutes ago" is yesterday): 8 s, 45 s, 2 min.
  const start = Math.max(Date.now() - 240_000, sinceMidnight(timezone) + 1_000);
  const visits = [8_000, 45_000, 120_000].map((dwell) => (
    { id: ulid(start), started_at: new Date(start).toISOString(), ended_at: new Date(start + dwell).toISOString() }
  ));
  const stored = await call(hub.url, totem, 'POST', '/vision/visits', { device_id: 'totem-entrada', visits });
  assert.equal(stored.recorded, 3);
  await call(hub.url, totem, 'PUT', '/vision/status', {
    device_id: 'totem-entrada', state: 'model_error', message: 'the face model is missing', source: 'camera:0',
  });

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-visitors]');
  await a.locator('[data-testid=vis-visitors]', { hasText: '3' }).waitFor({ timeout: 5000 });
  assert.equal((await a.textContent('[data-testid=vis-avg-dwell]'))?.trim(), '58 s', 'average of 8 s, 45 s and 120 s');
  assert.equal((await a.textContent('[data-testid=vis-conversion]'))?.trim(), '0.0 %', 'nobody checked in yet');
  const hour = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: timezone }).format(new Date(start));
  await a.locator(`svg[aria-label="Visitantes por hora"] title`, { hasText: `${Number(hour)}h: 3` }).waitFor({ state: 'attached' });
  const camera = a.locator('[data-testid=vis-camera]');
  const broken = camera.filter({ hasText: 'totem-entrada' });
  await broken.locator('text=el modelo no cargó').waitFor();
  await broken.locator('text=reinstala la app de escritorio').waitFor();
  await screenshot(a, 'admin-visitors');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

// What a page must not ask of a shop owner: programs typed at a prompt.
const COMMAND_LINE = /kidyboard\s+(audio|vision|serve|user)\b|\.sh\b|terminal|comando|consola|--[a-z]/i;

test('cameras are listed with their count and last report, and how to add one uses the desktop app', { timeout: 120_000 }, async () => {
  const totem = await login(hub.url, 'totem');
  await call(hub.url, totem, 'PUT', '/vision/status', {
    device_id: 'totem-pasillo', state: 'ok', message: '', source: 'camera:0', in_view: 2, fps: 4.5,
  });
  // The runner's own message for a missing model names a developer script: the page must not repeat it.
  await call(hub.url, totem, 'PUT', '/vision/status', {
    device_id: 'totem-entrada', state: 'model_error', message: 'the face model is missing — run scripts/fetch-vision.sh', source: 'camera:0',
  });

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-visitors]');
  const working = a.locator('[data-testid=vis-camera]', { hasText: 'totem-pasillo' });
  await working.waitFor({ timeout: 10_000 });
  assert.equal((await working.locator('[data-testid=vis-in-view]').textContent())?.trim(), '2 frente a la cámara · 4.5 fps');
  assert.match((await working.locator('[data-testid=vis-last-report]').textContent()) ?? '', /^Último reporte: hace (un momento|\d+ s)$/);
  assert.match((await working.textContent()) ?? '', /contando/);
  assert.equal(await working.locator('[data-testid=vis-preview]').count(), 1, 'room is kept for the live view');

  const help = a.locator('[data-testid=setup-help-vision]');
  await help.locator('summary').click();
  const steps = (await help.textContent()) ?? '';
  for (const step of ['Agregar una cámara desde otro equipo', 'app de escritorio', 'Configurar este equipo', 'Contar visitantes con la cámara de este equipo', '«totem»', 'Guardar y empezar', 'encendido']) {
    assert.ok(steps.includes(step), `the steps mention «${step}»`);
  }
  await a.locator('text=Agregar una cámara desde otro equipo').waitFor();
  assert.doesNotMatch((await a.textContent('[data-testid=visitors]')) ?? '', COMMAND_LINE, 'no command-line program is mentioned');

  for (const [size, name] of [[DESK, 'admin-visitors-cameras-desk'], [WALL, 'admin-visitors-cameras-wall']]) {
    await a.setViewportSize(size);
    await screenshot(a, name);
    assert.deepEqual(await screenProblems(a), [], `nothing overflows or overlaps at ${size.width}×${size.height}`);
  }
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();
});

test('admins edit the shifts, the hub’s complaint shows by its field, the chart follows; read-only sees no controls', { timeout: 120_000 }, async () => {
  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-visitors]');
  const editor = a.locator('[data-testid=vis-shifts]');
  const field = (key, row) => editor.locator(`[data-testid=vis-shift-${key}]`).nth(row);
  const save = async () => {
    await editor.locator('[data-testid=vis-shifts-save]').click();
  };
  await field('name', 2).waitFor({ timeout: 10_000 });
  assert.equal(await field('name', 0).inputValue(), 'mañana', 'the default shifts show');

  // End before start: the hub blames items[1].end, and the message sits under that input.
  await field('end', 1).fill('13:00');
  await save();
  const endError = editor.locator('[data-testid=vis-shift-error][data-field="items[1].end"]');
  await endError.waitFor();
  assert.match((await endError.textContent()) ?? '', /^Fin: el turno debe terminar después de empezar/);
  assert.equal(await field('end', 1).getAttribute('aria-invalid'), 'true', 'the blamed input is marked');
  assert.equal(await field('start', 1).getAttribute('aria-invalid'), 'false');
  const [input, note] = await Promise.all([field('end', 1).boundingBox(), endError.boundingBox()]);
  assert.ok(note.y >= input.y + input.height - 1 && note.y - (input.y + input.height) < 24, 'the complaint sits right under the blamed row');
  assert.equal(await editor.locator('[data-testid=vis-shift-error]').count(), 1, 'only the blamed field complains');
  await screenshot(a, 'admin-visitors-shift-error');
  assert.deepEqual(await screenProblems(a), [], 'the error fits at 1366×768');

  // A time that is not HH:MM.
  await field('end', 1).fill('19:00');
  await field('start', 0).fill('25:99');
  await save();
  const startError = editor.locator('[data-testid=vis-shift-error][data-field="items[0].start"]');
  await startError.waitFor();
  assert.match((await startError.textContent()) ?? '', /^Inicio: hora inválida/);
  assert.equal(await field('start', 0).getAttribute('aria-invalid'), 'true');

  // Rename, re-time, remove and add; then save.
  await field('start', 0).fill('10:00');
  await field('name', 0).fill('Mañana');
  await editor.locator('[data-testid=vis-shift-remove]').nth(2).click();
  await editor.locator('[data-testid=vis-shift-add]').click();
  assert.equal(await field('start', 2).inputValue(), '19:00', 'a new shift starts where the last one ends');
  await field('name', 2).fill('Noche de fiesta');
  await field('end', 2).fill('23:30');
  await save();
  await editor.locator('text=Turnos guardados').waitFor();
  await a.locator('svg[aria-label="Visitantes por turno"] text.label', { hasText: 'Noche de fiesta (19:00–23:30)' }).waitFor({ state: 'attached', timeout: 5_000 });
  await a.locator('svg[aria-label="Visitantes por turno"] text.label', { hasText: 'Mañana (10:00–14:00)' }).waitFor({ state: 'attached' });

  const token = await login(hub.url, 'admin');
  assert.deepEqual(items(await call(hub.url, token, 'GET', '/vision/shifts')), [
    { name: 'Mañana', start: '10:00', end: '14:00' },
    { name: 'tarde', start: '14:00', end: '19:00' },
    { name: 'Noche de fiesta', start: '19:00', end: '23:30' },
  ]);

  await a.reload();
  await field('name', 2).waitFor({ timeout: 10_000 });
  assert.deepEqual(
    await editor.locator('[data-testid=vis-shift-name]').evaluateAll((els) => els.map((e) => e.value)),
    ['Mañana', 'tarde', 'Noche de fiesta'],
    'the saved shifts come back after a reload',
  );
  assert.equal(await field('end', 2).inputValue(), '23:30');
  await editor.scrollIntoViewIfNeeded();
  for (const [size, name] of [[DESK, 'admin-visitors-shifts-desk'], [WALL, 'admin-visitors-shifts-wall']]) {
    await a.setViewportSize(size);
    await screenshot(a, name);
    assert.deepEqual(await screenProblems(a), [], `nothing overflows or overlaps at ${size.width}×${size.height}`);
  }
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();

  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  const v = viewer.page;
  await v.click('[data-testid=tab-visitors]');
  const list = v.locator('[data-testid=vis-shifts]');
  await list.locator('[data-testid=vis-shift]', { hasText: 'Noche de fiesta' }).waitFor({ timeout: 10_000 });
  assert.match((await list.textContent()) ?? '', /19:00–23:30/);
  assert.equal(await list.locator('input, button').count(), 0, 'no edit controls for a read-only role');
  await list.scrollIntoViewIfNeeded();
  await screenshot(v, 'admin-visitors-shifts-readonly');
  assert.deepEqual(await screenProblems(v), [], 'the read-only list fits at 1366×768');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors');
  await viewer.context.close();
});

const JPEG = new URL('../../crates/images/tests/data/grace_hopper.jpg', import.meta.url); // 512×600

/** What a counter does while someone watches: PUTs its newest frame, answered {preview_wanted}. */
async function sendFrame(base, token, deviceId) {
  const res = await fetch(`${base}/api/v1/vision/preview/${deviceId}`, {
    method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: readFileSync(JPEG),
  });
  assert.ok(res.ok, `the hub takes the frame: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

test('an admin watches a camera live («Ver cámara»), a read-only admin too; polling stops when it is closed', { timeout: 120_000 }, async () => {
  const totem = await login(hub.url, 'totem');
  const device = 'totem-vista';
  const status = { device_id: device, state: 'ok', message: '', source: 'camera:0', in_view: 1, fps: 4 };
  await call(hub.url, totem, 'PUT', '/vision/status', status);

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-visitors]');
  const card = a.locator('[data-testid=vis-camera]', { hasText: device });
  await card.waitFor({ timeout: 10_000 });
  assert.match((await card.locator('[data-testid=vis-preview]').textContent()) ?? '', /no se guarda/, 'the card says the picture is not stored');
  await card.locator('[data-testid=vis-preview-open]').click();
  await card.locator('[data-testid=vis-preview-waiting]', { hasText: 'Esperando la imagen de la cámara…' }).waitFor({ timeout: 5000 });

  // Asking made the hub want frames from that counter: its next status answer says so.
  const answer = await call(hub.url, totem, 'PUT', '/vision/status', status);
  assert.equal(answer.preview_wanted, true, 'the counter is told an admin is watching');
  assert.equal((await sendFrame(hub.url, totem, device)).preview_wanted, true);
  const image = card.locator('[data-testid=vis-preview-image]');
  await image.waitFor({ timeout: 5000 });
  assert.equal(await image.evaluate((img) => img.decode().then(() => img.naturalWidth)), 512, 'the camera’s JPEG shows at its own width');
  await screenshot(a, 'admin-visitors-preview');
  assert.deepEqual(await screenProblems(a), [], 'the open preview fits at 1366×768');

  // Closed, it stops asking.
  const asked = [];
  a.on('request', (r) => r.url().includes('/vision/preview/') && asked.push(r.url()));
  await card.locator('[data-testid=vis-preview-close]').click();
  await image.waitFor({ state: 'detached' });
  await a.waitForTimeout(2500);
  assert.deepEqual(asked, [], 'no frame is asked for once the preview is closed');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
  await admin.context.close();

  // A read-only admin (gerente) may watch too.
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  const v = viewer.page;
  await v.click('[data-testid=tab-visitors]');
  const seen = v.locator('[data-testid=vis-camera]', { hasText: device });
  await seen.locator('[data-testid=vis-preview-open]').click();
  await v.waitForTimeout(1200);
  await sendFrame(hub.url, totem, device);
  const frame = seen.locator('[data-testid=vis-preview-image]');
  await frame.waitFor({ timeout: 5000 });
  assert.equal(await frame.evaluate((img) => img.decode().then(() => img.naturalWidth)), 512);
  // Leaving the page stops the polling too.
  const later = [];
  v.on('request', (r) => r.url().includes('/vision/preview/') && later.push(r.url()));
  await v.click('[data-testid=tab-dashboard]');
  await v.waitForTimeout(2500);
  assert.deepEqual(later, [], 'no frame is asked for once the page is left');
  assert.deepEqual(viewer.errors.map(String), [], 'no script errors');
  await viewer.context.close();

  // Reception has no admin pages, so no camera to open.
  const desk = await openAs(browser, hub.url, 'recepcion', DESK);
  await desk.page.goto(`${hub.url}/admin/visitors`);
  await desk.page.waitForTimeout(1000);
  assert.equal(await desk.page.locator('[data-testid=vis-preview-open]').count(), 0, '«Ver cámara» is not there for reception');
  await desk.context.close();
});
