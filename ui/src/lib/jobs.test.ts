import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../api/types';
import { isFinished, newer } from './jobs.svelte';

const job = (over: Partial<JobStatus>): JobStatus => ({
  id: 'J1', kind: 'menu.pdf', state: 'running', progress: 0, stage: 'pages', file_name: 'Menú.pdf',
  content_type: 'application/pdf', created_at: '2026-11-22T10:00:00Z', ...over,
});

describe('job progress', () => {
  it('only moves forward, whatever order pushes and polls arrive in', () => {
    const half = job({ progress: 0.5 });
    expect(newer(half, job({ progress: 0.3 }))).toBe(half);
    expect(newer(half, job({ progress: 0.7 })).progress).toBe(0.7);
    expect(newer(job({ state: 'queued' }), half)).toBe(half);
    expect(newer(half, job({ state: 'queued' }))).toBe(half);
    const done = job({ state: 'done', progress: 1 });
    expect(newer(done, job({ progress: 0.9 }))).toBe(done);
    expect(newer(half, done)).toBe(done);
    expect(isFinished(done) && isFinished(job({ state: 'failed' })) && isFinished(job({ state: 'cancelled' }))).toBe(true);
    expect(isFinished(half)).toBe(false);
    const cancelled = job({ state: 'cancelled', progress: 0.4 });
    expect(newer(cancelled, job({ progress: 0.6 }))).toBe(cancelled);
  });

  it('follows a different job from scratch', () => {
    const other = job({ id: 'J2', progress: 0.1 });
    expect(newer(job({ progress: 0.9 }), other)).toBe(other);
  });
});
