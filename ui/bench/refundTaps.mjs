// How many touches refunding one item takes at the reception desk, counted by driving the real UI
// in Chromium against the real hub: every click this script makes is a tap, every character it
// types a keystroke. Starts on the sale history with the sale in view; ends when the hub has
// answered with the refund's folio.
import { call, items, login } from '../e2e/api.mjs';
import { DESK, openAs } from '../e2e/browser.mjs';
import { startHub } from '../e2e/hub.mjs';

const PIN = '2468';

/** The counting hand: taps (clicks), keystrokes, and entry steps (a tap, or a whole field typed). */
function hand(page) {
  const n = { taps: 0, keys: 0, steps: 0, pinTaps: 0 };
  return {
    n,
    async tap(selector) {
      await page.click(selector);
      n.taps++;
      n.steps++;
    },
    async type(selector, text) {
      await page.click(selector);
      await page.keyboard.type(text);
      n.taps++;
      n.keys += text.length;
      n.steps++;
    },
    /** The PIN on the pad: a tap a digit, one entry step in all. */
    async pin(pad, digits) {
      for (const d of digits) await page.click(`[data-testid=${pad}-key-${d}]`);
      n.pinTaps += digits.length;
      n.steps++;
    },
  };
}

async function refundOne(page, sale, line, supervisorTyped) {
  await page.goto(new URL('/reception/sales', page.url()).href);
  await page.locator(`[data-testid=sale-row][data-folio="${sale.folio}"]`).waitFor();
  const h = hand(page);
  await h.tap(`[data-testid=sale-row][data-folio="${sale.folio}"]`);
  await h.tap(`[data-testid=sale-line][data-line="${sale.id}.${line}"] [data-testid=line-refund]`);
  await h.tap('[data-testid=reason-chip] >> nth=0');
  if (supervisorTyped) await h.type('[data-testid=refund-supervisor]', 'admin');
  else if ((await page.inputValue('[data-testid=refund-supervisor]')) !== 'admin') throw new Error('the supervisor was not remembered');
  await h.pin('refund-pin', PIN);
  await h.tap('[data-testid=refund-submit]');
  await page.locator('[data-testid=refund-folio]').waitFor();
  return h.n;
}

export async function refundTaps(browser) {
  const hub = await startHub();
  try {
    const token = await login(hub.url, 'recepcion');
    const [a, b] = items(await call(hub.url, token, 'GET', '/products')).filter((p) => p.active && p.stock > 3);
    const sell = () =>
      call(hub.url, token, 'POST', '/sales', {
        items: [{ product_id: a.id, quantity: 1 }, { product_id: b.id, quantity: 1 }],
        payments: [{ method: 'cash', amount_cents: a.price_cents + b.price_cents }],
      });
    const first = await sell();
    const second = await sell();
    const desk = await openAs(browser, hub.url, 'recepcion', DESK);
    try {
      // A device that has never seen the supervisor: their username is typed once…
      const fresh = await refundOne(desk.page, first, 1, true);
      // …and offered from then on: the usual case at a desk.
      const usual = await refundOne(desk.page, second, 1, false);
      return { fresh, usual };
    } finally {
      await desk.context.close();
    }
  } finally {
    await hub.stop();
  }
}

export function printRefundTaps({ fresh, usual }) {
  const line = (label, n) =>
    `  ${label}: ${n.steps} steps (${n.taps} taps + the PIN as one step${n.keys ? `; the username typed counts as one of the taps` : ''})` +
    ` · raw ${n.taps + n.pinTaps} taps (each PIN digit a tap)${n.keys ? ` + ${n.keys} keystrokes` : ''}`;
  console.log('Refund one item at reception (Chromium 1366×768, from the sale history with the sale in view to the refund folio):');
  console.log('  counting: a tap is a click the script makes; the reason is a quick-reason chip (1 tap); the 4-digit PIN on the pad is one entry step (4 raw taps)');
  console.log(line('usual desk (supervisor remembered)', usual));
  console.log(line('fresh device (supervisor typed once)', fresh));
}
