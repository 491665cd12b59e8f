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
