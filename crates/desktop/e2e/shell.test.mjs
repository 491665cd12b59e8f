// The desktop shell end to end, on a private X display: the reception PC is set up to host the
// store (the hub runs inside the shell), a member of staff logs in and checks a child in, and
// the timer shows; then a second device set up as a wall monitor connected to that hub shows
// the same timer. Screenshots go to test-output/desktop/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deviceEnv, freePort, OUTPUT_DIR, ROOT, Session, startDisplay, startDriver, stopAll } from './harness.mjs';

const { startHub } = await import(join(ROOT, 'ui/e2e/hub.mjs'));

const ADMIN_PASSWORD = 'clave-de-tienda';
const DEMO_PASSWORD = 'demo1234';
const CHILD = 'Sofía Ramírez';
// What the wall calls her: first name and initial (the branch may choose full names).
const WALL_NAME = 'Sofía R.';

let display;
const sessions = [];

before(async () => {
  display = await startDisplay();
});

after(async () => {
  for (const s of sessions) await s.quit();
  await stopAll();
});

async function login(s, username) {
  await s.waitForUrl((u) => u.pathname.startsWith('/login'));
  await s.type('input[name=username]', username);
  await s.type('input[name=password]', DEMO_PASSWORD);
  await s.click('button[type=submit]');
  await s.waitForUrl((u) => !u.pathname.startsWith('/login'));
}

async function setUp(s, { role, host, url, listen, audio }) {
  await s.waitFor('body[data-ready=true]');
  assert.match(await s.url(), /setup\.html$/, 'a device that was never set up opens the setup screen');
  await s.click(`[data-testid=role-${role}]`);
  if (host) {
    await s.click('[data-testid=mode-host]');
    await s.type('[data-testid=listen]', listen);
    await s.click('[data-testid=demo]');
  } else {
    await s.click('[data-testid=mode-remote]');
    await s.type('[data-testid=hub-url]', url);
    await s.click('[data-testid=test-hub]');
    await s.waitFor('[data-testid=test-result].ok', { text: 'Conectado' });
  }
  if (audio) {
    await s.click('[data-testid=audio]');
    await s.type('[data-testid=audio-user]', audio.user);
    await s.type('[data-testid=audio-password]', audio.password);
  }
  await s.type('[data-testid=admin-password]', ADMIN_PASSWORD);
  await s.type('[data-testid=admin-password2]', ADMIN_PASSWORD);
  await s.screenshot(`setup-${role}`);
  await s.clickAndLeave('[data-testid=setup-save]');
}

