import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration';

describe('formatDuration', () => {
  it.each([
    [480, '8 h'],
    [90, '1 h 30 min'],
    [30, '30 min'],
    [60, '1 h'],
    [125, '2 h 5 min'],
    [1, '1 min'],
    [0, '0 min'],
    [-5, '0 min'],
    [29.6, '30 min'],
  ])('%s minutes read as %s', (minutes, said) => {
    expect(formatDuration(minutes)).toBe(said);
  });
});
