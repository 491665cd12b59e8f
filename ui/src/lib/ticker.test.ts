import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TICK_MS, ticker } from './ticker.svelte';

describe('the shared clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-22T18:00:00.100Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('ticks on quarter-second boundaries while someone uses it, and stops when all release it', () => {
    const releaseA = ticker.use();
    const releaseB = ticker.use();
    expect(ticker.now).toBe(Date.parse('2026-11-22T18:00:00.100Z'));

    // The first tick is re-aimed at the next boundary, then every TICK_MS.
    vi.advanceTimersByTime(150);
    expect(ticker.now).toBe(Date.parse('2026-11-22T18:00:00.250Z'));
    vi.advanceTimersByTime(TICK_MS * 4);
    expect(ticker.now).toBe(Date.parse('2026-11-22T18:00:01.250Z'));
    expect(vi.getTimerCount()).toBe(1); // one timer, however many users

    releaseA();
    vi.advanceTimersByTime(TICK_MS);
    expect(ticker.now).toBe(Date.parse('2026-11-22T18:00:01.500Z'));

    releaseB();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(ticker.now).toBe(Date.parse('2026-11-22T18:00:01.500Z'));
  });
});
