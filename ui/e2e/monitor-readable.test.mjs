// The wall stays readable however many children play (issue 19), on the real hub: children checked
// in through the API (full names on the wall, some long), at 1, 8, 30, 48 and 60 children on a
// 1920×1080 wall and in portrait 1080×1920. On every page every name is ≥ 40 px and every countdown
// ≥ 64 px, nothing spills out of its tile or the screen, no name is cut, and every child is on some
// page. A child's tile keeps its place while the child plays: its rank among the tiles, and on an
// unchanged page its box, stay the same as seconds pass and as others check in after it; only when
// a child's time runs out does the tile come first. The pages turn by themselves too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { launchBrowser, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { onEveryPage, openWall } from './wall.mjs';

let hub;
let browser;
let rec;
let service;

before(async () => {
  hub = await startHub();
  browser = await launchBrowser();
  const admin = await login(hub.url, 'admin');
  const branch = items(await call(hub.url, admin, 'GET', '/branches'))[0];
  // Full names on the wall, so long names are there to wrap; room for sixty children.
  await call(hub.url, admin, 'PATCH', `/branches/${branch.id}`, { monitor_full_names: true, capacity: 200 });
  rec = await login(hub.url, 'recepcion');
  service = items(await call(hub.url, rec, 'GET', '/services')).find((s) => s.active && s.duration_minutes >= 60);
  assert.ok(service, 'the demo catalogue has a play-time service of an hour or more');
  // The demo's service takes 40 children at once; the test wants sixty and more.
  service = await call(hub.url, admin, 'PATCH', `/services/${service.id}`, { capacity: 100 });
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const FIRST = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elena', 'Fernando', 'Gabriela', 'Hugo', 'Isabel', 'Jorge', 'Karla', 'Luis'];
const LAST = ['Ruiz', 'Díaz', 'Gómez', 'Pérez', 'Torres'];
/** Sixty names, a few of them long ones that need a second line or a smaller size. */
const NAMES = Array.from({ length: 60 }, (_, i) =>
  i % 9 === 4 ? `María Fernanda ${LAST[i % LAST.length]} García` : `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`);

let checkedIn = 0;
/** Checks in the next children up to `total`: one sale a line of at most 40 children. */
async function checkInUpTo(total) {
  while (checkedIn < total) {
    const names = NAMES.slice(checkedIn, Math.min(total, checkedIn + 40));
    await call(hub.url, rec, 'POST', '/sales', {
      items: [{ service_id: service.id, children: names.map((name) => ({ name })) }],
      payments: [{ method: 'cash', amount_cents: service.price_cents * names.length }],
    });
    checkedIn += names.length;
  }
}

/** What one page shows: each tile's id, name, box and type sizes, and what does not fit. */
const readPage = (page) =>
  page.evaluate(() => {
    const problems = [];
    const inside = (a, b) => a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
    const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
    const tiles = [...document.querySelectorAll('[data-testid=monitor-tile]')].map((tile) => {
      const box = tile.getBoundingClientRect();
      const nameEl = tile.querySelector('[data-testid=monitor-name]');
      const countdownEl = tile.querySelector('[data-testid=countdown]');
      const name = nameEl.textContent.trim();
      // The text's own box (a range), not its element's, so an overflowing glyph run is seen.
      const textBox = (el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return range.getBoundingClientRect();
      };
      const nameBox = textBox(nameEl);
      const countdownBox = textBox(countdownEl);
      const section = tile.closest('[data-testid=party-group], [data-testid=walk-ins]').getBoundingClientRect();
      if (!inside(box, screen)) problems.push(`${name}: the tile reaches past the screen`);
      if (!inside(box, section)) problems.push(`${name}: the tile spills out of its group`);
      if (!inside(nameBox, box)) problems.push(`${name}: the name spills out of its tile`);
      if (nameEl.scrollWidth > nameEl.clientWidth + 1) problems.push(`${name}: the name is cut`);
      if (!inside(countdownBox, box)) problems.push(`${name}: the countdown ${countdownEl.textContent} spills out of its tile`);
      // The countdown's line box (line-height 1) holds its digits; its text box adds the font's
      // ascent and descent, which digits do not reach.
      if (overlap(nameBox, countdownEl.getBoundingClientRect())) problems.push(`${name}: the name runs into the countdown`);
      return {
        id: tile.dataset.timerId,
        name,
        box: { x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.width), h: Math.round(box.height) },
        nameLines: Math.round(nameBox.height / (parseFloat(getComputedStyle(nameEl).fontSize) * 1.15)),
        namePx: parseFloat(getComputedStyle(nameEl).fontSize),
        countdownPx: parseFloat(getComputedStyle(countdownEl).fontSize),
      };
    });
    for (let i = 0; i < tiles.length; i++) {
      for (let j = i + 1; j < tiles.length; j++) {
        const a = tiles[i].box;
        const b = tiles[j].box;
        if (overlap({ left: a.x, top: a.y, right: a.x + a.w, bottom: a.y + a.h }, { left: b.x, top: b.y, right: b.x + b.w, bottom: b.y + b.h })) {
          problems.push(`${tiles[i].name} and ${tiles[j].name} overlap`);
        }
      }
    }
    if (document.documentElement.scrollHeight > innerHeight + 1 || document.documentElement.scrollWidth > innerWidth + 1) problems.push('the page scrolls');
    return { tiles, problems };
  });

/** Every page of the wall, from the first: its tiles and problems. `shots` names a screenshot of the first and last page. */
const readWall = (page, shots = null) =>
  onEveryPage(page, async (p, n, pages) => {
    const read = await readPage(p);
    if (shots && (n === 1 || n === pages)) await screenshot(p, `${shots}-page${n}of${pages}`);
    return read;
  });

/** Waits until the wall shows `count` children over all its pages; returns the pages. */
async function wallOf(page, count, shots) {
  const until = Date.now() + 10_000;
  for (;;) {
    const pages = await readWall(page);
    const ids = pages.flatMap((p) => p.tiles.map((t) => t.id));
    if (ids.length === count) return shots ? readWall(page, shots) : pages;
    if (Date.now() > until) assert.fail(`the wall should show ${count} children, shows ${ids.length}`);
    await page.waitForTimeout(300);
  }
}

function checkReadable(pages, count, label) {
  const tiles = pages.flatMap((p) => p.tiles);
  assert.deepEqual(pages.flatMap((p) => p.problems), [], `${label}: nothing spills out, nothing is cut`);
  assert.equal(new Set(tiles.map((t) => t.id)).size, count, `${label}: every child on some page, once`);
  const namePx = Math.min(...tiles.map((t) => t.namePx));
  const countdownPx = Math.min(...tiles.map((t) => t.countdownPx));
  assert.ok(namePx >= 40, `${label}: every name at least 40 px (smallest ${namePx} px)`);
  assert.ok(countdownPx >= 64, `${label}: every countdown at least 64 px (smallest ${countdownPx} px)`);
  return { namePx, countdownPx, tiles };
}

test('1 to 60 children read from across the room at 1920×1080, a page at a time, every tile in place', { timeout: 240_000 }, async () => {
  const wall = await openWall(browser, hub.url, WALL);
  const m = wall.page;
  const seen = [];
  let order = [];
  for (const count of [1, 8, 30, 48, 60]) {
    await checkInUpTo(count);
    const pages = await wallOf(m, count, `monitor-readable-${count}`);
    const { namePx, countdownPx, tiles } = checkReadable(pages, count, `${count} children`);
    seen.push(`${count}: ${pages.length} page(s), names ≥ ${namePx} px, countdowns ≥ ${countdownPx} px`);
    // Children already playing keep their rank; the newcomers come after them.
    const ids = tiles.map((t) => t.id);
    assert.deepEqual(ids.slice(0, order.length), order, `${count} children: those already on the wall keep their order`);
    order = ids;
    if (count >= 30) assert.ok(pages.length > 1, `${count} children do not fit one page at the minimum: the wall pages`);
    if (count === 48) {
      const long = tiles.filter((t) => t.name.startsWith('María Fernanda'));
      assert.ok(long.length > 0 && long.every((t) => t.namePx >= 40), 'a long name is shown whole at 40 px or more');
    }
  }
  console.log(seen.join('\n'));

  // While the children play, the first page does not move: the same tiles at the same places
  // seconds later, and after one more child checks in (it goes at the end).
  const before = (await readWall(m))[0].tiles;
  await m.waitForTimeout(3000);
  assert.deepEqual((await readWall(m))[0].tiles.map((t) => [t.id, t.box]), before.map((t) => [t.id, t.box]), 'the first page stays put as seconds pass');
  NAMES.push('Zoe Tardía 61');
  await checkInUpTo(61);
  const later = await wallOf(m, 61);
  assert.deepEqual(later[0].tiles.map((t) => [t.id, t.box]), before.map((t) => [t.id, t.box]), 'and after another child checks in');
  assert.deepEqual(later.flatMap((p) => p.tiles.map((t) => t.id)).slice(0, 60), order, 'every child keeps its rank');
  assert.deepEqual(wall.errors.map(String), [], 'no script errors');
  await wall.context.close();
});

test('the pages turn by themselves, a portrait wall pages the same way, and a run-out timer comes first', { timeout: 180_000 }, async () => {
  await checkInUpTo(60);
  // The last child in: a minute of play, so it runs out while the rest play on.
  const admin = await login(hub.url, 'admin');
  const minute = await call(hub.url, admin, 'POST', '/services', { name: 'Un minuto', duration_minutes: 1, price_cents: 100 });
  await call(hub.url, rec, 'POST', '/sales', {
    items: [{ service_id: minute.id, children: [{ name: 'Zoe Corta' }] }],
    payments: [{ method: 'cash', amount_cents: 100 }],
  });
  checkedIn += 1;

  const turning = await openWall(browser, hub.url, WALL, 2);
  await turning.page.locator('[data-testid=monitor-page][data-page="1"]').waitFor({ timeout: 5000 });
  await turning.page.locator('[data-testid=monitor-page][data-page="2"]').waitFor({ timeout: 4000 });
  assert.match(await turning.page.textContent('[data-testid=monitor-page]'), /^\s*2\/\d\s*$/, 'the page number shows where the wall is');
  await turning.context.close();

  const portrait = await openWall(browser, hub.url, { width: 1080, height: 1920 });
  const count = checkedIn;
  const pages = await wallOf(portrait.page, count, 'monitor-readable-portrait');
  const { namePx, countdownPx } = checkReadable(pages, count, `portrait, ${count} children`);
  console.log(`portrait ${count}: ${pages.length} page(s), names ≥ ${namePx} px, countdowns ≥ ${countdownPx} px`);
  const last = pages.at(-1).tiles.at(-1);
  assert.equal(last.name, 'Zoe Corta', 'the child checked in last is the last tile while she plays');
  assert.deepEqual(portrait.errors.map(String), [], 'no script errors');
  await portrait.context.close();

  const wall = await openWall(browser, hub.url, WALL);
  await wall.page.locator('[data-testid=monitor-tile][data-state=expired]', { hasText: 'Zoe Corta' }).waitFor({ timeout: 75_000 });
  const first = wall.page.locator('[data-testid=monitor-tile]').first();
  assert.equal((await first.locator('[data-testid=monitor-name]').textContent()).trim(), 'Zoe Corta', 'once her time runs out her tile comes first');
  await screenshot(wall.page, 'monitor-readable-run-out-first');
  assert.deepEqual(wall.errors.map(String), [], 'no script errors');
  await wall.context.close();
});