test('reception hosts the store and checks a child in; a monitor device shows the timer', { timeout: 240_000 }, async () => {
  const port = await freePort();
  const hubUrl = `http://127.0.0.1:${port}`;

  // The reception PC: first run, host the store here.
  const receptionEnv = deviceEnv(display, 'reception');
  const reception = await Session.start(await startDriver(receptionEnv));
  sessions.push(reception);
  await setUp(reception, {
    role: 'reception',
    host: true,
    listen: `127.0.0.1:${port}`,
    audio: { user: 'monitor', password: DEMO_PASSWORD },
  });
  const at = await reception.waitForUrl((u) => u.origin === hubUrl);
  assert.equal(at.origin, hubUrl, 'the window loads the UI from the hub started inside the shell');
  const health = await fetch(`${hubUrl}/healthz`).then((r) => r.json());
  assert.equal(health.status, 'ok', 'the embedded hub answers other devices on its port');

  await login(reception, 'recepcion');
  const shell = (await reception.invoke('shell_info')).ok;
  assert.deepEqual(
    { role: shell.role, hosting: shell.hosting, kiosk: shell.kiosk, hub: shell.hub_url },
    { role: 'reception', hosting: true, kiosk: false, hub: hubUrl },
    'the hub page can ask the shell about the device',
  );
  // The speakers part chosen at setup signs in to the store (whose demo staff appeared just after
  // the hub started, so its first attempt is refused and retried) and follows the timers.
  let speakers;
  for (let i = 0; i < 100; i++) {
    speakers = (await reception.invoke('shell_info')).ok.parts.audio;
    if (speakers?.connected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(speakers?.connected, `the shell's speaker player follows the hub: ${JSON.stringify(speakers)}`);
  assert.ok(['ok', 'no_device'].includes(speakers.state), 'a PC without a sound card is a status, not a failure');
  const refused = await reception.invoke('save_setup', { form: {} });
  assert.ok(refused.err, 'the hub page cannot call the setup commands');
  assert.match(JSON.stringify(refused.err), /not allowed|denied/i);

  await reception.type('[data-testid=child-name]', CHILD);
  await reception.type('[data-testid=guardian-name]', 'Ana Ramírez');
  await reception.type('[data-testid=guardian-phone]', '5512345678');
  await reception.click('[data-testid=offer]');
  await reception.click('[data-testid=checkin-pay]');
  await reception.click('[data-testid=pay-mode-cash]');
  await reception.type('[data-testid=cash-received]', '1000');
  await reception.click('[data-testid=pay-confirm]');
  await reception.waitFor('[data-testid=sale-done]');
  await reception.screenshot('reception-sale-done');

  // A network receipt printer (a TCP listener playing one) added to the device's settings; the
  // receipt button prints on it through the shell.
  const printed = [];
  const printer = createServer((socket) => {
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => printed.push(Buffer.concat(chunks)));
  });
  await new Promise((r) => printer.listen(0, '127.0.0.1', r));
  appendFileSync(
    join(receptionEnv.XDG_CONFIG_HOME, 'kidyboard/device.toml'),
    `\n[printer]\npaper = "58"\n[printer.target]\nkind = "network"\naddress = "127.0.0.1:${printer.address().port}"\n`,
  );
  await reception.click('[data-testid=sale-print]');
  for (let i = 0; i < 100 && printed.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  printer.close();
  assert.equal(printed.length, 1, 'the receipt printer got one job');
  const job = printed[0];
  assert.deepEqual([...job.subarray(0, 5)], [0x1b, 0x40, 0x1b, 0x74, 2], 'ESC @ then code page PC850');
  assert.ok(job.includes(Buffer.from([0x53, 0x6f, 0x66, 0xa1, 0x61])), 'the child’s name, «Sofía» in PC850, is on the receipt');
  assert.ok(job.includes(Buffer.from('Total')) && job.includes(Buffer.from('$90.00')), 'with the total');
  assert.ok(job.includes(Buffer.from('IVA incluido')), 'and the IVA it includes');
  assert.ok(job.includes(Buffer.from('digo de recogida')), 'and the pick-up code («Código de recogida»)');
  assert.deepEqual([...job.subarray(-4)], [0x1d, 0x56, 66, 0], 'and the paper is cut');
  await reception.click('[data-testid=sale-done-close]');
  await reception.waitFor('[data-testid=timer-card]', { text: CHILD });
  await reception.screenshot('reception-timer');

  // The wall monitor: another device, connected to the reception's hub, in kiosk mode.
  const monitor = await Session.start(await startDriver(deviceEnv(display, 'monitor')));
  sessions.push(monitor);
  await setUp(monitor, { role: 'monitor', host: false, url: `127.0.0.1:${port}` });
  await monitor.waitForUrl((u) => u.origin === hubUrl);
  await login(monitor, 'monitor');
  await monitor.waitFor('[data-testid=monitor-tile]', { text: WALL_NAME });
  const countdown = await monitor.exec(
    `return [...document.querySelectorAll('[data-testid=monitor-tile]')].find((t) => t.textContent.includes(arguments[0]))
       ?.querySelector('[data-testid=countdown]')?.textContent ?? ''`,
    [WALL_NAME],
  );
  assert.match(countdown, /^\d{1,2}:\d\d(:\d\d)?$/, 'the monitor shows the running countdown');
  const info = (await monitor.invoke('shell_info')).ok;
  assert.equal(info.kiosk, true, 'a monitor runs as a kiosk');
  assert.equal(info.hosting, false);
  await monitor.screenshot('monitor-timer');

  // In kiosk mode the pointer hides after 3 s without movement.
  await monitor.waitFor('html.kb-no-cursor', { timeout: 8000 });

  // Leaving kiosk mode needs the admin password, typed into the device menu (Ctrl+Shift+K).
  const wrong = await monitor.invoke('exit_kiosk', { password: 'nope' });
  assert.equal(wrong.err?.code, 'wrong_password', 'a wrong password keeps the kiosk');
  await monitor.exec("dispatchEvent(new KeyboardEvent('keydown', { key: 'K', ctrlKey: true, shiftKey: true }))");
  await monitor.type('#kb-device-menu input[name=password]', ADMIN_PASSWORD);
  await monitor.screenshot('monitor-device-menu');
  await monitor.click('#kb-device-menu button[name=exit]');
  for (let i = 0; i < 50 && (await monitor.invoke('shell_info')).ok.kiosk; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await monitor.invoke('shell_info')).ok.kiosk, false, 'the right password leaves kiosk mode');
  assert.equal(await monitor.exec("return document.getElementById('kb-device-menu')"), null, 'the menu closes');

  // Changing the reception's settings later (admin password): the shell restarts with them and
  // hosts the same store on the new address.
  const port2 = await freePort();
  assert.equal((await reception.invoke('open_setup', { password: 'nope' })).err?.code, 'wrong_password');
  assert.deepEqual(await reception.invoke('open_setup', { password: ADMIN_PASSWORD }), { ok: null });
  await reception.waitFor('body[data-ready=true]');
  await reception.waitFor('h1', { text: 'Cambiar la configuración' });
  await reception.type('[data-testid=listen]', `127.0.0.1:${port2}`);
  await reception.clickAndLeave('[data-testid=setup-save]');
  const moved = `http://127.0.0.1:${port2}`;
  let answered = false;
  for (let i = 0; i < 300 && !answered; i++) {
    answered = await fetch(`${moved}/healthz`).then((r) => r.ok, () => false);
    if (!answered) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(answered, 'after the restart the store is hosted on the new address');
  const login2 = await fetch(`${moved}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  assert.equal(login2.status, 200, 'the same store: the owner account made at first run');
  const { token } = await login2.json();
  const sales = await fetch(`${moved}/api/v1/sales`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
  assert.equal((sales.items ?? sales).length, 1, 'with the sale made before');
  assert.equal(await fetch(`${hubUrl}/healthz`).then(() => 'up', () => 'down'), 'down', 'the old address is closed');
});

/** A device already set up (the setup screen is covered above), connected to `hubUrl`. */
function preparedDevice(name, hubUrl, role = 'monitor') {
  const env = deviceEnv(display, name);
  mkdirSync(join(env.XDG_CONFIG_HOME, 'kidyboard'), { recursive: true });
  writeFileSync(
    join(env.XDG_CONFIG_HOME, 'kidyboard/device.toml'),
    `role = "${role}"\nkiosk = false\nadmin_password_hash = "-"\n[hub]\nmode = "remote"\nurl = "${hubUrl}"\n`,
  );
  return env;
}

test('an export is saved through the native save dialog', { timeout: 120_000 }, async () => {
  const hub = await startHub();
  try {
    const env = preparedDevice('office', hub.url, 'admin');
    const office = await Session.start(await startDriver(env));
    sessions.push(office);
    await office.waitForUrl((u) => u.origin === hub.url);
    // What platform.saveFile sends for a CSV export.
    const saved = office.invoke('save_file', { name: 'ventas niños.csv', data: Buffer.from('día,total\n2026-11-22,90.00\n').toString('base64') });
    const X = { env: { ...process.env, DISPLAY: display } };
    let dialog = '';
    for (let i = 0; i < 100 && !dialog; i++) {
      try {
        dialog = execFileSync('xdotool', ['search', '--name', 'Guardar archivo'], X).toString().trim().split('\n')[0];
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(dialog, 'the save dialog opens');
    mkdirSync(OUTPUT_DIR, { recursive: true });
    execFileSync('import', ['-display', display, '-window', 'root', join(OUTPUT_DIR, 'save-dialog.png')]);
    const target = join(env.XDG_DATA_HOME, 'corte.csv');
    execFileSync('xdotool', ['windowfocus', '--sync', dialog], X);
    execFileSync('xdotool', ['key', '--window', dialog, 'ctrl+a'], X);
    execFileSync('xdotool', ['type', '--delay', '10', target], X);
    execFileSync('xdotool', ['key', 'Return'], X);
    assert.deepEqual(await saved, { ok: target }, 'the shell answers with the chosen path');
    assert.ok(existsSync(target));
    assert.equal(readFileSync(target, 'utf8'), 'día,total\n2026-11-22,90.00\n', 'the file holds exactly the export');
  } finally {
    await hub.stop();
  }
});

test('a device whose hub goes away shows the offline screen and comes back by itself', { timeout: 180_000 }, async () => {
  let hub = await startHub();
  const env = preparedDevice('wall', hub.url);
  const wall = await Session.start(await startDriver(env));
  sessions.push(wall);
  await wall.waitForUrl((u) => u.origin === hub.url);

  await hub.kill();
  await wall.waitFor('[data-testid=offline]', { timeout: 40_000 });
  await wall.screenshot('offline');

  hub = await startHub({ dataDir: hub.dataDir, port: hub.port });
  try {
    const back = await wall.waitForUrl((u) => u.origin === hub.url, 30_000);
    assert.equal(back.pathname.startsWith('/login') || back.pathname === '/monitor', true, 'back on the hub’s page');
  } finally {
    await hub.stop();
  }
});
