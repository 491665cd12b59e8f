// Reconnect delays for the live feed: doubling from half a second to a ceiling, with jitter so
// that a room full of screens does not hammer a hub that has just come back all at once.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0…1: share of the delay that is randomised. */
  jitter: number;
}

export const LIVE_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8000, jitter: 0.3 };

export function backoffDelay(attempt: number, options: BackoffOptions = LIVE_BACKOFF, random = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const spread = exp * options.jitter;
  return Math.round(exp - spread + random() * spread);
}
