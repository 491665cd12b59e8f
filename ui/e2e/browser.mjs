// Debian's Chromium driven by playwright-core, with the flags a CI box without a GPU or network needs.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD } from './api.mjs';

export const OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');
export const DESK = { width: 1366, height: 768 };
export const WALL = { width: 1920, height: 1080 };

/** launch() gives every run a fresh temporary user-data-dir of its own, removed at close. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A separate device: its own context (cookies, sessionStorage), logged in through the login page.
 * `prepare` runs on the new context before any page loads (e.g. installing a fake clock);
 * `contextOptions` are Playwright's (e.g. `{ hasTouch: true }` for a touch screen).
 */
export async function openAs(browser, base, username, viewport = DESK, prepare = async () => {}, contextOptions = {}) {
  const context = await browser.newContext({ viewport, locale: 'es-MX', ...contextOptions });
  await prepare(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  // Connected to the live feed: from here on every change is pushed to the page, so a test's
  // "shows within 1 s" measures the push, not the page's start-up.
  await page.locator('html[data-live=online]').waitFor({ state: 'attached', timeout: 15_000 });
  return { context, page, errors };
}

export async function screenshot(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  // The screen as it rests: a dialog caught mid fade-in shows the page through it. Endless
  // animations (a run-out timer's flash) are part of the resting screen and are not waited for.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`) });
}

/** Every visible button must be a comfortable finger target: at least 48×48 CSS px. */
export async function smallTouchTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .filter((b) => b.getClientRects().length > 0 && getComputedStyle(b).visibility !== 'hidden')
      .map((b) => ({ text: (b.textContent ?? '').trim() || b.getAttribute('aria-label') || '?', rect: b.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width < 48 - 0.5 || rect.height < 48 - 0.5)
      .map(({ text, rect }) => `${text} (${Math.round(rect.width)}×${Math.round(rect.height)})`),
  );
}

/**
 * What does not fit on the screen: controls (buttons, inputs, selects) under `root` that reach
 * past the viewport, whose text is wider than they are, or that lie on top of one another; and a
 * page that scrolls sideways. Each problem as a sentence; none is an empty list.
 */
export async function layoutProblems(page, root = 'body') {
  return page.evaluate((selector) => {
    const problems = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    if (document.documentElement.scrollWidth > vw + 1) problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`);
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} «${(el.textContent ?? '').trim().slice(0, 30) || el.getAttribute('aria-label') || el.getAttribute('placeholder') || ''}»`;
    // Inside a scrolling list a control may sit below the fold: it is reachable, not cut off.
    const clipped = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (/(auto|scroll)/.test(style.overflowY + style.overflowX) && p !== document.body && p !== document.documentElement) return true;
      }
      return false;
    };
    const box = document.querySelector(selector);
    if (box && box !== document.body && box.scrollHeight > box.clientHeight + 1) {
      problems.push(`${selector} scrolls: its content is ${box.scrollHeight - box.clientHeight} px taller than it`);
    }
    const controls = [...document.querySelectorAll(`${selector} button, ${selector} input:not([type=checkbox]), ${selector} select`)]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
    const rects = controls.map((el) => ({ el, r: el.getBoundingClientRect() }));
    for (const { el, r } of rects) {
      if (!clipped(el) && (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1)) problems.push(`${name(el)} reaches past the screen`);
      if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) problems.push(`${name(el)}: its text is wider than the button`);
    }
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i];
        const b = rects[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 1 && h > 1) problems.push(`${name(a.el)} overlaps ${name(b.el)}`);
      }
    }
    return problems;
  }, root);
}

/**
 * What does not hold up on a full screen, as sentences (none: an empty list). Unlike
 * `layoutProblems`, boxes are taken as they show, cut by every scrolling or clipping box around
 * them, so a long list scrolled under a footer is not an overlap, and it looks at more:
 * - the page scrolls sideways; a box scrolls sideways; text, a control or an image sticks out of a
 *   box that hides what overflows (sideways, or below: a totem slide taller than its screen); text
 *   runs out of its own box (text cut on purpose with an ellipsis aside);
 * - a control (button, input, select, textarea, link, [role=button|tab|link|checkbox|switch])
 *   reaches past the screen with no scrolling box to reach it, or lies on another control;
 * - a money amount ($1,234.00), a time (6:15 p. m., 12:34) or a length (90 min, 2 h) breaks over
 *   two lines or is cut, and so does a `.num`/`.money` box (styles.css: tabular figures).
 */
