// The wall monitor in tests: it pages through its children when they do not all fit at the
// readable minimum, so a test opens it with the automatic turning off and taps through the pages.
import { openAs } from './browser.mjs';

/** The monitor on `viewport`, turning pages every `pageSeconds` (0: only when its page number is tapped). */
export function openWall(browser, base, viewport, pageSeconds = 0) {
  return openAs(browser, base, 'monitor', viewport, (context) =>
    context.addInitScript((s) => localStorage.setItem('kidyboard.monitor.pageSeconds', s), String(pageSeconds)));
}

/** The page the wall shows and how many it has (1 of 1 without a page number). */
export function wallPage(page) {
  return page.evaluate(() => {
    const b = document.querySelector('[data-testid=monitor-page]');
    return { page: Number(b?.dataset.page ?? 1), pages: Number(b?.dataset.pages ?? 1) };
  });
}

/** `read(page, n, pages)` on every page of the wall from the first, tapping to turn; its results, and back on the first page. */
export async function onEveryPage(page, read) {
  let info = await wallPage(page);
  for (let guard = 0; info.page !== 1 && guard < 20; guard++) {
    await page.click('[data-testid=monitor-page]');
    info = await wallPage(page);
  }
  const results = [];
  for (let n = 1; n <= info.pages; n++) {
    if (n > 1) {
      await page.click('[data-testid=monitor-page]');
      await page.locator(`[data-testid=monitor-page][data-page="${n}"]`).waitFor();
    }
    results.push(await read(page, n, info.pages));
  }
  if (info.pages > 1) await page.click('[data-testid=monitor-page]');
  return results;
}
