// Benchmark of the desktop shell against Chromium in kiosk mode, on the same monitor page of the
// same hub, on the same X display:
//   - cold start to first paint: from spawning the program (for the shell: the WebDriver request
//     that spawns it) to the first contentful paint of the hub's page, read from the page's
//     Paint Timing entry (performance.timeOrigin + first-contentful-paint.startTime). The page
//     is the one a freshly started monitor shows (the login screen: sessions are per tab).
//   - memory: PSS and USS (from /proc/*/smaps_rollup) of the program and all its child processes
//     (WebKit's web and network processes; Chromium's renderers, GPU and utility processes),
//     after logging in and settling, then every minute of a soak on the monitor page with live
//     timers; growth is the trend (least-squares slope) of those samples. Also the CPU the
//     programs use while the wall just counts down.
// Usage: node crates/desktop/e2e/bench.mjs [--soak-minutes N] [--shell-only]   (default 60)
// Targets: first paint < 1 s; memory no more than Chromium's; no growth over the soak.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { APP_BIN, deviceEnv, freePort, ROOT, Session, startDisplay, startDriver, stopAll, tempDir } from './harness.mjs';

const args = process.argv.slice(2);
const shellOnly = args.includes('--shell-only');
const soakMinutes = Number(args[args.indexOf('--soak-minutes') + 1] ?? NaN) || Number(process.env.SOAK_MINUTES ?? 60);
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// KIDYBOARD_DESKTOP_BIN picks the shell binary (e.g. target/release/kidyboard-desktop).
const require = createRequire(join(ROOT, 'ui/package.json'));
const { chromium } = require('playwright-core');
const { startHub } = await import(join(ROOT, 'ui/e2e/hub.mjs'));
const { call, items, login } = await import(join(ROOT, 'ui/e2e/api.mjs'));
// Below this trend (least-squares, MiB per hour) the soak counts as flat: about 1 % of the
// shell's memory per hour, under what a page's caches wobble by.
const GROWTH_MIB_PER_HOUR = 3;
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

/**
 * Memory of the tree in MiB: PSS (the issue's measure: shared pages split between the processes
 * that map them) and USS (private pages only). PSS moves when an unrelated process starts or
 * stops sharing a library (a second WebKit program halves the shell's share of libwebkit2gtk), so
 * growth is judged on both; USS only moves with what the program itself holds.
 */
function memory(root) {
  let pssKb = 0;
  let ussKb = 0;
  let cpuTicks = 0;
  const names = [];
  const each = {};
  for (const pid of tree(root)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
      const pss = field('Pss');
      if (Number.isNaN(pss)) continue;
      const uss = field('Private_Clean') + field('Private_Dirty');
      pssKb += pss;
      ussKb += uss;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
      cpuTicks += utime + stime;
      const name = comm(pid);
      names.push(name);
      each[name] = (each[name] ?? 0) + pss / 1024;
    } catch {
      // exited meanwhile
    }
  }
  // CPU seconds used so far (USER_HZ is 100 on Linux), and when they were read.
  return { mib: pssKb / 1024, uss: ussKb / 1024, cpu: cpuTicks / 100, at: Date.now(), names, each };
}

/** Least-squares slope of `ys` (one sample per minute), in MiB per hour. */
function slopePerHour(ys) {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return (num / den) * 60;
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
  const profile = tempDir('kidyboard-bench-chromium');
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
      const start = memory(r.root);
      results.push({ name, r, start });
    }
    // Both stay open on the monitor page, counting down, for the soak.
    const samples = results.map(() => []);
    const end = Date.now() + soakMinutes * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(60_000, Math.max(0, end - Date.now())));
      results.forEach((x, i) => samples[i].push(memory(x.r.root)));
    }
    console.log(`\nMonitor page, ${soakMinutes} min soak, 8 live timers (memory of all processes of each program)\n`);
    console.log(row(['program', 'first paint', 'PSS start', 'PSS end', 'PSS max', 'PSS trend', 'USS start', 'USS end', 'USS trend']));
    console.log(row(Array(9).fill('-')).replace(/ /g, '-'));
    const verdicts = results.map(({ name, r, start }, i) => {
      const series = [start, ...samples[i]];
      const end = series.at(-1);
      const pssTrend = slopePerHour(series.map((m) => m.mib));
      const ussTrend = slopePerHour(series.map((m) => m.uss));
      const mib = (v) => `${v.toFixed(0)} MiB`;
      const trend = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} MiB/h`;
      console.log(row([name, `${Math.round(r.firstPaint)} ms`, mib(start.mib), mib(end.mib), mib(Math.max(...series.map((m) => m.mib))), trend(pssTrend), mib(start.uss), mib(end.uss), trend(ussTrend)]));
      return { name, firstPaint: r.firstPaint, end, pssTrend, ussTrend };
    });
    console.log('\nEvery minute, PSS / USS (MiB):');
    results.forEach(({ name, start }, i) => {
      const series = [start, ...samples[i]];
      console.log(`  ${name} PSS: ${series.map((m) => m.mib.toFixed(0)).join(' ')}`);
      console.log(`  ${name} USS: ${series.map((m) => m.uss.toFixed(0)).join(' ')}`);
    });
    console.log('\nCPU over the soak (all processes of each program, % of one core):');
    results.forEach(({ name, start }, i) => {
      const end = samples[i].at(-1) ?? start;
      const share = end.at > start.at ? (100 * (end.cpu - start.cpu) * 1000) / (end.at - start.at) : 0;
      console.log(`  ${name}: ${share.toFixed(1)} %`);
    });
    console.log('\nEach process, PSS start → end (MiB), to see which one grows:');
    results.forEach(({ name, start }, i) => {
      const last = samples[i].at(-1) ?? start;
      const procs = Object.keys({ ...start.each, ...last.each }).sort();
      console.log(`  ${name}: ${procs.map((p) => `${p} ${(start.each[p] ?? 0).toFixed(0)} → ${(last.each[p] ?? 0).toFixed(0)}`).join('; ')}`);
    });
    console.log('\nprocesses counted:');
    for (const { name, start } of results) console.log(`  ${name}: ${start.names.join(', ')}`);
    // Trend = least-squares slope of the per-minute samples: one noisy sample cannot fake or hide
    // growth the way comparing the first and last sample can.
    const met = (ok) => (ok ? 'met' : 'NOT met');
    const [shell, browser] = verdicts;
    console.log(`\ntargets (issue 10), over ${soakMinutes} min:`);
    console.log(`  first paint < 1000 ms: shell ${Math.round(shell.firstPaint)} ms ${met(shell.firstPaint < 1000)}`);
    if (browser) {
      console.log(`  shell PSS <= Chromium PSS at the end: ${shell.end.mib.toFixed(0)} vs ${browser.end.mib.toFixed(0)} MiB ${met(shell.end.mib <= browser.end.mib)}`);
    }
    const flat = shell.pssTrend <= GROWTH_MIB_PER_HOUR && shell.ussTrend <= GROWTH_MIB_PER_HOUR;
    console.log(`  no growth (trend <= ${GROWTH_MIB_PER_HOUR} MiB/h): shell PSS ${shell.pssTrend.toFixed(1)}, USS ${shell.ussTrend.toFixed(1)} MiB/h ${met(flat)}`);
    for (const { r } of results) await r.stop();
  } finally {
    await hub.stop();
    await stopAll();
  }
}

await main();
