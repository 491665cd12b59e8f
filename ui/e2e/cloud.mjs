// A real cloud for end-to-end tests: a throwaway PostgreSQL cluster (initdb + pg_ctl, listening
// only on a unix socket in a temp dir) and `kidyboard-cloud serve` on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HUB_BIN } from './hub.mjs';
import { tempDir } from './tmp.mjs';

/** The cloud is its own program, built beside the hub (`cargo build` at the root builds both). */
export const CLOUD_BIN = process.env.KIDYBOARD_CLOUD_BIN ?? join(dirname(HUB_BIN), 'kidyboard-cloud');

export const OPERATOR_TOKEN = 'e2e-operator-token-that-is-long-enough';
/** Seals the second-factor secrets the console tests turn on. */
export const SECRET_KEY = '5f0e1d2c3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

function pgBin() {
  const root = '/usr/lib/postgresql';
  const dirs = existsSync(root) ? readdirSync(root).sort().reverse().map((v) => join(root, v, 'bin')) : [];
  const bin = dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!bin) throw new Error('PostgreSQL (initdb, pg_ctl) is not installed: apt-get install -y postgresql');
  return bin;
}

/** PostgreSQL refuses to run as root: under root the cluster belongs to `postgres`. */
function run(tool, args) {
  const exe = join(pgBin(), tool);
  const asPostgres = process.getuid?.() === 0;
  const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export async function startPostgres() {
  const dir = mkdtempSync('/tmp/kbpg-e2e-');
  const data = join(dir, 'data');
  const socket = join(dir, 'sock');
  mkdirSync(socket);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const p of [dir, socket]) chownSync(p, uid, gid);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const opts = `-c listen_addresses='' -k ${socket} -p 5432 -c fsync=off -c synchronous_commit=off`;
  run('pg_ctl', ['-D', data, '-l', join(data, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
  run('createdb', ['-h', socket, '-p', '5432', '-U', 'postgres', 'kidyboard_cloud']);
  return {
    url: `host=${socket} port=5432 user=postgres dbname=kidyboard_cloud`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `kidyboard-cloud serve` over the given database; resolves when /readyz answers.
 * @param {string} databaseUrl
 * @param {{ consoleDir?: string, env?: Record<string, string>, config?: string }} [options] consoleDir
 *   serves the console's build (ui/dist-console); env adds KIDYBOARD_CLOUD_* settings; config is a
 *   settings file's TOML text (settings with no variable, e.g. `alert_check_secs = 2`).
 */
export async function startCloud(databaseUrl, { consoleDir, env = {}, config } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (!existsSync(CLOUD_BIN)) {
    throw new Error(`The cloud binary is missing at ${CLOUD_BIN}: build it (cargo build) or set KIDYBOARD_CLOUD_BIN.`);
  }
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--database-url', databaseUrl, '--public-url', url];
  if (consoleDir) args.push('--console-dir', consoleDir);
  if (config) {
    const configDir = tempDir('kbcloud-e2e');
    writeFileSync(join(configDir, 'cloud.toml'), config);
    args.push('--config', join(configDir, 'cloud.toml'));
  }
  const child = spawn(CLOUD_BIN, args, {
    env: { ...process.env, KIDYBOARD_CLOUD_OPERATOR_TOKEN: OPERATOR_TOKEN, KIDYBOARD_CLOUD_SECRET_KEY: SECRET_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the cloud exited:\n${output.join('')}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the cloud never became ready:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Calls the cloud's API with a bearer token; throws on an error answer. */
export async function cloudCall(base, token, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * A new organisation (by the operator) and its owner, who accepts the invitation link with a
 * password and is signed in: answers the owner's session token and the organisation's id.
 * @returns {Promise<{ token: string, orgId: string, email: string, password: string }>}
 */
export async function createOwner(base, name = 'Brincolines', email = `duena-${Date.now()}@example.mx`) {
  const org = await cloudCall(base, OPERATOR_TOKEN, 'POST', '/organisations', { name, owner_email: email });
  const password = 'una contraseña larga';
  const res = await fetch(`${base}/api/v1/invitations/accept`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: org.invitation.token, name: 'Dueña', password }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`accepting the owner's invitation → ${res.status}: ${text}`);
  const session = JSON.parse(text);
  return { token: session.token, orgId: org.id, email, password };
}
