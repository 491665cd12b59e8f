// The admin's reports at a 1366×768 laptop and the totem's menu at 1920×1080: chart labels never
// run into each other, numbers in tables never wrap or get cut off, the totem says a service's
// length as people say it ("8 h") and leaves sold-out and inactive products off its slides.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, items, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';

let hub;
let browser;

before(async () => {
  hub = await startHub();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

/** Pairs of labels in the same chart (SVG text under `root`) whose boxes touch or overlap, as sentences. */
function overlappingLabels(page, root) {
  return page.evaluate((selector) => {
    const problems = [];
    for (const chart of document.querySelectorAll(`${selector} svg`)) {
      const labels = [...chart.querySelectorAll('text')].map((el) => ({ text: el.textContent, r: el.getBoundingClientRect() }));
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const [a, b] = [labels[i], labels[j]];
          const apart = Math.max(a.r.left, b.r.left) - Math.min(a.r.right, b.r.right);
          const sameRow = Math.min(a.r.bottom, b.r.bottom) > Math.max(a.r.top, b.r.top);
          if (sameRow && apart < 2) problems.push(`«${a.text}» and «${b.text}» are ${apart.toFixed(1)} px apart`);
        }
      }
    }
    return problems;
  }, root);
}

/**
 * Table cells under `root` holding a number, a price or a time that wrap onto a second line or
 * are wider than their cell, and tables that reach past a box that does not scroll.
 */
