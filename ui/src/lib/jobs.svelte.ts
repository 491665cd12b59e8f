import { live } from '../api/live.svelte';
import { jobs as jobsApi } from '../api/endpoints';
import type { JobStatus } from '../api/types';

// Follows one background job (an export) to its end: progress comes pushed over the live feed;
// a slow poll covers a feed that is down, so the bar never hangs on a missed message.

export const POLL_EVERY_MS = 2000;

export function isFinished(job: JobStatus): boolean {
  return job.state === 'done' || job.state === 'failed' || job.state === 'cancelled';
}

/** The newer of two reports of the same job: a finished job never goes back to running, and
 *  progress within a state only moves forward (pushes and polls may arrive out of order). */
export function newer(current: JobStatus | null, incoming: JobStatus): JobStatus {
  if (!current || current.id !== incoming.id) return incoming;
  if (isFinished(current)) return current;
  if (isFinished(incoming)) return incoming;
  const rank = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 } as const;
  if (rank[incoming.state] !== rank[current.state]) return rank[incoming.state] > rank[current.state] ? incoming : current;
  return incoming.progress >= current.progress ? incoming : current;
}

export class JobWatch {
  job = $state<JobStatus | null>(null);

  /** Watches `started` until it finishes; answers the final status. */
  follow(started: JobStatus): Promise<JobStatus> {
    this.job = started;
    return new Promise((resolve) => {
      const settle = () => {
        if (this.job && isFinished(this.job)) {
          off();
          clearInterval(poll);
          resolve(this.job);
        }
      };
      const off = live.on((m) => {
        if (m.type === 'job.progress' && m.job.id === started.id) {
          this.job = newer(this.job, m.job);
          settle();
        }
      });
      const poll = setInterval(async () => {
        try {
          this.job = newer(this.job, await jobsApi.get(started.id));
          settle();
        } catch {
          // The next push or poll will tell.
        }
      }, POLL_EVERY_MS);
    });
  }
}
