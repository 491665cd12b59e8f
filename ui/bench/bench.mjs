// `npm run bench`: the UI's bundle size, the wall monitor's frame time with 60 running timers
// measured in Chromium against the real hub, and the taps a refund of one item, a charge of 20
// minutes of overtime and a returning family's check-in (taps and characters typed) take at the desk.
// Prints figures; asserts nothing (speed goals are read, not enforced, so a busy machine cannot
// make a test flaky). `node bench/bench.mjs --taps` prints the tap counts alone.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { call, items, login } from '../e2e/api.mjs';
import { launchBrowser, openAs, WALL } from '../e2e/browser.mjs';
import { startHub } from '../e2e/hub.mjs';
import { checkinTaps, printCheckinTaps } from './checkinTaps.mjs';
import { overtimeTaps, printOvertimeTaps } from './overtimeTaps.mjs';
import { printRefundTaps, refundTaps } from './refundTaps.mjs';

const TIMERS = 60;
const SAMPLE_MS = 5000;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function bundleSize() {
  let raw = 0;
  let gz = 0;
  const rows = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|css|html)$/.test(name)) {
        const bytes = readFileSync(path);
        const zipped = gzipSync(bytes, { level: 9 }).length;
        raw += bytes.length;
        gz += zipped;
        rows.push({ file: path.slice(dist.length + 1), bytes: bytes.length, gzip: zipped });
      }
    }
  };
  walk(dist);
  return { raw, gz, rows };
}

async function monitorFrames() {
  const hub = await startHub();
  const browser = await launchBrowser();
  try {
    const token = await login(hub.url, 'recepcion');
    // Room for them all: the demo venue takes 40 children at once.
    const admin = await login(hub.url, 'admin');
    const branch = items(await call(hub.url, admin, 'GET', '/branches'))[0];
    await call(hub.url, admin, 'PATCH', `/branches/${branch.id}`, { capacity: 2 * TIMERS });
    // Spread over every service: each has its own capacity (how many children it takes at once).
    const services = items(await call(hub.url, token, 'GET', '/services')).filter((s) => s.active);
    for (let i = 1; i <= TIMERS; i++) {
      const service = services[i % services.length];
      await call(hub.url, token, 'POST', '/sales', {
        items: [{ service_id: service.id, quantity: 1, child: { name: `Niña ${i}` } }],
        payments: [{ method: 'cash', amount_cents: service.price_cents }],
      });
    }
    const { page, context } = await openAs(browser, hub.url, 'monitor', WALL);
    // All of them on the wall: a page of tiles at the readable minimum, the rest on further pages.
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=monitor-occupancy]')?.dataset.inside ?? 0) >= n
        && document.querySelectorAll('[data-testid=monitor-tile]').length > 0,
      TIMERS,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(1000);

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await metrics();
    const intervals = await page.evaluate(
      (ms) =>
        new Promise((resolve) => {
          const out = [];
          let last = performance.now();
          const start = last;
          const step = (now) => {
            out.push(now - last);
            last = now;
            if (now - start < ms) requestAnimationFrame(step);
            else resolve(out.slice(1));
          };
          requestAnimationFrame(step);
        }),
      SAMPLE_MS,
    );
    const afterM = await metrics();
    const tiles = await page.locator('[data-testid=monitor-tile]').count();
    const pages = Number((await page.locator('[data-testid=monitor-page]').getAttribute('data-pages', { timeout: 1000 }).catch(() => null)) ?? 1);
    const sorted = [...intervals].sort((a, b) => a - b);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    const per = (name) => ((afterM[name] - before[name]) * 1000) / intervals.length;
    return {
      tiles,
      pages,
      frames: intervals.length,
      meanMs: intervals.reduce((a, b) => a + b, 0) / intervals.length,
      p95Ms: pct(0.95),
      maxMs: sorted.at(-1),
      taskMsPerFrame: per('TaskDuration'),
      scriptMsPerFrame: per('ScriptDuration'),
      styleLayoutMsPerFrame: per('RecalcStyleDuration') + per('LayoutDuration'),
    };
  } finally {
    await browser.close();
    await hub.stop();
  }
}

async function taps() {
  const browser = await launchBrowser();
  try {
    return { refund: await refundTaps(browser), overtime: await overtimeTaps(browser), checkin: await checkinTaps(browser) };
  } finally {
    await browser.close();
  }
}

if (process.argv.includes('--taps')) {
  const counted = await taps();
  printRefundTaps(counted.refund);
  printOvertimeTaps(counted.overtime);
  printCheckinTaps(counted.checkin);
  process.exit(0);
}

const size = bundleSize();
console.log('UI bundle (dist/, js+css+html):');
for (const r of size.rows) console.log(`  ${r.file.padEnd(36)} ${String(r.bytes).padStart(8)} B   gzip ${String(r.gzip).padStart(7)} B`);
console.log(`  total${' '.repeat(31)} ${String(size.raw).padStart(8)} B   gzip ${String(size.gz).padStart(7)} B`);

const f = await monitorFrames();
const ms = (v) => `${v.toFixed(2)} ms`;
console.log(`Monitor, ${TIMERS} running timers at 1920×1080 (${f.tiles} tiles on the page shown, ${f.pages} pages), ${f.frames} frames over ${SAMPLE_MS / 1000} s:`);
console.log(`  frame interval  mean ${ms(f.meanMs)}   p95 ${ms(f.p95Ms)}   max ${ms(f.maxMs)}`);
console.log(`  main thread per frame  ${ms(f.taskMsPerFrame)} (script ${ms(f.scriptMsPerFrame)}, style+layout ${ms(f.styleLayoutMsPerFrame)})`);
const counted = await taps();
printRefundTaps(counted.refund);
printOvertimeTaps(counted.overtime);
printCheckinTaps(counted.checkin);
console.log(JSON.stringify({
  bundle_bytes: size.raw, bundle_gzip_bytes: size.gz, monitor: f, refund_taps: counted.refund, overtime_taps: counted.overtime,
  family_checkin: counted.checkin,
}));
