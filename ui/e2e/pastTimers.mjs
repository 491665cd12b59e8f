// Timers that ran out a while ago, on a real hub, for the overtime tests and the tap bench.
//
// Why the database is written by hand: overtime needs a timer whose end is minutes in the past,
// and nothing may wait 20 minutes in a test. The hub has no backdating API, nor any command or
// setting that makes one (`kidyboard --help`), and moving the hub process's clock would move
// everything else with it. So the play time is sold through the real API, the hub is stopped
// cleanly (its database checkpointed into the one file), and only the sold timers' `starts_at` and
// `ends_at` are moved back in the SQLite file (python3's sqlite3; Node 20 has no SQLite). They stay
// `running`: when the hub starts again on that data dir, its own scheduler expires them, exactly as
// after a power cut, with their extra-time prices (`extra_block_minutes`, `extra_block_price_cents`,
// `grace_minutes`) as the sale stored them. The hub's Rust tests cover overtime on the server side.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { call, items, login } from './api.mjs';
import { startHub } from './hub.mjs';

const MOVE = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with db:
    for t in json.loads(sys.argv[2]):
        n = db.execute(
            "UPDATE timers SET ends_at = ?1, starts_at = ?1 - duration_ms, updated_at = ?1 - duration_ms"
            " WHERE id = ?2 AND state = 'running'", (t["ends_at"], t["id"])).rowcount
        if n != 1:
            sys.exit("no running timer " + t["id"])
db.close()
`;

/** A demo service that sells extra time (blocks, price, grace), with room for `children`. */
export async function extraTimeService(url, token, children = 1) {
  const service = items(await call(url, token, 'GET', '/services')).find(
    (s) => s.active && s.extra_block_minutes > 0 && (s.capacity === 0 || s.capacity >= children),
  );
  if (!service) throw new Error('the demo catalogue should have a service that sells extra time');
  return service;
}

/** Sells play time for a child through the API; answers the timer. */
export async function sellPlay(url, token, service, child) {
  const sale = await call(url, token, 'POST', '/sales', {
    items: [{ service_id: service.id, quantity: 1, child: { name: child } }],
    payments: [{ method: 'cash', amount_cents: service.price_cents }],
  });
  return sale.timers[0];
}

/**
 * A started hub holding one run-out timer per entry of `late` ({child: ms past its end, as of
 * the moment the file is written}); answers the hub and the timers by child.
 * @param {Record<string, number>} late
 */
export async function hubWithRunOutTimers(late) {
  const first = await startHub();
  const timers = {};
  try {
    const token = await login(first.url, 'recepcion');
    const service = await extraTimeService(first.url, token, Object.keys(late).length);
    for (const child of Object.keys(late)) timers[child] = await sellPlay(first.url, token, service, child);
  } finally {
    await first.stop();
  }
  const now = Date.now();
  const moved = Object.entries(late).map(([child, ms]) => ({ id: timers[child].id, ends_at: now - ms }));
  execFileSync('python3', ['-c', MOVE, join(first.dataDir, 'kidyboard.sqlite'), JSON.stringify(moved)]);
  const hub = await startHub({ dataDir: first.dataDir });
  return { hub, timers, writtenAt: now };
}
