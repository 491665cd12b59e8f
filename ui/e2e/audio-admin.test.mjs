// The admin's Audio section against the real hub: a real player process reports its status, a
// clip made by ffmpeg is uploaded and measured, a text file is refused with the hub's message,
// and a schedule is created from the editor. Players reported through the API are listed with
// their state, «Probar anuncio» reaches the live feed the speakers listen to, the page explains
// how to add speakers with the desktop app (never a command line), and a read-only admin gets no
// test button.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, DEMO_PASSWORD, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenProblems, screenshot, smallTouchTargets, WALL } from './browser.mjs';
import { HUB_BIN, startHub } from './hub.mjs';
import { tempDir } from './tmp.mjs';

let hub;
let browser;
let player;
const dir = tempDir('kidyboard-audio-e2e');

before(async () => {
  hub = await startHub();
  browser = await launchBrowser();
  // The speaker player, as a store runs it, writing to a WAV file instead of a sound card.
  player = spawn(HUB_BIN, ['--data-dir', join(dir, 'player'), 'audio', 'run', '--hub', hub.url, '--user', 'monitor', '--name', 'PC de recepción', '--wav', join(dir, 'out.wav')], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  player.stdin.end(`${DEMO_PASSWORD}\n`);
});

after(async () => {
  player?.kill('SIGTERM');
  await browser?.close();
  await hub?.stop();
});

test('admin sees the player, uploads a clip, gets a clear refusal and schedules it', { timeout: 120_000 }, async () => {
  const clip = join(dir, 'promo.wav');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=600:duration=2', '-af', 'volume=-25dB', clip]);
  const notAudio = join(dir, 'notas.mp3');
  writeFileSync(notAudio, 'esto no es audio');

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-audio]');
  await a.locator('[data-testid=audio-player]', { hasText: 'PC de recepción' }).waitFor({ timeout: 20_000 });

  await a.fill('input[placeholder="Nombre del clip"]', 'Promo de cumpleaños');
  await a.setInputFiles('[data-testid=audio-file]', clip);
  await a.click('button:has-text("Subir")');
  const row = a.locator('[data-testid=audio-clip]', { hasText: 'Promo de cumpleaños' });
  await row.waitFor({ timeout: 10_000 });
  const lufs = Number(/(-?\d+\.\d) LUFS/.exec((await row.textContent()) ?? '')?.[1]);
  assert.ok(Math.abs(lufs + 16) < 1, `stored at −16 LUFS (shown ${lufs})`);
  await row.locator('button:has-text("Escuchar")').click();
  await row.locator('audio').waitFor();

  await a.fill('input[placeholder="Nombre del clip"]', 'Notas');
  await a.setInputFiles('[data-testid=audio-file]', notAudio);
  await a.click('button:has-text("Subir")');
  const err = a.locator('[data-testid=error]');
  await err.waitFor();
  assert.match((await err.textContent()) ?? '', /no es audio válido/);
  assert.equal(await a.locator('[data-testid=audio-clip]').count(), 1, 'nothing stored');

  await a.click('button:has-text("Nueva programación")');
  const form = a.locator('[data-testid=audio-schedule-form]');
  await form.locator('label:has-text("Nombre") input').fill('Promo de la tarde');
  await form.locator('label:has-text("Horas fijas") input').fill('12:00, 17:30');
  await form.locator('button:has-text("Do")').click(); // Sunday off
  await form.locator('button:has-text("Guardar")').click();
  await a.locator('[data-testid=audio-schedule]', { hasText: 'Promo de la tarde' }).waitFor();
  await screenshot(a, 'admin-audio');
  assert.deepEqual(await smallTouchTargets(a), [], 'every button is at least 48 px');

  const token = await login(hub.url, 'admin');
  const [saved] = items(await call(hub.url, token, 'GET', '/audio/schedules'));
  assert.deepEqual(saved.days, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(saved.times, ['12:00', '17:30']);
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

// What a page must not ask of a shop owner: programs typed at a prompt.
const COMMAND_LINE = /kidyboard\s+(audio|vision|serve|user)\b|\.sh\b|terminal|comando|consola|--[a-z]/i;

/** Listens to the hub's live feed from inside the page, as the speakers' account does. */
async function listenAsSpeakers(page, token) {
  await page.evaluate(async (tok) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(tok)}`);
    window.__announced = [];
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'announcement') window.__announced.push(msg.announcement.text);
    });
    await new Promise((resolve, reject) => {
      ws.addEventListener('message', resolve, { once: true }); // the hello
      ws.addEventListener('error', reject, { once: true });
    });
  }, token);
}

test('players reported to the hub are listed, a test announcement reaches the speakers, no command line', { timeout: 120_000 }, async () => {
  const monitor = await login(hub.url, 'monitor');
  await call(hub.url, monitor, 'PUT', `/audio/players/${encodeURIComponent('Bocinas del salón')}`, {
    state: 'ok', connected: true, output: 'Altavoces USB', queued: 0, last_announcement: 'Se terminó el tiempo de Sofía',
  });
  await call(hub.url, monitor, 'PUT', `/audio/players/${encodeURIComponent('Tableta kidibar')}`, {
    state: 'no_device', connected: false, output: '', queued: 0, last_error: 'no hay salida de sonido',
  });

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const a = admin.page;
  await a.click('[data-testid=tab-audio]');
  const salon = a.locator('[data-testid=audio-player]', { hasText: 'Bocinas del salón' });
  await salon.waitFor({ timeout: 10_000 });
  const salonText = (await salon.textContent()) ?? '';
  for (const shown of ['Funcionando', 'Conectado', 'Último reporte: hace', 'Altavoces USB', 'Se terminó el tiempo de Sofía']) {
    assert.ok(salonText.includes(shown), `the working player shows «${shown}»: ${salonText}`);
  }
  const tablet = (await a.locator('[data-testid=audio-player]', { hasText: 'Tableta kidibar' }).textContent()) ?? '';
  assert.match(tablet, /Sin dispositivo de sonido/);
  assert.match(tablet, /Desconectado/);

  // How to add speakers: the desktop app's own set-up, its fields word for word.
  const help = a.locator('[data-testid=setup-help-audio]');
  await help.locator('summary').click();
  const steps = (await help.textContent()) ?? '';
  for (const step of ['Agregar bocinas desde otro equipo', 'app de escritorio', 'Configurar este equipo', 'Anunciar por las bocinas de este equipo', '«monitor»', 'Guardar y empezar', 'encendido']) {
    assert.ok(steps.includes(step), `the steps mention «${step}»`);
  }
  await a.locator('text=Agregar bocinas desde otro equipo').waitFor();
  assert.doesNotMatch((await a.textContent('[data-testid=audio-admin]')) ?? '', COMMAND_LINE, 'no command-line program is mentioned');

  await listenAsSpeakers(a, monitor);
  await a.click('[data-testid=audio-test]');
  const sent = a.locator('[data-testid=audio-test-sent]');
  await sent.waitFor({ timeout: 10_000 });
  const sentText = (await sent.textContent()) ?? '';
  assert.match(sentText, /Anuncio de prueba enviado a las \d{2}:\d{2}/);
  assert.ok(sentText.includes('Bocinas del salón'), `names the connected player: ${sentText}`);
  assert.ok(!sentText.includes('Tableta kidibar'), 'a disconnected player is not said to play it');
  await a.waitForFunction(() => window.__announced.length > 0, null, { timeout: 5_000 });
  assert.deepEqual(await a.evaluate(() => window.__announced), ['Prueba de sonido de Kidyboard'], 'the speakers heard the test line');

  for (const [size, name] of [[DESK, 'admin-audio-players-desk'], [WALL, 'admin-audio-players-wall']]) {
    await a.setViewportSize(size);
    await a.locator('[data-testid=audio-players]').scrollIntoViewIfNeeded();
    await screenshot(a, name);
    assert.deepEqual(await screenProblems(a), [], `nothing overflows or overlaps at ${size.width}×${size.height}`);
  }
  assert.deepEqual(await smallTouchTargets(a), [], 'every button is at least 48 px');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');

  // The read-only admin sees the players but may not announce (the hub refuses it the Announce right).
  const viewer = await openAs(browser, hub.url, 'gerente', DESK);
  await viewer.page.click('[data-testid=tab-audio]');
  await viewer.page.locator('[data-testid=audio-player]', { hasText: 'Bocinas del salón' }).waitFor();
  assert.equal(await viewer.page.locator('[data-testid=audio-test]').count(), 0, 'no test button for a read-only role');
  await viewer.context.close();
  await admin.context.close();
});