export async function screenProblems(page, root = 'body') {
  return page.evaluate((selector) => {
    const problems = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const rootEl = document.querySelector(selector) ?? document.body;
    if (document.documentElement.scrollWidth > vw + 1) problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`);
    const text = (el) => (el.textContent ?? '').trim().replace(/\s+/g, ' ');
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset?.testid ? `[${el.dataset.testid}]` : el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} «${text(el).slice(0, 40) || el.getAttribute('aria-label') || el.getAttribute('placeholder') || ''}»`;
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).opacity !== '0';
    const cut = (a, b) => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
    const empty = (r) => r.right - r.left <= 1 || r.bottom - r.top <= 1;
    const clips = (s) => s.overflowX !== 'visible' || s.overflowY !== 'visible';
    /** The part of `el` that shows: its box cut by the screen and every box around it that clips. */
    const visible = (el) => {
      let r = cut(el.getBoundingClientRect(), { left: 0, top: 0, right: vw, bottom: vh });
      if (getComputedStyle(el).position === 'fixed') return r;
      for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (clips(s)) r = cut(r, p.getBoundingClientRect());
        if (s.position === 'fixed') break;
      }
      return r;
    };
    /** The nearest box around `el` that clips or scrolls along `axis` ('X' or 'Y'). */
    const clipBox = (el, axis) => {
      for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        if (getComputedStyle(p)[`overflow${axis}`] !== 'visible') return p;
        if (getComputedStyle(p).position === 'fixed') return null;
      }
      return null;
    };
    const inScroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll)/.test(s.overflowY + s.overflowX)) return true;
      }
      return false;
    };
    const hasOwnText = (el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());

    // Boxes that scroll sideways, and things sticking out of a box that hides them.
    const scrolling = new Set();
    for (const el of rootEl.querySelectorAll('*')) {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
      const s = getComputedStyle(el);
      if (/(auto|scroll)/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1 && shown(el)) scrolling.add(el);
      const inlineText = hasOwnText(el) || [...el.children].some((c) => getComputedStyle(c).display === 'inline' && (c.textContent ?? '').trim());
      const content = inlineText || /^(BUTTON|INPUT|SELECT|TEXTAREA|IMG|A)$/.test(el.tagName);
      if (!content || !shown(el) || el.getBoundingClientRect().width <= 1) continue;
      // Sticking out of a box that hides the overflow (one that scrolls lets it be reached).
      const r = el.getBoundingClientRect();
      for (const [axis, lo, hi] of [['X', 'left', 'right'], ['Y', 'top', 'bottom']]) {
        const box = clipBox(el, axis);
        if (!box || /(auto|scroll)/.test(getComputedStyle(box)[`overflow${axis}`])) continue;
        const b = box.getBoundingClientRect();
        const inside = Math.min(r[hi], b[hi]) - Math.max(r[lo], b[lo]);
        const out = Math.max(r[hi] - b[hi], b[lo] - r[lo]);
        if (inside > 1 && out > 1) problems.push(`${name(el)} sticks out of ${name(box)} by ${Math.round(out)} px (${axis === 'X' ? 'sideways' : 'below or above'})`);
      }
      const r0 = el.getBoundingClientRect();
      if (r0.width <= 1 || r0.height <= 1) continue; // visually hidden, for screen readers
      if (hasOwnText(el) && s.overflowX !== 'visible' && s.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && !/(auto|scroll)/.test(s.overflowX)) {
        problems.push(`${name(el)}: its text is cut (${el.scrollWidth} > ${el.clientWidth})`);
      }
      // Text that runs out of its own box over whatever is beside it.
      if (inlineText && s.overflowX === 'visible' && !s.display.startsWith('inline') && s.display !== 'contents' && el.scrollWidth > el.clientWidth + 2) {
        problems.push(`${name(el)}: its text spills out of its box (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    for (const el of scrolling) problems.push(`${name(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);

    // Controls: within reach, and never on top of one another.
    const CONTROLS = 'button, input:not([type=hidden]), select, textarea, a[href], [role=button], [role=tab], [role=link], [role=checkbox], [role=switch]';
    const controls = [...rootEl.querySelectorAll(CONTROLS)]
      .filter((el) => shown(el) && !el.closest('[inert], [aria-hidden=true]'))
      .map((el) => ({ el, r: visible(el) }))
      .filter(({ r }) => !empty(r));
    for (const el of rootEl.querySelectorAll(CONTROLS)) {
      if (!shown(el) || inScroller(el) || getComputedStyle(el).position === 'fixed') continue;
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.right > vw + 1 || (r.bottom > vh + 1 && document.documentElement.scrollHeight <= vh + 1)) problems.push(`${name(el)} reaches past the screen`);
    }
    for (let i = 0; i < controls.length; i++) {
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i];
        const b = controls[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        // A control labelled by another (a hidden checkbox in its label) is one control.
        if (a.el.closest('label')?.contains(b.el) || b.el.closest('label')?.contains(a.el)) continue;
        if (!empty(cut(a.r, b.r))) problems.push(`${name(a.el)} overlaps ${name(b.el)}`);
      }
    }

    // Amounts, times and lengths on one line and whole.
    const TOKEN = /[-−]?\$\s?\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.\s?m\.)?|\b\d+\s(?:min|h|hrs?)\b/gi;
    const lines = (rects) => {
      const rs = [...rects].filter((q) => q.width > 0.5);
      return rs.some((a) => rs.some((b) => a.bottom <= b.top + 1));
    };
    const walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('svg, script, style, option, textarea') || !shown(parent)) continue;
      for (const m of n.data.matchAll(TOKEN)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        if (lines(range.getClientRects())) problems.push(`«${m[0]}» in ${name(parent)} breaks over two lines`);
        const r = range.getBoundingClientRect();
        const v = visible(parent);
        if (!empty(v) && r.width > 0 && (r.right > v.right + 1 || r.left < v.left - 1) && cut(r, v).right - cut(r, v).left > 1) {
          problems.push(`«${m[0]}» in ${name(parent)} is cut`);
        }
      }
      // A number box holding a line of inline text (not a card of rows that happens to be `.money`).
      const num = parent.closest('.num, .money');
      const oneLine = (el) => !/(flex|grid)/.test(getComputedStyle(el).display)
        && [...el.querySelectorAll('*')].every((c) => /^(inline|contents|none)/.test(getComputedStyle(c).display));
      if (num && !seen.has(num) && oneLine(num)) {
        seen.add(num);
        const range = document.createRange();
        range.selectNodeContents(num);
        if (lines(range.getClientRects())) problems.push(`${name(num)} breaks over two lines`);
        const ns = getComputedStyle(num);
        if (num.scrollWidth > num.clientWidth + 1 && ns.display !== 'inline' && ns.textOverflow !== 'ellipsis') problems.push(`${name(num)} is wider than its box`);
      }
    }
    return [...new Set(problems)];
  }, root);
}
