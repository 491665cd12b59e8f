// Drives the built shell the way a person would, for the end-to-end test and the benchmark:
// a private X server (Xvfb), `tauri-driver` in front of Debian's WebKitWebDriver, and a small
// W3C WebDriver client over fetch. Every process started here is stopped by `stopAll()`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../ui/e2e/tmp.mjs';

export { tempDir };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const OUTPUT_DIR = join(ROOT, 'test-output/desktop');
// The same default build cache as scripts/env.sh.
const TARGET = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/kidyboard/target');
export const APP_BIN = process.env.KIDYBOARD_DESKTOP_BIN ?? join(TARGET, 'debug/kidyboard-desktop');
export const TAURI_DRIVER = process.env.TAURI_DRIVER ?? (existsSync(join(homedir(), '.cargo/bin/tauri-driver')) ? join(homedir(), '.cargo/bin/tauri-driver') : 'tauri-driver');
export const UI_DIR = process.env.KIDYBOARD_UI_DIR ?? join(ROOT, 'ui/dist');

const started = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function launch(cmd, args, env, name) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  const keep = (d) => {
    log = (log + d).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc = { child, name, log: () => log };
  started.push(proc);
  return proc;
}

/** Stops everything this harness started: whole process groups, TERM then KILL. */
export async function stopAll() {
  for (const p of started.splice(0).reverse()) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    try {
      process.kill(-p.child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    for (let i = 0; i < 30 && p.child.exitCode === null && p.child.signalCode === null; i++) await sleep(100);
    try {
      process.kill(-p.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A private X display; uses $DISPLAY instead when KIDYBOARD_USE_DISPLAY=1. */
export async function startDisplay() {
  if (process.env.KIDYBOARD_USE_DISPLAY === '1' && process.env.DISPLAY) return process.env.DISPLAY;
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const x = launch('Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], process.env, 'Xvfb');
    for (let i = 0; i < 100; i++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`)) return `:${n}`;
      if (x.child.exitCode !== null) break;
      await sleep(50);
    }
  }
  throw new Error('could not start Xvfb');
}

/** A device of its own: config, data and WebKit caches in a fresh temp dir. */
export function deviceEnv(display, name) {
  const home = tempDir(`kidyboard-${name}`);
  return {
    ...process.env,
    DISPLAY: display,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_RUNTIME_DIR: tempDir(`kidyboard-run-${name}`),
    KIDYBOARD_UI_DIR: UI_DIR,
    KIDYBOARD_BACKUP_INTERVAL_MINUTES: '0',
    // WebKit's sandbox needs user namespaces, which CI containers often lack.
    WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
    NO_AT_BRIDGE: '1',
  };
}

/** `tauri-driver` for one device; resolves with its WebDriver base URL. */
export async function startDriver(env) {
  const port = await freePort();
  const native = await freePort();
  const proc = launch(TAURI_DRIVER, ['--port', String(port), '--native-port', String(native)], env, 'tauri-driver');
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok || res.status < 500) return { base, proc };
    } catch {
      // not yet listening
    }
    if (proc.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not start:\n${proc.log()}`);
}

const ELEMENT = 'element-6066-11e4-a52f-4a3f4e5a7e57';

export class Session {
  static async start(driver, args = []) {
    const res = await fetch(`${driver.base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: APP_BIN, args } } },
      }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`new session failed: ${JSON.stringify(body)}\n${driver.proc.log()}`);
    return new Session(driver, body.value.sessionId);
  }

  constructor(driver, id) {
    this.driver = driver;
    this.id = id;
  }

  async cmd(method, path, body) {
    const res = await fetch(`${this.driver.base}/session/${this.id}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(`${method} ${path}: ${json.value?.error ?? res.status} ${json.value?.message ?? ''}`);
      err.code = json.value?.error;
      throw err;
    }
    return json.value;
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    // The W3C key, or the legacy one some drivers still answer with.
    return v[ELEMENT] ?? v.ELEMENT ?? Object.values(v)[0];
  }

  /** Waits for an element matching `css` (and containing `text`, if given). */
  async waitFor(css, { timeout = 15_000, text } = {}) {
    const until = Date.now() + timeout;
    for (;;) {
      const found = await this.exec(
        `const [css, text] = arguments;
         return [...document.querySelectorAll(css)].some((el) => el.getClientRects().length > 0 && (!text || el.textContent.includes(text)));`,
        [css, text ?? null],
      ).catch(() => false);
      if (found) return;
      if (Date.now() > until) {
        await this.screenshot(`timeout-${css.replace(/[^a-z0-9]+/gi, '_')}`).catch(() => {});
        throw new Error(`timed out waiting for ${css}${text ? ` with «${text}»` : ''} on ${await this.url().catch(() => '?')}`);
      }
      await sleep(100);
    }
  }

  async click(css) {
    await this.waitFor(css);
    await this.cmd('POST', `/element/${await this.find(css)}/click`, {});
  }

  /**
   * Clicks a control whose effect is to leave the page (a form that navigates away or restarts
   * the shell). The click is dispatched from a timer so the driver's answer does not race the
   * page going away, which WebKitWebDriver reports as an `unknown error`.
   */
  async clickAndLeave(css) {
    await this.waitFor(css);
    await this.exec('const [css] = arguments; setTimeout(() => document.querySelector(css).click(), 0);', [css]);
  }

  async type(css, text) {
    await this.waitFor(css);
    const el = await this.find(css);
    await this.cmd('POST', `/element/${el}/clear`, {});
    await this.cmd('POST', `/element/${el}/value`, { text: String(text) });
  }

  exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Calls a shell command from the page: `{ ok: value }` or `{ err: { code, message } }`. */
  invoke(command, args = {}) {
    return this.cmd('POST', '/execute/async', {
      script: `const [cmd, args, done] = arguments;
        window.__TAURI_INTERNALS__.invoke(cmd, args).then((ok) => done({ ok }), (e) => done({ err: typeof e === 'object' ? e : { message: String(e) } }));`,
      args: [command, args],
    });
  }

  url() {
    return this.cmd('GET', '/url');
  }

  async waitForUrl(predicate, timeout = 20_000) {
    const until = Date.now() + timeout;
    for (;;) {
      const url = await this.url().catch(() => '');
      if (url && predicate(new URL(url))) return new URL(url);
      if (Date.now() > until) throw new Error(`timed out waiting for the page; at ${url}`);
      await sleep(100);
    }
  }

  async screenshot(name) {
    const png = await this.cmd('GET', '/screenshot');
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const path = join(OUTPUT_DIR, `${name}.png`);
    writeFileSync(path, Buffer.from(png, 'base64'));
    return path;
  }

  async quit() {
    await fetch(`${this.driver.base}/session/${this.id}`, { method: 'DELETE' }).catch(() => {});
  }
}
