// A newcomer's first look: a demo hub started with six weeks of past (check-ins, snacks at the
// desk and the kid bar, the camera's visitors, every day closed with its cash count) shows every
// admin chart and forecast working, at the desk's 1366×768 and a wall's 1920×1080. Each chart's
// data is read from the page (column heights, heat cells, bars, donut arcs, table rows), not
// judged from a picture; the day being lived still starts at zero; and `screenProblems` finds
// nothing on any of them. «Resumen»'s «Últimos 7 días» shows what the hub's dashboard report
// answers for the same days. Each screen is saved to test-output/demo-history-<page>-<size>.png.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, formatMXN, login } from './api.mjs';
import { DESK, launchBrowser, openAs, screenProblems, screenshot, WALL } from './browser.mjs';
import { startHub } from './hub.mjs';
import { dayIn } from './zones.mjs';

const DAYS = 42;

let hub;
let browser;

before(async () => {
  hub = await startHub({ demoHistory: DAYS });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

/** «$151,084.00» → 15108400. */
const cents = (text) => Math.round(Number(text.replace(/[^\d.-]/g, '')) * 100);

/**
 * What a chart (the svg with this aria-label) draws: the columns' heights (ColumnChart,
 * ForecastChart), the bars' widths (BarChart), the heat cells' values (HeatmapChart, from their
 * tooltips), the donut's arcs; and its texts that lie on one another or run out of the chart.
 */
async function chart(page, title) {
  const svg = page.locator(`svg[role=img][aria-label="${title}"]`).first();
  await svg.waitFor();
  return svg.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const texts = [...el.querySelectorAll('text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
    const problems = [];
    for (const { text, r } of texts) {
      // A glyph's box may lean a pixel or two past its ink (the J of «Jueves»).
      if (r.left < box.left - 3 || r.right > box.right + 3 || r.top < box.top - 3 || r.bottom > box.bottom + 3) problems.push(`«${text}» runs out of the chart`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const [a, b] = [texts[i].r, texts[j].r];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`«${texts[i].text}» lies on «${texts[j].text}»`);
      }
    }
    // A bar's label must end before its track starts.
    for (const g of el.querySelectorAll('g')) {
      const label = g.querySelector('text.label');
      const track = g.querySelector('rect.track');
      if (label && track && label.getBoundingClientRect().right > track.getBoundingClientRect().left + 1) problems.push(`«${label.textContent}» runs into its bar`);
    }
    const num = (v) => Number(v ?? 0);
    return {
      columns: [...el.querySelectorAll('rect.col')].map((r) => num(r.getAttribute('height'))),
      bars: [...el.querySelectorAll('rect:not(.track):not(.col)[fill]:not([fill^="var"])')].map((r) => num(r.getAttribute('width'))),
      heat: [...el.querySelectorAll('rect[fill-opacity]')].map((r) => Number(/: (\d+)$/.exec(r.querySelector('title')?.textContent ?? '')?.[1] ?? 0)),
      arcs: el.querySelectorAll('circle.arc').length,
      labels: [...el.querySelectorAll('[data-testid=chart-label]')].map((t) => t.textContent),
      problems,
    };
  });
}

const nonZero = (values) => values.filter((v) => v > 0).length;

/**
 * «Resumen»'s «Últimos 7 días» against the hub's own answer for the same days: each figure, the
 * seven days before it, the change's arrow and colour, and a column a day drawn to scale.
 * Returns the answer.
 */
async function checkLastWeek(page, base) {
  const section = page.locator('[data-testid=dash-week]');
  await section.waitFor();
  const from = await section.getAttribute('data-from');
  const to = await section.getAttribute('data-to');
  const answer = await call(base, await login(base, 'admin'), 'GET', `/reports/dashboard?from=${from}&to=${to}`);
  assert.equal(answer.period.days, 7, `seven days from ${from} to ${to}`);
  assert.equal(to, dayIn(answer.period.timezone), "the seven days end with today in the branch's zone");
  const count = (v) => String(v);
  for (const [name, delta, format] of [
    ['revenue', answer.revenue, formatMXN], ['sales', answer.sales_count, count],
    ['checkins', answer.checkins, count], ['ticket', answer.ticket_average, formatMXN],
  ]) {
    const id = `dash-week-${name}`;
    assert.equal(await page.textContent(`[data-testid=${id}]`), format(delta.current), `${name}: the hub's figure for the seven days`);
    assert.equal(await page.textContent(`[data-testid=${id}-previous]`), `antes ${format(delta.previous)}`, `${name}: the seven days before`);
    const change = page.locator(`[data-testid=${id}-delta]`);
    const [text, classes] = [(await change.textContent()).trim(), await change.getAttribute('class')];
    if (delta.previous === 0) {
      assert.equal(text, '—', `${name}: no change without a previous figure`);
    } else if (delta.current > delta.previous) {
      assert.match(text, /^▲ \+\d+\.\d %$/, `${name}: up from ${delta.previous} to ${delta.current} (${text})`);
      assert.match(classes, /\bup\b/, `${name}: a rise is good news`);
    } else if (delta.current < delta.previous) {
      assert.match(text, /^▼ −\d+\.\d %$/, `${name}: down from ${delta.previous} to ${delta.current} (${text})`);
      assert.match(classes, /\bdown\b/, `${name}: a fall is bad news`);
    } else {
      assert.match(text, /^0\.0 %$/, `${name}: no change (${text})`);
    }
    if (delta.percent !== null && delta.percent !== undefined) {
      assert.ok(text.includes(Math.abs(delta.percent).toFixed(1)), `${name}: the hub's ${delta.percent} % (${text})`);
    }
  }
  assert.ok(answer.revenue.previous > 0 && answer.revenue.current > 0, 'the demo has sales in both weeks');

  const daily = await chart(page, 'Ingresos de los últimos 7 días');
  assert.equal(daily.columns.length, 7, 'a column a day');
  const top = Math.max(...daily.columns);
  const most = Math.max(...answer.days.map((d) => d.revenue_cents));
  answer.days.forEach((d, i) => {
    assert.ok(Math.abs(daily.columns[i] / top - d.revenue_cents / most) < 0.01, `${d.day}: column ${daily.columns[i]} of ${top} for ${d.revenue_cents} of ${most}`);
  });
  assert.equal(daily.columns.at(-1), 0, "today's column is still empty");
  assert.ok(daily.labels.length >= 4, `the days are labelled (${daily.labels})`);
  assert.deepEqual(daily.problems, [], "the week's labels fit");
  return answer;
}

/** The page as it shows, scrolled so `locator` is at the top of its scrolling box, saved and checked. */
async function look(page, name, size, locator = null) {
  if (locator) {
    await locator.first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  }
  await screenshot(page, `demo-history-${name}-${size}`);
  return (await screenProblems(page)).map((p) => `${name}: ${p}`);
}

async function preset(page, which) {
  const answered = page.waitForResponse((r) => r.url().includes('/reports/forecast') && r.ok());
  await page.click(`[data-testid=rep-preset-${which}]`);
  await answered;
  await page.locator('[data-testid=rep-forecast]').waitFor();
  // The figures are drawn once the last answer of the batch is in.
  await page.waitForFunction(() => !document.querySelector('.filters .muted'));
}

for (const [size, viewport] of [['desk', DESK], ['wall', WALL]]) {
  test(`with ${DAYS} days of demo history every admin chart and forecast has data at ${viewport.width}×${viewport.height}`, { timeout: 180_000 }, async () => {
    const { page, errors, context } = await openAs(browser, hub.url, 'admin', viewport);
    const problems = [];
    /** Children checked in over the last 7 and 30 days, as the reports count them. */
    const reportCheckins = {};

    // «Resumen» is today's glance: the day being lived starts empty.
    await page.locator('[data-testid=kpi-revenue]').waitFor();
    assert.equal(await page.textContent('[data-testid=kpi-revenue]'), '$0.00', "today's revenue is still zero");
    assert.equal(await page.textContent('[data-testid=kpi-sales]'), '0', 'no sale today');
    assert.equal(await page.textContent('[data-testid=kpi-timers]'), '0', 'every child of the past was collected');
    const hourly = await chart(page, 'Ventas por hora');
    assert.equal(nonZero(hourly.columns), 0, 'no sale in any hour of today');
    assert.equal((await chart(page, 'Ingresos por forma de pago')).arcs, 0, 'no payment today');
    problems.push(...await look(page, 'dashboard', size));

    // «Últimos 7 días»: the week the reports' «7 días» shows, at the desk and on the wall.
    const week = await checkLastWeek(page, hub.url);
    problems.push(...await look(page, 'dashboard-week', size, page.locator('[data-testid=dash-week]')));
    problems.push(...(await screenProblems(page, '[data-testid=dash-week]')).map((p) => `«Últimos 7 días»: ${p}`));

    // «Ver reportes» opens «Reportes», where today is zero too.
    await page.click('[data-testid=dash-week-reports]');
    await page.waitForURL((url) => url.pathname === '/admin/reports');
    assert.equal(await page.getAttribute('[data-testid=tab-reports]', 'aria-current'), 'page', '«Reportes» is the section shown');
    await page.locator('[data-testid=rep-forecast]').waitFor();
    await preset(page, 'today');
    assert.equal(cents(await page.textContent('[data-testid=rep-kpi-revenue]')), 0, "the reports' «Hoy» shows no revenue");
    assert.equal(await page.textContent('[data-testid=rep-kpi-sales]'), '0', "the reports' «Hoy» shows no sale");
    problems.push(...await look(page, 'reports-today', size));

    // The last 7 and 30 days: every day with sales, every figure above zero.
    for (const [which, days] of [['week', 7], ['month', 30]]) {
      await preset(page, which);
      const revenue = cents(await page.textContent('[data-testid=rep-kpi-revenue]'));
      assert.ok(revenue > 0, `${which}: revenue above zero`);
      const sales = Number(await page.textContent('[data-testid=rep-kpi-sales]'));
      assert.ok(sales >= days, `${which}: at least a sale a day (${sales})`);
      const checkins = Number(await page.textContent('[data-testid=rep-kpi-checkins]'));
      assert.ok(checkins > 0, `${which}: children checked in`);
      reportCheckins[days] = checkins;
      if (days === 7) {
        assert.equal(revenue, week.revenue.current, "the reports' «7 días» has «Resumen»'s revenue");
        assert.equal(checkins, week.checkins.current, "the reports' «7 días» has «Resumen»'s check-ins");
      }

      const daily = await chart(page, 'Ingresos por día');
      assert.equal(daily.columns.length, days, `${which}: a column a day`);
      assert.equal(daily.columns.at(-1), 0, `${which}: today's column is empty`);
      assert.ok(nonZero(daily.columns) >= days - 1 - Math.floor(days / 7), `${which}: the past days have revenue (${nonZero(daily.columns)} of ${days})`);
      assert.ok(daily.labels.length >= Math.min(days, 7), `${which}: the days are labelled (${daily.labels.length})`);
      assert.deepEqual(daily.problems, [], `${which}: the daily chart's labels fit`);

      const byType = await chart(page, 'Ingresos por tipo');
      assert.ok(nonZero(byType.bars) >= 2, `${which}: services and products both sold (${byType.bars})`);
      assert.deepEqual(byType.problems, [], `${which}: by type fits`);
      const byMethod = await chart(page, 'Ingresos por forma de pago');
      assert.equal(byMethod.arcs, 3, `${which}: cash, card and transfer all taken`);

      const heat = await chart(page, 'Ventas por día de la semana y hora');
      assert.ok(nonZero(heat.heat) >= 20, `${which}: the heatmap has busy cells (${nonZero(heat.heat)})`);
      assert.deepEqual(heat.problems, [], `${which}: the heatmap's labels fit`);

      const top = await page.locator('[data-testid=rep-top] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
      assert.ok(top.length >= 3, `${which}: best sellers listed (${top.length})`);
      assert.ok(top.every((r) => Number(r[1]) > 0 && cents(r[2]) > 0), `${which}: every best seller sold something`);

      const use = await page.locator('[data-testid=rep-utilisation] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.cells[2].textContent)));
      assert.ok(nonZero(use) >= 1, `${which}: services had sessions (${use})`);

      const inventory = await page.locator('[data-testid=rep-inventory] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.cells[2].textContent)));
      assert.ok(nonZero(inventory) >= 2, `${which}: products sold from stock (${inventory})`);

      const closings = await page.locator('[data-testid=rep-closings] tbody tr').evaluateAll((rows) => rows.map((r) => ({
        day: r.cells[0].textContent.trim(),
        difference: r.cells[3].textContent.trim(),
        marked: r.cells[3].classList.contains('short') || r.cells[3].classList.contains('over'),
      })));
      assert.ok(closings.length >= days - 1 - Math.floor(days / 7), `${which}: the past days are closed (${closings.length})`);
      if (which === 'month') {
        const off = closings.filter((c) => cents(c.difference) !== 0);
        assert.ok(off.length >= 1, 'some closing was a few pesos off');
        assert.ok(off.every((c) => c.marked), 'every difference is coloured');
      }
      assert.equal(await page.locator('.warn-text').count(), 0, `${which}: no day with sales left unclosed`);

      // The forecast: both series tried against the real past, fourteen days each, none empty.
      const statuses = await page.locator('[data-testid=forecast-status]').evaluateAll((els) => els.map((e) => [e.dataset.status, e.textContent.trim()]));
      assert.equal(statuses.length, 2);
      for (const [status, message] of statuses) {
        assert.equal(status, 'ok', `${which}: the forecast has enough data («${message}»)`);
        assert.doesNotMatch(message, /suficiente|sin datos|no hay/i);
      }
      for (const title of ['Ingresos pronosticados', 'Visitantes pronosticados (entradas)']) {
        const f = await chart(page, title);
        assert.equal(f.columns.length, 14, `${which}: ${title} for 14 days`);
        assert.ok(nonZero(f.columns) >= 12, `${which}: ${title} above zero (${f.columns})`);
        assert.deepEqual(f.problems, [], `${which}: ${title}'s labels fit`);
      }
      const backtests = await page.locator('[data-testid=forecast-backtest]').allTextContents();
      assert.equal(backtests.filter((b) => /MAPE \d/.test(b)).length, 2, `${which}: each forecast says how wrong it was (${backtests})`);

      const name = `reports-${which}`;
      problems.push(...await look(page, `${name}-figures`, size, page.locator('[data-testid=rep-kpi-revenue]')));
      problems.push(...await look(page, `${name}-daily`, size, page.locator('svg[aria-label="Ingresos por día"]')));
      problems.push(...await look(page, `${name}-heatmap`, size, page.locator('[data-testid=heatmap]')));
      problems.push(...await look(page, `${name}-tables`, size, page.locator('[data-testid=rep-top]')));
      problems.push(...await look(page, `${name}-inventory`, size, page.locator('[data-testid=rep-inventory]')));
      problems.push(...await look(page, `${name}-closings`, size, page.locator('[data-testid=rep-closings]')));
      problems.push(...await look(page, `${name}-forecast`, size, page.locator('[data-testid=rep-forecast]')));
    }

    // «Clientes» over the same 30 days: the demo's visits come without a family record (walk-ins
    // with a guardian's name only), so the families' charts stay at zero; the walk-ins are counted.
    await page.click('[data-testid=rep-tab-customers]');
    await page.locator('[data-testid=customers-walkins]').waitFor();
    const walkIns = Number(/\d+/.exec(await page.textContent('[data-testid=customers-walkins]'))?.[0]);
    assert.ok(walkIns > 0, `the month's walk-in visits are counted (${walkIns})`);
    problems.push(...await look(page, 'reports-customers', size));
    await page.click('[data-testid=rep-tab-sales]');

    // «Visitantes»: today none yet; the camera's last week and month full of them.
    await page.click('[data-testid=tab-visitors]');
    await page.locator('[data-testid=vis-visitors]').waitFor();
    assert.equal(await page.textContent('[data-testid=vis-visitors]'), '0', 'nobody counted today yet');
    assert.equal(await page.textContent('[data-testid=vis-checkins]'), '0', 'nobody checked in today yet');
    problems.push(...await look(page, 'visitors-today', size));
    for (const days of [7, 30]) {
      await page.click(`[data-testid=vis-days-${days}]`);
      // The same days as the reports' preset: the same children checked in.
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=vis-checkins]')?.textContent) === n, reportCheckins[days], { timeout: 10_000 })
        .catch(async () => assert.fail(`${days} days: the visitors page counts ${await page.textContent('[data-testid=vis-checkins]')} check-ins, the reports ${reportCheckins[days]}`));
      const visitors = Number(await page.textContent('[data-testid=vis-visitors]'));
      const checkins = Number(await page.textContent('[data-testid=vis-checkins]'));
      assert.ok(visitors > checkins, `${days} days: more visitors (${visitors}) than children checked in (${checkins})`);
      assert.notEqual((await page.textContent('[data-testid=vis-avg-dwell]')).trim(), '—', `${days} days: an average time in view`);
      assert.match(await page.textContent('[data-testid=vis-conversion]'), /\d/, `${days} days: a conversion`);
      const byHour = await chart(page, 'Visitantes por hora');
      assert.ok(nonZero(byHour.columns) >= 5, `${days} days: visitors over the day's hours (${byHour.columns})`);
      assert.deepEqual(byHour.problems, [], `${days} days: by hour fits`);
      const byShift = await chart(page, 'Visitantes por turno');
      assert.ok(nonZero(byShift.bars) >= 1, `${days} days: visitors by shift (${byShift.bars})`);
      assert.deepEqual(byShift.problems, [], `${days} days: by shift fits`);
      const dwell = await chart(page, 'Tiempo frente al tótem');
      assert.ok(nonZero(dwell.bars) >= 1, `${days} days: visitors by time in view (${dwell.bars})`);
      assert.deepEqual(dwell.problems, [], `${days} days: dwell fits`);
      problems.push(...await look(page, `visitors-${days}-figures`, size, page.locator('[data-testid=vis-visitors]')));
      problems.push(...await look(page, `visitors-${days}-charts`, size, page.locator('svg[aria-label="Visitantes por hora"]')));
    }

    assert.deepEqual(problems, [], 'every page holds up with real history');
    assert.deepEqual(errors.map(String), [], 'no script errors');
    await context.close();
  });
}
