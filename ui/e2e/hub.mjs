// Starts the REAL Kidyboard hub binary for end-to-end tests: a temp data dir, 127.0.0.1:0 (or a
// given port, to restart on the same address), the built UI served from ui/dist.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.mjs';
import { secondsIntoDay } from './zones.mjs';

const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HUB_BIN = process.env.KIDYBOARD_BIN ?? join(homedir(), '.cache/kidyboard/target/debug/kidyboard');
const LISTENING = /^Kidyboard hub listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/;

export function newDataDir() {
  return tempDir('kidyboard-e2e');
}

/**
 * @param {{ dataDir?: string, port?: number, env?: Record<string, string>, demoHistory?: number }} [options]
 *   demoHistory: days of demo sales before today (default 0: an empty history, so tests count
 *   only what they sell).
 * @returns {Promise<{ url: string, port: number, dataDir: string, output: string[], stop: () => Promise<void>, kill: () => Promise<void> }>}
 */
export async function startHub({ dataDir = newDataDir(), port = 0, env = {}, demoHistory = 0 } = {}) {
  if (!existsSync(HUB_BIN)) {
    throw new Error(`The hub binary is missing at ${HUB_BIN}: build it (cargo build) or set KIDYBOARD_BIN.`);
  }
  if (!existsSync(join(UI_DIR, 'dist/index.html'))) throw new Error('ui/dist is missing: run `npm run build` first.');
  startedOnce ??= clearOfMidnight();
  await startedOnce;
  // A port just freed by a killed hub can take a moment to bind again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnHub(dataDir, port, env, demoHistory);
    } catch (err) {
      if (port === 0 || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** The demo branch's zone (crates/core/src/demo.rs). */
const DEMO_ZONE = 'America/Mexico_City';
/** Longer than a test file takes, so that its steps fall on one business day. */
const MIDNIGHT_MARGIN_MS = 5 * 60_000;
let startedOnce = null;

/**
 * A test file's first hub waits for the demo branch's midnight when it is only minutes away: a
 * file that sells and then reads «today», minutes later, would otherwise find the day changed
 * between the two (what the product does at midnight is tested in Rust on fixed clocks, in
 * Mexico City and across Tijuana's daylight-saving changes).
 */
async function clearOfMidnight() {
  const left = (24 * 3600 - secondsIntoDay(DEMO_ZONE)) * 1000;
  if (left > MIDNIGHT_MARGIN_MS) return;
  console.error(`# the demo branch's midnight is ${Math.ceil(left / 1000)} s away: starting after it`);
  await new Promise((r) => setTimeout(r, left + 5_000));
}

function spawnHub(dataDir, port, extraEnv, demoHistory) {
  const child = spawn(HUB_BIN, ['serve', '--demo', '--demo-history', String(demoHistory), '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, KIDYBOARD_UI_DIR: join(UI_DIR, 'dist'), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  createInterface({ input: child.stderr }).on('line', (line) => output.push(`[stderr] ${line}`));

  return new Promise((resolve, reject) => {
    let first = true;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not announce itself within 30 s:\n${output.join('\n')}`));
    }, 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code ?? signal}) before listening:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', async (line) => {
      output.push(line);
      if (!first) return;
      first = false;
      const match = LISTENING.exec(line);
      if (!match) {
        child.kill('SIGKILL');
        reject(new Error(`the hub's first stdout line should announce its address, got: ${line}`));
        return;
      }
      clearTimeout(timer);
      const url = match[1];
      await waitReady(url);
      const stopWith = (signal) => async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      };
      resolve({ url, port: Number(match[2]), dataDir, output, stop: stopWith('SIGTERM'), kill: stopWith('SIGKILL') });
    });
  });
}

async function waitReady(url) {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz never answered 200`);
}