function tableProblems(page, root) {
  return page.evaluate((selector) => {
    const problems = [];
    const name = (cell) => `${cell.closest('table')?.dataset.testid ?? 'table'} «${cell.textContent.trim()}»`;
    for (const table of document.querySelectorAll(`${selector} table`)) {
      if (table.getClientRects().length === 0) continue;
      let box = table.parentElement;
      while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
      const boxRect = box ? box.getBoundingClientRect() : { left: 0, right: document.documentElement.clientWidth };
      const scrolls = box && /(auto|scroll)/.test(getComputedStyle(box).overflowX) && !box.matches(selector);
      const r = table.getBoundingClientRect();
      if (!scrolls && (r.right > boxRect.right + 1 || r.left < boxRect.left - 1)) {
        problems.push(`${table.dataset.testid ?? 'table'} is cut off: ${Math.round(r.right - boxRect.right)} px past a box that does not scroll`);
      }
      for (const cell of table.querySelectorAll('td, th')) {
        const text = cell.textContent.trim();
        // Numbers, prices, percentages, dates and times; a product's name may wrap.
        if (!cell.classList.contains('n') && !/^[-−$\d.,:%\s—]*\d[-−$\d.,:%\s—]*$/.test(text)) continue;
        if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${name(cell)} is wider than its cell (${cell.scrollWidth} > ${cell.clientWidth})`);
        const range = document.createRange();
        range.selectNodeContents(cell);
        const tops = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
        if (tops.size > 1) problems.push(`${name(cell)} wraps onto ${tops.size} lines`);
      }
    }
    const pageBox = document.querySelector(selector);
    if (pageBox && pageBox.scrollWidth > pageBox.clientWidth + 1) problems.push(`${selector} scrolls sideways (${pageBox.scrollWidth} > ${pageBox.clientWidth})`);
    return problems;
  }, root);
}

test('reports at 1366×768: the 30-day chart\'s dates are readable and table numbers stay whole', { timeout: 120_000 }, async () => {
  const rec = await login(hub.url, 'recepcion');
  const products = items(await call(hub.url, rec, 'GET', '/products')).filter((p) => p.active && p.stock > 3);
  for (const p of products.slice(0, 4)) {
    await call(hub.url, rec, 'POST', '/sales', { items: [{ product_id: p.id, quantity: 2 }], payments: [{ method: 'cash', amount_cents: 2 * p.price_cents }] });
  }

  const admin = await openAs(browser, hub.url, 'admin', DESK);
  const page = admin.page;
  await page.click('[data-testid=tab-reports]');
  await page.click('[data-testid=rep-preset-month]');
  await page.locator('[data-testid=rep-inventory]').waitFor({ timeout: 10_000 });
  const daily = page.locator('.card', { has: page.locator('[data-testid=export-revenue-xlsx]') });
  const labels = daily.locator('svg text');
  await labels.first().waitFor();
  const shown = await labels.count();
  const overlaps = await overlappingLabels(page, '[data-testid=reports]');
  const tables = await tableProblems(page, '[data-testid=reports]');
  await daily.scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-reports-chart-1366');
  assert.deepEqual(overlaps, [], 'no two chart labels touch');
  assert.ok(shown >= 5 && shown < 30, `the 30-day chart draws some of its 30 dates, as many as fit (drew ${shown})`);
  assert.deepEqual(tables, [], 'numbers in the report tables neither wrap nor get cut off');
  // The stock table's last column (its value) is in sight at 1366 px, not scrolled away.
  const inventory = await page.locator('[data-testid=rep-inventory]').evaluate((table) => {
    const card = table.closest('.card').getBoundingClientRect();
    const last = table.querySelector('thead th:last-child').getBoundingClientRect();
    return { lastRight: last.right, cardRight: card.right };
  });
  assert.ok(inventory.lastRight <= inventory.cardRight, `the inventory's value column shows without scrolling (${JSON.stringify(inventory)})`);
  await page.locator('[data-testid=rep-inventory]').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-reports-tables-1366');

  // The dashboard's sales by hour, with the same chart.
  await page.click('[data-testid=tab-dashboard]');
  await page.locator('[data-testid=kpi-revenue]').waitFor();
  await page.locator('.card svg text').first().waitFor();
  assert.deepEqual(await overlappingLabels(page, 'body'), [], 'no two labels touch on the dashboard');
  await page.locator('.card.hourly').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-dashboard-1366');
  assert.deepEqual(admin.errors.map(String), [], 'no script errors');
});

test('the totem at 1920×1080 says "8 h" and leaves sold-out and inactive products off', { timeout: 120_000 }, async () => {
  const admin = await login(hub.url, 'admin');
  const branch = items(await call(hub.url, admin, 'GET', '/branches'))[0];
  assert.equal(branch.allow_negative_stock, false, 'the demo branch does not sell below zero');
  await call(hub.url, admin, 'POST', '/services', { name: 'Campamento de un día', duration_minutes: 8 * 60, price_cents: 60000 });
  await call(hub.url, admin, 'POST', '/services', { name: 'Hora y media de juego', duration_minutes: 90, price_cents: 20000 });
  await call(hub.url, admin, 'POST', '/products', { name: 'Paleta agotada', category: 'Dulces', price_cents: 1500, stock: 0 });
  await call(hub.url, admin, 'POST', '/products', { name: 'Chicle retirado', category: 'Dulces', price_cents: 500, stock: 20, active: false });
  await call(hub.url, admin, 'POST', '/products', { name: 'Gomitas', category: 'Dulces', price_cents: 1200, stock: 20 });

  const totem = await openAs(browser, hub.url, 'totem', WALL, async (context) => context.clock.install());
  const t = totem.page;
  const services = t.locator('[data-testid=totem-slide][data-kind=services]');
  await services.waitFor();
  const offer = (name) => services.locator('.offer', { hasText: name }).locator('[data-testid=totem-duration]');
  assert.equal((await offer('Campamento de un día').innerText()).replace(/\s+/g, ' ').trim(), '8 h', 'an 8-hour service reads "8 h"');
  assert.equal((await offer('Hora y media de juego').innerText()).replace(/\s+/g, ' ').trim(), '1 h 30 min', '90 minutes read "1 h 30 min"');
  await t.waitForTimeout(900);
  await screenshot(t, 'totem-services-1920');

  // Play every slide once (the page's clock is driven by the test), noting each product shown.
  const count = await t.locator('footer.dots span').count();
  assert.ok(count >= 2, `the menu has several slides (${count})`);
  const seen = new Set();
  const sizes = [];
  for (let i = 0; i < count; i++) {
    const slide = t.locator('[data-testid=totem-slide]');
    if ((await slide.getAttribute('data-kind')) === 'products') {
      const names = await slide.locator('[data-testid=totem-product] .name').allInnerTexts();
      names.forEach((n) => seen.add(n.trim()));
      sizes.push(names.length);
      if (names.includes('Gomitas')) {
        await t.waitForTimeout(900);
        await screenshot(t, 'totem-products-1920');
      }
    }
    await t.clock.runFor(9000);
  }
  assert.ok(seen.has('Gomitas'), `a product in stock is on the menu (saw ${[...seen].join(', ')})`);
  assert.ok(!seen.has('Paleta agotada'), 'a sold-out product is not on the menu');
  assert.ok(!seen.has('Chicle retirado'), 'an inactive product is not on the menu');
  assert.deepEqual(totem.errors.map(String), [], 'no script errors');
});
