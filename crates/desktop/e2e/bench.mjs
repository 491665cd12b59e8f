// Benchmark of the desktop shell against Chromium in kiosk mode, on the same monitor page of the
// same hub, on the same X display:
//   - cold start to first paint: from spawning the program (for the shell: the WebDriver request
//     that spawns it) to the first contentful paint of the hub's page, read from the page's
//     Paint Timing entry (performance.timeOrigin + first-contentful-paint.startTime). The page
//     is the one a freshly started monitor shows (the login screen: sessions are per tab).
//   - memory: PSS (from /proc/*/smaps_rollup) of the program and all its child processes
//     (WebKit's web and network processes; Chromium's renderers, GPU and utility processes),
//     after logging in and settling, then after a soak on the monitor page with live timers.
// Usage: node crates/desktop/e2e/bench.mjs [--soak-minutes N] [--shell-only]   (default 60)
// Targets: first paint < 1 s; memory no more than Chromium's; no growth over the soak.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_BIN, deviceEnv, freePort, ROOT, Session, startDisplay, startDriver, stopAll } from './harness.mjs';

const args = process.argv.slice(2);
const shellOnly = args.includes('--shell-only');
const soakMinutes = Number(args[args.indexOf('--soak-minutes') + 1] ?? NaN) || Number(process.env.SOAK_MINUTES ?? 60);
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// KIDYBOARD_DESKTOP_BIN picks the shell binary (e.g. target/release/kidyboard-desktop).
const require = createRequire(join(ROOT, 'ui/package.json'));
const { chromium } = require('playwright-core');
const { startHub } = await import(join(ROOT, 'ui/e2e/hub.mjs'));
const { call, items, login } = await import(join(ROOT, 'ui/e2e/api.mjs'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every process below `root` (inclusive), by walking /proc's parent links. */
function tree(root) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parents) if (ppid === out[i]) out.push(pid);
  return out;
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Summed PSS in MiB of the tree, the processes counted, and each process's MiB by name. */
function pss(root) {
  let kb = 0;
  const names = [];
  const each = {};
  for (const pid of tree(root)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) {
        kb += Number(m[1]);
        names.push(comm(pid));
        each[comm(pid)] = (each[comm(pid)] ?? 0) + Number(m[1]) / 1024;
      }
    } catch {
      // exited meanwhile
    }
  }
  return { mib: kb / 1024, names, each };
}

function findDescendant(root, name) {
  return tree(root).find((pid) => comm(pid).startsWith(name.slice(0, 15)));
}

const FIRST_PAINT = `const fcp = performance.getEntriesByName('first-contentful-paint')[0] ?? performance.getEntriesByType('paint')[0];
  return fcp ? performance.timeOrigin + fcp.startTime : null;`;

