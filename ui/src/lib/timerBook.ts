import type { Timer, TimerState } from '../api/types';

// Keeping a list of timers right while full reloads and live pushes interleave: the newer
// `updated_at` wins, so a slow reload can never roll back a change the live feed already showed.

export const OPEN_STATES: readonly TimerState[] = ['scheduled', 'running', 'paused', 'expired'];

function newer(a: Timer, b: Timer): boolean {
  return Date.parse(a.updated_at) >= Date.parse(b.updated_at);
}

/** Apply one pushed timer: replace, add, or drop it once it is finished or cancelled. */
export function upsertTimer(list: readonly Timer[], timer: Timer, keep: readonly TimerState[] = OPEN_STATES): Timer[] {
  const existing = list.find((t) => t.id === timer.id);
  if (existing && !newer(timer, existing)) return [...list];
  const rest = list.filter((t) => t.id !== timer.id);
  return keep.includes(timer.state) ? [...rest, timer] : rest;
}

/** Replace the list with a fresh load, except entries the live feed changed after the load began. */
export function mergeTimerList(current: readonly Timer[], fresh: readonly Timer[], loadStartedAt: number): Timer[] {
  const byId = new Map(fresh.map((t) => [t.id, t]));
  for (const t of current) {
    const f = byId.get(t.id);
    if (f ? !newer(f, t) : Date.parse(t.updated_at) > loadStartedAt) byId.set(t.id, t);
  }
  return [...byId.values()];
}

const ORDER: Record<TimerState, number> = { expired: 0, running: 1, paused: 2, scheduled: 3, finished: 4, cancelled: 5 };

/** Wall order: timers that ran out first, then the soonest to end, paused and scheduled last. */
export function wallOrder(a: Timer, b: Timer): number {
  const byState = ORDER[a.state] - ORDER[b.state];
  if (byState !== 0) return byState;
  const key = (t: Timer) => Date.parse(t.ends_at ?? t.starts_at ?? '') || t.remaining_ms;
  return key(a) - key(b) || a.child_name.localeCompare(b.child_name);
}
