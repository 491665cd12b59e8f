// The admin's Audio section against the real hub: a real player process reports its status, a
// clip made by ffmpeg is uploaded and measured, a text file is refused with the hub's message,
// and a schedule is created from the editor.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { call, DEMO_PASSWORD, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, smallTouchTargets } from './browser.mjs';
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
