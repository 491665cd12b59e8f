// The owner's console's layout checks, shared by its browser tests: numbers that break or spill,
// boxes wider than they are, tables that scroll sideways, plus the store's own checks (controls
// past the screen or on one another, text out of its box), with a screenshot of what was checked.
import assert from 'node:assert/strict';
import { layoutProblems, screenProblems, screenshot } from './browser.mjs';

/** Visible numbers (.num, .money) that break over lines or spill out of their box. */
export async function numberProblems(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.num, .money')]
      .filter((el) => el.getClientRects().length > 0)
      .flatMap((el) => {
        const text = (el.textContent ?? '').trim();
        const style = getComputedStyle(el);
        // The text's own line boxes: more than one distinct top is a number broken over lines.
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        const problems = [];
        if (tops.size > 1) problems.push(`«${text}» wraps`);
        if (style.display !== 'inline' && el.scrollWidth > el.clientWidth + 1) problems.push(`«${text}» spills out of its box`);
        return problems;
      }),
  );
}

/** Cards and page boxes whose content is wider than they are (without scrolling for it). */
export async function boxProblems(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.card, .page, .page-head, .figure, .filters, .actions, h1, h2, p, label')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => {
        const style = getComputedStyle(el);
        return !/(auto|scroll|hidden)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} «${(el.textContent ?? '').trim().slice(0, 40)}» is ${el.scrollWidth - el.clientWidth} px too wide`),
  );
}

/** Tables that scroll sideways: at desk sizes every column should fit. */
export async function tableProblems(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.table-wrap')]
      .filter((el) => el.getClientRects().length > 0 && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `a table scrolls sideways by ${el.scrollWidth - el.clientWidth} px: «${(el.querySelector('th')?.textContent ?? '').trim()}…»`),
  );
}

/** The screen's checks, with its screenshot as `name`; `root` limits the control checks to an open dialog. */
export async function checkLayout(page, name, root = 'body') {
  await screenshot(page, name);
  assert.deepEqual(await tableProblems(page), [], `${name}: every table fits`);
  assert.deepEqual(await layoutProblems(page, root), [], `${name}: nothing overflows the screen or overlaps`);
  assert.deepEqual(await numberProblems(page), [], `${name}: numbers stay on one line inside their box`);
  assert.deepEqual(await boxProblems(page), [], `${name}: nothing is wider than its box`);
  assert.deepEqual(await screenProblems(page, root), [], `${name}: nothing sticks out, is cut or lies on another control`);
}
