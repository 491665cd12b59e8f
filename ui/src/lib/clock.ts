import type { Timer } from '../api/types';

// The hub owns every timer; a client only knows `ends_at` and its own clock. The offset
// (server minus client) comes from the live feed's hello, so every screen agrees with the hub
// even when the device clock is minutes off.

/** Offset in ms to add to the local clock to get the hub's clock. The hello left the hub
 *  somewhere between `sentAt` and `receivedAt`; the midpoint halves the error. */
export function clockOffset(serverTime: string, sentAt: number, receivedAt: number): number {
  const server = Date.parse(serverTime);
  if (Number.isNaN(server)) return 0;
  return server - (sentAt + receivedAt) / 2;
}

/** Milliseconds left on a timer at local time `now` (negative once it has run out). Never more
 *  than the timer's length: a clock read a moment before the timer started (the shared clock
 *  ticks every 250 ms) or an offset a few ms off would otherwise show "1:00:01" for an hour. */
export function remainingMs(timer: Timer, now: number, offset: number): number {
  switch (timer.state) {
    case 'running':
    case 'expired': {
      if (!timer.ends_at) return timer.remaining_ms;
      const left = Date.parse(timer.ends_at) - (now + offset);
      return timer.duration_ms > 0 ? Math.min(left, timer.duration_ms) : left;
    }
    case 'scheduled':
      return timer.starts_at ? Date.parse(timer.starts_at) - (now + offset) : timer.remaining_ms;
    default:
      return timer.remaining_ms;
  }
}

/** 3_725_000 → "1:02:05", 65_000 → "01:05", negatives count up ("-00:42") once a timer is over.
 *  Rounds up so a timer shows 00:00 only when it has really ended. */
export function formatCountdown(ms: number): string {
  const negative = ms < 0;
  const total = negative ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = m.toString().padStart(2, '0');
  const ss = s.toString().padStart(2, '0');
  const body = h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  return negative && total > 0 ? `-${body}` : body;
}

export type Urgency = 'ok' | 'soon' | 'urgent' | 'over' | 'idle';

/** Amber from five minutes left, red from the last two: enough notice for a parent to come. */
export const SOON_MS = 5 * 60_000;
export const URGENT_MS = 2 * 60_000;

export function urgency(timer: Timer, remaining: number): Urgency {
  if (timer.state === 'expired') return 'over';
  if (timer.state !== 'running') return 'idle';
  if (remaining <= 0) return 'over';
  if (remaining <= URGENT_MS) return 'urgent';
  if (remaining <= SOON_MS) return 'soon';
  return 'ok';
}

/** What a wall tile shows: the countdown, which counts up from zero once the timer is over. */
export function wallCountdown(timer: Timer, now: number, offset: number): string {
  const remaining = remainingMs(timer, now, offset);
  return formatCountdown(urgency(timer, remaining) === 'over' ? Math.min(remaining, 0) : remaining);
}

/** Share of the timer still left, 0…1, for progress bars. The hub's `duration_ms` already
 *  includes extensions, so an extended timer's bar grows back rather than overflowing. */
export function fractionLeft(timer: Timer, remaining: number): number {
  const total = timer.duration_ms;
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, remaining / total));
}
