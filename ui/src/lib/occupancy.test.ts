import { describe, expect, it } from 'vitest';
import { freesUpAt, occupancyTone } from './occupancy';

describe('occupancyTone', () => {
  it('is calm with room to spare, amber with a few places, red when full', () => {
    expect(occupancyTone({ capacity: 40, available: 12, full: false })).toBe('ok');
    expect(occupancyTone({ capacity: 40, available: 4, full: false })).toBe('few');
    expect(occupancyTone({ capacity: 10, available: 3, full: false })).toBe('few');
    expect(occupancyTone({ capacity: 40, available: 0, full: true })).toBe('full');
  });
  it('never warns without a limit', () => {
    expect(occupancyTone({ capacity: 0, available: null, full: false })).toBe('ok');
  });
});

describe('freesUpAt', () => {
  const frees = [{ at: '2026-11-22T22:45:00Z', children: 2 }];
  it('says when a place frees up only once full', () => {
    expect(freesUpAt({ full: false, next_free_at: null, frees_up: frees })).toBeNull();
    expect(freesUpAt({ full: true, next_free_at: '2026-11-22T22:40:00Z', frees_up: frees })).toBe('2026-11-22T22:40:00Z');
    expect(freesUpAt({ full: true, next_free_at: null, frees_up: frees })).toBe('2026-11-22T22:45:00Z');
    expect(freesUpAt({ full: true, next_free_at: null, frees_up: [] })).toBeNull();
  });
});
