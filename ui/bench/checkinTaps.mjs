// How many taps and typed characters checking in a returning family of two children takes at the
// reception desk, paid in cash, counted by driving the real UI in Chromium against the real hub:
// every click this script makes is a tap, every character it types a keystroke. Starts on the
// check-in with the cursor in the family search (where the page puts it); ends when the hub has
// confirmed the sale and its pick-up code is on the screen.
import { call, items, login } from '../e2e/api.mjs';
import { DESK, openAs } from '../e2e/browser.mjs';
import { startHub } from '../e2e/hub.mjs';

/** The demo's Ana López, as the guardian says her phone. */
const PHONE = '5512345678';

export async function checkinTaps(browser) {
  const hub = await startHub();
  try {
    const token = await login(hub.url, 'recepcion');
    const family = items(await call(hub.url, token, 'GET', `/families?q=${PHONE}`))[0];
    const desk = await openAs(browser, hub.url, 'recepcion', DESK);
    try {
      const page = desk.page;
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      if (focused !== 'family-search') throw new Error(`the cursor should start in the family search, it is in ${focused}`);
      const n = { taps: 0, typed: 0 };
      const tap = async (selector) => {
        await page.click(selector);
        n.taps++;
      };
      await page.keyboard.type(PHONE);
      n.typed += PHONE.length;
      await tap(`[data-testid=family-result][data-family-id="${family.id}"]`);
      const children = await page.locator('[data-testid=family-child][aria-pressed=true]').count();
      await tap('[data-testid=offer][data-name="1 hora de juego"]');
      await tap('[data-testid=checkin-pay]');
      await tap('button:text-is("Exacto")');
      await tap('[data-testid=pay-confirm]');
      await page.locator('[data-testid=pickup-code]').waitFor();
      return { ...n, children };
    } finally {
      await desk.context.close();
    }
  } finally {
    await hub.stop();
  }
}

export function printCheckinTaps({ taps, typed, children }) {
  console.log('Check in a returning family with two children, cash (Chromium 1366×768, from the check-in with the cursor in the search to the pick-up code):');
  console.log(`  ${taps} taps (the family, «1 hora de juego», «Cobrar», «Exacto», confirm) + ${typed} characters typed (the phone, ${PHONE}); ${children} children checked in, none retyped`);
}
