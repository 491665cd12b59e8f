// How many taps charging 20 minutes of overtime takes at the reception desk, counted by driving
// the real UI in Chromium against the real hub: starts on the timer board with the run-out timer
// in view (its card says «Excedido 20 min · $100.00»), ends when the hub has confirmed the sale.
// Every click this script makes is a tap. The timer ran out 20 minutes ago thanks to
// e2e/pastTimers.mjs (which says why the database is written by hand).
import { DESK, openAs } from '../e2e/browser.mjs';
import { hubWithRunOutTimers } from '../e2e/pastTimers.mjs';

export async function overtimeTaps(browser) {
  const { hub, timers } = await hubWithRunOutTimers({ Ana: 19 * 60_000 + 5000 });
  try {
    const desk = await openAs(browser, hub.url, 'recepcion', DESK);
    try {
      const page = desk.page;
      const card = `[data-testid=timer-card][data-timer-id="${timers.Ana.id}"]`;
      const shown = (await page.locator(`${card} [data-testid=timer-overtime]`).textContent()).trim();
      let taps = 0;
      const tap = async (selector) => {
        await page.click(selector);
        taps++;
      };
      await tap(`${card} [data-testid=timer-stop]`);
      await tap(`${card} [data-testid=timer-charge]`);
      await tap('[data-testid=pay-confirm]');
      await page.locator('[data-testid=sale-done]').waitFor();
      return { taps, shown };
    } finally {
      await desk.context.close();
    }
  } finally {
    await hub.stop();
  }
}

export function printOvertimeTaps({ taps, shown }) {
  console.log('Charge 20 minutes of overtime at reception (Chromium 1366×768, from the timer board with the run-out timer in view to the confirmed sale):');
  console.log(`  ${taps} taps («Terminar», «Cobrar», confirm the exact cash already filled in); the card said «${shown}»`);
}
