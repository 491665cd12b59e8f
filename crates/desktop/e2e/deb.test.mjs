// The Debian package holds what an install needs: the shell, the built UI where the shell's hub
// looks for it (/usr/share/kidyboard/ui), a desktop entry and icons, and the right dependencies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { APP_BIN, ROOT, tempDir } from './harness.mjs';

test('the .deb carries the shell, the UI, a desktop entry and icons', { timeout: 600_000 }, () => {
  const out = tempDir('kidyboard-deb');
  const deb = execFileSync('bash', [join(ROOT, 'scripts/package-deb.sh'), out], {
    env: { ...process.env, PROFILE: process.env.DEB_PROFILE ?? 'debug', SKIP_UI_BUILD: '1' },
    encoding: 'utf8',
  }).trim().split('\n').at(-1);

  const info = execFileSync('dpkg-deb', ['--info', deb], { encoding: 'utf8' });
  assert.match(info, /^ Package: kidyboard-desktop$/m);
  assert.match(info, /^ Version: \d+\.\d+\.\d+$/m);
  assert.match(info, /^ Depends: .*libwebkit2gtk-4\.1-0/m, 'depends on the WebKitGTK the shell links');
  assert.match(info, /^ Depends: .*libasound2/m, 'and ALSA, which the hosted speaker player links');
  assert.match(info, /^ Recommends: .*espeak-ng/m, 'the announcements speak with espeak-ng');

  const contents = execFileSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8' });
  for (const path of [
    './usr/bin/kidyboard-desktop',
    './usr/share/kidyboard/ui/index.html',
    './usr/share/applications/kidyboard.desktop',
    './usr/share/icons/hicolor/128x128/apps/kidyboard.png',
    './usr/share/icons/hicolor/512x512/apps/kidyboard.png',
  ]) {
    assert.ok(contents.split('\n').some((l) => l.endsWith(` ${path}`)), `${path} is in the package`);
  }
  assert.match(contents, /^-rwxr-xr-x root\/root .* \.\/usr\/bin\/kidyboard-desktop$/m, 'the binary is executable and owned by root');

  const root = tempDir('kidyboard-deb-x');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  assert.equal(statSync(join(root, 'usr/bin/kidyboard-desktop')).size, statSync(APP_BIN).size, 'the packaged binary is the built one');
  const entry = readFileSync(join(root, 'usr/share/applications/kidyboard.desktop'), 'utf8');
  assert.match(entry, /^Exec=\/usr\/bin\/kidyboard-desktop$/m);
  assert.match(entry, /^Icon=kidyboard$/m);
  const ui = readFileSync(join(root, 'usr/share/kidyboard/ui/index.html'), 'utf8');
  assert.match(ui, /<script[^>]+src="\/assets\//, 'the UI build, with its assets');
});
