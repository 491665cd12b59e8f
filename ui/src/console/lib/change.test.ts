import { describe, expect, it } from 'vitest';
import { change } from './change';

describe('change', () => {
  it('tells the percent and whether more is good', () => {
    expect(change(150, 100)).toEqual({ direction: 'up', amount: 50, tone: 'good' });
    expect(change(50, 100)).toEqual({ direction: 'down', amount: -50, tone: 'bad' });
  });
  it('counts more refunds as bad news', () => {
    expect(change(200, 100, { higherIsBetter: false }).tone).toBe('bad');
    expect(change(50, 100, { higherIsBetter: false }).tone).toBe('good');
  });
  it('has nothing to say without a previous period', () => {
    expect(change(100, 0)).toEqual({ direction: 'none', amount: null, tone: 'neutral' });
    expect(change(null, 40, { points: true }).direction).toBe('none');
    expect(change(40, null, { points: true }).direction).toBe('none');
  });
  it('tells a percentage’s change in points, from zero too', () => {
    expect(change(50, 40, { points: true })).toEqual({ direction: 'up', amount: 10, tone: 'good' });
    expect(change(12.5, 0, { points: true }).amount).toBe(12.5);
  });
  it('calls what rounds to nothing the same', () => {
    expect(change(100_000, 100_001)).toEqual({ direction: 'same', amount: 0, tone: 'neutral' });
  });
});