async function until(what, fn, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

async function seedTimers(hubUrl) {
  const token = await login(hubUrl, 'recepcion');
  const services = items(await call(hubUrl, token, 'GET', '/services')).filter((s) => s.active);
  const service = services.reduce((a, b) => (b.duration_minutes > a.duration_minutes ? b : a));
  for (let i = 1; i <= 8; i++) {
    await call(hubUrl, token, 'POST', '/sales', {
      items: [{ service_id: service.id, quantity: 1, child: { name: `Niña ${i} de prueba` } }],
      payments: [{ method: 'cash', amount_cents: service.price_cents }],
    });
  }
}

async function measureShell(display, hubUrl) {
  const env = deviceEnv(display, 'bench-shell');
  // A monitor device already set up, connected to the hub.
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(join(env.XDG_CONFIG_HOME, 'kidyboard'), { recursive: true });
  writeFileSync(
    join(env.XDG_CONFIG_HOME, 'kidyboard/device.toml'),
    `role = "monitor"\nadmin_password_hash = "unset"\n[hub]\nmode = "remote"\nurl = "${hubUrl}"\n`,
  );
  const driver = await startDriver(env);
  const t0 = Date.now();
  const s = await Session.start(driver);
  const painted = await until('shell first paint', () => s.exec(FIRST_PAINT));
  const app = findDescendant(driver.proc.child.pid, 'kidyboard-desktop');
  await s.type('input[name=username]', 'monitor');
  await s.type('input[name=password]', 'demo1234');
  await s.click('button[type=submit]');
  await s.waitFor('[data-testid=monitor-tile]');
  return { firstPaint: painted - t0, root: app, stop: () => s.quit() };
}

async function measureChromium(display, hubUrl) {
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'kidyboard-bench-chromium-'));
  const t0 = Date.now();
  const child = spawn(CHROMIUM, [
    '--kiosk', `--user-data-dir=${profile}`, `--remote-debugging-port=${port}`, '--no-first-run',
    '--no-default-browser-check', '--disable-features=Translate', '--password-store=basic',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // As root Chromium refuses to start with its sandbox; WebKit's is off in the harness too.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    `${hubUrl}/monitor`,
  ], { env: { ...process.env, DISPLAY: display }, stdio: 'ignore', detached: true });
  const browser = await until('chromium CDP', () => chromium.connectOverCDP(`http://127.0.0.1:${port}`));
  const page = await until('chromium page', async () => browser.contexts()[0]?.pages().find((p) => p.url().startsWith(hubUrl)));
  const painted = await until('chromium first paint', () => page.evaluate(new Function(FIRST_PAINT)));
  await page.fill('input[name=username]', 'monitor');
  await page.fill('input[name=password]', 'demo1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=monitor-tile]');
  return {
    firstPaint: painted - t0,
    root: child.pid,
    stop: async () => {
      await browser.close().catch(() => {});
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

const row = (cells) => `| ${cells.map((c, i) => String(c).padEnd(i === 0 ? 26 : 12)).join(' | ')} |`;

async function main() {
  if (!existsSync(APP_BIN)) throw new Error(`build the shell first: ${APP_BIN}`);
  const display = await startDisplay();
  const hub = await startHub();
  try {
    await seedTimers(hub.url);
    const results = [];
    const programs = [['Kidyboard shell (WebKit)', measureShell], ['Chromium --kiosk', measureChromium]];
    for (const [name, run] of shellOnly ? programs.slice(0, 1) : programs) {
      const r = await run(display, hub.url);
      await sleep(10_000); // settle: fonts, images, the live feed
      const start = pss(r.root);
      results.push({ name, r, start });
    }
    // Both stay open on the monitor page, counting down, for the soak.
    const samples = results.map(() => []);
    const end = Date.now() + soakMinutes * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(60_000, Math.max(0, end - Date.now())));
      results.forEach((x, i) => samples[i].push(pss(x.r.root)));
    }
    console.log(`\nMonitor page, ${soakMinutes} min soak, 8 live timers (PSS of all processes of each program)\n`);
    console.log(row(['program', 'first paint', 'PSS start', 'PSS end', 'PSS max', 'growth']));
    console.log(row(['-', '-', '-', '-', '-', '-']).replace(/ /g, '-'));
    results.forEach(({ name, r, start }, i) => {
      const endMib = samples[i].at(-1)?.mib ?? start.mib;
      const max = Math.max(start.mib, ...samples[i].map((x) => x.mib));
      console.log(row([name, `${Math.round(r.firstPaint)} ms`, `${start.mib.toFixed(0)} MiB`, `${endMib.toFixed(0)} MiB`, `${max.toFixed(0)} MiB`, `${(endMib - start.mib).toFixed(1)} MiB`]));
    });
    console.log('\nPSS every minute (MiB):');
    results.forEach(({ name, start }, i) => console.log(`  ${name}: ${[start, ...samples[i]].map((m) => m.mib.toFixed(0)).join(' ')}`));
    console.log('\nEach process, start → end (MiB), to see which one grows:');
    results.forEach(({ name, start }, i) => {
      const last = samples[i].at(-1) ?? start;
      const procs = Object.keys({ ...start.each, ...last.each }).sort();
      console.log(`  ${name}: ${procs.map((p) => `${p} ${(start.each[p] ?? 0).toFixed(0)} → ${(last.each[p] ?? 0).toFixed(0)}`).join('; ')}`);
    });
    console.log('\nprocesses counted:');
    for (const { name, start } of results) console.log(`  ${name}: ${start.names.join(', ')}`);
    console.log('targets: first paint < 1000 ms; shell PSS <= Chromium PSS; no growth over the soak');
    for (const { r } of results) await r.stop();
  } finally {
    await hub.stop();
    await stopAll();
  }
}

await main();
