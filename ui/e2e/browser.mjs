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

/** A separate device: its own context (cookies, sessionStorage), logged in through the login page. */
export async function openAs(browser, base, username, viewport = DESK) {
  const context = await browser.newContext({ viewport, locale: 'es-MX' });
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
