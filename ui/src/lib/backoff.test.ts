import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const opts = { baseMs: 500, maxMs: 8000, jitter: 0.3 };

  it('doubles up to the ceiling', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, opts, top))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('jitters downwards by at most the jitter share', () => {
    expect(backoffDelay(4, opts, () => 0)).toBe(5600);
  });
});
