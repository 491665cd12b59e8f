import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, periodRange } from './period';

describe('periodRange', () => {
  it('asks for no dates today, so each branch counts its own today', () => {
    expect(periodRange('today', '2026-12-06', { from: '', to: '' })).toEqual({});
  });
  it('counts seven and thirty days back, today included', () => {
    expect(periodRange('week', '2026-12-06', { from: '', to: '' })).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(periodRange('month', '2026-03-01', { from: '', to: '' })).toEqual({ from: '2026-01-31', to: '2026-03-01' });
  });
  it('puts a custom range the right way round', () => {
    expect(periodRange('custom', '2026-12-06', { from: '2026-12-05', to: '2026-12-01' })).toEqual({ from: '2026-12-01', to: '2026-12-05' });
  });
});

describe('days', () => {
  it('crosses months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });
});
