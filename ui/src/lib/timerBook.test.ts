import { describe, expect, it } from 'vitest';
import type { Timer } from '../api/types';
import { mergeTimerList, upsertTimer, wallOrder } from './timerBook';

function timer(id: string, over: Partial<Timer> = {}): Timer {
  return {
    id, sale_id: null, child_name: id, guardian_name: '', guardian_phone: '', service_id: null,
    service_name: '', state: 'running', starts_at: '2026-11-22T18:00:00Z', ends_at: '2026-11-22T19:00:00Z',
    duration_ms: 3_600_000, remaining_ms: 0, extended_minutes: 0, updated_at: '2026-11-22T18:00:00Z',
    extra_block_minutes: 15, extra_block_price_cents: 5000, grace_minutes: 5, overtime_minutes: 0, overtime_due_cents: 0, ...over,
  };
}

describe('upsertTimer', () => {
  it('adds, replaces and drops finished timers', () => {
    let list = upsertTimer([], timer('a'));
    list = upsertTimer(list, timer('a', { state: 'paused', updated_at: '2026-11-22T18:05:00Z' }));
    expect(list.map((t) => t.state)).toEqual(['paused']);
    list = upsertTimer(list, timer('a', { state: 'finished', updated_at: '2026-11-22T18:06:00Z' }));
    expect(list).toEqual([]);
  });

  it('ignores an older copy arriving late', () => {
    const list = [timer('a', { state: 'paused', updated_at: '2026-11-22T18:05:00Z' })];
    expect(upsertTimer(list, timer('a'))[0]?.state).toBe('paused');
  });
});

describe('mergeTimerList', () => {
  it('keeps a live change newer than the reload', () => {
    const live = [timer('a', { state: 'paused', updated_at: '2026-11-22T18:05:00Z' })];
    const merged = mergeTimerList(live, [timer('a')], Date.parse('2026-11-22T18:04:00Z'));
    expect(merged[0]?.state).toBe('paused');
  });

  it('drops timers the reload no longer lists unless they changed after it began', () => {
    const current = [timer('old'), timer('new', { updated_at: '2026-11-22T18:10:00Z' })];
    const merged = mergeTimerList(current, [], Date.parse('2026-11-22T18:05:00Z'));
    expect(merged.map((t) => t.id)).toEqual(['new']);
  });
});

describe('wallOrder', () => {
  it('puts expired first, then the soonest end, paused last', () => {
    const list = [
      timer('paused', { state: 'paused', ends_at: null }),
      timer('late', { ends_at: '2026-11-22T19:30:00Z' }),
      timer('soon', { ends_at: '2026-11-22T18:30:00Z' }),
      timer('over', { state: 'expired' }),
    ];
    expect(list.sort(wallOrder).map((t) => t.id)).toEqual(['over', 'soon', 'late', 'paused']);
  });
});
